package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/tracestest"
)

// TestConvertThenInspect converts the shared text trace to zstd-compressed
// oracleGeneral and inspects the result.
func TestConvertThenInspect(t *testing.T) {
	in := tracestest.Path(t, "cloudPhysicsIO.txt")
	out := filepath.Join(t.TempDir(), "cp.oracleGeneral.zst")
	if _, stderr, err := runCLI(t, "convert", in, out, "--to", "oracleGeneral"); err != nil {
		t.Fatalf("convert: %v\n%s", err, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		t.Fatalf("output is not zstd: %v", err)
	}
	stdout, _, err := runCLI(t, "inspect", out, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Format   string `json:"format"`
		Requests int    `json:"requests"`
		Distinct int    `json:"distinct_keys"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	// README: 113,872 requests, 48,974 distinct keys.
	if got.Format != "oracleGeneral" || got.Requests != 113872 || got.Distinct != 48974 {
		t.Errorf("inspect of the converted trace: %+v", got)
	}
}

// TestConvertCSVReadsBack writes CSV and reads it back with the flags
// convert prints.
func TestConvertCSVReadsBack(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(`{"key":"a","size":5,"time":1.5,"op":"get"}`+"\n"+`{"key":"b","size":7,"time":2,"op":"set"}`+"\n"), 0o644)
	out := filepath.Join(dir, "out.csv")
	_, _, err := runCLI(t, "convert", in, out, "--to", "csv")
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := os.ReadFile(out)
	// Keys are hashes; the rest: header, then seconds since the start, size, op.
	if !strings.HasPrefix(string(csv), "key,time,size,op\n") || !strings.Contains(string(csv), ",0,5,get\n") || !strings.Contains(string(csv), ",0.5,7,set\n") {
		t.Errorf("CSV output:\n%s", csv)
	}
	// Read back with no column flags: the header names the columns.
	stdout, _, err := runCLI(t, "inspect", out, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, `"gets": 1`) || !strings.Contains(stdout, `"sets": 1`) || !strings.Contains(stdout, `"requested_bytes": 12`) {
		t.Errorf("read back:\n%s", stdout)
	}
}

// TestInspectBadLine checks the error for a malformed line and --skip-bad.
func TestInspectBadLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.csv")
	os.WriteFile(p, []byte("a,1\nb,x\nc,3\n"), 0o644)
	_, _, err := runCLI(t, "inspect", p, "--csv-size", "2")
	if err == nil || !strings.Contains(err.Error(), p+":2: column 2: size") {
		t.Errorf("got %v, want an error at %s:2 column 2", err, p)
	}
	stdout, stderr, err := runCLI(t, "inspect", p, "--csv-size", "2", "--skip-bad")
	if err != nil || !strings.Contains(stderr, "skipped 1 malformed records") || !regexp.MustCompile(`│ requests +│ 2 `).MatchString(stdout) {
		t.Errorf("--skip-bad: %v\n%s\n%s", err, stderr, stdout)
	}
}

// TestSweepCountWrites runs sweep on a trace with writes with and without --count-writes.
func TestSweepCountWrites(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.csv")
	os.WriteFile(p, []byte("a,set\na,get\nb,get\nb,delete\nb,get\n"), 0o644)
	// Per op: get a hits (set before), get b misses, get b misses (deleted): 3 requests, 1 hit.
	stdout, _, err := runCLI(t, "sweep", p, "--csv-op", "2", "--sizes", "10", "--format", "csv")
	if err != nil || !strings.Contains(stdout, "lru,10,objects,3,1,2,") {
		t.Errorf("per-op sweep: %v\n%s", err, stdout)
	}
	// Counting every request: a miss, a hit, b miss, b hit, b hit: 5 requests, 3 hits.
	stdout, _, err = runCLI(t, "sweep", p, "--csv-op", "2", "--sizes", "10", "--format", "csv", "--count-writes")
	if err != nil || !strings.Contains(stdout, "lru,10,objects,5,3,2,") {
		t.Errorf("--count-writes sweep: %v\n%s", err, stdout)
	}
}

// inspect summarizes a workload spec as it does a file (it panicked: a
// spec has no file to take the format, skipped and filtered counts from).
func TestInspectWorkload(t *testing.T) {
	stdout, _, err := runCLI(t, "inspect", "uniform:keys=5,requests=40", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"format": "workload"`, `"requests": 40`, `"gets": 40`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("want %s in\n%s", want, stdout)
		}
	}
}
