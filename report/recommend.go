// Package report turns simulation results into what people read: tables,
// CSV, JSON, charts and sizing recommendations. It knows nothing of policies.
package report

import (
	"fmt"
	"math"

	"github.com/cachesim/cachesim/sim"
)

// Metric is the hit ratio a curve, chart or recommendation uses.
type Metric int

const (
	// RequestHitRatio is hits over requests.
	RequestHitRatio Metric = iota
	// ByteHitRatio is the bytes of the hits over the bytes of all requests.
	ByteHitRatio
)

// ParseMetric parses "request" (or "object", "") and "byte".
func ParseMetric(s string) (Metric, error) {
	switch s {
	case "", "request", "requests", "object", "objects":
		return RequestHitRatio, nil
	case "byte", "bytes":
		return ByteHitRatio, nil
	}
	return 0, fmt.Errorf("--metric %q: expected request or byte", s)
}

// String names the metric for labels.
func (m Metric) String() string {
	if m == ByteHitRatio {
		return "byte hit ratio"
	}
	return "hit ratio"
}

// Of returns the metric's value for st.
func (m Metric) Of(st sim.Stats) float64 {
	if m == ByteHitRatio {
		return st.ByteHitRatio()
	}
	return st.HitRatio()
}

// Band returns the metric's band (its lowest and highest estimate).
func (m Metric) Band(b *sim.Band) (lo, hi float64) {
	if m == ByteHitRatio {
		return b.ByteHitRatioMin, b.ByteHitRatioMax
	}
	return b.HitRatioMin, b.HitRatioMax
}

// Curve is one policy's results, by ascending size.
type Curve struct {
	Policy string
	Points []sim.Point
}

// Curves groups sweep points by policy, keeping the policies' order.
func Curves(points []sim.Point) []Curve {
	var out []Curve
	idx := map[string]int{}
	for _, p := range points {
		i, ok := idx[p.Policy]
		if !ok {
			i = len(out)
			idx[p.Policy] = i
			out = append(out, Curve{Policy: p.Policy})
		}
		out[i].Points = append(out[i].Points, p)
	}
	return out
}

// Gains returns, for each point, its hit-ratio gain over the previous size in
// percentage points; the first point has none (reported as 0).
func (c Curve) Gains() []float64 { return c.gains(RequestHitRatio) }

func (c Curve) gains(m Metric) []float64 {
	g := make([]float64, len(c.Points))
	for i := 1; i < len(c.Points); i++ {
		g[i] = 100 * (m.Of(c.Points[i].Stats) - m.Of(c.Points[i-1].Stats))
	}
	return g
}

// xy returns the curve's sizes (their logarithms when logX) and metric values.
func (c Curve) xy(m Metric, logX bool) (x, y []float64) {
	x, y = make([]float64, len(c.Points)), make([]float64, len(c.Points))
	for i, p := range c.Points {
		x[i], y[i] = float64(p.Size), m.Of(p.Stats)
		if logX {
			x[i] = math.Log(x[i])
		}
	}
	return x, y
}

// LogAxis reports whether sizes spanning lo to hi call for a logarithmic
// axis: they span more than two decades.
func LogAxis(lo, hi int64) bool { return lo > 0 && float64(hi) > 100*float64(lo) }

// Methods of Recommendation.
const (
	MethodMarginalGain = "marginal-gain"
	MethodKneedle      = "kneedle"
	MethodTarget       = "target"
	MethodCost         = "cost"
)

// Recommendation is a suggested cache size for one policy and the rule that chose it.
type Recommendation struct {
	Policy string `json:"policy"`
	// Method names the rule: marginal-gain, kneedle, target or cost.
	Method string `json:"method"`
	// Rule describes the rule and its parameters.
	Rule  string `json:"rule"`
	Found bool   `json:"found"`
	Size  int64  `json:"size,omitempty"`
	// HitRatio is the curve's value (in its metric) at Size.
	HitRatio float64 `json:"hit_ratio,omitempty"`
	// Interpolated is true when Size lies between swept sizes.
	Interpolated bool `json:"interpolated,omitempty"`
	// Cost is the monthly cost at Size (cost rule only).
	Cost *Cost `json:"cost,omitempty"`
	// Note explains the choice, or why there is none, in one sentence.
	Note string `json:"note"`
}

