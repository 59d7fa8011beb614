package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSweepSizingLatencyAndCharts(t *testing.T) {
	dir := t.TempDir()
	mrc, lat := filepath.Join(dir, "mrc.png"), filepath.Join(dir, "latency.svg")
	out, stderr, err := runCLI(t, "sweep", "--policy", "lru,lfu", "--sizes", "10:1000:log8", "-q",
		"--plot", mrc, "--latency-plot", lat, "--miss-latency", "lognormal:median=40ms,p99=250ms",
		"--target-hit-ratio", "0.9", "--memory-cost", "4", "--miss-cost", "0.0001", "--request-rate", "2000",
		"--object-bytes", "4096", "--format", "json")
	if err != nil {
		t.Fatalf("sweep: %v\n%s", err, stderr)
	}
	var doc struct {
		Recommendations []struct {
			Policy, Method string
			Found          bool
		}
		Latency *struct {
			Without struct {
				P99MS float64 `json:"p99_ms"`
			} `json:"without_cache"`
			Points []struct {
				MeanReductionPct float64  `json:"mean_reduction_pct"`
				Avoided          *float64 `json:"backend_requests_avoided_per_s"`
			} `json:"points"`
		}
		CostModel *struct {
			ObjectBytes float64 `json:"object_bytes"`
		} `json:"cost_model"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	methods := map[string]int{}
	for _, r := range doc.Recommendations {
		methods[r.Method]++
	}
	for _, m := range []string{"marginal-gain", "kneedle", "target", "cost"} {
		if methods[m] != 2 {
			t.Errorf("%d %s recommendations, want one per policy (%v)", methods[m], m, methods)
		}
	}
	if doc.Latency == nil || len(doc.Latency.Points) != 16 || doc.Latency.Points[0].Avoided == nil ||
		doc.Latency.Points[0].MeanReductionPct <= 0 || doc.Latency.Without.P99MS < 240 || doc.CostModel == nil || doc.CostModel.ObjectBytes != 4096 {
		t.Fatalf("latency %+v cost model %+v: want 16 points with savings", doc.Latency, doc.CostModel)
	}
	f, err := os.Open(mrc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s: %v", mrc, err)
	}
	if b, err := os.ReadFile(lat); err != nil || !bytes.Contains(b, []byte("</svg>")) {
		t.Errorf("%s: not an SVG (%v)", lat, err)
	}
	if !strings.Contains(stderr, "wrote "+mrc) {
		t.Errorf("stderr does not say it wrote the chart: %q", stderr)
	}

	// The same seed draws the same latencies; the CSV carries them.
	csv1, _, err := runCLI(t, "sweep", "--policy", "lru", "--sizes", "100", "--miss-latency", "exp:mean=30ms", "--format", "csv", "-q")
	if err != nil {
		t.Fatal(err)
	}
	csv2, _, _ := runCLI(t, "sweep", "--policy", "lru", "--sizes", "100", "--miss-latency", "exp:mean=30ms", "--format", "csv", "-q")
	csv3, _, _ := runCLI(t, "sweep", "--policy", "lru", "--sizes", "100", "--miss-latency", "exp:mean=30ms", "--format", "csv", "-q", "--seed", "7")
	if csv1 != csv2 || csv1 == csv3 || !strings.Contains(csv1, "uncached_p99_ms") {
		t.Errorf("seeded CSVs: same seed equal %v, other seed differs %v, has latency columns %v",
			csv1 == csv2, csv1 != csv3, strings.Contains(csv1, "uncached_p99_ms"))
	}
}

func TestSweepSizingFlagErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--plot", filepath.Join(dir, "mrc.jpg")}, ".png or .svg"},
		{[]string{"--latency-plot", filepath.Join(dir, "l.gif")}, ".png or .svg"},
		{[]string{"--memory-cost", "4"}, "--miss-cost"},
		{[]string{"--memory-cost", "4", "--miss-cost", "0.001"}, "--request-rate"},
		{[]string{"--memory-cost", "4", "--miss-cost", "0.001", "--request-rate", "10"}, "--object-bytes"},
		{[]string{"--miss-latency", "gamma:k=2"}, "unknown distribution"},
		{[]string{"--miss-latency", "lognormal:median=40ms"}, "p99"},
		{[]string{"--hit-latency", "fast"}, "--hit-latency"},
		{[]string{"--target-hit-ratio", "90"}, "--target-hit-ratio"},
		{[]string{"--metric", "bits"}, "--metric"},
	}
	for _, c := range cases {
		args := append([]string{"sweep", "--sizes", "10,100", "-q"}, c.args...)
		_, _, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed runs left files: %v", entries)
	}
}

func TestReplayTimeline(t *testing.T) {
	dir := t.TempDir()
	tl := filepath.Join(dir, "timeline.png")
	out, stderr, err := runCLI(t, "replay", "--size", "100", "--window", "1000", "--plot", tl, "--format", "json")
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, stderr)
	}
	var res struct {
		Hits    uint64
		Window  string
		Windows []struct{ Requests, Hits uint64 }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var hits uint64
	for _, w := range res.Windows {
		if w.Requests != 1000 {
			t.Errorf("window of %d requests, want 1000", w.Requests)
		}
		hits += w.Hits
	}
	if len(res.Windows) != 10 || hits != res.Hits || res.Window != "1000 requests" {
		t.Errorf("%d windows (%s) with %d hits in all; want 10 windows of 1000 requests adding up to %d", len(res.Windows), res.Window, hits, res.Hits)
	}
	if _, err := os.Stat(tl); err != nil {
		t.Error(err)
	}
	// A time window on a workload without timestamps falls back to requests, and says so.
	_, stderr, err = runCLI(t, "replay", "--size", "100", "--window", "1m", "--plot", tl)
	if err != nil || !strings.Contains(stderr, "no timestamps") {
		t.Errorf("--window 1m without timestamps: %v, stderr %q; want a note", err, stderr)
	}
	if _, _, err := runCLI(t, "replay", "--window", "soon"); err == nil {
		t.Error("--window soon: no error")
	}
}
