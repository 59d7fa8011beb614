package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// A loop over keys 0..3, three times, in 3 slots: LRU never hits; the
// optimum (worked by hand) keeps 0 1 2 and declines 3 each time, so it hits
// the 6 requests of the second and third passes for 0 1 2: 50%.
func TestSweepOptimalGap(t *testing.T) {
	trace := writeFile(t, "loop.txt", loopTrace(4, 3))
	out, _, err := runCLI(t, "sweep", trace, "--policy", "lru", "--sizes", "3", "--optimal", "--format", "json", "-q")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Optimal string `json:"optimal"`
		Gaps    []struct {
			Policy string  `json:"policy"`
			Size   int64   `json:"size"`
			GapPP  float64 `json:"gap_pp"`
		} `json:"optimal_gaps"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Optimal != "belady(bypass=true)" || len(doc.Gaps) != 1 || doc.Gaps[0].Policy != "lru" || doc.Gaps[0].GapPP != 50 {
		t.Fatalf("optimal %q, gaps %+v; want belady(bypass=true) and lru 50 pp below it", doc.Optimal, doc.Gaps)
	}
	table, _, err := runCLI(t, "sweep", trace, "--policy", "lru", "--sizes", "3,4", "--optimal", "-q")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table, "gap to the offline optimum belady(bypass=true)") || !strings.Contains(table, "50.00") {
		t.Errorf("table lacks the gap section:\n%s", table)
	}
	// Byte sizes use belady-size.
	out, _, err = runCLI(t, "sweep", trace, "--policy", "lru", "--sizes", "3B", "--optimal", "--format", "json", "-q")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"optimal": "belady-size"`) {
		t.Errorf("byte sweep does not use belady-size:\n%s", out)
	}
}

// Every registered policy is described, with its parameters.
func TestPoliciesDescribeNewOnes(t *testing.T) {
	out, _, err := runCLI(t, "policies")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"belady ", "belady-size ", "clock ", "sieve ", "arc ", "twoq ", "slru ", "s3fifo ", "lirs ",
		"wtinylfu ", "random ", "redis-lru ", "redis-lfu ", "redis-ttl ", "memcached ",
		"small=0.1", "threshold=2", "samples=5", "log-factor=10", "decay-time=1", "segments=4", "hir=0.01", "window=0.01", "factor=1.25"} {
		if !strings.Contains(out, want) {
			t.Errorf("policies lacks %q", want)
		}
	}
}

// The Redis and memcached models run on trace time; a trace without
// timestamps gets a note.
func TestClockWarning(t *testing.T) {
	trace := writeFile(t, "loop.txt", loopTrace(4, 3))
	_, errOut, err := runCLI(t, "replay", trace, "--policy", "redis-lru", "--size", "2")
	if err != nil {
		t.Fatal(err)
	}
	// redis-lru expires keys, so the note is the expiry one
	if !strings.Contains(errOut, "no timestamps, so redis-lru never expires an entry") {
		t.Errorf("no clock note on stderr: %q", errOut)
	}
	_, errOut, _ = runCLI(t, "replay", trace, "--policy", "lru", "--size", "2")
	if strings.Contains(errOut, "timestamps") {
		t.Errorf("note for lru: %q", errOut)
	}
}
