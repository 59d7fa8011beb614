package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// systemJSON is the part of the system report the tests read.
type systemJSON struct {
	Runs []struct {
		Stampede string `json:"stampede"`
		Requests uint64 `json:"requests"`
		Hits     uint64 `json:"hits"`
		Levels   []struct {
			Name string `json:"name"`
			Hits uint64 `json:"hits"`
		} `json:"levels"`
		Backend struct {
			Calls      uint64 `json:"calls"`
			Duplicates uint64 `json:"duplicate_calls"`
			MaxPerKey  int    `json:"max_concurrent_calls_per_key"`
		} `json:"backend"`
		Versions []json.RawMessage `json:"versions"`
	} `json:"runs"`
}

func parseSystemJSON(t *testing.T, out string) systemJSON {
	t.Helper()
	var r systemJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	return r
}

// Three passes over 10 keys: an L1 of 5 never hits (LRU on a loop), an L2
// of 10 serves the last two passes: 20 L2 hits, 10 backend calls.
func TestReplayLevels(t *testing.T) {
	tr := writeFile(t, "loop.txt", loopTrace(10, 3))
	out, _, err := runCLI(t, "system", "replay", tr, "--levels", "l1=lru:5@0.05ms,l2=lru:10@1ms", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	r := parseSystemJSON(t, out)
	if len(r.Runs) != 1 || r.Runs[0].Requests != 30 || r.Runs[0].Levels[0].Hits != 0 || r.Runs[0].Levels[1].Hits != 20 || r.Runs[0].Backend.Calls != 10 {
		t.Errorf("got %+v; want 30 requests, L1 0 hits, L2 20 hits, 10 backend calls", r.Runs)
	}
	out, _, err = runCLI(t, "system", "replay", tr, "--levels", "l1=lru:5@0.05ms,l2=lru:10@1ms")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hit ratio (reached)", "66.67%", "backend calls"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// The sweep varies L2 over 5 and 10 slots: 0 hits, then 20.
func TestSweepLevelsVary(t *testing.T) {
	tr := writeFile(t, "loop.txt", loopTrace(10, 3))
	out, _, err := runCLI(t, "system", "sweep", tr, "--levels", "l1=lru:5,l2=lru:10", "--vary", "l2", "--sizes", "5,10", "--format", "csv", "-q")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "l2_size" || rows[1][0] != "5" || rows[1][2] != "0" || rows[2][0] != "10" || rows[2][2] != "0.666667" {
		t.Errorf("csv:\n%s", out)
	}
}

// Ten requests for one key 1ms apart with a 50ms backend: ten calls
// without protection, one coalesced.
func TestReplayStampedeModes(t *testing.T) {
	var b strings.Builder
	b.WriteString("time,key\n")
	for i := range 10 {
		fmt.Fprintf(&b, "%d,k\n", i)
	}
	tr := writeFile(t, "burst.csv", b.String())
	out, _, err := runCLI(t, "system", "replay", tr, "--time-unit", "ms", "--levels", "l1=lru:10", "--stampede", "none,coalesce",
		"--miss-latency", "50ms", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	r := parseSystemJSON(t, out)
	if len(r.Runs) != 2 || r.Runs[0].Backend.Calls != 10 || r.Runs[0].Backend.MaxPerKey != 10 || r.Runs[1].Backend.Calls != 1 {
		t.Errorf("got %+v; want 10 calls (10 at once) without protection, 1 coalesced", r.Runs)
	}
}

// A model redeploy every 10s on a key read every second: two drops inside
// the trace, drawn on the timeline.
func TestReplayInvalidateEveryPlot(t *testing.T) {
	var b strings.Builder
	b.WriteString("time,key\n")
	for i := range 30 {
		fmt.Fprintf(&b, "%d,k\n", i)
	}
	tr := writeFile(t, "steady.csv", b.String())
	plot := filepath.Join(t.TempDir(), "timeline.svg")
	out, _, err := runCLI(t, "system", "replay", tr, "--levels", "l1=lru:10", "--invalidate-every", "10s", "--interval", "1s", "--plot", plot, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	r := parseSystemJSON(t, out)
	if len(r.Runs) != 1 || len(r.Runs[0].Versions) != 2 || r.Runs[0].Backend.Calls != 3 {
		t.Errorf("got %+v; want 2 version events and 3 backend calls", r.Runs)
	}
	if fi, err := os.Stat(plot); err != nil || fi.Size() == 0 {
		t.Errorf("no timeline chart: %v", err)
	}
}

func TestSystemFlagErrors(t *testing.T) {
	tr := writeFile(t, "loop.txt", loopTrace(10, 3))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"replay", tr, "--instances", "4"}, "say what to simulate"},
		{[]string{"replay", tr, "--levels", "l1=lru:10", "--stampede", "coalesce"}, "needs timestamps"},
		{[]string{"replay", tr, "--levels", "l1=lru:10", "--stampede", "sometimes"}, "expected off, none, coalesce, xfetch"},
		{[]string{"replay", tr, "--levels", "l1=lru:10", "--policy", "lfu"}, "give --levels or --policy, not both"},
		{[]string{"replay", tr, "--policy", "lfu"}, "needs --size"},
		{[]string{"replay", tr, "--levels", "l1=lru:10", "--instances", "10000000"}, "--instances: 10000000 exceeds the maximum of 10000"},
		{[]string{"replay", tr, "--levels", "l1=nosuch:10"}, "unknown policy"},
		{[]string{"replay", tr, "--levels", "l1=lru:10", "--prewarm", "top:5"}, "needs a history"},
		{[]string{"sweep", tr, "--levels", "l1=lru:10,l2=lru:10", "--vary", "l3", "--sizes", "1,2"}, `no level "l3"`},
		{[]string{"sweep", tr, "--levels", "l1=lru:10", "--sizes", "1,2"}, "--vary: say which of the levels"},
		{[]string{"sweep", tr, "--levels", "l1=lru:10", "--vary", "l1"}, "give --sizes"},
		{[]string{"replay", tr, "--policy", "lru", "--size", "10", "--dip-window", "1s"}, "applies to --invalidate-every"},
		{[]string{"replay", tr, "--policy", "lru", "--size", "10", "--warmup", "30"}, "--warmup 30 covers all 30 requests of loop.txt: nothing would be measured; give a shorter warm-up"},
		{[]string{"replay", tr, "--policy", "lru", "--size", "10", "--warmup", "1e6"}, "--warmup 1e6 covers all 30 requests"},
		{[]string{"sweep", "zipf:keys=10,requests=100,rate=10", "--levels", "l1=lru:2,l2=lru:5", "--vary", "l2", "--sizes", "5,10", "--warmup", "1h"}, "--warmup 1h covers all 100 requests"},
	} {
		t.Run(caseName(c.args), func(t *testing.T) {
			_, _, err := runCLI(t, append([]string{"system"}, c.args...)...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: error %v; want one saying %q", c.args[2:], err, c.want)
			}
		})
	}
}

// A YAML file stands in for the flags: levels as a list, other settings by
// flag name; the command line wins; unknown settings fail with their line.
func TestSystemConfigFile(t *testing.T) {
	tr := writeFile(t, "loop.txt", loopTrace(10, 3))
	cfg := writeFile(t, "hierarchy.yaml", `# two levels
levels:
  - {name: l1, policy: lru, size: 5, latency: 0.05ms}
  - name: l2
    policy: lru
    size: 10
    latency: 1ms
instances: 1
stampede: [off]
`)
	out, _, err := runCLI(t, "system", "replay", tr, "--config", cfg, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if r := parseSystemJSON(t, out); len(r.Runs) != 1 || r.Runs[0].Levels[1].Hits != 20 {
		t.Errorf("from the file: %+v; want 20 L2 hits", r.Runs)
	}
	out, _, err = runCLI(t, "system", "replay", tr, "--config", cfg, "--levels", "l1=lru:5,l2=lru:5", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if r := parseSystemJSON(t, out); len(r.Runs) != 1 || r.Runs[0].Levels[1].Hits != 0 {
		t.Errorf("--levels on the command line must win: %+v", r.Runs)
	}
	bad := writeFile(t, "bad.yaml", "levels: l1=lru:5\ninstancez: 4\n")
	if _, _, err := runCLI(t, "system", "replay", tr, "--config", bad); err == nil || !strings.Contains(err.Error(), "bad.yaml:2: unknown setting \"instancez\"") {
		t.Errorf("error %v; want one naming bad.yaml:2 and the setting", err)
	}
	bad = writeFile(t, "bad.yaml", "levels:\n  - {name: l1, size: 5}\n")
	if _, _, err := runCLI(t, "system", "replay", tr, "--config", bad); err == nil || !strings.Contains(err.Error(), "needs name, policy and size") {
		t.Errorf("error %v; want one saying what a level needs", err)
	}
}

// The two-instance race of the sim tests, from a CSV trace whose fourth
// column names the client (its write is the application's, to the store:
// reads fill the caches): B's read at 50ms is stale (the write's
// invalidation arrives at 120ms).
func TestReplayAssignColumnRace(t *testing.T) {
	tr := writeFile(t, "race.csv", "0,k,get,0\n10,k,get,1\n20,k,write,0\n50,k,get,1\n150,k,get,1\n")
	args := []string{"system", "replay", tr, "--csv-time", "1", "--csv-key", "2", "--csv-op", "3", "--time-unit", "ms",
		"--levels", "l1=lru:10,l2=lru:100", "--instances", "2", "--invalidation-delay", "100ms", "--format", "json"}
	out, _, err := runCLI(t, append(args, "--assign", "column:4")...)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Runs []struct {
			Writes struct {
				StaleReads uint64 `json:"stale_reads"`
			} `json:"writes"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Runs) != 1 || r.Runs[0].Writes.StaleReads != 1 {
		t.Errorf("stale reads %+v; want 1", r.Runs)
	}
	// Assigned by key, every request goes to one instance: nothing is stale.
	out, _, err = runCLI(t, append(args, "--assign", "key")...)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Runs[0].Writes.StaleReads != 0 {
		t.Errorf("by key: stale reads %+v (%v); want 0", r.Runs, err)
	}
	if _, _, err := runCLI(t, append(args, "--assign", "column:x")...); err == nil || !strings.Contains(err.Error(), "1-based column") {
		t.Errorf("bad column: error %v", err)
	}
}

// One pass over 10 keys after prewarming the 5 most requested keys of a
// history (keys 0…4 twice, 5…9 once): those 5 hit, the rest miss cold.
func TestReplayPrewarmFrom(t *testing.T) {
	tr := writeFile(t, "once.txt", loopTrace(10, 1))
	hist := writeFile(t, "history.txt", loopTrace(5, 1)+loopTrace(10, 1))
	out, _, err := runCLI(t, "system", "replay", tr, "--levels", "l1=lru:10", "--prewarm", "top:5", "--prewarm-from", hist, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Runs []struct {
			Hits      uint64 `json:"hits"`
			Prewarmed int    `json:"prewarmed"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Runs) != 1 || r.Runs[0].Hits != 5 || r.Runs[0].Prewarmed != 5 {
		t.Errorf("got %+v; want 5 hits from 5 prewarmed keys", r.Runs)
	}
}

// One cache is a one-level system: ten requests for one key within the
// backend's 50 ms, coalesced, make one backend call (and, without
// coalescing, ten).
func TestSystemOneCacheCoalesces(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "%d,k\n", i) // ten requests 1 ms apart
	}
	tr := writeFile(t, "burst.csv", b.String())
	for mode, calls := range map[string]uint64{"coalesce": 1, "none": 10} {
		t.Run("--stampede "+mode, func(t *testing.T) {
			out, _, err := runCLI(t, "system", "replay", tr, "--csv-time", "1", "--csv-key", "2", "--time-unit", "ms",
				"--policy", "lru", "--size", "100", "--stampede", mode, "--miss-latency", "50ms", "--format", "json")
			if err != nil {
				t.Fatal(err)
			}
			r := parseSystemJSON(t, out)
			if len(r.Runs) != 1 || r.Runs[0].Requests != 10 || r.Runs[0].Backend.Calls != calls {
				t.Errorf("--stampede %s: %+v, want 10 requests and %d backend calls", mode, r.Runs, calls)
			}
		})
	}
}
