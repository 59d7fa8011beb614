package main

import (
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
)

func TestMRC(t *testing.T) {
	// 100 keys cycled 10 times: LRU hits nothing below 100 slots and 90% from 100 on.
	p := writeFile(t, "loop.txt", loopTrace(100, 10))
	out, _, err := runCLI(t, "mrc", p, "--points", "20", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	if len(rows) < 10 || rows[1][1] != "1" || rows[len(rows)-1][1] != "100" {
		t.Fatalf("want log-spaced sizes from 1 to the footprint (100), got %v", rows)
	}
	for _, r := range rows[1:] {
		want := "0"
		if r[1] == "100" {
			want = "0.9"
		}
		if r[0] != "lru" || r[6] != want {
			t.Errorf("row %v: want lru with hit ratio %s", r, want)
		}
	}
	if _, _, err := runCLI(t, "mrc", p, "--points", "1"); err == nil || !strings.Contains(err.Error(), "--points") {
		t.Errorf("--points 1: %v", err)
	}
}

func TestSweepSampling(t *testing.T) {
	out, errOut, err := runCLI(t, "sweep", "zipf:keys=1e4,requests=2e5,alpha=0.9", "--policy", "lru,fifo",
		"--sizes", "1000,5000", "--sample-rate", "0.1", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "approximate: SHARDS spatial sampling at rate 0.1") {
		t.Errorf("stderr does not say the result is approximate: %q", errOut)
	}
	rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	if len(rows) != 5 {
		t.Fatalf("rows %v", rows)
	}
	for _, r := range rows[1:] {
		if r[3] != "200000" {
			t.Errorf("row %v: requests must be the whole trace's (200000)", r)
		}
	}
	// --sample-size keeps the 500 keys with the smallest hashes.
	_, errOut, err = runCLI(t, "sweep", "zipf:keys=1e4,requests=2e5,alpha=0.9", "--sizes", "1000", "--sample-size", "500", "-q")
	if err != nil || !strings.Contains(errOut, "approximate: SHARDS") {
		t.Fatalf("--sample-size: %v, %q", err, errOut)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--sample-rate", "1.5"}, "--sample-rate"},
		{[]string{"--sample-size", "-1"}, "--sample-size"},
		{[]string{"--sample-rate", "0.1", "--sample-size", "10"}, "not both"},
		{[]string{"--sample-rate", "0.1", "--miss-latency", "50ms"}, "latency report needs every request"},
		{[]string{"--max-memory", "12"}, "--max-memory"},
	} {
		t.Run(caseName(c.args), func(t *testing.T) {
			_, _, err := runCLI(t, append([]string{"sweep", "--sizes", "10"}, c.args...)...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: error %v, want %q", c.args, err, c.want)
			}
		})
	}
}

// A latency column in the trace supplies the miss latencies: with hits at
// 1ms and misses costing 10, 30 and 40 ms, the mean is 81/4 ms.
func TestMissLatencyColumn(t *testing.T) {
	p := writeFile(t, "lat.csv", "key,latency\n1,10\n1,20\n2,30\n1,40\n")
	out, _, err := runCLI(t, "sweep", p, "--sizes", "1", "--hit-latency", "1ms", "--miss-latency", "column", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"mean_ms": 20.25`) {
		t.Errorf("want a mean of 20.25 ms in\n%s", out)
	}
	_, _, err = runCLI(t, "sweep", writeFile(t, "k.txt", "1\n2\n"), "--sizes", "1", "--miss-latency", "column")
	if err == nil || !strings.Contains(err.Error(), "no latency column") {
		t.Errorf("a trace without a latency column: %v", err)
	}
}

// Byte capacities on a trace without sizes are legal but rarely meant: say so.
func TestBytesWithoutSizesNote(t *testing.T) {
	_, errOut, err := runCLI(t, "sweep", writeFile(t, "k.txt", "1\n2\n1\n"), "--sizes", "1KiB", "-q")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "carries no object sizes") {
		t.Errorf("no note on stderr: %q", errOut)
	}
}

// --bands draws several samples in one pass, for mrc (online SHARDS) and
// sweep (sampled traces), and reports each size's lowest and highest
// estimate around their mean; the exact hit ratio of a loop trace at its
// full size lies inside.
func TestBands(t *testing.T) {
	p := writeFile(t, "loop.txt", loopTrace(2000, 20))
	for _, args := range [][]string{
		{"mrc", p, "--sizes", "500,2000", "--sample-rate", "0.2", "--bands", "6", "--format", "csv"},
		{"sweep", p, "--policy", "lru,fifo", "--sizes", "500,2000", "--sample-rate", "0.2", "--bands", "6", "--format", "csv"},
	} {
		t.Run(caseName(args), func(t *testing.T) {
			out, errOut, err := runCLI(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(errOut, "6 samples with different hash seeds") {
				t.Errorf("%s: stderr does not say how many samples: %q", args[0], errOut)
			}
			rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
			head := strings.Join(rows[0], ",")
			if !strings.HasSuffix(head, "samples,hit_ratio_min,hit_ratio_max,byte_hit_ratio_min,byte_hit_ratio_max") {
				t.Fatalf("%s: header %s has no band columns", args[0], head)
			}
			for _, r := range rows[1:] {
				mean, lo, hi := parseFloat(t, r[6]), parseFloat(t, r[14]), parseFloat(t, r[15])
				if r[13] != "6" || lo > mean || mean > hi {
					t.Errorf("%s: row %v: want 6 samples and min <= mean <= max", args[0], r)
				}
				if r[1] == "2000" && r[0] == "lru" && (lo > 0.95 || hi < 0.95) {
					t.Errorf("%s: row %v: the band at the full size must hold the exact 0.95", args[0], r)
				}
			}
		})
	}
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// A sample too small to mean anything is refused with what to give
// instead, by mrc's streaming estimate and by sweep's loaded samples
// (--sample-rate 1e-300 printed a hit ratio of -9.2e16%).
func TestSampleTooSmall(t *testing.T) {
	const w = "zipf:keys=1e4,requests=1e5,alpha=0.9"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"mrc", w, "--sample-rate", "1e-300"}, "--sample-rate 1e-300 samples no key at all: give a fraction such as 0.01 (--sample-size 8192"},
		{[]string{"mrc", w, "--sample-rate", "1e-19"}, "--sample-rate 1e-19 sampled none of the trace's keys"},
		{[]string{"mrc", w, "--sample-rate", "0.001"}, "too few for an estimate; give --sample-rate"},
		{[]string{"sweep", w, "--sizes", "100", "--sample-rate", "0.001"}, "too few for an estimate; give --sample-rate"},
		{[]string{"sweep", w, "--sizes", "100", "--sample-rate", "0.001", "--bands", "4"}, "too few for an estimate"},
		{[]string{"mrc", "zipf:keys=100,requests=1e4", "--sample-rate", "0.5"}, "small enough to replay exactly: drop --sample-rate"},
		{[]string{"mrc", w, "--sample-size", "1"}, "--sample-size 1: too few keys for an estimate: give at least 100"},
	} {
		t.Run(caseName(c.args), func(t *testing.T) {
			_, _, err := runCLI(t, append(c.args, "-q")...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: error %v, want %q", c.args, err, c.want)
			}
		})
	}
	// Enough keys: an estimate, within [0, 1].
	out, _, err := runCLI(t, "mrc", w, "--sample-rate", "0.05", "--format", "csv", "-q")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "lru,") || strings.Contains(out, ",-") {
		t.Errorf("estimate at rate 0.05:\n%s", out)
	}
}
