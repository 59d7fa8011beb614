package target

import (
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim/target/internal/loopback"
	"github.com/cachesim/cachesim/sim/target/targettest"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
	"github.com/cachesim/cachesim/workload"
)

// opsTrace is get 1, get 2, get 1, set 3, get 3, delete 1, get 1 (10 bytes
// each): by hand, gets 1 and 2 miss, get 1 hits, get 3 hits after its set,
// get 1 misses after the delete: 5 gets, 2 hits, keys 1, 2 and 3 left.
func opsTrace() *trace.Trace {
	t := trace.NewTrace("ops", trace.Fields{Size: true, Op: true})
	for _, r := range []struct {
		k  uint64
		op trace.Op
	}{{1, trace.OpGet}, {2, trace.OpGet}, {1, trace.OpGet}, {3, trace.OpSet}, {3, trace.OpGet}, {1, trace.OpDelete}, {1, trace.OpGet}} {
		t.Append(&trace.Request{Key: r.k, Size: 10, Op: r.op})
	}
	return t
}

func zipf(t testing.TB, spec string) *trace.Trace {
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

// fidelity replays tr against Redis under redisPolicy at each memory limit
// (MiB) and checks the simulated model is within 2 points of the server.
func fidelity(t *testing.T, tr *trace.Trace, redisPolicy, model string, mibs ...int64) {
	tg := open(t, "redis://"+targettest.Redis(t), Config{DB: -1, Policy: redisPolicy})
	for _, mib := range mibs {
		res, err := Replay(tg, tr, mib<<20, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.After.Evictions == 0 {
			t.Fatalf("%d MiB: no evictions, the limit does not bite", mib)
		}
		pred, err := Predict(tr, res, PredictOptions{Kind: "redis", Overhead: -1, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		i := 0 // redis-lru
		if model == "redis-lfu" {
			i = 1
		}
		real, sim, lru := res.HitRatio(), pred.Points[i].HitRatio(), pred.Points[2].HitRatio()
		t.Logf("%s %s %d MiB: real %.2f%%, %s %.2f%% (%+.2f), exact lru %.2f%% (%+.2f); %d B/key, %d evictions, %.0f req/s",
			tr.Name, redisPolicy, mib, 100*real, model, 100*sim, 100*(sim-real), 100*lru, 100*(lru-real), pred.Overhead, res.After.Evictions, res.Throughput())
		if math.Abs(real-sim) > 0.02 {
			t.Errorf("%s %d MiB: real hit ratio %.2f%%, simulated %s %.2f%%: more than 2 points apart", redisPolicy, mib, 100*real, model, 100*sim)
		}
	}
}

// smallZipf is the unit tests' Zipf(0.9) of 10k keys of 1000 bytes, 100k requests.
const smallZipf = "zipf:keys=10000,requests=100000,alpha=0.9,size=1000,seed=7"

func TestRedisFidelityLRU(t *testing.T) {
	fidelity(t, zipf(t, smallZipf), "allkeys-lru", "redis-lru", 3, 5, 8)
}

func TestRedisFidelityLFU(t *testing.T) {
	fidelity(t, zipf(t, smallZipf), "allkeys-lfu", "redis-lfu", 3, 5, 8)
}

// TestRedisFidelityFull is the full check, about a minute: Zipf(0.9,
// 100k keys of 100 bytes, 1M requests) and the oltp trace at three memory
// limits each, under allkeys-lru and allkeys-lfu. Run it with
//
//	CACHESIM_FIDELITY=1 go test ./sim/target -run Full -v
func TestRedisFidelityFull(t *testing.T) {
	if testing.Short() || os.Getenv("CACHESIM_FIDELITY") == "" {
		t.Skip("set CACHESIM_FIDELITY=1 for the full fidelity check")
	}
	z := zipf(t, "zipf:keys=100000,requests=1000000,alpha=0.9,size=100,seed=42")
	oltp, _, err := traces.Load(tracestest.Path(t, "oltp.gz"), traces.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ policy, model string }{{"allkeys-lru", "redis-lru"}, {"allkeys-lfu", "redis-lfu"}} {
		fidelity(t, z, c.policy, c.model, 4, 8, 16)
		fidelity(t, oltp, c.policy, c.model, 3, 6, 10)
	}
}

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

// A memory limit at or below what the empty server uses would refuse every
// write (and the simulation had no room beside it): Replay refuses it,
// naming the server's used_memory, and leaves the limit as it found it.
func TestRedisLimitBelowBaseline(t *testing.T) {
	addr := targettest.Redis(t)
	c := raw(t, addr)
	tg := open(t, "redis://"+addr, Config{DB: -1, Policy: "allkeys-lru"})
	_, err := Replay(tg, opsTrace(), 64<<10, Options{})
	if !errors.Is(err, ErrBelowBaseline) || !strings.Contains(err.Error(), "a memory limit of 64 KiB leaves no room for data") ||
		!strings.Contains(err.Error(), "used_memory") || !strings.Contains(err.Error(), "give more than") {
		t.Fatalf("64 KiB: got %v, want ErrBelowBaseline naming used_memory and the minimum", err)
	}
	if got := do(t, c, "CONFIG", "GET", "maxmemory").([]any)[1]; got != "0" {
		t.Errorf("after the refusal maxmemory is %v, want 0 (as found)", got)
	}
}

// A real run whose limit the empty server's memory already reached is
// simulated with no room (1 byte), never as an unlimited cache.
func TestPredictNoRoomIsNotNoLimit(t *testing.T) {
	tr := opsTrace()
	res := &Result{Times: make([]int64, tr.Len())}
	res.Before.UsedMemory = 2 << 20
	res.After.MemoryLimit = 1 << 20
	p, err := Predict(tr, res, PredictOptions{Kind: "redis"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Capacity != 1 {
		t.Fatalf("capacity %d, want 1", p.Capacity)
	}
	for _, pt := range p.Points {
		if pt.Stats.Hits != 0 {
			t.Errorf("%s: %d hits with no room", pt.Policy, pt.Stats.Hits)
		}
	}
}

// A server at its maxclients refuses a new connection with an error reply:
// the error says so (it read "PING failed (is this a Redis server?)"), also
// when the URL carries a password. A database below 0 is refused too.
func TestRedisMaxClients(t *testing.T) {
	for _, extra := range [][]string{nil, {"--requirepass", "s3cret"}} {
		addr := targettest.Redis(t, append([]string{"--maxclients", "1"}, extra...)...)
		url := "redis://" + addr
		if extra != nil {
			url = "redis://:s3cret@" + addr
		}
		// Take the one client there is room for; the start-up check's own
		// connection may hold it for a moment.
		for try := 0; ; try++ {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			c := newRESP(nc)
			if extra != nil {
				_, err = c.do("AUTH", "s3cret")
			}
			if err == nil {
				_, err = c.do("PING")
			}
			if err == nil {
				t.Cleanup(func() { nc.Close() })
				break
			}
			nc.Close()
			if try == 50 {
				t.Fatalf("no room for a first client: %v", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		_, err := Open(url, Config{DB: -1})
		if err == nil || !strings.Contains(err.Error(), "refused the connection: max number of clients reached") || strings.Contains(err.Error(), "is this a Redis server") {
			t.Errorf("%s at maxclients: %v", url, err)
		}
	}
	if _, err := Open("redis://127.0.0.1:1", Config{DB: -5}); err == nil || !strings.Contains(err.Error(), "database -5: expected a database number, 0 or more") {
		t.Errorf("DB -5: %v", err)
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
		{"redis://" + addr, Config{DB: 0}, "db1 holds 1 keys, db4 holds 1 keys, and eviction"},
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
		if strings.Contains(tc.want, "refusing") != errors.Is(err, ErrNotEmpty) {
			t.Errorf("%s %+v: %v; want ErrNotEmpty exactly for a database that holds keys", tc.url, tc.cfg, err)
		}
		if strings.Contains(err.Error(), "--") {
			t.Errorf("%s %+v: %v names a command-line flag", tc.url, tc.cfg, err)
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
	if _, err := Replay(tg, opsTrace(), 0, Options{}); !errors.Is(err, ErrSpawnNeedsLimit) {
		t.Errorf("spawn without a limit: %v", err)
	}
	addr := targettest.Memcached(t, 16)
	running := open(t, "memcached://"+addr, Config{})
	if _, err := Replay(running, opsTrace(), 8<<20, Options{}); !errors.Is(err, ErrFixedLimit) || !strings.Contains(err.Error(), "memory limit of 16 MiB") {
		t.Errorf("running server with another limit: %v", err)
	}
	res, err = Replay(running, opsTrace(), 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.After.MemoryLimit != 16<<20 {
		t.Errorf("running server's limit %d, want %d", res.After.MemoryLimit, 16<<20)
	}
	if _, err := Open("memcached://"+addr, Config{}); !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "holds 3 items") {
		t.Errorf("non-empty memcached without Flush: %v", err)
	}
}

func TestReplayAllocationsDoNotGrowWithRequests(t *testing.T) {
	t.Run("redis", func(t *testing.T) {
		allocsGrowth(t, open(t, "redis://"+targettest.Redis(t), Config{DB: -1}))
	})
	t.Run("memcached", func(t *testing.T) {
		allocsGrowth(t, open(t, "memcached://"+targettest.Memcached(t, 64), Config{}))
	})
}

func allocsGrowth(t *testing.T, tg Target) {
	allocs := func(n int) float64 {
		tr := zipf(t, fmt.Sprintf("zipf:keys=1000,requests=%d,alpha=0.9,size=10,seed=1", n))
		return testing.AllocsPerRun(2, func() {
			if _, err := Replay(tg, tr, 0, Options{Pipeline: 16}); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, big := allocs(2000), allocs(20000)
	// 18,000 more requests (and more than 1,000 more pipelines) may cost a
	// few allocations (latency histogram buckets, the runtime's own under
	// the race detector and load: 124 seen once), not one per command:
	// at most one per 50 requests, 360, fifty times below one per command.
	if big-small > 18000/50 {
		t.Errorf("%.0f allocations for 2,000 requests, %.0f for 20,000: the replay allocates per command", small, big)
	}
}

// expireTrace sets keys 1 and 2, expires 1 in 100 s, gives 2 a TTL of
// 50 s and persists it.
func expireTrace() *trace.Trace {
	tr := trace.NewTrace("expire", trace.Fields{Size: true, Op: true, TTL: true})
	for _, r := range []trace.Request{
		{Key: 1, Size: 10, Op: trace.OpSet}, {Key: 2, Size: 10, Op: trace.OpSet},
		{Key: 1, Size: 10, Op: trace.OpExpire, TTL: 100}, {Key: 2, Size: 10, Op: trace.OpExpire, TTL: 50},
		{Key: 2, Size: 10, Op: trace.OpExpire},
	} {
		tr.Append(&r)
	}
	return tr
}

// A TTL change reaches the server as EXPIRE or PERSIST, counted with the
// writes and not as a read: by hand, key 1 ends with a TTL of about 100 s
// and key 2 with none (expireTrace), and the replay counts 0 gets and 5
// writes (2 sets, 3 TTL changes). memcached takes them as touch.
func TestRedisExpire(t *testing.T) {
	addr := targettest.Redis(t)
	tr := expireTrace()
	mc := open(t, "memcached://127.0.0.1:1", Config{Spawn: true})
	if res, err := Replay(mc, tr, 8<<20, Options{}); err != nil || res.Requests != 0 || res.Sets != 5 || res.After.Keys != 2 {
		t.Errorf("memcached: %v, %+v", err, res)
	}
	tg := open(t, "redis://"+addr, Config{DB: -1, Flush: true})
	res, err := Replay(tg, tr, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 0 || res.Sets != 5 {
		t.Errorf("%d gets, %d writes; want 0 and 5 (2 sets, 3 TTL changes)", res.Requests, res.Sets)
	}
	c := raw(t, addr)
	if ttl, _ := do(t, c, "TTL", "1").(int64); ttl < 90 || ttl > 100 {
		t.Errorf("key 1's TTL %d s, want about 100", ttl)
	}
	if ttl, _ := do(t, c, "TTL", "2").(int64); ttl != -1 {
		t.Errorf("key 2's TTL %d, want -1 (persisted)", ttl)
	}
}
