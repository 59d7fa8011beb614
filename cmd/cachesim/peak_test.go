package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// peakTrace is 14 requests in three windows of a minute, worked through
// LRU of 2 objects by hand (cache contents, least recent first):
//
//	0–59 s:    a miss [a], b miss [a b], a hit [b a], c miss [a c], a hit [c a]: 5 requests, 3 misses
//	60–119 s:  b miss [a b], c miss [b c], b hit [c b]:                      3 requests, 2 misses
//	120–179 s: d miss [b d], d d d hits, b hit [d b], b hit:                 6 requests, 1 miss
//
// Per second (÷ 60): without a cache 5/60, 3/60, 6/60: mean 14/180, p99
// (nearest rank 3 of 3) and peak 6/60 = 0.1 in the window at 120 s; with
// the cache 3/60, 2/60, 1/60: mean 6/180, p99 and peak 3/60 = 0.05 at 0 s.
// The peak is cut by 1 - 0.05/0.1 = 50%. The trace ends at 170 s, 5/6
// into its last window, which therefore counts.
const peakTrace = "key,time\n" +
	"a,0\nb,10\na,20\nc,30\na,40\n" +
	"b,60\nc,70\nb,80\n" +
	"d,120\nd,130\nd,140\nd,150\nb,160\nb,170\n"

// jsonPeak is the peak report as JSON carries it.
type jsonPeak struct {
	Policy   string  `json:"policy"`
	Size     int64   `json:"size"`
	Interval float64 `json:"interval_seconds"`
	Client   rates   `json:"client_requests_per_s"`
	Lookups  *rates  `json:"key_lookups_per_s"`
	Without  rates   `json:"backend_calls_per_s_without_cache"`
	With     rates   `json:"backend_calls_per_s"`
	Cut      float64 `json:"peak_reduction_pct"`
	Windows  []struct {
		Start   float64 `json:"start_s"`
		Client  float64 `json:"client_requests_per_s"`
		Without float64 `json:"backend_calls_per_s_without_cache"`
		With    float64 `json:"backend_calls_per_s"`
	} `json:"windows"`
}

