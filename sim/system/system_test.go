package system

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

const ms = int64(time.Millisecond)

// req is a request of a hand-made trace.
type req struct {
	at   int64 // ns
	key  uint64
	op   trace.Op
	size uint32
}

// sysTrace builds a trace with times, sizes and operations from reqs.
func sysTrace(reqs ...req) *trace.Trace {
	tr := trace.NewTrace("hand", trace.Fields{Time: true, Size: true, Op: true})
	for _, r := range reqs {
		size := r.size
		if size == 0 {
			size = 1
		}
		tr.Append(&trace.Request{Time: r.at, Key: r.key, Op: r.op, Size: size})
	}
	return tr
}

// skewedTrace draws n gets over k keys, skewed towards small keys, with
// sizes fixed per key and timestamps 1ms apart.
func skewedTrace(seed uint64, n, k int) *trace.Trace {
	rng := rand.New(rand.NewPCG(seed, 7))
	tr := trace.NewTrace("skewed", trace.Fields{Size: true, Time: true})
	for i := 0; i < n; i++ {
		key := uint64(rng.IntN(1 + rng.IntN(k)))
		tr.Append(&trace.Request{Time: int64(i) * ms, Key: key, Size: 1 + uint32(key%7)*100})
	}
	return tr
}

func mustLevels(t *testing.T, spec string) []Level {
	t.Helper()
	l, err := ParseLevels(spec)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func run(t *testing.T, tr *trace.Trace, cfg Config) Stats {
	t.Helper()
	st, err := Run(tr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// constLatencies gives every request of tr a miss latency of seconds.
func constLatencies(tr *trace.Trace, seconds float64) *sim.Latencies {
	d, err := sim.ParseMissLatency(time.Duration(seconds*1e9).String(), 0)
	if err != nil {
		panic(err)
	}
	return sim.LatencyModel{Miss: d}.Latencies(tr)
}

// An L1 of size 0 holds nothing, so the hierarchy is its L2 alone: the same
// hits, bytes and (with free lookups) latencies as a replay of that cache,
// for any policy and any number of instances.
func TestSystemEmptyL1EqualsSingleCache(t *testing.T) {
	tr := skewedTrace(1, 10000, 1000)
	lat := sim.LatencyModel{Miss: distLogNormal(t)}.Latencies(tr)
	for _, pol := range []string{"lru", "lfu", "fifo", "s3fifo", "arc", "wtinylfu"} {
		for _, unit := range []string{"300", "64KiB"} {
			for _, inst := range []int{1, 3} {
				levels := mustLevels(t, "l1=lru:0,l2="+pol+":"+unit)
				st := run(t, tr, Config{Levels: levels, Instances: inst, Latency: lat})
				c, err := policy.New(levels[1].Policy, policy.Config{Capacity: levels[1].Size.N})
				if err != nil {
					t.Fatal(err)
				}
				want := sim.Replay(tr, c, sim.Options{Objects: !levels[1].Size.Bytes(), Latency: lat})
				if st.Requests != want.Requests || st.Hits != want.Hits || st.ByteHits != want.ByteHits || st.Evictions != want.Evictions {
					t.Errorf("%s %s ×%d: requests/hits/byte hits/evictions %d/%d/%d/%d, single cache %d/%d/%d/%d", pol, unit, inst,
						st.Requests, st.Hits, st.ByteHits, st.Evictions, want.Requests, want.Hits, want.ByteHits, want.Evictions)
				}
				if st.Levels[0].Hits != 0 || st.Levels[1].Reached != st.Requests || st.Backend.Calls != want.Misses() {
					t.Errorf("%s %s ×%d: L1 hits %d, L2 reached %d of %d, backend calls %d (misses %d)", pol, unit, inst,
						st.Levels[0].Hits, st.Levels[1].Reached, st.Requests, st.Backend.Calls, want.Misses())
				}
				for _, q := range []float64{0.5, 0.9, 0.99, 1} {
					if a, b := st.Latency.Quantile(q), want.Latency.Quantile(q); a != b {
						t.Errorf("%s %s ×%d: p%g latency %g, single cache %g", pol, unit, inst, 100*q, a, b)
					}
				}
				if math.Abs(st.Latency.Mean()-want.Latency.Mean()) > 1e-12 {
					t.Errorf("%s: mean latency %g, single cache %g", pol, st.Latency.Mean(), want.Latency.Mean())
				}
			}
		}
	}
}

func distLogNormal(t *testing.T) sim.Distribution {
	d, err := sim.ParseMissLatency("lognormal:median=40ms,p99=250ms", 3)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// An L2 that holds everything misses only the first request of each key.
func TestSystemHugeL2ColdMissesOnly(t *testing.T) {
	tr := skewedTrace(2, 20000, 3000)
	distinct := uint64(tr.DistinctKeys())
	for _, exclusive := range []bool{false, true} {
		for _, inst := range []int{1, 4} {
			if exclusive && inst > 1 {
				continue
			}
			st := run(t, tr, Config{Levels: mustLevels(t, "l1=lru:50,l2=lru:1000000"), Instances: inst, Exclusive: exclusive})
			if st.Backend.Calls != distinct || st.Misses() != distinct {
				t.Errorf("exclusive=%v ×%d: %d backend calls, %d misses; want the %d cold misses", exclusive, inst, st.Backend.Calls, st.Misses(), distinct)
			}
			if got := st.Levels[0].Hits + st.Levels[1].Hits; got != st.Hits || st.Levels[1].Reached != st.Requests-st.Levels[0].Hits {
				t.Errorf("exclusive=%v ×%d: level counts do not add up: %+v", exclusive, inst, st.Levels)
			}
		}
	}
}

// Hand-computed: L1 lru:1 and L2 lru:2 on a b a c b. Inclusive: a, b, c
// miss cold; the second a hits L2 ({a,b}); c's fill evicts b from L2
// ({c,a}), so the last b misses: 4 backend calls. Exclusive: L2 holds only
// L1's victims: b pushes a down ({a}); a comes up from L2 and pushes b down
// ({b}); c pushes a down ({b,a}); b comes up from L2: 3 backend calls, 2 L2 hits.
func TestSystemExclusive(t *testing.T) {
	var reqs []req
	for i, k := range []uint64{1, 2, 1, 3, 2} {
		reqs = append(reqs, req{at: int64(i) * ms, key: k})
	}
	tr := sysTrace(reqs...)
	levels := mustLevels(t, "l1=lru:1,l2=lru:2")
	in := run(t, tr, Config{Levels: levels})
	ex := run(t, tr, Config{Levels: levels, Exclusive: true})
	if in.Backend.Calls != 4 || in.Levels[1].Hits != 1 {
		t.Errorf("inclusive: %d backend calls, %d L2 hits; want 4, 1", in.Backend.Calls, in.Levels[1].Hits)
	}
	if ex.Backend.Calls != 3 || ex.Levels[1].Hits != 2 || ex.Levels[0].Hits != 0 {
		t.Errorf("exclusive: %d backend calls, %d L1 hits, %d L2 hits; want 3, 0, 2", ex.Backend.Calls, ex.Levels[0].Hits, ex.Levels[1].Hits)
	}
}

// Ten requests for one key 1ms apart while its first miss (50ms) is in
// flight, then one after it completed. Without protection each of the ten
// calls the backend (9 duplicates, 10 in flight at once), each waiting 50ms;
// coalesced, one call and nine waits of 49, 48, …, 41ms; with instantaneous
// fills, one miss and ten hits.
func TestStampedeTenRequests(t *testing.T) {
	var reqs []req
	for i := range 10 {
		reqs = append(reqs, req{at: int64(i) * ms, key: 7})
	}
	reqs = append(reqs, req{at: 60 * ms, key: 7})
	tr := sysTrace(reqs...)
	lat := constLatencies(tr, 0.050)
	cfg := Config{Levels: mustLevels(t, "l1=lru:100"), Latency: lat}

	cfg.Stampede = StampedeNone
	st := run(t, tr, cfg)
	if st.Backend.Calls != 10 || st.Backend.Duplicates != 9 || st.Backend.MaxPerKey != 10 || st.Hits != 1 {
		t.Errorf("none: calls %d duplicates %d max per key %d hits %d; want 10, 9, 10, 1", st.Backend.Calls, st.Backend.Duplicates, st.Backend.MaxPerKey, st.Hits)
	}
	if got := st.Latency.Quantile(0.9); got != 0.050 {
		t.Errorf("none: p90 latency %g; want 0.05", got)
	}

	cfg.Stampede = StampedeCoalesce
	st = run(t, tr, cfg)
	if st.Backend.Calls != 1 || st.Backend.Coalesced != 9 || st.Backend.MaxPerKey != 1 || st.Hits != 1 {
		t.Errorf("coalesce: calls %d coalesced %d max per key %d hits %d; want 1, 9, 1, 1", st.Backend.Calls, st.Backend.Coalesced, st.Backend.MaxPerKey, st.Hits)
	}
	// Latencies 50, 49, …, 41ms and a 0 hit: sum 455ms over 11 requests; the median (6th of 11) is 45ms.
	if m, p50 := st.Latency.Mean(), st.Latency.Quantile(0.5); math.Abs(m-0.455/11) > 1e-12 || math.Abs(p50-0.045) > 1e-12 {
		t.Errorf("coalesce: mean %g, p50 %g; want %g, 0.045", m, p50, 0.455/11)
	}

	cfg.Stampede = StampedeOff
	st = run(t, tr, cfg)
	if st.Backend.Calls != 1 || st.Hits != 10 {
		t.Errorf("off: calls %d hits %d; want 1, 10", st.Backend.Calls, st.Hits)
	}
}

// XFetch on a bursty hot set: entries live 1s, fetches take 50ms, requests
// arrive in Poisson bursts. With β = 0 nothing is recomputed early and every
// expiry sets off a stampede; as β grows, more recomputations happen early
// and fewer requests find their entry expired, so the stampede shrinks.
func TestXFetch(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	tr := trace.NewTrace("bursty", trace.Fields{Time: true})
	now := int64(0)
	for now < int64(120*time.Second) {
		// Bursts of 1 request/ms for 200ms every ~500ms, over 5 keys.
		burstEnd := now + 200*ms
		for now < burstEnd {
			now += int64(rng.ExpFloat64() * float64(ms))
			tr.Append(&trace.Request{Time: now, Key: uint64(rng.IntN(5))})
		}
		now += int64(rng.ExpFloat64() * float64(300*ms))
	}
	lat := constLatencies(tr, 0.050)
	var prevEarly uint64
	var dups []uint64
	for k, beta := range []float64{0, 0.5, 1, 4} {
		st := run(t, tr, Config{Levels: mustLevels(t, "l1=lru:100"), Latency: lat, TTL: time.Second,
			Stampede: StampedeXFetch, Beta: beta, Seed: 5})
		t.Logf("β=%g: calls %d, early %d, duplicates %d, expired %d, hit ratio %.4f, p99 %.1fms", beta, st.Backend.Calls,
			st.Backend.EarlyRecomputes, st.Backend.Duplicates, st.Backend.Expired, st.HitRatio(), 1e3*st.Latency.Quantile(0.99))
		if beta == 0 && st.Backend.EarlyRecomputes != 0 {
			t.Errorf("β=0: %d early recomputations; want none", st.Backend.EarlyRecomputes)
		}
		if k > 0 && st.Backend.EarlyRecomputes <= prevEarly {
			t.Errorf("β=%g: %d early recomputations, not more than %d with a smaller β", beta, st.Backend.EarlyRecomputes, prevEarly)
		}
		prevEarly = st.Backend.EarlyRecomputes
		dups = append(dups, st.Backend.Duplicates)
	}
	if !(dups[0] > dups[1] && dups[1] > dups[2] && dups[2] > dups[3]) {
		t.Errorf("stampede calls by β (0, 0.5, 1, 4): %v; want fewer as β grows", dups)
	}
}

// Hand-computed write-back: a (100 B) written at 1, 2 and 3s, b (50 B) at
// 4s, a again at 12s; flushes every 10s from the first request (at 0s): the
// flush at 10s writes a and b, the last flush (at the end, 15s) writes a:
// 3 store writes for 5 writes. At risk: 1 entry (100 B) over [1,4)s, 2
// (150 B) over [4,10)s, 1 (100 B) over [12,15]s: means 18/15 entries and
// 1500/15 bytes, maxima 2 and 150.
func TestWriteBackFlush(t *testing.T) {
	s := int64(time.Second)
	set := func(at int64, key uint64, size uint32) req {
		return req{at: at, key: key, op: trace.OpWrite, size: size}
	}
	tr := sysTrace(req{at: 0, key: 1, size: 100}, set(1*s, 1, 100), set(2*s, 1, 100), set(3*s, 1, 100),
		set(4*s, 2, 50), set(12*s, 1, 100), req{at: 15 * s, key: 2, size: 50})
	st := run(t, tr, Config{Levels: mustLevels(t, "l1=lru:10"), Writes: WriteBack, FlushInterval: 10 * time.Second})
	w := st.Writes
	if st.Sets != 5 || w.StoreWrites != 3 || w.Saved != 2 {
		t.Errorf("sets %d, store writes %d, saved %d; want 5, 3, 2", st.Sets, w.StoreWrites, w.Saved)
	}
	if w.MaxDirty != 2 || w.MaxDirtyBytes != 150 || math.Abs(w.MeanDirty-1.2) > 1e-12 || math.Abs(w.MeanDirtyBytes-100) > 1e-9 {
		t.Errorf("at risk: max %d entries %d B, mean %g entries %g B; want 2, 150, 1.2, 100", w.MaxDirty, w.MaxDirtyBytes, w.MeanDirty, w.MeanDirtyBytes)
	}
	if st.Requests != 2 || st.Hits != 1 {
		t.Errorf("requests %d hits %d; want 2, 1 (the read of b hits the written entry)", st.Requests, st.Hits)
	}
	// A dirty entry the write-back level evicts is written then: with room
	// for one object, b's write at 2s pushes dirty a out (a store write), and
	// the flush at 11s (10s after the first request) writes b.
	small := sysTrace(set(1*s, 1, 1), set(2*s, 2, 1), req{at: 15 * s, key: 2})
	for _, c := range []struct {
		levels   string
		maxDirty int
	}{{"l1=lru:1", 1}, {"l1=lru:10", 2}} {
		st := run(t, small, Config{Levels: mustLevels(t, c.levels), Writes: WriteBack, FlushInterval: 10 * time.Second})
		if st.Writes.StoreWrites != 2 || st.Writes.MaxDirty != c.maxDirty {
			t.Errorf("%s: store writes %d, max dirty %d; want 2, %d", c.levels, st.Writes.StoreWrites, st.Writes.MaxDirty, c.maxDirty)
		}
	}
	st = run(t, tr, Config{Levels: mustLevels(t, "l1=lru:10"), Writes: WriteThrough})
	if st.Writes.StoreWrites != 5 || st.Writes.Saved != 0 || st.Hits != 1 {
		t.Errorf("write-through: store writes %d saved %d hits %d; want 5, 0, 1", st.Writes.StoreWrites, st.Writes.Saved, st.Hits)
	}
	st = run(t, tr, Config{Levels: mustLevels(t, "l1=lru:10"), Writes: WriteAround})
	if st.Writes.StoreWrites != 5 || st.Hits != 0 {
		t.Errorf("write-around: store writes %d hits %d; want 5, 0 (writes invalidate)", st.Writes.StoreWrites, st.Hits)
	}
}

// Two instances A and B with private L1s over a shared L2; invalidations
// take 100ms. A reads k (0ms, cold miss), B reads k (10ms, from L2), A
// writes k (20ms): B's copy is stale until the invalidation arrives at
// 120ms, so B's read at 50ms is a stale L1 hit and its read at 150ms comes
// from L2, which the write updated.
func TestTwoInstanceInvalidationRace(t *testing.T) {
	tr := sysTrace(req{at: 0, key: 9}, req{at: 10 * ms, key: 9}, req{at: 20 * ms, key: 9, op: trace.OpWrite},
		req{at: 50 * ms, key: 9}, req{at: 150 * ms, key: 9})
	who := []uint32{0, 1, 0, 1, 1}
	cfg := Config{Levels: mustLevels(t, "l1=lru:10,l2=lru:100"), Instances: 2, InstanceOf: who,
		InvalidationDelay: 100 * time.Millisecond}
	st := run(t, tr, cfg)
	if st.Writes.StaleReads != 1 || st.Writes.Invalidations != 1 || st.Levels[0].Hits != 1 || st.Levels[1].Hits != 2 || st.Backend.Calls != 1 {
		t.Errorf("delay 100ms: stale %d, invalidations %d, L1 hits %d, L2 hits %d, calls %d; want 1, 1, 1, 2, 1",
			st.Writes.StaleReads, st.Writes.Invalidations, st.Levels[0].Hits, st.Levels[1].Hits, st.Backend.Calls)
	}
	// Without delay B's copy goes at 20ms: its read at 50ms comes from L2
	// and refills its L1, which serves the read at 150ms.
	cfg.InvalidationDelay = 0
	st = run(t, tr, cfg)
	if st.Writes.StaleReads != 0 || st.Levels[0].Hits != 1 || st.Levels[1].Hits != 2 {
		t.Errorf("no delay: stale %d, L1 hits %d, L2 hits %d; want 0, 1, 2", st.Writes.StaleReads, st.Levels[0].Hits, st.Levels[1].Hits)
	}
	// Write-around drops k from A's L1 and from L2 at once: B still reads
	// its stale copy at 50ms, then misses to the backend at 150ms.
	cfg.InvalidationDelay, cfg.Writes = 100*time.Millisecond, WriteAround
	st = run(t, tr, cfg)
	if st.Writes.StaleReads != 1 || st.Backend.Calls != 2 || st.Levels[1].Hits != 1 {
		t.Errorf("write-around: stale %d, calls %d, L2 hits %d; want 1, 2, 1", st.Writes.StaleReads, st.Backend.Calls, st.Levels[1].Hits)
	}
}

// One key read every second for 30s, all entries dropped every 10s: misses
// at 0, 10 and 20s. Around the events at 10s and 20s (1s windows) the read
// just before hits and the one just after misses and calls the backend.
func TestInvalidateEvery(t *testing.T) {
	var reqs []req
	for i := range 30 {
		reqs = append(reqs, req{at: int64(i) * int64(time.Second), key: 3})
	}
	tr := sysTrace(reqs...)
	st := run(t, tr, Config{Levels: mustLevels(t, "l1=lru:10,l2=lru:10"), InvalidateEvery: 10 * time.Second})
	if st.Misses() != 3 || st.Backend.Calls != 3 {
		t.Fatalf("misses %d, calls %d; want 3, 3", st.Misses(), st.Backend.Calls)
	}
	if len(st.Versions) != 2 || st.Drops != 2 {
		t.Fatalf("%d version events, %d drops; want 2 (at 10s and 20s)", len(st.Versions), st.Drops)
	}
	for _, e := range st.Versions {
		if e.Before != (EventWindow{1, 1, 0}) || e.After != (EventWindow{1, 0, 1}) {
			t.Errorf("event at %v: before %+v after %+v; want {1 1 0}, {1 0 1}", time.Duration(e.Time), e.Before, e.After)
		}
	}
}

// Warm-up requests are replayed but not counted; a prewarm from the warm-up
// part loads its most requested keys and replays only the rest.
func TestWarmupAndPrewarm(t *testing.T) {
	keys := []uint64{1, 1, 1, 2, 2, 3, 1, 2, 3, 4}
	var reqs []req
	for i, k := range keys {
		reqs = append(reqs, req{at: int64(i) * int64(time.Second), key: k})
	}
	tr := sysTrace(reqs...)
	levels := mustLevels(t, "l1=lru:10")
	for _, w := range []sim.Warmup{{Requests: 6}, {Duration: 6 * time.Second}} {
		st := run(t, tr, Config{Levels: levels, Warmup: w})
		if st.Requests != 4 || st.Hits != 3 || st.Backend.Calls != 1 {
			t.Errorf("warm-up %+v: requests %d hits %d calls %d; want 4, 3, 1", w, st.Requests, st.Hits, st.Backend.Calls)
		}
	}
	top := TopKeys(tr, 0, 6, 2)
	if len(top) != 2 || top[0].Key != 1 || top[1].Key != 2 {
		t.Fatalf("top 2 of the warm-up: %+v; want keys 1, 2", top)
	}
	st := run(t, tr, Config{Levels: levels, Warmup: sim.Warmup{Requests: 6}, Prewarm: top, PrewarmFromWarmup: true})
	if st.Requests != 4 || st.Hits != 2 || st.Prewarmed != 2 {
		t.Errorf("prewarm: requests %d hits %d prewarmed %d; want 4, 2, 2", st.Requests, st.Hits, st.Prewarmed)
	}
}

func TestParseLevels(t *testing.T) {
	l, err := ParseLevels("l1=lru:1000@0.05ms, l2=s3fifo(small=0.1,ghost=0.9):1GiB@1ms")
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 2 || l[0].Name != "l1" || l[0].Size != (sim.Size{N: 1000}) || math.Abs(l[0].Latency-50e-6) > 1e-15 ||
		l[1].Policy.String() != "s3fifo(ghost=0.9,small=0.1)" || l[1].Size != (sim.Size{N: 1 << 30, Unit: sim.Bytes}) || l[1].Latency != 1e-3 {
		t.Errorf("parsed %+v", l)
	}
	if got := FormatLevels(l); got != "l1=lru:1000@50µs,l2=s3fifo(ghost=0.9,small=0.1):1GiB@1ms" {
		t.Errorf("FormatLevels: %s", got)
	}
	if again, err := ParseLevels(FormatLevels(l)); err != nil || FormatLevels(again) != FormatLevels(l) {
		t.Errorf("FormatLevels does not read back: %v", err)
	}
	for _, bad := range []string{"", "lru:10", "l1=lru", "l1=nosuch:10", "l1=lru:10@fast", "l1=lru:10,l1=lru:20", "l1=lru:-5"} {
		if _, err := ParseLevels(bad); err == nil {
			t.Errorf("ParseLevels(%q) accepted", bad)
		}
	}
	// A last level of size 0 caches nothing (as --size 0, refused
	// elsewhere); an empty level in front of others passes through.
	for _, bad := range []string{"l1=lru:0", "l1=lru:100,l2=lru:0B@1ms"} {
		if _, err := ParseLevels(bad); err == nil || !strings.Contains(err.Error(), "size 0 holds nothing, and it is the last level") {
			t.Errorf("ParseLevels(%q): %v", bad, err)
		}
	}
	if _, err := ParseLevels("l1=lru:0,l2=lru:10"); err != nil {
		t.Errorf("an empty level in front: %v", err)
	}
}

// Settings that need timestamps fail clearly on a trace without them, as
// do an exclusive hierarchy over several instances, settings out of
// bounds and malformed ones; each error names its setting, in words.
func TestSystemRejectsBadConfig(t *testing.T) {
	tr := trace.NewTrace("untimed", trace.Fields{})
	tr.Append(&trace.Request{Key: 1, Size: 1})
	for _, c := range []struct {
		cfg     Config
		setting Setting
		says    string
	}{
		{Config{Stampede: StampedeCoalesce}, SettingStampede, "stampede: coalesce needs timestamps, and untimed has none"},
		{Config{Exclusive: true, Instances: 2}, SettingExclusive, "at least two levels and one instance"},
		{Config{Writes: WriteBack, FlushInterval: time.Second}, SettingFlushInterval, "flush interval: 1s needs timestamps"},
		{Config{Writes: WriteBack}, SettingFlushInterval, "write-back needs one above 0"},
		{Config{InvalidateEvery: time.Hour}, SettingInvalidationPeriod, "invalidation period: 1h0m0s needs timestamps"},
		{Config{InvalidationDelay: -time.Second}, SettingInvalidationDelay, "-1s: expected a duration >= 0"},
		{Config{Beta: -1}, SettingBeta, "beta: -1: expected a number >= 0"},
		{Config{Instances: 10_000_000}, SettingInstances,
			"instances: 10000000 exceeds the maximum of 10000 (each instance holds a private first level)"},
		{Config{Levels: make([]Level, MaxLevels+1)}, SettingLevels, "17 levels exceed the maximum of 16"},
	} {
		cfg := c.cfg
		if cfg.Levels == nil {
			cfg.Levels = mustLevels(t, "l1=lru:10")
		}
		_, err := Run(tr, cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Setting != c.setting || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v; want a ConfigError for %q saying %q", c.setting, err, c.setting, c.says)
		}
		if err != nil && strings.Contains(err.Error(), "--") {
			t.Errorf("%s: error %q names a flag", c.setting, err)
		}
	}
	for _, parse := range []func() error{
		func() error { _, err := ParseLevels("l1=lru:10,l2=nosuch:5"); return err },
		func() error { _, err := ParseStampedes("none,sometimes"); return err },
		func() error { _, err := ParsePrewarm("all"); return err },
		func() error { _, err := ParseWritePolicy("sideways"); return err },
	} {
		err := parse()
		var ce *ConfigError
		if !errors.As(err, &ce) || strings.Contains(err.Error(), "--") {
			t.Errorf("parse error %v; want a ConfigError that names no flag", err)
		}
	}
}

// The most instances allowed run. Round-robin sends request i to instance
// i mod N: the first pass puts key i in instance i's L1 and in the L2; the
// second asks instance i for key i+1 (mod N), which its own L1 lacks and
// the L2 holds: N L2 hits, N backend calls (the first pass).
func TestSystemMaxInstances(t *testing.T) {
	const n = MaxInstances
	var reqs []req
	for i := range 2 * n {
		key := uint64(i % n)
		if i >= n {
			key = uint64((i + 1) % n)
		}
		reqs = append(reqs, req{at: int64(i) * ms, key: key})
	}
	tr := sysTrace(reqs...)
	st := run(t, tr, Config{Levels: mustLevels(t, "l1=lru:10,l2=lru:100000"), Instances: n})
	if st.Levels[0].Hits != 0 || st.Levels[1].Hits != n || st.Backend.Calls != n {
		t.Errorf("L1 hits %d, L2 hits %d, backend calls %d; want 0, %d, %d", st.Levels[0].Hits, st.Levels[1].Hits, st.Backend.Calls, n, n)
	}
}

// Three passes over 10 keys, 1ms apart, through an L1 lru:5 (LRU never
// hits a loop larger than itself) and an L2 varied over 5 and 10 objects:
// the L2 of 5 never hits either, the L2 of 10 serves the last two passes
// (20 hits). Two modes give four points, by mode then size, and four
// calls of Progress; an unknown level fails.
func TestSweepVariesALevel(t *testing.T) {
	var reqs []req
	for i := range 30 {
		reqs = append(reqs, req{at: int64(i) * ms, key: uint64(i % 10)})
	}
	tr := sysTrace(reqs...)
	cfg := Config{Levels: mustLevels(t, "l1=lru:5,l2=lru:7"), Latency: constLatencies(tr, 0)}
	calls := 0
	opt := SweepOptions{Modes: []Stampede{StampedeOff, StampedeNone}, Vary: "l2", Sizes: sim.Sizes{Values: []int64{5, 10}},
		Workers: 2, Progress: func() { calls++ }}
	points, err := Sweep(tr, cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		size  int64
		mode  Stampede
		hits  uint64
		calls uint64
	}{{5, StampedeOff, 0, 30}, {10, StampedeOff, 20, 10}, {5, StampedeNone, 0, 30}, {10, StampedeNone, 20, 10}}
	if len(points) != len(want) || calls != len(want) {
		t.Fatalf("%d points, %d progress calls; want %d of each", len(points), calls, len(want))
	}
	for k, w := range want {
		p := points[k]
		if p.Size != w.size || p.Stampede != w.mode || p.Stats.Levels[1].Hits != w.hits || p.Stats.Backend.Calls != w.calls {
			t.Errorf("point %d: size %d %s, L2 hits %d, calls %d; want %d %s, %d, %d", k, p.Size, p.Stampede,
				p.Stats.Levels[1].Hits, p.Stats.Backend.Calls, w.size, w.mode, w.hits, w.calls)
		}
	}
	opt.Vary = "l3"
	if _, err := Sweep(tr, cfg, opt); err == nil || !strings.Contains(err.Error(), `no level "l3"`) {
		t.Errorf("unknown level: error %v", err)
	}
}

// A trace whose time jumps from 1.05s to 9.2e18ns (292 years) with a flush
// and a drop of every entry every second: the gap costs one step, not 9.2
// billion. Write-back, L1 lru:10, windows of 100ms around each boundary.
//
//	0s     get a   miss (call 1)
//	0.5s   set b   dirty b
//	0.95s  get a   hit; before the boundary at 1s
//	1.05s  get a   the flush at 1s writes b, the drop at 1s empties {a,b};
//	               miss (call 2), after the boundary at 1s
//	J      get a   the drop at 2s empties {a} (those at 3s…J find nothing);
//	               miss (call 3), after the boundary at J
//	J+0.5s set c   dirty c
//	J+0.6s get c   hit
//	J+2.5s get a   the flush at J+1s writes c, the drop at J+1s empties
//	               {a,c} (the one at J+2s finds nothing); miss (call 4)
//
// Six gets, two hits, four backend calls, two store writes, three drops,
// events at 1s (before: one hit; after: one miss) and at J (after: one
// miss). One entry was at risk for 0.5s twice: a mean of 1e9/(J+2.5e9).
func TestTimeJumpCostsOneStep(t *testing.T) {
	const s = int64(time.Second)
	const jump = int64(9_200_000_000_000_000_000)
	set := func(at int64, key uint64) req { return req{at: at, key: key, op: trace.OpWrite} }
	tr := sysTrace(req{at: 0, key: 1}, set(s/2, 2), req{at: 95 * s / 100, key: 1}, req{at: 105 * s / 100, key: 1},
		req{at: jump, key: 1}, set(jump+s/2, 3), req{at: jump + 6*s/10, key: 3}, req{at: jump + 5*s/2, key: 1})
	st := run(t, tr, Config{Levels: mustLevels(t, "l1=lru:10"), Writes: WriteBack, FlushInterval: time.Second,
		InvalidateEvery: time.Second})
	if st.Requests != 6 || st.Hits != 2 || st.Sets != 2 || st.Backend.Calls != 4 {
		t.Errorf("requests %d, hits %d, sets %d, backend calls %d; want 6, 2, 2, 4", st.Requests, st.Hits, st.Sets, st.Backend.Calls)
	}
	if w := st.Writes; w.StoreWrites != 2 || w.Saved != 0 || w.MaxDirty != 1 {
		t.Errorf("store writes %d, saved %d, max dirty %d; want 2, 0, 1", w.StoreWrites, w.Saved, w.MaxDirty)
	}
	if want := 1e9 / float64(jump+5*s/2); math.Abs(st.Writes.MeanDirty-want) > 1e-12*want {
		t.Errorf("mean dirty entries %g; want %g", st.Writes.MeanDirty, want)
	}
	if st.Drops != 3 || st.Span != jump+5*s/2 {
		t.Errorf("drops %d, span %d; want 3, %d", st.Drops, st.Span, jump+5*s/2)
	}
	want := []VersionEvent{{Time: s, Before: EventWindow{1, 1, 0}, After: EventWindow{1, 0, 1}},
		{Time: jump, After: EventWindow{1, 0, 1}}}
	if !slices.Equal(st.Versions, want) {
		t.Errorf("events %+v; want %+v", st.Versions, want)
	}
	if before, after := st.VersionDip(); before != (EventWindow{1, 1, 0}) || after != (EventWindow{2, 0, 2}) {
		t.Errorf("dip: before %+v, after %+v; want {1 1 0}, {2 0 2}", before, after)
	}
}
