package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/sim/target/targettest"
)

func TestReplayTargetRedis(t *testing.T) {
	addr := targettest.Redis(t)
	// 100 keys cycled 5 times, no memory limit: only the first pass misses.
	trace := writeFile(t, "loop.txt", loopTrace(100, 5))
	out, _, err := runCLI(t, "live", "replay", "redis://"+addr+"/3", trace, "--format", "json", "--pipeline", "8", "--concurrency", "2")
	if err != nil {
		t.Fatal(err)
	}
	var run struct {
		Requests, Hits uint64
		ServerHits     uint64 `json:"server_hits"`
		Server         struct{ Keys int64 }
		Simulated      []struct {
			Policy   string
			HitRatio float64 `json:"hit_ratio"`
		}
	}
	if err := json.Unmarshal([]byte(out), &run); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if run.Requests != 500 || run.Hits != 400 || run.ServerHits != 400 || run.Server.Keys != 100 {
		t.Errorf("%d gets, %d hits, server %d hits, %d keys; want 500, 400, 400, 100\n%s", run.Requests, run.Hits, run.ServerHits, run.Server.Keys, out)
	}
	if len(run.Simulated) != 3 || run.Simulated[2].Policy != "lru" || run.Simulated[2].HitRatio != 0.8 {
		t.Errorf("simulated %+v, want redis-lru, redis-lfu, then lru at 80%%", run.Simulated)
	}
	// The database now holds keys: a second run without --flush is refused.
	_, _, err = runCLI(t, "live", "replay", "redis://"+addr, trace, "--db", "3")
	if err == nil || !strings.Contains(err.Error(), "db 3 holds 100 keys: refusing to replay into it (give --flush") {
		t.Errorf("non-empty db without --flush: %v", err)
	}
	out, _, err = runCLI(t, "live", "replay", "redis://"+addr, trace, "--db", "3", "--flush", "--maxmemory", "4MiB", "--maxmemory-policy", "allkeys-lfu")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"allkeys-lfu, maxmemory 4 MiB", "hit ratio", "80.00%", "overhead per key", "redis-lfu("} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// --maxmemory (or a size of --sizes) below the empty server's own memory is
// refused before replaying, naming the server's used memory and the flag.
func TestLiveLimitBelowBaseline(t *testing.T) {
	addr := targettest.Redis(t)
	trace := writeFile(t, "loop.txt", loopTrace(100, 5))
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"live", "replay", "redis://" + addr, trace, "--maxmemory", "100KiB"}, "raise --maxmemory"},
		{[]string{"live", "sweep", "redis://" + addr, trace, "--sizes", "100KiB,64MiB"}, "raise the smallest of --sizes"},
	} {
		t.Run(caseName(c.args), func(t *testing.T) {
			out, _, err := runCLI(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), "a memory limit of 100 KiB leaves no room for data") || !strings.Contains(err.Error(), "used_memory") ||
				!strings.Contains(err.Error(), c.flag) || out != "" {
				t.Errorf("%v: %v, want an error naming used_memory and %q\n%s", c.args, err, c.flag, out)
			}
		})
	}
	// Above the baseline but with no room for any object (a 3 MiB value's
	// query buffer alone passes a 2 MiB limit): every write is refused,
	// and a warning says so.
	big := writeFile(t, "big.csv", "key,size\n"+strings.Repeat("a,3145728\nb,3145728\n", 5))
	_, errOut, err := runCLI(t, "live", "replay", "redis://"+addr, big, "--flush", "--maxmemory", "2MiB")
	if err != nil || !strings.Contains(errOut, "refused every one of the 10 writes at a limit of 2 MiB") {
		t.Errorf("no room: %v\n%s", err, errOut)
	}
}

func TestTargetFlagErrors(t *testing.T) {
	trace := writeFile(t, "loop.txt", loopTrace(10, 2))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"live", "replay", "http://127.0.0.1:1", trace}, `unknown scheme "http"`},
		{[]string{"live", "replay", "redis://127.0.0.1:1", trace, "--size", "10"}, "--size is not a flag of cachesim live replay"},
		{[]string{"live", "replay", "redis://127.0.0.1:1", trace, "--pipeline", "0"}, "--pipeline"},
		{[]string{"live", "replay", "redis://127.0.0.1:1", trace, "--maxmemory", "lots"}, "bad --maxmemory"},
		{[]string{"live", "replay", "redis://127.0.0.1:1", trace, "--spawn"}, "--spawn applies to memcached targets"},
		{[]string{"live", "replay", "memcached://127.0.0.1:1", trace, "--db", "2"}, "--db applies to redis targets"},
		{[]string{"live", "replay", "redis://127.0.0.1:1", trace, "--db", "-5"}, "--db -5: expected a database number, 0 or more"},
		{[]string{"live", "sweep", "redis://127.0.0.1:1", trace}, "needs --sizes"},
		{[]string{"replay", trace, "--size", "5", "--overhead-per-object", "50"}, "applies to byte capacities"},
		{[]string{"replay", trace, "--target", "redis://127.0.0.1:1"}, "first argument of cachesim live"},
	} {
		t.Run(caseName(c.args), func(t *testing.T) {
			_, _, err := runCLI(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: %v, want an error saying %q", c.args, err, c.want)
			}
		})
	}
}

func TestSweepTargetMemcachedSpawn(t *testing.T) {
	targettest.Memcached(t, 1) // skips (or fails under CI) without memcached
	trace := writeFile(t, "loop.txt", loopTrace(100, 5))
	plot := filepath.Join(t.TempDir(), "real.svg")
	out, _, err := runCLI(t, "live", "sweep", "memcached://127.0.0.1:1", trace, "--spawn", "--sizes", "2MiB,4MiB", "--format", "csv", "--plot", plot)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// A header, then per size the real run and two models (memcached, lru).
	if len(rows) != 1+2*3 {
		t.Fatalf("%d rows, want 7:\n%s", len(rows), out)
	}
	for _, r := range rows[1:] {
		if r[1] == "real" && r[2] != "0.8" {
			t.Errorf("real hit ratio at %s bytes is %s, want 0.8 (100 small keys fit)", r[0], r[2])
		}
	}
	if st, err := os.Stat(plot); err != nil || st.Size() == 0 {
		t.Errorf("no chart at %s: %v", plot, err)
	}
}