// RecommendConfig says which rules to apply and how.
type RecommendConfig struct {
	// Metric is the hit ratio the rules read.
	Metric Metric
	// Bytes says sizes are bytes (else objects), for notes.
	Bytes bool
	// MinGain is the marginal-gain threshold in percentage points; < 0 turns the rule off.
	MinGain float64
	// Sensitivity is Kneedle's S; <= 0 turns the rule off.
	Sensitivity float64
	// LogX runs Kneedle on log-size (use when the chart's size axis is logarithmic).
	LogX bool
	// Target is the hit ratio to reach (0 < Target <= 1); 0 turns the rule off.
	Target float64
	// Cost, when set, applies the cost rule.
	Cost *CostModel
	// Interpolate lets rules pick sizes between swept points where that can
	// change the answer (the target rule; see Recommend).
	Interpolate bool
}

// Recommend applies every rule cfg turns on to c, in the order marginal
// gain, Kneedle, target, cost.
//
// Interpolation (cfg.Interpolate) reads the curve as straight lines between
// swept points (in log-size on a log axis). It moves only the target rule:
// the marginal-gain rule is defined per swept step, the Kneedle difference
// curve of a piecewise-linear curve peaks at a swept point, and between two
// points both cost terms are linear (or the total concave) in size, so the
// cheapest size is always a swept one.
func Recommend(c Curve, cfg RecommendConfig) []Recommendation {
	var out []Recommendation
	if cfg.MinGain >= 0 {
		out = append(out, marginalGain(c, cfg.Metric, cfg.MinGain, cfg.Bytes))
	}
	if cfg.Sensitivity > 0 {
		out = append(out, KneedleRule(c, cfg))
	}
	if cfg.Target > 0 {
		out = append(out, TargetRule(c, cfg))
	}
	if cfg.Cost != nil {
		out = append(out, cfg.Cost.Rule(c, cfg))
	}
	return out
}

// found fills rec for point i of c.
func found(rec Recommendation, c Curve, m Metric, i int) Recommendation {
	p := c.Points[i]
	rec.Found, rec.Size, rec.HitRatio = true, p.Size, m.Of(p.Stats)
	return rec
}

// MarginalGain applies the diminishing-returns rule: the recommended size is
// the first swept size whose hit-ratio gain over the previous swept size is
// below minGain percentage points. From there on, each step buys less than
// minGain.
func MarginalGain(c Curve, minGain float64, bytes bool) Recommendation {
	return marginalGain(c, RequestHitRatio, minGain, bytes)
}

func marginalGain(c Curve, m Metric, minGain float64, bytes bool) Recommendation {
	rec := Recommendation{Policy: c.Policy, Method: MethodMarginalGain, Rule: fmt.Sprintf("marginal gain < %g pp per step", minGain)}
	if len(c.Points) < 2 {
		rec.Note = "needs at least two sizes"
		return rec
	}
	gains := c.gains(m)
	for i := 1; i < len(c.Points); i++ {
		if gains[i] < minGain {
			rec = found(rec, c, m, i)
			rec.Note = fmt.Sprintf("%s gains %+.3f pp over %s (%s %.2f%%)",
				sim.FormatSize(rec.Size, bytes), gains[i], sim.FormatSize(c.Points[i-1].Size, bytes), m, 100*rec.HitRatio)
			return rec
		}
	}
	last := c.Points[len(c.Points)-1]
	rec.Note = fmt.Sprintf("not reached: the largest size, %s, still gains %+.3f pp per step; sweep larger sizes",
		sim.FormatSize(last.Size, bytes), gains[len(gains)-1])
	return rec
}

// KneedleRule recommends the knee of the curve by Kneedle (see Kneedle), on
// log-size when cfg.LogX.
func KneedleRule(c Curve, cfg RecommendConfig) Recommendation {
	axis := "linear size"
	if cfg.LogX {
		axis = "log size"
	}
	rec := Recommendation{Policy: c.Policy, Method: MethodKneedle, Rule: fmt.Sprintf("Kneedle knee, S=%g, on %s", cfg.Sensitivity, axis)}
	x, y := c.xy(cfg.Metric, cfg.LogX)
	i, ok := Kneedle(x, y, cfg.Sensitivity)
	if !ok {
		rec.Note = "no knee: the curve has no point that stands out above the line from its first to its last point"
		if len(x) < 3 {
			rec.Note = "needs at least three sizes"
		}
		return rec
	}
	rec = found(rec, c, cfg.Metric, i)
	rec.Note = fmt.Sprintf("the curve bends most at %s (%s %.2f%%); past it, more memory buys less",
		sim.FormatSize(rec.Size, cfg.Bytes), cfg.Metric, 100*rec.HitRatio)
	return rec
}