type rates struct {
	Mean      float64 `json:"mean"`
	P99       float64 `json:"p99"`
	Peak      float64 `json:"peak"`
	PeakStart float64 `json:"peak_start_s"`
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// check compares r with mean, p99, peak and the peak's start.
func (r rates) check(t *testing.T, what string, mean, p99, peak, start float64) {
	t.Helper()
	if !closeTo(r.Mean, mean) || !closeTo(r.P99, p99) || !closeTo(r.Peak, peak) || r.PeakStart != start {
		t.Errorf("%s: %+v, want mean %g, p99 %g, peak %g at %gs", what, r, mean, p99, peak, start)
	}
}

// The sweep's peak report at the plan's size, and replay's at its own.
func TestPeakByHand(t *testing.T) {
	path := writeFile(t, "peak.csv", peakTrace)
	peakCSV := filepath.Join(t.TempDir(), "windows.csv")
	// At 2 objects LRU hits 8 of 14 (57%), at 1 object 4 (the d d d, b b runs): the target 50% picks 2.
	out, errOut, err := runCLI(t, "sweep", path, "--sizes", "1,2", "--target-hit-ratio", "0.5", "--interval", "1m",
		"--peak-csv", peakCSV, "--format", "json", "-q")
	if err != nil {
		t.Fatal(err, errOut)
	}
	var rep struct {
		Peaks []jsonPeak `json:"peaks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err, out)
	}
	if len(rep.Peaks) != 1 || rep.Peaks[0].Size != 2 || rep.Peaks[0].Policy != "lru" {
		t.Fatalf("peaks %+v, want one, lru at 2", rep.Peaks)
	}
	p := rep.Peaks[0]
	if p.Interval != 60 || len(p.Windows) != 3 || p.Windows[2].Start != 120 || p.Lookups != nil {
		t.Errorf("interval %g s, %d windows (%+v), lookups %v; want 60 s, three, no lookups apart", p.Interval, len(p.Windows), p.Windows, p.Lookups)
	}
	p.Client.check(t, "client requests/s", 14.0/180, 0.1, 0.1, 120)
	p.Without.check(t, "backend calls/s without a cache", 14.0/180, 0.1, 0.1, 120)
	p.With.check(t, "backend calls/s at 2", 6.0/180, 0.05, 0.05, 0)
	if !closeTo(p.Cut, 50) {
		t.Errorf("peak cut %g%%, want 50%%", p.Cut)
	}
	b, err := os.ReadFile(peakCSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil || len(rows) != 4 || rows[2][3] != "60" || rows[2][6] != "0.05" || rows[2][7] != fmtG(2.0/60) {
		t.Errorf("--peak-csv: %v (%v); want a header and three windows, the second 3/60 and 2/60 calls/s", rows, err)
	}

	// replay at 2 objects in windows of a minute: the same report, and the table says it.
	out, errOut, err = runCLI(t, "replay", path, "--size", "2", "--interval", "1m")
	if err != nil {
		t.Fatal(err, errOut)
	}
	for _, want := range []string{"backend load per 1m window (3 windows; a backend call per miss)",
		"backend calls/s, no cache", "backend calls/s, lru at 2", "50.0%"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay's table lacks %q:\n%s", want, out)
		}
	}
}

// fmtG renders v as the CSV does: ten significant digits.
func fmtG(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }

// peakBatchCSV is handBatchCSV (see batch_test.go) with times: r1 at 0 s,
// r2 at 1, r3 at 2, r4 at 3, r5 at 5.5. LRU of 2 objects, by hand: r1 a b
// miss; r2 a b hit (served whole); r3 c miss [b c]; r4 a miss [c a], c
// hit, a hit; r5 b miss, c miss. 10 lookups, 4 hits; 5 requests, 1 served
// whole.
const peakBatchCSV = "request_id,entity_id,time\n" +
	"r1,a,0\nr1,b,0\n" +
	"r2,a,1\nr2,b,1\n" +
	"r3,c,2\n" +
	"r4,a,3\nr4,c,3\nr4,a,3\n" +
	"r5,b,5.5\nr5,c,5.5\n"

// With --batch-backend single a multi-key request calls the backend once
// when any key misses; parallel, once per key missed. Windows of 2 s:
// [0,2) r1 r2 (2 requests, 4 keys, 2 key hits, 1 served whole); [2,4) r3
// r4 (2 requests, 4 keys, 2 key hits, none whole); [4,6) r5 (1 request, 2
// keys, no hit), covered 1.5 s of 2.
func TestPeakBatchBackends(t *testing.T) {
	path := writeFile(t, "batches.csv", peakBatchCSV)
	peak := func(backend string) jsonPeak {
		out, errOut, err := runCLI(t, "replay", path, "--size", "2", "--interval", "2s", "--batch-backend", backend, "--format", "json")
		if err != nil {
			t.Fatal(err, errOut)
		}
		var rep struct {
			Peak jsonPeak `json:"peak"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err, out)
		}
		return rep.Peak
	}
	// single: client and backend without a cache 2/2, 2/2, 1/2 a second
	// (mean 2.5/3, peak 1 at 0 s); with it (2-1)/2, 2/2, 1/2 (mean 2/3,
	// peak 1 at 2 s): the peak is not cut.
	s := peak("single")
	s.Client.check(t, "single: client requests/s", 2.5/3, 1, 1, 0)
	if s.Lookups == nil {
		t.Fatal("no key lookups per second in a trace of multi-key requests")
	}
	s.Lookups.check(t, "single: key lookups/s", 5.0/3, 2, 2, 0)
	s.Without.check(t, "single: backend calls/s without a cache", 2.5/3, 1, 1, 0)
	s.With.check(t, "single: backend calls/s", 2.0/3, 1, 1, 2)
	if s.Cut != 0 {
		t.Errorf("single: peak cut %g%%, want 0", s.Cut)
	}
	// parallel: without a cache every key, 4/2, 4/2, 2/2 (mean 5/3, peak 2
	// at 0 s); with it every missed key, 2/2, 2/2, 2/2 (mean 1, peak 1 at
	// 0 s): cut by half.
	p := peak("parallel")
	p.Client.check(t, "parallel: client requests/s", 2.5/3, 1, 1, 0)
	p.Without.check(t, "parallel: backend calls/s without a cache", 5.0/3, 2, 2, 0)
	p.With.check(t, "parallel: backend calls/s", 1, 1, 1, 0)
	if !closeTo(p.Cut, 50) {
		t.Errorf("parallel: peak cut %g%%, want 50%%", p.Cut)
	}
}

