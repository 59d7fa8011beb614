package target

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/target/targettest"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

// memcachedSim is the memcached model (the policy memcached) as these
// tests read it.
type memcachedSim interface {
	policy.Cache
	memcachedSizes
	// SlabMemory returns the bytes of the slab pages the model holds.
	SlabMemory() int64
}

// newMemcachedModel builds the memcached model with the settings a run's
// server reported, at the run's memory limit.
func newMemcachedModel(t testing.TB, c Counters) memcachedSim {
	t.Helper()
	spec, err := policy.ParseSpec(c.Model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := policy.New(spec, policy.Config{Capacity: c.MemoryLimit})
	if err != nil {
		t.Fatal(err)
	}
	return m.(memcachedSim)
}

// The model's item sizes and slab classes are the server's: one item at a
// time, the server's bytes (ITEM_ntotal) and the chunk size of the class
// whose used_chunks went up are the model's.
func TestMemcachedItemSizesMatchServer(t *testing.T) {
	tg := open(t, "memcached://"+targettest.Memcached(t, 64), Config{}).(*memcachedTarget)
	c, err := tg.dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	before, err := tg.Counters()
	if err != nil {
		t.Fatal(err)
	}
	if before.Model != "memcached" {
		t.Fatalf("a memcached run with defaults has model %q, want memcached", before.Model)
	}
	m := newMemcachedModel(t, before)
	value := []byte(strings.Repeat("x", 700<<10))
	for _, tc := range []struct {
		key  uint64
		size int
	}{{1, 0}, {7, 36}, {7, 37}, {12345, 100}, {12345, 128}, {12345, 129}, {18446744073709551615, 100},
		{99, 3000}, {4242, 400 << 10}, {4242, 600 << 10}} {
		c.set(tc.key, value[:tc.size], 0)
		if err := c.flush(); err != nil {
			t.Fatal(err)
		}
		if ok, err := c.readSet(); err != nil || !ok {
			t.Fatalf("set %d of %d bytes: stored %v, %v", tc.key, tc.size, ok, err)
		}
		stats, err := tg.stats("")
		if err != nil {
			t.Fatal(err)
		}
		slabs, err := tg.stats("slabs")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := statInt(stats, "bytes"), m.ItemSize(tc.key, uint32(tc.size)); got != want {
			t.Errorf("key %d, %d bytes: the server stores %d bytes, the model %d", tc.key, tc.size, got, want)
		}
		var chunks []int64
		for k, v := range slabs {
			if class, name, _ := strings.Cut(k, ":"); name == "used_chunks" && v != "0" {
				chunks = append(chunks, statInt(slabs, class+":chunk_size"))
			}
		}
		// An item past slab_chunk_max is chained: a header chunk in a small
		// class and chunks of the largest; the model counts the latter.
		if want := m.ChunkSize(tc.key, uint32(tc.size)); !containsChunk(chunks, want) {
			t.Errorf("key %d, %d bytes: the server used chunks of %v, the model one of %d", tc.key, tc.size, chunks, want)
		}
		c.del(tc.key)
		if err := c.flush(); err != nil {
			t.Fatal(err)
		}
		if err := c.readDel(); err != nil {
			t.Fatal(err)
		}
	}
}

func containsChunk(chunks []int64, c int64) bool {
	for _, x := range chunks {
		if x == c {
			return true
		}
	}
	return false
}

// monitorCapture is the MONITOR row, written in the test as MONITOR
// prints what redis-benchmark sends: "-t set -r 30000 -n 30000 -d 100",
// then "-t get -r 30000 -n 120000" (keys key:%012d of a uniform random
// number below 30,000), read by the MONITOR reader with every request
// sized 116 bytes (a SET's key and value; GETs take their key's last size,
// and the default for keys never set).
func monitorCapture(t testing.TB) *trace.Trace {
	t.Helper()
	rng := rand.New(rand.NewPCG(18, 116))
	value := strings.Repeat("x", 100)
	var b strings.Builder
	for i := range 150000 {
		ts := 1795794996 + float64(i)*25e-6
		key := fmt.Sprintf("key:%012d", rng.IntN(30000))
		if i < 30000 {
			fmt.Fprintf(&b, "%.6f [0 127.0.0.1:53860] \"SET\" \"%s\" \"%s\"\n", ts, key, value)
		} else {
			fmt.Fprintf(&b, "%.6f [0 127.0.0.1:53860] \"GET\" \"%s\"\n", ts, key)
		}
	}
	r := traces.NewMonitorReader("monitor", strings.NewReader(b.String()), traces.Options{DefaultSize: 116})
	tr, err := traces.ReadAll("redis-benchmark MONITOR", r)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// memcachedFidelity replays tr against a memcached of our own at each
// memory limit (MiB) and checks the memcached model, on the replay's clock
// with the server's settings, is within 2 points of the server's hit ratio,
// and holds the same slab pages within one; the first limit must evict.
func memcachedFidelity(t *testing.T, tr *trace.Trace, mibs ...int64) {
	tg := open(t, "memcached://127.0.0.1:1", Config{Spawn: true})
	for n, mib := range mibs {
		res, err := Replay(tg, tr, mib<<20, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && res.After.Evictions == 0 {
			t.Fatalf("%s %d MiB: no evictions, the limit does not bite", tr.Name, mib)
		}
		pred, err := Predict(tr, res, PredictOptions{Kind: "memcached", Overhead: -1, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		real, model, lru := res.HitRatio(), pred.Points[0].HitRatio(), pred.Points[1].HitRatio()
		m := newMemcachedModel(t, res.After)
		view := *tr
		view.Times = res.Times
		sim.Replay(&view, m, sim.Options{})
		t.Logf("%s %d MiB: real %.2f%%, %s %.2f%% (%+.2f), exact lru %.2f%% (%+.2f); slab pages %d MiB, model %d MiB; %.0f req/s",
			tr.Name, mib, 100*real, pred.Points[0].Policy, 100*model, 100*(model-real), 100*lru, 100*(lru-real),
			res.After.SlabMemory>>20, m.SlabMemory()>>20, res.Throughput())
		if math.Abs(real-model) > 0.02 {
			t.Errorf("%s %d MiB: real hit ratio %.2f%%, memcached model %.2f%%: more than 2 points apart", tr.Name, mib, 100*real, 100*model)
		}
		if d := m.SlabMemory() - res.After.SlabMemory; d > 1<<20 || d < -1<<20 {
			t.Errorf("%s %d MiB: the server holds %d MiB of slab pages, the model %d MiB", tr.Name, mib, res.After.SlabMemory>>20, m.SlabMemory()>>20)
		}
	}
}

// The workloads, at the request counts.
const (
	mcZipf      = "zipf:keys=100000,requests=500000,alpha=0.9,size=100,rate=10000"
	mcUniform   = "uniform:keys=30000,requests=150000,size=116,rate=50000"
	mcLognormal = "zipf:keys=200000,requests=1000000,alpha=0.9,size=lognormal:6:1,rate=100000"
)

// TestMemcachedFidelity is the part of the table that always runs,
// a point for each way the old model went wrong: the uniform workload at
// 4 MiB (8 points off: hits never made items ACTIVE), the MONITOR capture at
// 4 and 6 MiB (16 to 18 points: its 20-digit keys put items in 240-byte
// chunks), and the lognormal sizes at a tenth of their requests, at 4 and
// 16 MiB (43 and 6 points off: every one of 25 classes holds a page even
// beyond the limit). TestMemcachedFidelityFull runs the whole table.
func TestMemcachedFidelity(t *testing.T) {
	memcachedFidelity(t, zipf(t, mcUniform), 4)
	memcachedFidelity(t, monitorCapture(t), 4, 6)
	memcachedFidelity(t, zipf(t, strings.Replace(mcLognormal, "requests=1000000", "requests=100000", 1)), 4, 16)
}

// TestMemcachedFidelityFull is the table, each workload at 4, 8 and
// 16 MiB (and the MONITOR capture at 5 and 6 MiB too, where it evicts),
// about a minute. Run it with
//
//	CACHESIM_FIDELITY=1 go test ./sim/target -run MemcachedFidelityFull -v
func TestMemcachedFidelityFull(t *testing.T) {
	if testing.Short() || os.Getenv("CACHESIM_FIDELITY") == "" {
		t.Skip("set CACHESIM_FIDELITY=1 for the full fidelity check")
	}
	memcachedFidelity(t, zipf(t, mcZipf), 4, 8, 16)
	memcachedFidelity(t, zipf(t, mcUniform), 4, 8, 16)
	memcachedFidelity(t, monitorCapture(t), 4, 5, 6, 8, 16)
	memcachedFidelity(t, zipf(t, mcLognormal), 4, 8, 16)
}

// The report's memory per item comes from the server's slabs: Zipf keys of
// 100-byte values all take 192-byte chunks, so each item takes 192 bytes
// and 92 beyond its value (give or take the keys' lengths, 1 to 6 digits);
// lognormal sizes, whose resident values are not the trace's mean, still
// give an overhead of at least the 59-byte item header.
func TestMemcachedMemoryPerItem(t *testing.T) {
	tg := open(t, "memcached://127.0.0.1:1", Config{Spawn: true})
	res, err := Replay(tg, zipf(t, "zipf:keys=50000,requests=100000,alpha=0.9,size=100,seed=3"), 4<<20, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The chunk memory and the item count come from two stats commands, a
	// moment apart: allow half a byte.
	if m, o := res.MemoryPerKey(), res.OverheadPerKey(); math.Abs(m-192) > 0.5 || o < 88 || o > 96 {
		t.Errorf("zipf, 100-byte values: %.1f B per item, %.1f B beyond the value; want 192 and 88..96", m, o)
	}
	if res.After.SlabMemory != 4<<20 || res.After.SlabClasses != 1 {
		t.Errorf("zipf: %d bytes of pages in %d classes, want 4 MiB in 1", res.After.SlabMemory, res.After.SlabClasses)
	}
	res, err = Replay(tg, zipf(t, "zipf:keys=50000,requests=100000,alpha=0.9,size=lognormal:6:1,seed=3"), 4<<20, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if o := res.OverheadPerKey(); o < 59 {
		t.Errorf("lognormal: %.1f B beyond the value, want at least the 59-byte header", o)
	}
	if res.After.SlabMemory <= 4<<20 || res.After.SlabMemory < int64(res.After.SlabClasses)<<20 {
		t.Errorf("lognormal: %d bytes of pages in %d classes, want more than the limit: a page for each class", res.After.SlabMemory, res.After.SlabClasses)
	}
}
