package main

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
)

// Issue 13: a MONITOR capture of SETs of 19-byte values then GETs sweeps at
// byte capacities exactly as the same trace with explicit sizes, and the
// GETs' sizes are those of the SETs. By hand: 10 keys of 6 + 19 = 25 bytes
// set, then read in a loop 5 times; LRU at 250 B holds them all (every GET
// hits), at 249 B it holds 9 and the loop misses every time.
func TestMonitorSizesSweepLikeExplicitSizes(t *testing.T) {
	var mon, csv strings.Builder
	csv.WriteString("key,size,op,time\n") // the capture's times, for the peak report's columns
	line := 0
	add := func(op string, k int) {
		line++
		key := fmt.Sprintf("key:%02d", k)
		if op == "set" {
			fmt.Fprintf(&mon, "%d.0 [0 127.0.0.1:5000] \"SET\" \"%s\" \"%s\"\n", 1700000000+line, key, strings.Repeat("v", 19))
		} else {
			fmt.Fprintf(&mon, "%d.0 [0 127.0.0.1:5000] \"GET\" \"%s\"\n", 1700000000+line, key)
		}
		fmt.Fprintf(&csv, "%s,25,%s,%d\n", key, op, 1700000000+line)
	}
	for k := 0; k < 10; k++ {
		add("set", k)
	}
	for pass := 0; pass < 5; pass++ {
		for k := 0; k < 10; k++ {
			add("get", k)
		}
	}
	sweep := func(path string) (string, string) {
		out, errOut, err := runCLI(t, "sweep", path, "--policy", "lru,fifo", "--sizes", "249B,250B,1KiB", "--format", "csv", "-q")
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return out, errOut
	}
	got, notes := sweep(writeFile(t, "cap.monitor", mon.String()))
	want, _ := sweep(writeFile(t, "explicit.csv", csv.String()))
	if got != want {
		t.Errorf("MONITOR sweep:\n%s\nexplicit sizes:\n%s", got, want)
	}
	rows := strings.Split(strings.TrimSpace(got), "\n")
	// 10 SETs of 25 B, then 5 passes of GETs over the 10 keys. At 249 B the
	// tenth SET evicts key:00, whose GET misses and fills it back at its
	// written size (as the client would), evicting the next: no hit; at
	// 250 B, all 50.
	if len(rows) != 7 || !strings.HasPrefix(rows[1], "lru,249,bytes,50,0,50,0,") || !strings.HasPrefix(rows[2], "lru,250,bytes,50,50,0,1,") {
		t.Errorf("LRU at 249 B and 250 B: %q, want no hits then all hits", rows)
	}
	if !strings.Contains(notes, "50 requests carried no size: 50 took their key's last known size, and 0,") {
		t.Errorf("no note on the sizes: %q", notes)
	}
}

