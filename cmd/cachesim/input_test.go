package main

import (
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
	csv.WriteString("key,size,op\n")
	line := 0
	add := func(op string, k int) {
		line++
		key := fmt.Sprintf("key:%02d", k)
		if op == "set" {
			fmt.Fprintf(&mon, "%d.0 [0 127.0.0.1:5000] \"SET\" \"%s\" \"%s\"\n", 1700000000+line, key, strings.Repeat("v", 19))
		} else {
			fmt.Fprintf(&mon, "%d.0 [0 127.0.0.1:5000] \"GET\" \"%s\"\n", 1700000000+line, key)
		}
		fmt.Fprintf(&csv, "%s,25,%s\n", key, op)
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
	if len(rows) != 7 || !strings.HasPrefix(rows[1], "lru,249,bytes,50,0,50,0,") || !strings.HasPrefix(rows[2], "lru,250,bytes,50,50,0,1,") {
		t.Errorf("LRU at 249 B and 250 B: %q, want no hits then all hits", rows)
	}
	if !strings.Contains(notes, "50 requests carried no size: 50 took their key's last known size, and 0,") {
		t.Errorf("no note on the sizes: %q", notes)
	}
}
