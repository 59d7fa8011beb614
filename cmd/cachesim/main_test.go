package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// runCLI runs the root command in-process.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newRootCmd()
	var o, e bytes.Buffer
	cmd.SetOut(&o)
	cmd.SetErr(&e)
	cmd.SetArgs(args)
	err = cmd.Execute()
	return o.String(), e.String(), err
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// loopTrace cycles over n keys r times: LRU hits nothing below n slots and
// everything but the first pass from n slots on.
func loopTrace(n, r int) string {
	var b strings.Builder
	for i := 0; i < r; i++ {
		for k := 0; k < n; k++ {
			b.WriteString(strconv.Itoa(k))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestSweepDefaultWorkloadCSV(t *testing.T) {
	out, errOut, err := runCLI(t, "sweep", "--policy", "lru,lfu", "--sizes", "50:500:50", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"built-in workload zipf:", "keys=1000", "requests=10000", "alpha=1.5", "seed=42"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr does not name the default workload (%s): %q", want, errOut)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"policy", "size", "unit", "requests", "hits", "misses", "hit_ratio", "byte_hit_ratio"}
	for i, col := range want {
		if rows[0][i] != col {
			t.Fatalf("column %d is %q, want %q (header %v)", i, rows[0][i], col, rows[0])
		}
	}
	if len(rows) != 1+2*10 {
		t.Fatalf("%d rows, want 20 points and a header", len(rows))
	}
	for _, r := range rows[1:] {
		hits, _ := strconv.Atoi(r[4])
		misses, _ := strconv.Atoi(r[5])
		if r[2] != "objects" || r[3] != "10000" || hits+misses != 10000 {
			t.Errorf("row %v: want unit objects, 10000 requests = hits + misses", r)
		}
	}
}

func TestSweepRecommendation(t *testing.T) {
	// 100 keys cycled 10 times: LRU hit ratio 0 at 50, 90% at 100 and 150.
	// From 100 on, no step gains anything: 100 is recommended.
	p := writeFile(t, "loop.txt", loopTrace(100, 10))
	out, _, err := runCLI(t, "sweep", p, "--sizes", "50,100,150", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Points []struct {
			Size     int64   `json:"size"`
			HitRatio float64 `json:"hit_ratio"`
		} `json:"points"`
		Recommendations []struct {
			Policy string `json:"policy"`
			Method string `json:"method"`
			Found  bool   `json:"found"`
			Size   int64  `json:"size"`
		} `json:"recommendations"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Points) != 3 || doc.Points[0].HitRatio != 0 || doc.Points[1].HitRatio != 0.9 || doc.Points[2].HitRatio != 0.9 {
		t.Fatalf("points %+v, want hit ratios 0, 0.9, 0.9", doc.Points)
	}
	n := 0
	for _, r := range doc.Recommendations {
		if r.Method == "marginal-gain" {
			n++
			if r.Policy != "lru" || !r.Found || r.Size != 100 {
				t.Fatalf("marginal-gain recommendation %+v, want lru at 100", r)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d marginal-gain recommendations in %+v, want 1", n, doc.Recommendations)
	}
	// Below the 100 keys nothing hits: no size is worth recommending, and
	// the table says to sweep further.
	out, _, err = runCLI(t, "sweep", p, "--sizes", "25,50")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "recommended for lru by marginal-gain: none") || !strings.Contains(out, "sweep larger sizes") {
		t.Errorf("table does not say the threshold was not reached:\n%s", out)
	}
}

func TestSweepCSVTraceBytes(t *testing.T) {
	// key in column 3, size in 2, time in 1. Byte capacity 10 holds two
	// objects of 4: a b miss, a hits, c evicts b (LRU), a hits, b evicts c.
	p := writeFile(t, "t.csv", "time,size,key\n1,4,a\n2,4,b\n3,4,a\n4,4,c\n5,4,a\n6,4,b\n")
	out, _, err := runCLI(t, "sweep", p, "--csv-key", "3", "--csv-size", "2", "--csv-time", "1", "--header", "--sizes", "10B", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	if len(rows) != 2 {
		t.Fatalf("rows %v", rows)
	}
	if r := rows[1]; r[1] != "10" || r[2] != "bytes" || r[4] != "2" || r[5] != "4" {
		t.Fatalf("row %v, want size 10 bytes with 2 hits and 4 misses", r)
	}
}

func TestReplay(t *testing.T) {
	p := writeFile(t, "loop.txt", loopTrace(100, 10))
	out, _, err := runCLI(t, "replay", p, "--policy", "fifo", "--size", "100", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var r report.Replay
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Requests != 1000 || r.Hits != 900 || r.Misses != 100 || r.DistinctKeys != 100 || r.Evictions != 0 || r.Policy != "fifo" {
		t.Fatalf("replay %+v, want 1000 requests, 900 hits, 100 distinct, no evictions", r)
	}
	out, _, err = runCLI(t, "replay", p, "--policy", "lru", "--size", "50")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hit ratio", "0.0000%", "evictions", "950", "distinct keys", "requests/second"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay table lacks %q:\n%s", want, out)
		}
	}
}

func TestSharedTraceSweep(t *testing.T) {
	p := tracestest.Path(t, "cloudPhysicsIO.txt")
	out, _, err := runCLI(t, "sweep", p, "--policy", "lru,fifo,lfu", "--sizes", "100,1000,10000,25000", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	// libCacheSim's miss counts (../shared/traces/README.md).
	want := map[string]string{"lru/25000": "70832", "fifo/100": "101495", "lfu/25000": "64375"}
	n := 0
	for _, r := range rows[1:] {
		if w, ok := want[r[0]+"/"+r[1]]; ok {
			n++
			if r[5] != w {
				t.Errorf("%s at %s: %s misses, want %s", r[0], r[1], r[5], w)
			}
		}
	}
	if n != len(want) {
		t.Fatalf("found %d of %d checked points in\n%s", n, len(want), out)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, "bad.txt", "1 10\n2 ten\n3 30\n")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown policy", []string{"sweep", "--policy", "lru,bogus", "--sizes", "10"}, []string{`unknown policy "bogus"`, "valid: arc, belady, belady-prefix, belady-size, "}},
		{"bad sizes", []string{"sweep", "--sizes", "10:"}, []string{"bad --sizes", "accepted forms", "start:stop:step"}},
		{"bad size", []string{"replay", "--size", "lots"}, []string{"bad --size", "accepted forms"}},
		{"missing file", []string{"sweep", filepath.Join(dir, "nope.txt"), "--sizes", "10"}, []string{"nope.txt", "no such file"}},
		{"malformed line", []string{"sweep", bad, "--csv-size", "2", "--sizes", "10"}, []string{"bad.txt:2: column 2: size", `"ten"`}},
		{"bad format", []string{"sweep", "--format", "xml"}, []string{`--format "xml"`, "table, csv or json"}},
		{"inspect csv", []string{"inspect", "--format", "csv", bad}, []string{"table or json"}},
		{"empty trace", []string{"sweep", writeFile(t, "empty.txt", "\n\n"), "--sizes", "10"}, []string{"no requests"}},
		{"bad unit", []string{"sweep", "--time-unit", "h"}, []string{"--time-unit"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runCLI(t, c.args...)
			if err == nil {
				t.Errorf("%s: no error", c.name)
				return
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q lacks %q", c.name, err, w)
				}
			}
		})
	}
	// --skip-bad counts the bad line and goes on.
	_, _, err := runCLI(t, "sweep", bad, "--csv-size", "2", "--sizes", "10", "--quiet")
	if err == nil {
		t.Fatal("malformed line accepted without --skip-bad")
	}
	out, errOut, err := runCLI(t, "sweep", bad, "--csv-size", "2", "--sizes", "10", "--skip-bad", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "skipped 1 malformed") || !strings.Contains(out, "lru,10,objects,2,") {
		t.Errorf("--skip-bad: stderr %q stdout %q", errOut, out)
	}
}

func TestOutFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "mrc.csv")
	bad := writeFile(t, "bad.txt", "1\n2 x\n")
	if _, _, err := runCLI(t, "sweep", bad, "--csv-size", "2", "--sizes", "10", "--format", "csv", "--out", out); err == nil {
		t.Fatal("no error")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a failed run left %s behind", out)
	}
	if _, _, err := runCLI(t, "sweep", "--sizes", "10,20", "--format", "csv", "--out", filepath.Join(dir, "missing", "x.csv")); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	stdout, _, err := runCLI(t, "sweep", "--sizes", "10,20", "--format", "csv", "--out", out)
	if err != nil || stdout != "" {
		t.Fatalf("err %v, stdout %q (want all output in the file)", err, stdout)
	}
	data, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(data), "policy,size,unit,") || strings.Count(string(data), "\n") != 3 {
		t.Fatalf("file content %q", data)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestPolicies(t *testing.T) {
	out, _, err := runCLI(t, "policies")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"lru", "fifo", "lfu", "ttl"} {
		if !strings.Contains(out, name+" ") {
			t.Errorf("policies lacks %s:\n%s", name, out)
		}
	}
}

// --csv and --json write those files besides the table on stdout, as in
// "cachesim sweep trace --plot mrc.png --csv mrc.csv".
func TestExtraOutputFiles(t *testing.T) {
	dir := t.TempDir()
	csvPath, jsonPath := filepath.Join(dir, "mrc.csv"), filepath.Join(dir, "mrc.json")
	out, _, err := runCLI(t, "sweep", "--sizes", "10,100", "--csv", csvPath, "--json", jsonPath, "-q")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "hit ratio") {
		t.Errorf("no table on stdout:\n%s", out)
	}
	rows, err := csv.NewReader(strings.NewReader(string(readFile(t, csvPath)))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "policy" {
		t.Errorf("CSV file: %v %v", rows, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, jsonPath), &doc); err != nil || doc["points"] == nil {
		t.Errorf("JSON file: %v", err)
	}
	if _, _, err := runCLI(t, "replay", "--json", filepath.Join(dir, "r.json")); err != nil {
		t.Errorf("replay --json: %v", err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A policy given twice, however spelled, is refused (it ran twice, and
// its rows came out twice).
func TestDuplicatePolicies(t *testing.T) {
	for _, c := range []struct{ policies, want string }{
		{"lru,lfu,LRU", "--policy lru,lfu,LRU: lru and LRU are the same policy: give each once"},
		{"s3fifo,s3fifo(small=0.10)", "s3fifo and s3fifo(small=0.10) are the same policy"},
	} {
		t.Run(c.policies, func(t *testing.T) {
			_, _, err := runCLI(t, "sweep", "--sizes", "10", "--policy", c.policies)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("--policy %s: %v, want %q", c.policies, err, c.want)
			}
		})
	}
	if _, _, err := runCLI(t, "sweep", "--sizes", "10", "--policy", "s3fifo,s3fifo(small=0.2)", "-q"); err != nil {
		t.Errorf("two parameterisations of one policy: %v", err)
	}
}

// --max-memory bounds the loading too: a trace whose requests alone pass it
// stops loading there (it was loaded whole, 2.4 GB against a 100 MiB bound,
// before the sweep refused it); one that fits runs.
func TestMaxMemoryStopsLoading(t *testing.T) {
	_, _, err := runCLI(t, "sweep", "zipf:keys=1000,requests=1e6", "--max-memory", "1MiB", "--sizes", "10")
	var at int
	if err != nil {
		if i := strings.Index(err.Error(), "loading stopped at request "); i >= 0 {
			at, _ = strconv.Atoi(strings.TrimSuffix(strings.Fields(err.Error()[i+len("loading stopped at request "):])[0], ":"))
		}
	}
	// 1 MiB of 8-byte keys is 131,072 requests; the check runs every 4,096.
	if at < 131072 || at > 131072+4096 || !strings.Contains(err.Error(), "past --max-memory 1 MiB") {
		t.Errorf("1 MiB: %v (stopped at %d)", err, at)
	}
	if _, _, err := runCLI(t, "sweep", "zipf:keys=1000,requests=1e5", "--max-memory", "8MiB", "--sizes", "10"); err != nil {
		t.Errorf("8 MiB: %v", err)
	}
}

// A prompt trace read as JSON lines says how to read it as prompts.
func TestPromptReadAsJSONLinesNamesTheFlag(t *testing.T) {
	p := writeFile(t, "p.jsonl", `{"time": 0, "blocks": [1, 2]}`+"\n")
	_, _, err := runCLI(t, "inspect", p, "--trace-format", "jsonl")
	if err == nil || !strings.Contains(err.Error(), "may be a prompt trace") || !strings.Contains(err.Error(), "--trace-format prompts") {
		t.Fatalf("error %v, want one saying it may be a prompt trace and to give --trace-format prompts", err)
	}
}

// caseName names a table test's case by its command line, files by their
// base names.
func caseName(args []string) string {
	words := make([]string, len(args))
	for i, a := range args {
		if filepath.IsAbs(a) {
			a = filepath.Base(a)
		}
		words[i] = a
	}
	return strings.Join(words, " ")
}
