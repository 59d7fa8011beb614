package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// replayJSON runs a command whose --format json output has a hit count at
// the top level or in its first point or run, and returns its hits and
// requests.
func replayJSON(t *testing.T, args ...string) (hits, requests float64) {
	t.Helper()
	out, errOut, err := runCLI(t, append(args, "--format", "json", "-q")...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, errOut)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	for _, list := range []string{"points", "runs"} {
		if p, ok := v[list].([]any); ok && len(p) > 0 {
			v = p[0].(map[string]any)
		}
	}
	h, ok1 := v["hits"].(float64)
	r, ok2 := v["requests"].(float64)
	if !ok1 || !ok2 {
		t.Fatalf("%v: no hits and requests in %s", args, out)
	}
	return h, r
}

// The four events of issue 22, as a cache-aside client and Redis see them:
// SET k EX 60 at 0 s, GET k at 70 s (expired: a miss that fills nothing),
// SET k EX 60 at 75 s, GET k at 140 s (expired at 135 s: a miss). Redis
// serves no hit, and neither does any command.
func TestFourEventsNoHit(t *testing.T) {
	mon := writeFile(t, "four.monitor", `1700000000.0 [0 127.0.0.1:5000] "SET" "k" "value" "EX" "60"
1700000070.0 [0 127.0.0.1:5000] "GET" "k"
1700000075.0 [0 127.0.0.1:5000] "SET" "k" "value" "EX" "60"
1700000140.0 [0 127.0.0.1:5000] "GET" "k"
`)
	for _, args := range [][]string{
		{"replay", mon, "--policy", "ttl", "--size", "10"},
		{"replay", mon, "--policy", "redis-ttl", "--size", "1KiB"},
		{"replay", mon, "--policy", "memcached", "--size", "1MiB"},
		{"sweep", mon, "--policy", "ttl", "--sizes", "10"},
		{"system", "replay", mon, "--policy", "ttl", "--size", "10"},
	} {
		t.Run(caseName(args), func(t *testing.T) {
			if hits, reqs := replayJSON(t, args...); hits != 0 || reqs != 2 {
				t.Errorf("%s: %g hits of %g requests, want 0 of 2", strings.Join(args, " "), hits, reqs)
			}
		})
	}
	// A default TTL of 100 s applies to writes that carry none; these
	// carry EX 60, which stays.
	if hits, _ := replayJSON(t, "replay", mon, "--policy", "ttl", "--size", "10", "--ttl", "100s"); hits != 0 {
		t.Errorf("--ttl 100s: %g hits, want 0 (the writes' own EX 60 applies)", hits)
	}
}

// A TTL set by EXPIRE applies to the cached object; PERSIST removes it;
// an EXPIRE of a key not cached stores nothing.
func TestExpireRetimes(t *testing.T) {
	mon := writeFile(t, "exp.monitor", `1700000000.0 [0 c] "SET" "a" "v"
1700000001.0 [0 c] "EXPIRE" "a" "10"
1700000020.0 [0 c] "GET" "a"
1700000021.0 [0 c] "SET" "b" "v" "EX" "10"
1700000022.0 [0 c] "PERSIST" "b"
1700000050.0 [0 c] "GET" "b"
1700000051.0 [0 c] "EXPIRE" "c" "100"
1700000052.0 [0 c] "GET" "c"
`)
	// a: expired at 11 s, a miss at 20 s; b: persisted, a hit at 50 s; c: never stored.
	for _, args := range [][]string{
		{"replay", mon, "--policy", "ttl", "--size", "10"},
		{"system", "replay", mon, "--policy", "ttl", "--size", "10"},
	} {
		t.Run(caseName(args), func(t *testing.T) {
			if hits, reqs := replayJSON(t, args...); hits != 1 || reqs != 3 {
				t.Errorf("%s: %g hits of %g, want 1 of 3", strings.Join(args, " "), hits, reqs)
			}
		})
	}
}