// Column flags: names or 1-based numbers up to 1024; anything else is an
// error naming the flag, before any trace is read.
func TestColumnFlags(t *testing.T) {
	path := writeFile(t, "x.csv", "a,1\nb,2\n")
	for _, c := range []struct{ flag, value string }{
		{"--csv-key", "4611686018427387904"}, {"--csv-key", "100000000000"}, {"--csv-key", "0"},
		{"--csv-size", "1025"}, {"--csv-op", "0"}, {"--csv-latency", "-2"}, {"--csv-time", "99999999999999999999999"},
	} {
		t.Run(c.flag+" "+c.value, func(t *testing.T) {
			_, _, err := runCLI(t, "inspect", path, c.flag, c.value)
			if err == nil || !strings.Contains(err.Error(), c.flag+` "`+c.value+`"`) || !strings.Contains(err.Error(), "from 1 to 1024") {
				t.Errorf("%s %s: %v", c.flag, c.value, err)
			}
		})
	}
	// --assign column:N reads a column too.
	_, _, err := runCLI(t, "system", "replay", path, "--assign", "column:100000000000", "--instances", "2", "--levels", "l1=lru:10")
	if err == nil || !strings.Contains(err.Error(), "--assign column:100000000000") || !strings.Contains(err.Error(), "from 1 to 1024") {
		t.Errorf("--assign column:100000000000: %v", err)
	}
	for _, args := range [][]string{{"--default-size", "0"}, {"--default-size", "5GiB"}, {"--monitor-key", "hash"}} {
		t.Run(caseName(args), func(t *testing.T) {
			if _, _, err := runCLI(t, append([]string{"inspect", path}, args...)...); err == nil || !strings.Contains(err.Error(), args[0]) {
				t.Errorf("%v: %v", args, err)
			}
		})
	}
	// A header named by its columns, a composite key, and the notes.
	path = writeFile(t, "f.csv", "ts,entity_id,feature_group,bytes,latency_ms\n1717000000001,e1,fg1,100,3.5\n1717000000501,e1,fg2,200,1\n")
	out, errOut, err := runCLI(t, "inspect", path, "--csv-key", "entity_id,feature_group", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"distinct_keys": 2`) || !strings.Contains(errOut, "key = entity_id (column 2) + feature_group (column 3), size = bytes (column 4)") ||
		!strings.Contains(errOut, "milliseconds since the epoch") || !strings.Contains(errOut, "(--time-unit sets it)") {
		t.Errorf("stdout %s\nstderr %s", out, errOut)
	}
	// An undeclared header nobody recognises: the error says what to add.
	_, _, err = runCLI(t, "inspect", writeFile(t, "h.csv", "alpha,beta\nx,1\n"))
	if err == nil || !strings.Contains(err.Error(), "looks like a header") || !strings.Contains(err.Error(), "--header") {
		t.Errorf("header-like line: %v", err)
	}
}

// A known extension decides the format; when its first line does not fit,
// the error says which format was read and how to choose another.
func TestExtensionFormatError(t *testing.T) {
	_, _, err := runCLI(t, "inspect", writeFile(t, "keys.log", "a\nb\n"))
	if err == nil || !strings.Contains(err.Error(), "keys.log:1: expected a [timestamp]") || !strings.Contains(err.Error(), "read as accesslog; --trace-format chooses another format") {
		t.Errorf("got %v", err)
	}
	// The contents choose between the formats .log may hold, with a note.
	_, errOut, err := runCLI(t, "inspect", writeFile(t, "cap.log", `1.5 [0 127.0.0.1:1] "GET" "k"`+"\n"))
	if err != nil || !strings.Contains(errOut, "read as monitor, which its contents fit") || !strings.Contains(errOut, "(--trace-format chooses)") {
		t.Errorf("MONITOR in a .log: %v, %q", err, errOut)
	}
}

// An access log's HEADs of objects never sized do not cache 1-byte
// placeholders: 1,000 HEADs, then 20,000 GETs cycling over the same 1,000
// objects of 1 MiB, in a 1 MiB cache (one object) hit nothing — every GET
// follows 999 others — in replay, sweep and mrc alike (worked by hand;
// with placeholders the GETs hit them 20,000 times: 95%).
func TestAccessLogHeadsDoNotCachePlaceholders(t *testing.T) {
	var b strings.Builder
	line := func(method, path string, bytes int) {
		fmt.Fprintf(&b, "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"%s %s HTTP/1.1\" 200 %d\n", method, path, bytes)
	}
	for i := 0; i < 1000; i++ {
		line("HEAD", fmt.Sprintf("/o%d", i), 0)
	}
	for i := 0; i < 20000; i++ {
		line("GET", fmt.Sprintf("/o%d", i%1000), 1<<20)
	}
	path := writeFile(t, "access.log", b.String())
	out, _, err := runCLI(t, "replay", path, "--size", "1MiB", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"requests": 21000`) || !strings.Contains(out, `"hits": 0,`) {
		t.Errorf("replay: %s", out)
	}
	for _, args := range [][]string{{"sweep", path, "--sizes", "1MiB,2GiB"}, {"mrc", path, "--sizes", "1MiB,2GiB"}} {
		t.Run(args[0], func(t *testing.T) {
			out, _, err := runCLI(t, append(args, "--format", "csv")...)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
			// At 1 MiB nothing hits; at 2 GiB every GET after the first pass does
			// (19,000), and no HEAD (never admitted).
			if len(rows) != 3 || rows[1][4] != "0" || rows[2][4] != "19000" {
				t.Errorf("%s: %v", args[0], rows)
			}
		})
	}
}

