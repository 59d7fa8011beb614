package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// cycleTrace is 1 2 3 1 2 3 1 2 3 4, one request per second.
func cycleTrace() *trace.Trace {
	tr := trace.NewTrace("cycle", trace.Fields{Time: true})
	for i, k := range []uint64{1, 2, 3, 1, 2, 3, 1, 2, 3, 4} {
		tr.Append(&trace.Request{Key: k, Size: 1, Time: int64(i) * int64(time.Second)})
	}
	return tr
}

func latencySweep(t *testing.T, tr *trace.Trace, missSpec string, sizes ...int64) ([]sim.Point, *sim.Latencies) {
	t.Helper()
	miss, err := sim.ParseMissLatency(missSpec, 42)
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := policy.ParseSpec("lru")
	res, err := sim.Sweep(sim.Plan{Trace: tr, Policies: []policy.Spec{spec}, Sizes: sim.Sizes{Values: sizes},
		Latency: &sim.LatencyModel{Hit: 0.0005, Miss: miss}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Points, res.Latencies
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestLatencyReportConstant: hit 0.5ms, miss 50ms on 1 2 3 1 2 3 1 2 3 4
// (1 request/s). LRU of 3: 4 misses, 6 hits. Mean (6*0.5 + 4*50)/10 =
// 20.3ms; sorted 0.5 x6, 50 x4: p50 (rank 5) 0.5ms, p95 (rank 10) and p99
// 50ms. Without a cache every request takes 50ms. Mean cut 1 - 20.3/50 =
// 59.4%; p99 cut 0; backend load 0.4; 0.6 backend requests avoided per
// second. LRU of 1 never hits: exactly the uncached figures.
func TestLatencyReportConstant(t *testing.T) {
	tr := cycleTrace()
	points, lat := latencySweep(t, tr, "50ms", 1, 3)
	rate, ok := sim.RequestRate(tr)
	if !ok || rate != 1 {
		t.Fatalf("request rate %g, want 1", rate)
	}
	r := NewLatencyReport(points, lat.Uncached, Load{Rate: rate, Rows: int64(tr.Len())})
	if r.Uncached != (Latency{50, 50, 50, 50}) {
		t.Errorf("uncached %+v, want 50ms everywhere", r.Uncached)
	}
	if len(r.Rows) != 2 {
		t.Fatalf("%d rows, want 2", len(r.Rows))
	}
	one, three := r.Rows[0], r.Rows[1]
	if one.With != r.Uncached || one.ReductionPct != 0 || one.BackendLoad != 1 || *one.BackendAvoidedPerS != 0 {
		t.Errorf("size 1: %+v, want the uncached figures, no reduction, full load", one)
	}
	w := three.With
	if !near(w.MeanMS, 20.3) || w.P50MS != 0.5 || w.P95MS != 50 || w.P99MS != 50 {
		t.Errorf("size 3: %+v, want mean 20.3, p50 0.5, p95 50, p99 50", w)
	}
	if !near(three.ReductionPct, 59.4) || three.P99ReductionPct != 0 || !near(three.BackendLoad, 0.4) || !near(*three.BackendAvoidedPerS, 0.6) {
		t.Errorf("size 3: cut %g%%, p99 cut %g%%, load %g, avoided %g/s; want 59.4, 0, 0.4, 0.6",
			three.ReductionPct, three.P99ReductionPct, three.BackendLoad, *three.BackendAvoidedPerS)
	}

	// CSV and JSON carry every figure.
	rep := &Sweep{Workload: tr.Name, Requests: tr.Len(), Unit: "objects", Points: points, Latency: r,
		Recommendations: []Recommendation{{Policy: "lru", Method: MethodTarget, Found: true, Size: 3}}}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	last := rows[2]
	for name, want := range map[string]string{"size": "3", "mean_ms": "20.3", "p50_ms": "0.5", "p99_ms": "50",
		"uncached_mean_ms": "50", "mean_reduction_pct": "59.4", "backend_load": "0.4", "recommended_by": "target",
		"backend_calls_saved_per_s": "0.6"} {
		i, ok := col[name]
		if !ok {
			t.Errorf("CSV has no column %s (header %v)", name, rows[0])
			continue
		}
		if got := last[i]; got != want {
			if f, g := parseF(got), parseF(want); !near(f, g) {
				t.Errorf("CSV %s = %q, want %s", name, got, want)
			}
		}
	}
	buf.Reset()
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Latency struct {
			Without Latency `json:"without_cache"`
			Points  []struct {
				With Latency `json:"with_cache"`
			} `json:"points"`
		} `json:"latency"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Latency.Without.P99MS != 50 || len(doc.Latency.Points) != 2 || doc.Latency.Points[1].With.P50MS != 0.5 {
		t.Errorf("JSON latency: %+v", doc.Latency)
	}
	buf.Reset()
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "20.3ms") || !strings.Contains(buf.String(), "59.4%") {
		t.Errorf("table lacks the mean 20.3ms or the cut 59.4%%:\n%s", buf.String())
	}
}

// TestLatencyBaselineIsMissDistribution: without a cache (and with a cache
// that never hits) the latencies are exactly the miss latency draws: the
// log-normal with median 40ms and p99 250ms.
func TestLatencyBaselineIsMissDistribution(t *testing.T) {
	tr := trace.NewTrace("distinct", trace.Fields{})
	for k := uint64(0); k < 100_000; k++ {
		tr.Append(&trace.Request{Key: k, Size: 1}) // every request a new key: no hits
	}
	points, lat := latencySweep(t, tr, "lognormal:median=40ms,p99=250ms", 10)
	r := NewLatencyReport(points, lat.Uncached, Load{})
	if r.Rows[0].With != r.Uncached || r.Rows[0].ReductionPct != 0 || r.Rows[0].BackendAvoidedPerS != nil {
		t.Errorf("a cache that never hits: %+v, want exactly the uncached %+v and no rate", r.Rows[0], r.Uncached)
	}
	// 100,000 draws: sample median and p99 within 3% of the model's.
	if u := r.Uncached; math.Abs(u.P50MS-40) > 1.2 || math.Abs(u.P99MS-250) > 7.5 {
		t.Errorf("uncached p50 %gms p99 %gms, want 40 and 250 within 3%%", u.P50MS, u.P99MS)
	}
	// Mean of a log-normal: median * exp(sigma^2/2), sigma = ln(250/40)/z99.
	sigma := math.Log(250.0/40) / 2.3263478740408408
	if want := 40 * math.Exp(sigma*sigma/2); math.Abs(r.Uncached.MeanMS-want) > 0.02*want {
		t.Errorf("uncached mean %gms, want %gms within 2%%", r.Uncached.MeanMS, want)
	}
}

func parseF(s string) float64 {
	var f float64
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		return math.NaN()
	}
	return f
}

func newCache(t *testing.T, size int64) policy.Cache {
	t.Helper()
	spec, _ := policy.ParseSpec("lru")
	c, err := policy.New(spec, policy.Config{Capacity: size})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