// A write stores the object at its new size: 1,000 HSETs grow the hash
// h to 1 + 1,000 × (field + 1,000 B), about 1 MB, which a 100 KiB cache
// cannot hold, so the 100 HGETs after them miss. inspect reports the
// final size as the footprint, which the sweep's ceiling uses too.
func TestWritesResize(t *testing.T) {
	var b strings.Builder
	want := int64(1) // the key "h"
	value := strings.Repeat("x", 1000)
	for i := 0; i < 1000; i++ {
		f := fmt.Sprintf("f%d", i)
		fmt.Fprintf(&b, "%d.0 [0 c] \"HSET\" \"h\" \"%s\" \"%s\"\n", 1700000000+i, f, value)
		want += int64(len(f) + 1000)
	}
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "%d.0 [0 c] \"HGET\" \"h\" \"f%d\"\n", 1700001000+i, i)
	}
	mon := writeFile(t, "hash.monitor", b.String())
	if hits, reqs := replayJSON(t, "replay", mon, "--policy", "lru", "--size", "100KiB"); hits != 0 || reqs != 100 {
		t.Errorf("100 KiB: %g hits of %g, want 0 of 100 (the hash is %d B)", hits, reqs, want)
	}
	if hits, _ := replayJSON(t, "replay", mon, "--policy", "lru", "--size", "2MiB"); hits != 100 {
		t.Errorf("2 MiB: %g hits, want 100", hits)
	}
	out, _, err := runCLI(t, "inspect", mon, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var in struct {
		Objects int64 `json:"footprint_objects"`
		Bytes   int64 `json:"footprint_bytes"`
	}
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatal(err)
	}
	if in.Objects != 1 || in.Bytes != want {
		t.Errorf("inspect footprint %d objects, %d B; want 1, %d B", in.Objects, in.Bytes, want)
	}
	out, _, err = runCLI(t, "sweep", mon, "--policy", "lru", "--sizes", "100KiB", "--format", "json", "-q")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, fmt.Sprintf(`"object_bytes": %d`, want)) {
		t.Errorf("the sweep's ceiling does not hold the footprint %d B:\n%s", want, out)
	}
}

// MONITOR's database number: SET a in db 0, then GET a twice in db 5:
// Redis misses both, since db 5 holds no a.
func TestMonitorDatabases(t *testing.T) {
	mon := writeFile(t, "db.monitor", `1700000000.0 [0 c] "SET" "a" "v"
1700000001.0 [5 c] "GET" "a"
1700000002.0 [5 c] "GET" "a"
1700000003.0 [0 c] "GET" "a"
`)
	if hits, reqs := replayJSON(t, "replay", mon, "--policy", "lru", "--size", "10"); hits != 1 || reqs != 3 {
		t.Errorf("%g hits of %g, want 1 of 3 (only db 0's GET a)", hits, reqs)
	}
}

// cacheAsideCapture writes a MONITOR capture of a cache-aside client in
// front of a Redis that never evicts: Zipf reads of 400 keys, a SET with
// EX ttl and a value of 100–2,000 B after every miss (a key absent or
// expired), 4 requests a second.
func cacheAsideCapture(t *testing.T, n, ttl int) string {
	rng := rand.New(rand.NewPCG(7, 22))
	zipf := rand.NewZipf(rng, 1.1, 1, 399)
	expires := map[string]float64{}
	var b strings.Builder
	now := 1700000000.0
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("pred:%d", zipf.Uint64())
		fmt.Fprintf(&b, "%.6f [0 127.0.0.1:6000] \"GET\" \"%s\"\n", now, key)
		if exp, ok := expires[key]; !ok || exp <= now {
			now += 0.01
			fmt.Fprintf(&b, "%.6f [0 127.0.0.1:6000] \"SET\" \"%s\" \"%s\" \"EX\" \"%d\"\n", now, key,
				strings.Repeat("v", 100+rng.IntN(1900)), ttl)
			expires[key] = now + float64(ttl)
		}
		now += 0.25
	}
	return writeFile(t, "aside.monitor", b.String())
}

