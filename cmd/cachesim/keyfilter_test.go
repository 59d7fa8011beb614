package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// A sweep of a MONITOR capture filtered with --key-filter is the sweep of
// a capture holding only the kept lines, written apart as the lines are
// generated (not by the filter); the note counts the kept requests.
func TestKeyFilterSweepEqualsKeptLines(t *testing.T) {
	var all, kept strings.Builder
	rng := rand.New(rand.NewPCG(1, 2))
	keptRequests, requests := 0, 0
	for i := range 20000 {
		ts := fmt.Sprintf("%d.%06d [0 10.0.0.1:5000]", 1700000000+i/100, i%100*10000)
		family := []string{"pred:model_a", "pred:model_b", "sess", "rate"}[rng.IntN(4)]
		key := fmt.Sprintf("%s:%d", family, int(rng.ExpFloat64()*300))
		var line string
		switch rng.IntN(4) {
		case 0:
			line = fmt.Sprintf(`%s "SET" "%s" "%s" "EX" "%d"`, ts, key, strings.Repeat("v", 10+rng.IntN(200)), 5+rng.IntN(60))
		case 1:
			line = ts + ` "PING"` // no request, in both
		default:
			line = fmt.Sprintf(`%s "GET" "%s"`, ts, key)
		}
		all.WriteString(line + "\n")
		if line != ts+` "PING"` {
			requests++
		}
		if strings.HasPrefix(family, "pred:") || line == ts+` "PING"` {
			kept.WriteString(line + "\n")
			if line != ts+` "PING"` {
				keptRequests++
			}
		}
	}
	allPath, keptPath := writeFile(t, "all.monitor", all.String()), writeFile(t, "kept.monitor", kept.String())
	sweep := func(path string, filter ...string) (string, string) {
		args := append([]string{"sweep", path, "--policy", "lru,s3fifo,ttl", "--sizes", "4KiB,16KiB,64KiB", "--format", "csv"}, filter...)
		out, errOut, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out, errOut
	}
	got, notes := sweep(allPath, "--key-filter", "pred:*")
	want, _ := sweep(keptPath)
	if got != want {
		t.Errorf("filtered sweep:\n%s\nsweep of the kept lines:\n%s", got, want)
	}
	group := func(n int) string { return fmt.Sprintf("%d,%03d", n/1000, n%1000) } // 1,000 to 999,999
	note := fmt.Sprintf("kept %s of %s requests", group(keptRequests), group(requests))
	if !strings.Contains(notes, "keys matching pred:*: "+note) {
		t.Errorf("notes do not say %q:\n%s", note, notes)
	}
	// Excluding the other families keeps the same lines.
	if got, _ := sweep(allPath, "--key-exclude", "sess:*", "--key-exclude", "rate:*"); got != want {
		t.Errorf("sweep excluding sess:* and rate:*:\n%s\nwant:\n%s", got, want)
	}
}

// The key filter flags are refused where keys are no text (numbers, the
// block hashes of prompts) and on synthetic workloads; a filter that keeps
// nothing is an error naming the flags.
func TestKeyFilterErrors(t *testing.T) {
	formats := filepath.Join("..", "..", "traces", "testdata", "formats")
	for file, what := range map[string]string{
		"vscsi.vscsi": "are block numbers", "oracleGeneral.bin": "are numbers", "lirs.lirs": "are numbers", "arc.arc": "are block numbers",
		"cache2k.cache2k": "are numbers", "prompts.jsonl": "are the hashes of prompt blocks", "mooncake.jsonl": "are the hashes of prompt blocks",
	} {
		_, _, err := runCLI(t, "inspect", filepath.Join(formats, file), "--key-filter", "1*")
		if err == nil || !strings.Contains(err.Error(), "--key-filter matches keys as text") || !strings.Contains(err.Error(), what) {
			t.Errorf("%s: %v, want an error saying its keys %s", file, err, what)
		}
	}
	promptCSV := writeFile(t, "p.csv", "request_id,block_index,block_hash\n1,0,a\n1,1,b\n2,0,a\n")
	if _, _, err := runCLI(t, "inspect", promptCSV, "--key-exclude", "a", "--key-filter", "*"); err == nil || !strings.Contains(err.Error(), "--key-filter and --key-exclude match keys as text") {
		t.Errorf("a CSV of prompt blocks: %v", err)
	}
	if _, _, err := runCLI(t, "sweep", "zipf:keys=100", "--key-filter", "1*"); err == nil || !strings.Contains(err.Error(), "--key-filter reads trace files") {
		t.Errorf("a workload: %v", err)
	}
	path := writeFile(t, "k.csv", "key,client\nuser:1,a\nuser:2,b\n")
	if _, _, err := runCLI(t, "system", "replay", path, "--key-filter", "user:*", "--assign", "column:2", "--instances", "2", "--levels", "l1=lru:10"); err == nil ||
		!strings.Contains(err.Error(), "--assign column:2 reads the trace again") {
		t.Errorf("--assign column:2 with a key filter: %v", err)
	}
	_, _, err := runCLI(t, "inspect", path, "--key-filter", "pred:*")
	if err == nil || !strings.Contains(err.Error(), `none of the 2 requests has a key matching pred:*; the keys are like "user:1", "user:2" (--key-filter, --key-exclude)`) {
		t.Errorf("a filter keeping nothing: %v", err)
	}
}

// --key-filter may be repeated, on the command line and as a list in a
// --config file, each pattern whole.
func TestKeyFilterRepeats(t *testing.T) {
	path := writeFile(t, "k.csv", "key\na:1\nb:1\nc:1\n\"a,b\"\n")
	_, notes, err := runCLI(t, "inspect", path, "--key-filter", "a:*", "--key-filter", "a,b")
	if err != nil || !strings.Contains(notes, "keys matching a:* or a,b: kept 2 of 4 requests (50.0%)") {
		t.Errorf("repeated --key-filter: %v\n%s", err, notes)
	}
	config := writeFile(t, "c.yaml", "key-filter: [\"a:*\", \"c:*\"]\n")
	_, notes, err = runCLI(t, "system", "replay", path, "--config", config, "--levels", "l1=lru:1")
	if err != nil || !strings.Contains(notes, "keys matching a:* or c:*: kept 2 of 4 requests") {
		t.Errorf("key-filter as a list in --config: %v\n%s", err, notes)
	}
}
