package report

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// handCurve builds a curve of the given sizes and hit ratios (out of 1e6 requests).
func handCurve(sizes []int64, hitRatios []float64) Curve {
	c := Curve{Policy: "lru"}
	for i, s := range sizes {
		c.Points = append(c.Points, sim.Point{Policy: "lru", Size: s,
			Stats: sim.Stats{Requests: 1e6, Hits: uint64(math.Round(hitRatios[i] * 1e6)), Bytes: 1e6, ByteHits: uint64(math.Round(hitRatios[i] * 1e6))}})
	}
	return c
}

// TestKneedlePaperFigure2 is the example of Figure 2 of the Kneedle paper,
// y = -1/(x+0.1) + 5 sampled at 10 points on [0, 1], whose knee kneed's own
// test (test_figure2) puts at x = 0.222. By hand: the normalised curve has
// slope 1 where (x+0.1)^2 = 1/9.0909 = 0.11, x = 0.232; the nearest sample
// is 2/9 = 0.222 (difference curve 0.536 there, 0.468 and 0.513 beside it).
func TestKneedlePaperFigure2(t *testing.T) {
	var x, y []float64
	for i := 0; i < 10; i++ {
		v := float64(i) / 9
		x, y = append(x, v), append(y, 5-1/(v+0.1))
	}
	i, ok := Kneedle(x, y, 1)
	if !ok || i != 2 {
		t.Fatalf("knee at index %d (%v), want 2 (x = 0.222)", i, ok)
	}
}

// TestKneedleExponential: y = 1 - exp(-x/tau) on [0, X]. The normalised
// curve yn = y/y(X) has slope 1 against xn = x/X where
// (X/tau) exp(-x/tau) / (1 - exp(-X/tau)) = 1, that is
// x* = tau ln(X / (tau (1 - exp(-X/tau)))) = 230.26 for tau = 100, X = 1000.
// That is where the difference curve peaks; Kneedle reports the nearest sample.
func TestKneedleExponential(t *testing.T) {
	const tau, X, n = 100.0, 1000.0, 201
	var x, y []float64
	for i := 0; i < n; i++ {
		v := X * float64(i) / (n - 1)
		x, y = append(x, v), append(y, 1-math.Exp(-v/tau))
	}
	want := tau * math.Log(X/(tau*(1-math.Exp(-X/tau))))
	i, ok := Kneedle(x, y, 1)
	if !ok || math.Abs(x[i]-want) > X/(n-1)/2 {
		t.Fatalf("knee at x = %g (%v), want the sample nearest %.2f", x[i], ok, want)
	}
}