// A cache-aside capture with TTLs gets one hit ratio at every size from
// every command that simulates that cache: replay, sweep, system replay
// (one level) and, for LRU, mrc.
func TestCacheAsideCommandsAgree(t *testing.T) {
	mon := cacheAsideCapture(t, 4000, 60)
	for _, size := range []string{"20KiB", "100KiB", "400KiB"} {
		for _, p := range []string{"lru", "ttl"} {
			t.Run(p+" at "+size, func(t *testing.T) {
				h1, r1 := replayJSON(t, "replay", mon, "--policy", p, "--size", size)
				h2, r2 := replayJSON(t, "sweep", mon, "--policy", p, "--sizes", size)
				h3, r3 := replayJSON(t, "system", "replay", mon, "--policy", p, "--size", size)
				if h1 != h2 || h1 != h3 || r1 != r2 || r1 != r3 || r1 != 4000 {
					t.Errorf("%s at %s: replay %g/%g, sweep %g/%g, system %g/%g", p, size, h1, r1, h2, r2, h3, r3)
				}
				if p == "lru" {
					if h4, r4 := replayJSON(t, "mrc", mon, "--sizes", size); h4 != h1 || r4 != r1 {
						t.Errorf("mrc at %s: %g/%g, replay %g/%g", size, h4, r4, h1, r1)
					}
				}
			})
		}
	}
	// The TTL policy cannot beat the expiring server: every hit of the
	// unlimited ttl cache is a hit the capture's own Redis served, and no
	// more (its misses are the GETs followed by a SET).
	var misses int
	for _, line := range strings.Split(readString(t, mon), "\n") {
		if strings.Contains(line, `"SET"`) {
			misses++
		}
	}
	if h, r := replayJSON(t, "replay", mon, "--policy", "ttl", "--size", "100MiB"); int(r-h) != misses {
		t.Errorf("ttl at 100 MiB: %g misses, the capture's server missed %d", r-h, misses)
	}
}

func readString(t *testing.T, path string) string { return string(readFile(t, path)) }

// FLUSHDB drops the database's keys, FLUSHALL every database's.
func TestMonitorFlush(t *testing.T) {
	mon := writeFile(t, "flush.monitor", `1700000000.0 [0 c] "SET" "a" "v"
1700000001.0 [1 c] "SET" "b" "v"
1700000002.0 [1 c] "FLUSHDB"
1700000003.0 [0 c] "GET" "a"
1700000004.0 [1 c] "GET" "b"
1700000005.0 [1 c] "SET" "b" "v"
1700000006.0 [2 c] "FLUSHALL"
1700000007.0 [0 c] "GET" "a"
1700000008.0 [1 c] "GET" "b"
`)
	// Only db 0's a survives db 1's FLUSHDB: 1 hit; FLUSHALL leaves nothing.
	if hits, reqs := replayJSON(t, "replay", mon, "--policy", "lru", "--size", "10"); hits != 1 || reqs != 4 {
		t.Errorf("%g hits of %g, want 1 of 4", hits, reqs)
	}
}

// A sweep of a client-writes capture says how many reads find keys the
// capture never writes, and that LRU is replayed rather than taken from
// the one-pass curve.
func TestClientWritesNotes(t *testing.T) {
	mon := writeFile(t, "o.monitor", `1700000000.0 [0 c] "GET" "old"
1700000001.0 [0 c] "GET" "old"
1700000002.0 [0 c] "SET" "a" "v"
1700000003.0 [0 c] "GET" "a"
`)
	_, errOut, err := runCLI(t, "sweep", mon, "--sizes", "1,2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "2 of its reads are of keys it never writes") || !strings.Contains(errOut, "lru is replayed at each size") {
		t.Errorf("notes:\n%s", errOut)
	}
}

// Which Redis memory model ran is said beside the results.
func TestRedisModelNamed(t *testing.T) {
	mon := writeFile(t, "m.monitor", `1700000000.0 [0 c] "SET" "a" "v"
1700000001.0 [0 c] "GET" "a"
`)
	for _, c := range []struct{ spec, want string }{
		{"redis-lru", "redis-lru: the capacity is maxmemory, each key charged the memory Redis 7.0 gives it (keys of 16 B"},
		{"redis-lru(memory=payload)", "redis-lru(memory=payload): the capacity counts the request sizes alone"},
	} {
		t.Run(c.spec, func(t *testing.T) {
			_, errOut, err := runCLI(t, "replay", mon, "--policy", c.spec, "--size", "2MiB")
			if err != nil || !strings.Contains(errOut, c.want) {
				t.Errorf("%s: %v\n%s", c.spec, err, errOut)
			}
		})
	}
	// Object counts: the payload model, said so.
	if _, errOut, _ := runCLI(t, "replay", mon, "--policy", "redis-lru", "--size", "10"); !strings.Contains(errOut, "or object counts") {
		t.Errorf("object counts:\n%s", errOut)
	}
}
