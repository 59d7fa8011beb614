package target

import (
	"math"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim/target/internal/loopback"
	"github.com/cachesim/cachesim/sim/target/targettest"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/workload"
)

// opsTrace is get 1, get 2, get 1, set 3, get 3, delete 1, get 1 (10 bytes
// each): by hand, gets 1 and 2 miss, get 1 hits, get 3 hits after its set,
// get 1 misses after the delete: 5 gets, 2 hits, keys 1, 2 and 3 left.
func opsTrace() *traces.Trace {
	t := traces.NewTrace("ops", traces.Fields{Size: true, Op: true})
	for _, r := range []struct {
		k  uint64
		op traces.Op
	}{{1, traces.OpGet}, {2, traces.OpGet}, {1, traces.OpGet}, {3, traces.OpSet}, {3, traces.OpGet}, {1, traces.OpDelete}, {1, traces.OpGet}} {
		t.Append(&traces.Request{Key: r.k, Size: 10, Op: r.op})
	}
	return t
}

func zipf(t testing.TB, spec string) *traces.Trace {
	t.Helper()
	w, err := workload.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Reader()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := traces.ReadAll(spec, r)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func open(t testing.TB, url string, cfg Config) Target {
	t.Helper()
	tg, err := Open(url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

// raw is a plain client for checking a server behind the target's back.
func raw(t testing.TB, addr string) *respConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return newRESP(nc)
}

func do(t testing.TB, c *respConn, args ...string) any {
	t.Helper()
	v, err := c.do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

func TestRedisOperations(t *testing.T) {
	addr := targettest.Redis(t)
	for _, o := range []Options{{Pipeline: 1}, {Pipeline: 32}, {Pipeline: 32, Concurrency: 3}} {
		tg := open(t, "redis://"+addr, Config{DB: -1, Flush: true})
		res, err := Replay(tg, opsTrace(), 0, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests != 5 || res.Hits != 2 || res.Sets != 1 || res.Deletes != 1 || res.Fills != 3 {
			t.Errorf("%+v: %d gets, %d hits, %d sets, %d deletes, %d fills; want 5, 2, 1, 1, 3",
				o, res.Requests, res.Hits, res.Sets, res.Deletes, res.Fills)
		}
		if h, m := res.After.Hits-res.Before.Hits, res.After.Misses-res.Before.Misses; h != 2 || m != 3 || res.After.Keys != 3 {
			t.Errorf("%+v: server counted %d hits, %d misses, %d keys; want 2, 3, 3", o, h, m, res.After.Keys)
		}
		if res.Latency.Count() != 7 {
			t.Errorf("%+v: %d latencies, want one per request (7)", o, res.Latency.Count())
		}
		tg.Close()
	}
}

func TestRedisNoEvictionMissesAreColdMisses(t *testing.T) {
	// Without a memory limit nothing is evicted: every first request of a key
	// misses and every other one hits.
	tr := zipf(t, "zipf:keys=5000,requests=50000,alpha=0.9,size=100,seed=3")
	distinct := map[uint64]bool{}
	for _, k := range tr.Keys {
		distinct[k] = true
	}
	tg := open(t, "redis://"+targettest.Redis(t), Config{DB: 2})
	res, err := Replay(tg, tr, 0, Options{Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 50000 || res.Requests-res.Hits != uint64(len(distinct)) {
		t.Errorf("%d gets, %d misses; want 50000 and %d (the distinct keys)", res.Requests, res.Requests-res.Hits, len(distinct))
	}
	if res.After.Keys != int64(len(distinct)) || res.After.Hits-res.Before.Hits != res.Hits {
		t.Errorf("server: %d keys, %d hits; want %d, %d", res.After.Keys, res.After.Hits-res.Before.Hits, len(distinct), res.Hits)
	}
	// A Redis key of a 100-byte string costs tens of bytes beyond its value
	// (dict entry, object header, key string, allocator rounding), never
	// less than 16 and not hundreds.
	if o := res.OverheadPerKey(); o < 16 || o > 200 {
		t.Errorf("overhead per key %.1f bytes, want 16..200", o)
	}
}

// fidelity replays a Zipf workload against Redis under policy at three
// memory limits and checks the simulated model is within 2 points.
func fidelity(t *testing.T, redisPolicy, model string) {
	tr := zipf(t, "zipf:keys=10000,requests=100000,alpha=0.9,size=1000,seed=7")
	tg := open(t, "redis://"+targettest.Redis(t), Config{DB: -1, Policy: redisPolicy})
	for _, mib := range []int64{3, 5, 8} {
		res, err := Replay(tg, tr, mib<<20, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.After.Evictions == 0 {
			t.Fatalf("%d MiB: no evictions, the limit does not bite", mib)
		}
		spec, _ := policy.ParseSpec(model)
		lru, _ := policy.ParseSpec("lru")
		o := uint32(math.Round(res.OverheadPerKey()))
		pts, err := Simulate(tr, res.Times, mib<<20-res.Before.UsedMemory, []Model{{spec, o}, {lru, o}}, 1)
		if err != nil {
			t.Fatal(err)
		}
		real, sim := res.HitRatio(), pts[0].HitRatio()
		t.Logf("%s %d MiB: real %.2f%%, %s %.2f%%, exact lru %.2f%% (overhead %d B/key, %d evictions)",
			redisPolicy, mib, 100*real, model, 100*sim, 100*pts[1].HitRatio(), o, res.After.Evictions)
		if math.Abs(real-sim) > 0.02 {
			t.Errorf("%s %d MiB: real hit ratio %.2f%%, simulated %s %.2f%%: more than 2 points apart", redisPolicy, mib, 100*real, model, 100*sim)
		}
	}
}

func TestRedisFidelityLRU(t *testing.T) { fidelity(t, "allkeys-lru", "redis-lru") }
func TestRedisFidelityLFU(t *testing.T) { fidelity(t, "allkeys-lfu", "redis-lfu") }

func TestRedisRestoresSettings(t *testing.T) {
	addr := targettest.Redis(t)
	c := raw(t, addr)
	before := do(t, c, "CONFIG", "GET", "maxmemory-policy").([]any)[1]
	five := 5
	tg := open(t, "redis://"+addr, Config{DB: -1, Policy: "allkeys-lfu", Samples: &five})
	if _, err := Replay(tg, opsTrace(), 4<<20, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := do(t, c, "CONFIG", "GET", "maxmemory").([]any)[1]; got != strconv.Itoa(4<<20) {
		t.Errorf("during the run maxmemory is %v, want %d", got, 4<<20)
	}
	if err := tg.Close(); err != nil {
		t.Fatal(err)
	}
	if got := do(t, c, "CONFIG", "GET", "maxmemory").([]any)[1]; got != "0" {
		t.Errorf("after Close maxmemory is %v, want 0 (as found)", got)
	}
	if got := do(t, c, "CONFIG", "GET", "maxmemory-policy").([]any)[1]; got != before {
		t.Errorf("after Close maxmemory-policy is %v, want %v", got, before)
	}
}

func TestBadTargets(t *testing.T) {
	addr := targettest.Redis(t)
	secret := targettest.Redis(t, "--requirepass", "s3cret")
	mc := targettest.Memcached(t, 8)
	port, err := loopback.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	// A database with a key, and another database with a key.
	c := raw(t, addr)
	do(t, c, "SELECT", "1")
	do(t, c, "SET", "mine", "1")
	do(t, c, "SELECT", "4")
	do(t, c, "SET", "other", "1")
	cases := []struct {
		url  string
		cfg  Config
		want string
	}{
		{"http://" + addr, Config{}, `unknown scheme "http"`},
		{"127.0.0.1:6379", Config{}, "expected redis://"},
		{"redis://127.0.0.1:" + strconv.Itoa(port), Config{}, "cannot connect"},
		{"redis://" + secret, Config{}, "requires authentication"},
		{"redis://:wrong@" + secret, Config{}, "authentication failed"},
		{"redis://" + addr + "/1", Config{DB: -1}, "db 1 holds 1 keys: refusing"},
		{"redis://" + addr, Config{DB: 1}, "db 1 holds 1 keys: refusing"},
		{"redis://" + addr, Config{DB: 0}, "db1 holds 1 keys"},
		{"redis://" + addr + "/x", Config{DB: -1}, "not a number"},
		{"redis://" + mc, Config{}, "not a Redis server"},
		{"memcached://" + addr, Config{}, "not a memcached server"},
	}
	for _, tc := range cases {
		tg, err := Open(tc.url, tc.cfg)
		if err == nil {
			tg.Close()
			t.Errorf("%s %+v: no error, want %q", tc.url, tc.cfg, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: %v; want it to say %q", tc.url, tc.cfg, err, tc.want)
		}
	}
	// Nothing was touched.
	c2 := raw(t, addr)
	for _, db := range []string{"1", "4"} {
		do(t, c2, "SELECT", db)
		if n := do(t, c2, "DBSIZE"); n != int64(1) {
			t.Errorf("db %s holds %v keys after the refusals, want 1", db, n)
		}
	}
	if got := do(t, c2, "CONFIG", "GET", "maxmemory").([]any)[1]; got != "0" {
		t.Errorf("maxmemory is %v after the refusals, want 0", got)
	}
	// The right password works; a bad policy fails before the database is emptied.
	tg := open(t, "redis://:s3cret@"+secret, Config{DB: -1, Policy: "allkeys-nonsense"})
	if _, err := Replay(tg, opsTrace(), 1<<20, Options{}); err == nil || !strings.Contains(err.Error(), "CONFIG SET maxmemory-policy allkeys-nonsense") {
		t.Errorf("bad policy: %v", err)
	}
}

func TestMemcached(t *testing.T) {
	tg := open(t, "memcached://127.0.0.1:1", Config{Spawn: true})
	res, err := Replay(tg, opsTrace(), 8<<20, Options{Pipeline: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 5 || res.Hits != 2 || res.After.Keys != 3 || res.After.MemoryLimit != 8<<20 {
		t.Errorf("spawned: %d gets, %d hits, %d items, limit %d; want 5, 2, 3, %d", res.Requests, res.Hits, res.After.Keys, res.After.MemoryLimit, 8<<20)
	}
	if h := res.After.Hits - res.Before.Hits; h != 2 {
		t.Errorf("memcached counted %d hits, want 2", h)
	}
	if _, err := Replay(tg, opsTrace(), 3<<19, Options{}); err == nil || !strings.Contains(err.Error(), "whole number of MiB") {
		t.Errorf("1.5 MiB spawn: %v, want a whole-MiB error", err)
	}
	addr := targettest.Memcached(t, 16)
	running := open(t, "memcached://"+addr, Config{})
	if _, err := Replay(running, opsTrace(), 8<<20, Options{}); err == nil || !strings.Contains(err.Error(), "memory limit of 16 MiB") {
		t.Errorf("running server with another limit: %v", err)
	}
	res, err = Replay(running, opsTrace(), 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.After.MemoryLimit != 16<<20 {
		t.Errorf("running server's limit %d, want %d", res.After.MemoryLimit, 16<<20)
	}
	if _, err := Open("memcached://"+addr, Config{}); err == nil || !strings.Contains(err.Error(), "holds 3 items") {
		t.Errorf("non-empty memcached without --flush: %v", err)
	}
}