// TestKneedleExponentialLogAxis: the same curve against log x, sampled at
// log-spaced x from x0 = 1 to X = 10,000. With u = ln x normalised, the slope
// of the normalised curve is L (x/tau) exp(-x/tau) / D, L = ln(X/x0),
// D = exp(-x0/tau) - exp(-X/tau); it is 1 on the falling side of
// z exp(-z) (z = x/tau > 1) at z exp(-z) = D/L, solved here by bisection.
func TestKneedleExponentialLogAxis(t *testing.T) {
	const tau, x0, X, n = 100.0, 1.0, 10000.0, 41
	var u, y []float64
	for i := 0; i < n; i++ {
		v := x0 * math.Pow(X/x0, float64(i)/(n-1))
		u, y = append(u, math.Log(v)), append(y, 1-math.Exp(-v/tau))
	}
	target := (math.Exp(-x0/tau) - math.Exp(-X/tau)) / math.Log(X/x0)
	lo, hi := 1.0, 50.0
	for k := 0; k < 100; k++ {
		mid := (lo + hi) / 2
		if mid*math.Exp(-mid) > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	want := math.Log(tau * lo) // about ln 348
	i, ok := Kneedle(u, y, 1)
	step := math.Log(X/x0) / (n - 1)
	if !ok || math.Abs(u[i]-want) > step/2 {
		t.Fatalf("knee at x = %.1f (%v), want the sample nearest %.1f", math.Exp(u[i]), ok, math.Exp(want))
	}
}

func TestKneedleNoKnee(t *testing.T) {
	for name, y := range map[string][]float64{
		"straight line": {0.1, 0.2, 0.3, 0.4, 0.5},
		"flat":          {0.5, 0.5, 0.5, 0.5},
		"convex":        {0, 0.01, 0.04, 0.09, 0.16, 0.25},
		"two points":    {0.1, 0.9},
	} {
		x := make([]float64, len(y))
		for i := range x {
			x[i] = float64(i)
		}
		if i, ok := Kneedle(x, y, 1); ok {
			t.Errorf("%s: knee at %d, want none", name, i)
		}
	}
}

// The loop trace, loaded once for all the tests that use it.
var (
	loopOnce  sync.Once
	loopTrace *trace.Trace
	loopErr   error
)

// loopCurves memoises loopCurve by sizes: the replays are the slow part of these tests.
var loopCurves sync.Map

// loopCurve replays the LIRS loop trace (1,011 keys cycled) through LRU.
func loopCurve(t *testing.T, sizes []int64) (Curve, *trace.Trace) {
	t.Helper()
	key := fmt.Sprint(sizes)
	if c, ok := loopCurves.Load(key); ok {
		return c.(Curve), loopTrace
	}
	path := tracestest.Path(t, "loop.trace.gz")
	loopOnce.Do(func() { loopTrace, _, loopErr = traces.Load(path, traces.Options{}) })
	tr, err := loopTrace, loopErr
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := policy.ParseSpec("lru")
	res, err := sim.Sweep(sim.Plan{Trace: tr, Policies: []policy.Spec{spec}, Sizes: sim.Sizes{Values: sizes}})
	points := res.Points
	if err != nil {
		t.Fatal(err)
	}
	c := Curves(points)[0]
	// Reference (shared traces README): 0% at 250…1000, 99.8% at 1250 and above.
	for _, p := range c.Points {
		want := 0.0
		if p.Size >= 1250 {
			want = 0.998
		}
		if math.Abs(p.HitRatio()-want) > 0.0005 {
			t.Fatalf("loop LRU at %d: hit ratio %.4f, want %.3f", p.Size, p.HitRatio(), want)
		}
	}
	loopCurves.Store(key, c)
	return c, tr
}

// TestRecommendLoopCliff: the loop trace's curve is a cliff: 0% up to 1000,
// 99.8% from 1250. The knee, the target and the cost optimum are all 1250,
// the top of the cliff (a rule that stopped at the first local optimum of
// the cost would stay at 250). The marginal-gain rule reads every later
// step, so the flat start (500 gains nothing over 250) does not fool it:
// from 1250 on, no step gains anything.
func TestRecommendLoopCliff(t *testing.T) {
	c, _ := loopCurve(t, []int64{250, 500, 750, 1000, 1250, 1500, 1750, 2000})
	cost := &CostModel{MemoryPerGiBMonth: 1, MissCost: 1e-6, RequestRate: 100, ObjectBytes: 1 << 20}
	recs := Recommend(c, RecommendConfig{MinGain: 0.1, Sensitivity: 1, Target: 0.9, Cost: cost})
	want := map[string]int64{MethodMarginalGain: 1250, MethodKneedle: 1250, MethodTarget: 1250, MethodCost: 1250}
	if len(recs) != 4 {
		t.Fatalf("%d recommendations, want 4", len(recs))
	}
	for _, r := range recs {
		if !r.Found || r.Size != want[r.Method] {
			t.Errorf("%s: found %v size %d, want %d (%s)", r.Method, r.Found, r.Size, want[r.Method], r.Note)
		}
	}
	if r := TargetRule(c, RecommendConfig{Target: 0.999}); r.Found {
		t.Errorf("target 99.9%%: found %d, want not reached", r.Size)
	}
}

// TestKneedleLoopLogAxis: on log-spaced sizes 10…10,000 the cliff (between
// 1,000 and 1,011 keys) is found on the log axis too.
func TestKneedleLoopLogAxis(t *testing.T) {
	sizes := sim.LogSizes(10, 10000, 10) // ... 464, 1000, 2154 ...
	c, _ := loopCurve(t, sizes)
	r := KneedleRule(c, RecommendConfig{Sensitivity: 1, LogX: LogAxis(sizes)})
	if !r.Found || r.Size != 2154 {
		t.Errorf("knee on log axis at %d (%v), want 2154, the first swept size above the 1,011 keys", r.Size, r.Found)
	}
}

// TestCostOptimumByHand: 100 objects = 1 GiB at 10 per GiB-month; the cache
// serves 1,000 requests a month at 0.1 per miss. Monthly costs:
// 100: 10 + 500*0.1 = 60; 200: 20 + 200*0.1 = 40; 300: 30 + 150*0.1 = 45;
// 400: 40 + 140*0.1 = 54. The optimum is 200 at 40 (20 memory + 20 misses).
func TestCostOptimumByHand(t *testing.T) {
	c := handCurve([]int64{100, 200, 300, 400}, []float64{0.5, 0.8, 0.85, 0.86})
	m := CostModel{MemoryPerGiBMonth: 10, MissCost: 0.1, RequestRate: 1000.0 / SecondsPerMonth, ObjectBytes: gib / 100.0}
	r := m.Rule(c, RecommendConfig{})
	if !r.Found || r.Size != 200 || r.Cost == nil {
		t.Fatalf("optimum %d (%v), want 200", r.Size, r.Found)
	}
	if math.Abs(r.Cost.Total-40) > 1e-9 || math.Abs(r.Cost.Memory-20) > 1e-9 || math.Abs(r.Cost.Misses-20) > 1e-9 ||
		math.Abs(r.Cost.MissesPerMonth-200) > 1e-9 || math.Abs(r.Cost.MemoryGiB-2) > 1e-12 {
		t.Errorf("cost %+v, want total 40 = memory 20 (2 GiB) + misses 20 (200 misses)", *r.Cost)
	}
	// A cliff: 100..300 hit nothing, 400 hits 99%. Costs 110, 120, 130, 41: the
	// optimum is past the rise.
	c = handCurve([]int64{100, 200, 300, 400}, []float64{0, 0, 0, 0.99})
	if r := m.Rule(c, RecommendConfig{}); r.Size != 400 || math.Abs(r.Cost.Total-41) > 1e-9 {
		t.Errorf("cliff: optimum %d at %v, want 400 at 41", r.Size, r.Cost)
	}
	// Byte capacities: 1 GiB of memory is 1 GiB whatever ObjectBytes says.
	if got := m.At(gib, true, 0).Memory; got != 10 {
		t.Errorf("1 GiB in byte mode costs %g, want 10", got)
	}
}

// TestTargetRule: 100 → 50%, 200 → 90%; 80% is reached at 175 on a linear
// axis (3/4 of the way), at 100 * 2^(3/4) = 168.2, so 169, on a log axis.
func TestTargetRule(t *testing.T) {
	c := handCurve([]int64{50, 100, 200, 400}, []float64{0.2, 0.5, 0.9, 0.95})
	cases := []struct {
		cfg    RecommendConfig
		size   int64
		interp bool
	}{
		{RecommendConfig{Target: 0.8}, 200, false},
		{RecommendConfig{Target: 0.8, Interpolate: true}, 175, true},
		{RecommendConfig{Target: 0.8, Interpolate: true, LogX: true}, 169, true},
		{RecommendConfig{Target: 0.9, Interpolate: true}, 200, false},
		{RecommendConfig{Target: 0.1, Interpolate: true}, 50, false},
	}
	for _, k := range cases {
		r := TargetRule(c, k.cfg)
		if !r.Found || r.Size != k.size || r.Interpolated != k.interp {
			t.Errorf("%+v: size %d interpolated %v, want %d %v (%s)", k.cfg, r.Size, r.Interpolated, k.size, k.interp, r.Note)
		}
	}
	if r := TargetRule(c, RecommendConfig{Target: 0.96}); r.Found {
		t.Errorf("96%%: found %d, want not reached", r.Size)
	}
}

// LogAxis: more than two decades, or log-spaced sizes spanning 4× or more.
func TestLogAxis(t *testing.T) {
	for _, c := range []struct {
		sizes []int64
		want  bool
	}{
		{[]int64{1, 1000}, true}, // three decades
		{[]int64{50, 100, 150, 200, 250, 300, 350, 400, 450, 500}, false},                 // linear, 10×
		{[]int64{1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20}, true}, // doublings, 64×
		{[]int64{1000, 2000, 4000, 8000}, true},                                           // doublings over 8×
		{[]int64{1000, 1500, 2000}, false},                                                // steps of 1.5 and 1.33, 2× only
		{[]int64{100, 1000, 1600}, false},                                                 // 16× but uneven steps
		{[]int64{100, 400, 1600}, true},                                                   // 16× in steps of 4
		{[]int64{0, 10, 100000}, false},                                                   // a zero size cannot be drawn on a log axis
	} {
		if got := LogAxis(c.sizes); got != c.want {
			t.Errorf("LogAxis(%v) = %v, want %v", c.sizes, got, c.want)
		}
	}
}
