// Package report turns simulation results into what people read: tables,
// CSV, JSON, charts and sizing recommendations. It knows nothing of policies.
package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cachesim/cachesim/sim"
)

// Metric is the hit ratio a curve, chart or recommendation uses.
type Metric int

const (
	// RequestHitRatio is hits over requests.
	RequestHitRatio Metric = iota
	// ByteHitRatio is the bytes of the hits over the bytes of all requests.
	ByteHitRatio
	// TokenHitRatio is the prompt tokens in hit blocks over all prompt
	// tokens (prefix caching; see sim.PrefixStats).
	TokenHitRatio
	// BatchHitRatio is the share of multi-key requests every key of which
	// hit (sim.BatchStats); 0 for a point without them.
	BatchHitRatio
)

// MetricInfo is one metric a --metric flag takes: its name, the other
// names that mean it, and what it counts.
type MetricInfo struct {
	Name    string
	Aliases []string
	Metric  Metric
	// What explains the metric in a flag's help.
	What string
}

// Metrics lists every metric, in Metric order: ParseMetric reads them and
// the --metric help is written from them (MetricHelp).
var Metrics = []MetricInfo{
	{"request", []string{"requests", "object", "objects"}, RequestHitRatio, "hits over requests"},
	{"byte", []string{"bytes"}, ByteHitRatio, "bytes of the hits over the bytes requested"},
	{"token", []string{"tokens"}, TokenHitRatio, "prompt tokens in cached blocks; the default on a prompt trace"},
	{"batch", []string{"batches"}, BatchHitRatio, "multi-key requests every key of which hit"},
}

// MetricNames are the names of Metrics, in Metric order.
var MetricNames = metricNames(Metrics)

func metricNames(ms []MetricInfo) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

// MetricHelp lists the named metrics and what each counts, for a flag's
// help: "request (hits over requests), byte (…)".
func MetricHelp(names ...string) string {
	var parts []string
	for _, n := range names {
		for _, m := range Metrics {
			if m.Name == n {
				parts = append(parts, fmt.Sprintf("%s (%s)", m.Name, m.What))
			}
		}
	}
	return strings.Join(parts, ", ")
}

// ParseMetric parses a metric's name or alias (see Metrics); "" is request.
func ParseMetric(s string) (Metric, error) {
	if s == "" {
		return RequestHitRatio, nil
	}
	for _, m := range Metrics {
		if s == m.Name || slices.Contains(m.Aliases, s) {
			return m.Metric, nil
		}
	}
	return 0, fmt.Errorf("%q: expected %s", s, strings.Join(MetricNames, ", "))
}

// String names the metric for labels.
func (m Metric) String() string {
	switch m {
	case ByteHitRatio:
		return "byte hit ratio"
	case TokenHitRatio:
		return "token hit ratio"
	case BatchHitRatio:
		return "batch hit ratio"
	}
	return "hit ratio"
}

// Of returns the metric's value for st.
func (m Metric) Of(st sim.Stats) float64 {
	switch m {
	case ByteHitRatio:
		return st.ByteHitRatio()
	case TokenHitRatio:
		if st.Prefix == nil {
			return 0
		}
		return st.Prefix.TokenHitRatio()
	case BatchHitRatio:
		if st.Batch == nil {
			return 0
		}
		return st.Batch.HitRatio()
	}
	return st.HitRatio()
}