// A CSV of (request id, block index, block hash) is a prompt trace: the same
// prompts as JSON lines of block lists give the same token hit ratios at
// every size; a block out of order is an error naming the line.
func TestPromptCSV(t *testing.T) {
	prompts := [][]int{{1, 2, 3}, {1, 2, 4}, {1, 2, 3, 5}, {6}, {1, 2}, {1, 7, 3}}
	var csvText, jsonText strings.Builder
	csvText.WriteString("request_id,block_index,block_hash\n")
	for i, p := range prompts {
		parts := make([]string, len(p))
		for j, b := range p {
			fmt.Fprintf(&csvText, "r%d,%d,%d\n", i, j, b)
			parts[j] = fmt.Sprint(b)
		}
		fmt.Fprintf(&jsonText, "{\"blocks\": [%s], \"tokens\": %d}\n", strings.Join(parts, ", "), 16*len(p))
	}
	csvPath := writeFile(t, "prompts.csv", csvText.String())
	jsonPath := writeFile(t, "prompts.jsonl", jsonText.String())
	var outs []string
	for _, p := range []string{csvPath, jsonPath} {
		out, _, err := runCLI(t, "sweep", p, "--sizes", "1,2,3,4,8", "--format", "csv")
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] || !strings.Contains(outs[0], "token_hit_ratio") {
		t.Errorf("CSV prompts:\n%s\nJSON prompts:\n%s", outs[0], outs[1])
	}
	// replay streams other traces; a CSV shows it is of prompts only in its
	// header, and must still replay with the prefix rule.
	for _, size := range []string{"3", "8"} {
		t.Run("replay at "+size, func(t *testing.T) {
			outs = outs[:0]
			for _, p := range []string{csvPath, jsonPath} {
				out, _, err := runCLI(t, "replay", p, "--size", size, "--format", "csv")
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, out)
			}
			if outs[0] != outs[1] || !strings.Contains(outs[0], "token_hit_ratio") {
				t.Errorf("replay at %s: CSV prompts:\n%s\nJSON prompts:\n%s", size, outs[0], outs[1])
			}
		})
	}
	bad := writeFile(t, "bad.csv", "request_id,block_index,block_hash\nr0,0,1\nr0,2,2\n")
	if _, _, err := runCLI(t, "sweep", bad, "--sizes", "2"); err == nil || !strings.Contains(err.Error(), "bad.csv:3") || !strings.Contains(err.Error(), "block order") {
		t.Errorf("blocks out of order: %v", err)
	}
}

// A semicolon CSV is read with semicolons, and the note names the flag
// that overrides; given, --delimiter is obeyed; an uneven file is refused
// with the flag to give.
func TestCSVDelimiterFlag(t *testing.T) {
	path := writeFile(t, "semi.csv", "key;bytes\na;100\nb;300\na;100\n")
	out, errOut, err := runCLI(t, "inspect", path, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"requests": 3`) || !strings.Contains(out, `"distinct_keys": 2`) ||
		!strings.Contains(errOut, "columns are separated by semicolons") || !strings.Contains(errOut, "(--delimiter sets it)") {
		t.Errorf("stdout %s\nstderr %s", out, errOut)
	}
	out, _, err = runCLI(t, "inspect", path, "--format", "json", "--delimiter", ",")
	if err != nil || !strings.Contains(out, `"requests": 4`) {
		t.Errorf("--delimiter ,: %v\n%s", err, out)
	}
	_, _, err = runCLI(t, "inspect", writeFile(t, "uneven.csv", "key;bytes\na\nb\n"))
	if err == nil || !strings.Contains(err.Error(), "uneven.csv: cannot tell the column delimiter") || !strings.Contains(err.Error(), "--delimiter ';'") {
		t.Errorf("uneven: %v", err)
	}
}

// --monitor-key applies to MONITOR traces: with another format it would
// have no effect, an error as for every reader flag.
func TestMonitorKeyAppliesToMonitor(t *testing.T) {
	_, _, err := runCLI(t, "inspect", writeFile(t, "x.csv", "a,1\n"), "--monitor-key", "field")
	if err == nil || !strings.Contains(err.Error(), "--monitor-key applies to monitor traces, and") {
		t.Errorf("--monitor-key with a CSV: %v", err)
	}
	if _, _, err := runCLI(t, "inspect", writeFile(t, "x.monitor", `1.0 [0 x] "HSET" "h" "f" "v"`+"\n"), "--monitor-key", "field"); err != nil {
		t.Errorf("--monitor-key with MONITOR: %v", err)
	}
}
