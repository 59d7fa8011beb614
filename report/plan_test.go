package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/sim"
)

// planSweep: lru at 100, 200, 400 objects hits 50%, 80%, 80.5% of 1e6
// requests; belady, an offline bound, hits more. 100 objects are 1 GiB at
// 10 per GiB-month; 1,000 requests a month at 0.1 per miss. Monthly costs:
// no cache 1000 * 0.1 = 100; 100: 10 + 500*0.1 = 60; 200: 20 + 200*0.1 = 40;
// 400: 40 + 195*0.1 = 59.5. The cost optimum, 200, saves 100 - 40 = 60.
func planSweep() *Sweep {
	rate := 1000.0 / SecondsPerMonth
	s := &Sweep{Workload: "hand", Requests: 1e6, Unit: "objects", Bounds: []string{"belady"}, RequestRate: rate,
		Ceiling: &sim.Ceiling{Requests: 1e6, Misses: 1e5, Bytes: 1e6, MissBytes: 1e5, Objects: 400, ObjectBytes: 400}, Footprint: 400,
		Cost: &CostModel{MemoryPerGiBMonth: 10, MissCost: 0.1, RequestRate: rate, ObjectBytes: gib / 100.0},
		Latency: &LatencyReport{Uncached: Latency{MeanMS: 50, P99MS: 200},
			Rows: []LatencyRow{{Policy: "lru", Size: 200, With: Latency{MeanMS: 10.2, P99MS: 150}}}}}
	s.Points = append(handCurve([]int64{100, 200, 400}, []float64{0.5, 0.8, 0.805}).Points,
		handCurve([]int64{100, 200, 400}, []float64{0.7, 0.85, 0.9}).Points...)
	for i := 3; i < 6; i++ {
		s.Points[i].Policy = "belady"
	}
	return s
}

// TestPlanTakesTheCostRule: with prices, the plan takes the cost optimum
// (200) and says what it does there.
func TestPlanTakesTheCostRule(t *testing.T) {
	s := planSweep()
	s.Recommend(RecommendConfig{MinGain: 1, Target: 0.805, Cost: s.Cost})
	if len(s.Plans) != 1 {
		t.Fatalf("plans %+v, want one, for lru (belady is a bound)", s.Plans)
	}
	p := s.Plans[0]
	if !p.Found || p.Method != MethodCost || p.Size != 200 || p.HitRatio != 0.8 {
		t.Fatalf("plan %+v, want the cost rule's 200 at 80%%", p)
	}
	if p.MonthlySaving == nil || math.Abs(*p.MonthlySaving-60) > 1e-9 {
		t.Errorf("monthly saving %v, want 100 - 40 = 60", p.MonthlySaving)
	}
	// 80% of 1,000 requests a month: 800 / 2,628,000 s.
	if p.BackendSavedPerS == nil || math.Abs(*p.BackendSavedPerS-800.0/SecondsPerMonth) > 1e-15 {
		t.Errorf("backend saved %v/s, want %g", p.BackendSavedPerS, 800.0/SecondsPerMonth)
	}
	if p.Latency == nil || p.Latency.MeanMS != 10.2 || p.Uncached.P99MS != 200 {
		t.Errorf("latency %+v without %+v, want the row at 200 and the uncached figures", p.Latency, p.Uncached)
	}
	for _, want := range []string{"lru: 200 (cost)", "hit ratio 80.00% (89% of the unlimited cache's 90.00%)",
		"mean latency 50ms → 10.2ms, p99 200ms → 150ms", "60 a month saved against no cache (40 instead of 100)"} {
		if !strings.Contains(p.Summary, want) {
			t.Errorf("summary %q lacks %q", p.Summary, want)
		}
	}
	var b bytes.Buffer
	if err := s.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "plan (how big, and what it does):\n  "+p.Summary) {
		t.Errorf("the table lacks the plan line:\n%s", b.String())
	}
}

// TestPlanOrder: without prices the plan takes the target (400), without a
// target the marginal-gain size: from 200 on the gain per doubling is 0.5 pp.
func TestPlanOrder(t *testing.T) {
	s := planSweep()
	s.Cost = nil
	s.Recommend(RecommendConfig{MinGain: 1, Target: 0.805})
	if p := s.Plans[0]; p.Method != MethodTarget || p.Size != 400 || p.MonthlySaving != nil || p.Latency != nil {
		t.Errorf("plan %+v, want the target's 400 without cost or latency (no row at 400)", p)
	}
	s = planSweep()
	s.Recommend(RecommendConfig{MinGain: 1})
	if p := s.Plans[0]; p.Method != MethodMarginalGain || p.Size != 200 {
		t.Errorf("plan %+v, want marginal-gain at 200", p)
	}
	// Nothing found: the plan says so.
	s = planSweep()
	s.Points = s.Points[:1] // one size: no rule can work
	s.Recommend(RecommendConfig{MinGain: 1, Sensitivity: 1})
	if p := s.Plans[0]; p.Found || !strings.Contains(p.Summary, "no size recommended") {
		t.Errorf("plan %+v, want none", p)
	}
}