// OfCeiling returns the metric's value for an unlimited cache.
func (m Metric) OfCeiling(c sim.Ceiling) float64 {
	switch m {
	case ByteHitRatio:
		return c.ByteHitRatio()
	case TokenHitRatio:
		return c.TokenHitRatio()
	case BatchHitRatio:
		return c.BatchHitRatio()
	}
	return c.HitRatio()
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

// LogAxis reports whether sizes call for a logarithmic axis: they span
// more than two decades, or at least 4× in steps of a constant ratio
// (log-spaced sizes such as 1MiB:64MiB:log7 or 1000:10000:log6, within 25%).
func LogAxis(sizes []int64) bool {
	s := slices.Clone(sizes)
	slices.Sort(s)
	s = slices.Compact(s)
	if len(s) < 2 || s[0] <= 0 {
		return false
	}
	span := float64(s[len(s)-1]) / float64(s[0])
	if span > 100 {
		return true
	}
	if span < 4 || len(s) < 3 {
		return false
	}
	lo, hi := math.Inf(1), 0.0
	for i := 1; i < len(s); i++ {
		r := math.Log(float64(s[i]) / float64(s[i-1]))
		lo, hi = min(lo, r), max(hi, r)
	}
	return hi <= 1.25*lo
}

// Methods of Recommendation.
const (
	MethodMarginalGain = "marginal-gain"
	MethodKneedle      = "kneedle"
	MethodTarget       = "target"
	MethodCost         = "cost"
	// MethodBound marks the one entry of an offline bound: no rule applies.
	MethodBound = "bound"
)

// Recommendation is a suggested cache size for one policy and the rule that chose it.
type Recommendation struct {
	Policy string `json:"policy"`
	// Method names the rule: marginal-gain, kneedle, target or cost (bound
	// for the entry that says an offline bound gets none).
	Method string `json:"method"`
	// Rule describes the rule and its parameters.
	Rule  string `json:"rule"`
	Found bool   `json:"found"`
	// Size is the size the rule picked on the curve: a swept size (or,
	// interpolated, one between two).
	Size int64 `json:"size,omitempty"`
	// RoundedSize is Size rounded up to a size people configure (see
	// RoundUp): the size to deploy. The figures (HitRatio, the plan's) are
	// Size's.
	RoundedSize int64 `json:"rounded_size,omitempty"`
	// HitRatio is the curve's value (in its metric) at Size.
	HitRatio float64 `json:"hit_ratio,omitempty"`
	// Target is the hit ratio the target rule was asked to reach.
	Target float64 `json:"target,omitempty"`
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
	// MinGain is the marginal-gain threshold in percentage points per
	// doubling of the size; < 0 turns the rule off.
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
	// Ceiling is the metric's value for an unlimited cache (sim.Ceiling),
	// 0 when unknown: no size can do better. It sets the floor below which
	// nothing is recommended (see Floor).
	Ceiling float64
	// Footprint is the size that holds every object (0: unknown): a curve
	// swept that far has no larger size left to try.
	Footprint int64
	// RoundTo is the step recommended sizes are rounded up to (see
	// RoundUp); 0 rounds to two significant figures in the unit shown.
	RoundTo int64
}

// The floor of a recommendation: a size whose hit ratio is below both is
// not worth a cache, whatever its curve does.
const (
	// MinUsefulHitRatio is the lowest hit ratio worth recommending a size for.
	MinUsefulHitRatio = 0.01
	// MinUsefulShare is the lowest share of the ceiling (the unlimited
	// cache's hit ratio) worth recommending a size for.
	MinUsefulShare = 0.1
)

// Floor returns the lowest hit ratio a rule recommends a size for: 1%, or a
// tenth of the ceiling when that is more.
func (cfg RecommendConfig) Floor() float64 {
	return max(MinUsefulHitRatio, MinUsefulShare*cfg.Ceiling)
}

// floorNote explains the floor in a note.
func (cfg RecommendConfig) floorNote() string {
	if MinUsefulShare*cfg.Ceiling > MinUsefulHitRatio {
		return fmt.Sprintf("%.2f%% (a tenth of the unlimited cache's %.2f%%)", 100*cfg.Floor(), 100*cfg.Ceiling)
	}
	return fmt.Sprintf("%.0f%%", 100*cfg.Floor())
}

// uncacheable says why no rule recommends anything when even an unlimited
// cache stays below the floor ("" when it does not).
func (cfg RecommendConfig) uncacheable() string {
	if cfg.Ceiling <= 0 || cfg.Ceiling >= MinUsefulHitRatio {
		return ""
	}
	return fmt.Sprintf("no size is worth a cache: even an unlimited one hits %.2f%% (nearly every request is the first for its key)", 100*cfg.Ceiling)
}

// holdsAll reports whether the curve reaches the footprint: no larger size
// can do better than its largest.
func (cfg RecommendConfig) holdsAll(c Curve) bool {
	return cfg.Footprint > 0 && len(c.Points) > 0 && c.Points[len(c.Points)-1].Size >= cfg.Footprint
}

// sweepFurther is the advice for a rule that found nothing within the swept
// sizes: sweep larger ones, unless the largest already holds everything.
func (cfg RecommendConfig) sweepFurther(c Curve) string {
	if cfg.holdsAll(c) {
		return fmt.Sprintf("the largest swept size already holds every object (%s)", sim.FormatSize(cfg.Footprint, cfg.Bytes))
	}
	return "sweep larger sizes"
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
		out = append(out, MarginalGain(c, cfg))
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

// Recommend fills s.Recommendations with every rule cfg turns on, per
// policy (one BoundRecommendation for each of s.Bounds), and s.Plans.
// The ceiling and the footprint of cfg come from s.
func (s *Sweep) Recommend(cfg RecommendConfig) {
	cfg.Footprint = s.Footprint
	if s.Ceiling != nil {
		cfg.Ceiling = cfg.Metric.OfCeiling(*s.Ceiling)
	}
	for _, c := range Curves(s.Points) {
		if s.isBound(c.Policy) {
			s.Recommendations = append(s.Recommendations, BoundRecommendation(c.Policy))
			continue
		}
		for _, r := range Recommend(c, cfg) {
			if r.Found {
				r.RoundedSize = RoundUp(r.Size, cfg.Bytes, cfg.RoundTo)
			}
			s.Recommendations = append(s.Recommendations, r)
		}
	}
	s.RoundTo = cfg.RoundTo
	s.Plans = s.MakePlans(cfg.Metric)
}

// BoundRecommendation is the one entry of an offline bound (a policy that
// reads the future): it stays on the chart as the upper limit, and no rule
// recommends a size for it.
func BoundRecommendation(policy string) Recommendation {
	return Recommendation{Policy: policy, Method: MethodBound, Rule: "offline optimum",
		Note: "it reads the future, so it is the upper bound to compare with, not a cache to deploy"}
}

// found fills rec for point i of c.
func found(rec Recommendation, c Curve, m Metric, i int) Recommendation {
	p := c.Points[i]
	rec.Found, rec.Size, rec.HitRatio = true, p.Size, m.Of(p.Stats)
	return rec
}

// GainsPerDoubling returns, for each point, the metric's gain over the
// previous swept size in percentage points per doubling of the size: the
// gain divided by log2 of the ratio of the sizes. The first point has none
// (0). Unlike the gain per step, it does not depend on how densely or how
// evenly the sizes were swept.
func (c Curve) GainsPerDoubling(m Metric) []float64 {
	g := c.gains(m)
	for i := 1; i < len(g); i++ {
		g[i] /= math.Log2(float64(c.Points[i].Size) / float64(c.Points[i-1].Size))
	}
	return g
}

// MarginalGain applies the diminishing-returns rule: it recommends the
// smallest swept size from which every later step gains less than
// cfg.MinGain percentage points per doubling of the size (GainsPerDoubling),
// and whose hit ratio reaches the floor (cfg.Floor). Reading every later
// step, not the first small one, keeps a flat start (nothing fits yet) or a
// plateau before a cliff from passing for diminishing returns. The largest
// swept size qualifies only when it holds every object (cfg.Footprint):
// otherwise the steps past it are unknown.
func MarginalGain(c Curve, cfg RecommendConfig) Recommendation {
	m, n := cfg.Metric, len(c.Points)
	rec := Recommendation{Policy: c.Policy, Method: MethodMarginalGain,
		Rule: fmt.Sprintf("smallest size from which every larger swept size gains < %s pp per doubling", Param(cfg.MinGain))}
	if why := cfg.uncacheable(); why != "" {
		rec.Note = why
		return rec
	}
	if n < 2 {
		rec.Note = "needs at least two sizes"
		return rec
	}
	per := c.GainsPerDoubling(m)
	small := func(g float64) bool { return g < cfg.MinGain || g <= 0 }
	i := n - 1 // walk back over the small steps: from i on, every step is small
	for i > 0 && small(per[i]) {
		i--
	}
	if i == n-1 && !cfg.holdsAll(c) {
		rec.Note = fmt.Sprintf("not reached: the last step, to %s, still gains %+.3f pp per doubling; sweep larger sizes",
			sim.FormatSize(c.Points[n-1].Size, cfg.Bytes), per[n-1])
		return rec
	}
	j := i // the first size from i on that reaches the floor
	for j < n && m.Of(c.Points[j].Stats) < cfg.Floor() {
		j++
	}
	if j == n {
		rec.Note = fmt.Sprintf("from %s on, no size reaches the %s hit ratio worth a cache; %s",
			sim.FormatSize(c.Points[i].Size, cfg.Bytes), cfg.floorNote(), cfg.sweepFurther(c))
		return rec
	}
	rec = found(rec, c, m, j)
	rec.Note = marginalNote(c, cfg, j, per)
	return rec
}

// marginalNote explains the marginal-gain pick at point j.
func marginalNote(c Curve, cfg RecommendConfig, j int, per []float64) string {
	n, size := len(c.Points), sim.FormatSize(c.Points[j].Size, cfg.Bytes)
	var note string
	if j == n-1 {
		note = size + " holds every object"
		if c.Points[j].Size != cfg.Footprint {
			note += fmt.Sprintf(" (%s would)", sim.FormatSize(cfg.Footprint, cfg.Bytes))
		}
		if j > 0 && !(per[j] < cfg.MinGain || per[j] <= 0) {
			note += fmt.Sprintf("; the curve gains %s pp per doubling or more up to it", Param(cfg.MinGain))
		}
	} else {
		most := math.Inf(-1)
		for _, g := range per[j+1:] {
			most = math.Max(most, g)
		}
		note = fmt.Sprintf("no larger swept size gains more than %+.3f pp per doubling", most)
	}
	v := cfg.Metric.Of(c.Points[j].Stats)
	note += fmt.Sprintf(" (%s %.2f%%)", cfg.Metric, 100*v)
	return note + cfg.headroom(c, v)
}

// headroom tells how far below the ceiling v is, and, when the largest
// swept size does not hold every object, that a larger size may gain more.
func (cfg RecommendConfig) headroom(c Curve, v float64) string {
	if cfg.Ceiling <= 0 {
		return ""
	}
	if v >= cfg.Ceiling-5e-5 {
		return "; as much as an unlimited cache"
	}
	s := fmt.Sprintf("; %.0f%% of the unlimited cache's %.2f%%", 100*v/cfg.Ceiling, 100*cfg.Ceiling)
	if cfg.Ceiling-v >= 0.01 && !cfg.holdsAll(c) {
		s += ", which sizes past the largest swept one may approach: sweep larger sizes to see"
	}
	return s
}

// KneedleRule recommends the knee of the curve by Kneedle (see Kneedle), on
// log-size when cfg.LogX.
func KneedleRule(c Curve, cfg RecommendConfig) Recommendation {
	axis := "linear size"
	if cfg.LogX {
		axis = "log size"
	}
	rec := Recommendation{Policy: c.Policy, Method: MethodKneedle, Rule: fmt.Sprintf("Kneedle knee, S=%s, on %s", Param(cfg.Sensitivity), axis)}
	if why := cfg.uncacheable(); why != "" {
		rec.Note = why
		return rec
	}
	x, y := c.xy(cfg.Metric, cfg.LogX)
	i, ok := Kneedle(x, y, cfg.Sensitivity)
	if !ok {
		rec.Note = "no knee: the curve has no point that stands out above the line from its first to its last point"
		if len(x) < 3 {
			rec.Note = "needs at least three sizes"
		}
		return rec
	}
	if v := y[i]; v < cfg.Floor() {
		rec.Note = fmt.Sprintf("the curve bends most at %s, where its %s (%.2f%%) is below the %s worth a cache",
			sim.FormatSize(c.Points[i].Size, cfg.Bytes), cfg.Metric, 100*v, cfg.floorNote())
		return rec
	}
	rec = found(rec, c, cfg.Metric, i)
	rec.Note = fmt.Sprintf("the curve bends most at %s (%s %.2f%%); past it, more memory buys less",
		sim.FormatSize(rec.Size, cfg.Bytes), cfg.Metric, 100*rec.HitRatio) + cfg.headroom(c, rec.HitRatio)
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
	rec := Recommendation{Policy: c.Policy, Method: MethodTarget, Rule: fmt.Sprintf("smallest size reaching %s %s%%", m, Sig(100*cfg.Target, 4)),
		Target: cfg.Target}
	if cfg.Ceiling > 0 && cfg.Target > cfg.Ceiling {
		rec.Note = fmt.Sprintf("no size reaches it: even an unlimited cache hits %.2f%% (the rest are first requests for their keys)", 100*cfg.Ceiling)
		return rec
	}
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
	rec.Note = fmt.Sprintf("not reached within the swept sizes (best %.2f%%); %s", 100*best, cfg.sweepFurther(c))
	return rec
}