// Kneedle finds the knee of a concave increasing curve (x ascending) by the
// Kneedle method of Satopää, Albrecht, Irwin and Raghavan ("Finding a
// 'Kneedle' in a Haystack", ICDCS workshops 2011), as its reference
// implementation kneed does (offline, curve="concave",
// direction="increasing"): normalise x and y to [0, 1]; take the difference
// curve d = y - x; at each local maximum of d set the threshold
// d_max - S * mean(x[i+1] - x[i]) (reset to 0 at a local minimum); the knee
// is the last local maximum when d first falls below the threshold. Unlike
// kneed, the end points are not candidates (d is 0 there by construction;
// kneed can report the first point of a curve that starts flat) and a knee
// must lie above the chord (d > 0). It returns the knee's index.
func Kneedle(x, y []float64, s float64) (int, bool) {
	n := len(x)
	if n < 3 || len(y) != n {
		return 0, false
	}
	x0, x1 := x[0], x[n-1]
	y0, y1 := minMax(y)
	if x1 <= x0 || y1 <= y0 {
		return 0, false
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = (y[i]-y0)/(y1-y0) - (x[i]-x0)/(x1-x0)
	}
	step := s / float64(n-1) // S times the mean gap of the normalised x
	isMax := func(i int) bool { return i > 0 && i < n-1 && d[i] > 0 && d[i] >= d[i-1] && d[i] >= d[i+1] }
	isMin := func(i int) bool { return i > 0 && i < n-1 && d[i] <= d[i-1] && d[i] <= d[i+1] }
	threshold, knee, armed := 0.0, -1, false
	for i := 1; i < n-1; i++ {
		if isMax(i) {
			threshold, knee, armed = d[i]-step, i, true
		}
		if armed && isMin(i) {
			threshold = 0
		}
		if armed && d[i+1] < threshold {
			return knee, true
		}
	}
	return 0, false
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// TargetRule recommends the smallest swept size whose hit ratio reaches
// cfg.Target; with cfg.Interpolate, the size where the straight line between
// the swept points on either side reaches it (in log-size on a log axis),
// rounded up.
func TargetRule(c Curve, cfg RecommendConfig) Recommendation {
	m := cfg.Metric
	rec := Recommendation{Policy: c.Policy, Method: MethodTarget, Rule: fmt.Sprintf("smallest size reaching %s %.4g%%", m, 100*cfg.Target)}
	for i, p := range c.Points {
		v := m.Of(p.Stats)
		if v < cfg.Target {
			continue
		}
		rec = found(rec, c, m, i)
		if cfg.Interpolate && i > 0 && v > cfg.Target {
			a, b := c.Points[i-1], p
			va := m.Of(a.Stats)
			f := (cfg.Target - va) / (v - va)
			size := float64(a.Size) + f*float64(b.Size-a.Size)
			if cfg.LogX {
				size = float64(a.Size) * math.Pow(float64(b.Size)/float64(a.Size), f)
			}
			rec.Size = min(int64(math.Ceil(size-1e-9)), b.Size)
			rec.HitRatio = cfg.Target
			rec.Interpolated = rec.Size != b.Size
			rec.Note = fmt.Sprintf("reaches %.2f%% at about %s, between the swept %s (%.2f%%) and %s (%.2f%%), interpolated",
				100*cfg.Target, sim.FormatSize(rec.Size, cfg.Bytes), sim.FormatSize(a.Size, cfg.Bytes), 100*va,
				sim.FormatSize(b.Size, cfg.Bytes), 100*v)
			return rec
		}
		rec.Note = fmt.Sprintf("%s is the smallest swept size with %s >= %.2f%% (%.2f%%)",
			sim.FormatSize(p.Size, cfg.Bytes), m, 100*cfg.Target, 100*v)
		return rec
	}
	best := 0.0
	for _, p := range c.Points {
		best = math.Max(best, m.Of(p.Stats))
	}
	rec.Note = fmt.Sprintf("not reached within the swept sizes (best %.2f%%); sweep larger sizes", 100*best)
	return rec
}