// The plan's backend calls saved per second: at --request-rate 10 (10
// lookups a second), LRU of 2 on the hand batches saves 4 of 10 key
// fetches (4 keys/s) but, with one call per request, 1 of 5 calls: 1 of
// 10 lookups' worth, 1 call/s. With parallel calls a key saved is a call
// saved: 4 calls/s.
func TestPlanCountsBackendCalls(t *testing.T) {
	path := writeFile(t, "batches.csv", handBatchCSV)
	plan := func(backend string) (calls, keys float64, summary string) {
		out, errOut, err := runCLI(t, "sweep", path, "--sizes", "1,2", "--target-hit-ratio", "0.3", "--miss-latency", "10ms",
			"--request-rate", "10", "--batch-backend", backend, "--format", "json", "-q")
		if err != nil {
			t.Fatal(err, errOut)
		}
		var rep struct {
			Plans []struct {
				Size    int64    `json:"size"`
				Calls   *float64 `json:"backend_calls_saved_per_s"`
				Keys    *float64 `json:"keys_fetched_saved_per_s"`
				Summary string   `json:"summary"`
			} `json:"plans"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err, out)
		}
		if len(rep.Plans) != 1 || rep.Plans[0].Size != 2 || rep.Plans[0].Calls == nil || rep.Plans[0].Keys == nil {
			t.Fatalf("%s: plans %+v, want one at 2 with calls and keys saved", backend, rep.Plans)
		}
		return *rep.Plans[0].Calls, *rep.Plans[0].Keys, rep.Plans[0].Summary
	}
	calls, keys, summary := plan("single")
	if !closeTo(calls, 1) || !closeTo(keys, 4) {
		t.Errorf("single: %g calls/s, %g keys/s saved; want 1 and 4", calls, keys)
	}
	if !strings.Contains(summary, "1 backend calls/s saved, 4 keys fetched/s saved (a backend call per multi-key request with a miss, --batch-backend single)") {
		t.Errorf("single: summary %q", summary)
	}
	if calls, keys, _ = plan("parallel"); !closeTo(calls, 4) || !closeTo(keys, 4) {
		t.Errorf("parallel: %g calls/s, %g keys/s saved; want 4 and 4", calls, keys)
	}
}

// inspect on a trace of multi-key requests counts the client's requests
// and the key lookups (rows) apart: 5 requests of 10 keys over 5.5 s.
func TestInspectBatchRates(t *testing.T) {
	path := writeFile(t, "batches.csv", peakBatchCSV)
	out, errOut, err := runCLI(t, "inspect", path, "--format", "json")
	if err != nil {
		t.Fatal(err, errOut)
	}
	var sum struct {
		Requests       int     `json:"requests"`
		ClientRequests int     `json:"client_requests"`
		Rate           float64 `json:"requests_per_second"`
		ClientRate     float64 `json:"client_requests_per_second"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err, out)
	}
	if sum.Requests != 10 || sum.ClientRequests != 5 || !closeTo(sum.Rate, 10/5.5) || !closeTo(sum.ClientRate, 5/5.5) {
		t.Errorf("inspect: %+v; want 10 lookups and 5 requests, %g and %g a second", sum, 10/5.5, 5/5.5)
	}
	out, _, err = runCLI(t, "inspect", path)
	if err != nil || !strings.Contains(out, "0.9091 client requests/s, 1.818 key lookups/s") ||
		!strings.Contains(out, "5 client requests of 10 key lookups (rows)") {
		t.Errorf("inspect's table (%v):\n%s", err, out)
	}
}

// The timeline of a replay in bytes names the size once ("1 KiB", not
// "1 KiB bytes") and draws the rates, labelled with their units.
func TestTimelineRatesAndTitle(t *testing.T) {
	path := writeFile(t, "peak.csv", peakTrace)
	svg := filepath.Join(t.TempDir(), "timeline.svg")
	if _, errOut, err := runCLI(t, "replay", path, "--size", "1KiB", "--interval", "1m", "--plot", svg); err != nil {
		t.Fatal(err, errOut)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"lru at 1 KiB", "client requests/s", "backend calls/s, lru at 1 KiB", "per second", "hit ratio (%)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the timeline lacks %q", want)
		}
	}
	if strings.Contains(text, "KiB bytes") {
		t.Error(`the timeline says "KiB bytes"`)
	}
}