// TestBoundsGetNoRecommendation: belady reads the future: one entry says
// so, and no rule recommends a size for it, nor does the table.
func TestBoundsGetNoRecommendation(t *testing.T) {
	s := planSweep()
	s.Recommend(RecommendConfig{MinGain: 1, Sensitivity: 1, Target: 0.5, Cost: s.Cost})
	n := 0
	for _, r := range s.Recommendations {
		if r.Policy != "belady" {
			continue
		}
		n++
		if r.Found || r.Method != MethodBound {
			t.Errorf("belady: %+v, want only the bound entry", r)
		}
	}
	if n != 1 {
		t.Errorf("%d entries for belady, want 1", n)
	}
	var b bytes.Buffer
	if err := s.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.Contains(out, "recommended for belady") || !strings.Contains(out, "no recommendation for belady") {
		t.Errorf("table:\n%s", out)
	}
	for _, m := range s.MRCChart(RequestHitRatio).Marks {
		if m.Style == 1 { // belady's
			t.Errorf("chart marks belady: %+v", m)
		}
	}
}

// TestRulesReadTheCeiling: a target above the unlimited cache's hit ratio
// is unreachable whatever the sweep; a knee below the floor is no
// recommendation; "sweep larger sizes" only while the largest size is
// below the footprint.
func TestRulesReadTheCeiling(t *testing.T) {
	c := handCurve([]int64{50, 100, 200, 400}, []float64{0.2, 0.5, 0.55, 0.56})
	if r := TargetRule(c, RecommendConfig{Target: 0.7, Ceiling: 0.6}); r.Found || !strings.Contains(r.Note, "even an unlimited cache hits 60.00%") {
		t.Errorf("target above the ceiling: %+v", r)
	}
	if r := TargetRule(c, RecommendConfig{Target: 0.58, Ceiling: 0.6, Footprint: 400}); r.Found || strings.Contains(r.Note, "sweep larger") ||
		!strings.Contains(r.Note, "already holds every object") {
		t.Errorf("target not reached at the footprint: %+v", r)
	}
	if r := TargetRule(c, RecommendConfig{Target: 0.58, Ceiling: 0.6, Footprint: 1000}); r.Found || !strings.Contains(r.Note, "sweep larger sizes") {
		t.Errorf("target not reached below the footprint: %+v", r)
	}
	// The knee of 0.2, 0.5, 0.55, 0.56 is at 100; the same shape at a
	// hundredth of the height bends at 100 too, where it hits 0.5%.
	if r := KneedleRule(c, RecommendConfig{Sensitivity: 1}); !r.Found || r.Size != 100 {
		t.Fatalf("knee %+v, want 100", r)
	}
	low := handCurve([]int64{50, 100, 200, 400}, []float64{0.002, 0.005, 0.0055, 0.0056})
	if r := KneedleRule(low, RecommendConfig{Sensitivity: 1}); r.Found || !strings.Contains(r.Note, "below the 1% worth a cache") {
		t.Errorf("knee at 0.5%%: %+v, want none below the floor", r)
	}
	cost := CostModel{MemoryPerGiBMonth: 1, MissCost: 1, RequestRate: 1, ObjectBytes: 1}
	if r := cost.Rule(c, RecommendConfig{Footprint: 400}); !r.Found || r.Size != 400 || strings.Contains(r.Note, "larger ones may cost less") {
		t.Errorf("cost at the footprint: %+v", r)
	}
	if r := cost.Rule(c, RecommendConfig{Footprint: 800}); !strings.Contains(r.Note, "larger ones may cost less") {
		t.Errorf("cost below the footprint: %+v", r)
	}
}

func TestAmount(t *testing.T) {
	for v, want := range map[float64]string{503512.4: "503,512", -1234: "-1,234", 1000: "1,000", 999.996: "1,000", 60: "60",
		3.14159: "3.14", 0: "0", 0.000304412: "0.000304", 123456789: "123,456,789"} {
		if got := Amount(v); got != want {
			t.Errorf("Amount(%v) = %q, want %q", v, got, want)
		}
	}
}
