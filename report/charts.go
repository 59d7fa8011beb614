package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cachesim/cachesim/sim"
)

// ruleName names a recommendation's rule in plain words, for a chart's
// legend: "diminishing returns", "knee of the curve", "target 95%",
// "least cost".
func ruleName(r Recommendation) string {
	switch r.Method {
	case MethodMarginalGain:
		return "diminishing returns"
	case MethodKneedle:
		return "knee of the curve"
	case MethodTarget:
		if r.Target > 0 {
			return "target " + Sig(100*r.Target, 4) + "%"
		}
		return "target"
	case MethodCost:
		return "least cost"
	}
	return r.Method
}

// Scale chooses the scale of a chart's size axis.
type Scale int

const (
	// ScaleAuto is logarithmic when LogAxis says so (wide or log-spaced sizes).
	ScaleAuto Scale = iota
	// ScaleLog is logarithmic.
	ScaleLog
	// ScaleLinear is linear.
	ScaleLinear
)

// ScaleNames are the names ParseScale accepts, in Scale order.
var ScaleNames = []string{"auto", "log", "linear"}

// ParseScale parses auto, log or linear.
func ParseScale(s string) (Scale, error) {
	for i, n := range ScaleNames {
		if s == n {
			return Scale(i), nil
		}
	}
	return 0, fmt.Errorf("%q: expected %s", s, strings.Join(ScaleNames, ", "))
}

// log says whether sizes from lo to hi go on a log axis.
func (sc Scale) log(lo int64, sizes []int64) bool {
	switch sc {
	case ScaleLog:
		return lo > 0
	case ScaleLinear:
		return false
	}
	return LogAxis(sizes)
}

// sizeAxis returns the x kind, log scale and label of a sweep's size axis.
func (s *Sweep) sizeAxis() (XKind, bool, string) {
	lo := int64(math.MaxInt64)
	sizes := make([]int64, len(s.Points))
	for i, p := range s.Points {
		lo, sizes[i] = min(lo, p.Size), p.Size
	}
	kind, label := XObjects, "cache size ("+s.unitName()+")"
	switch {
	case s.bytes() && s.Prefix != nil:
		kind, label = XBytes, "KV cache memory"
	case s.bytes():
		kind, label = XBytes, "cache size"
	}
	log := s.XScale.log(lo, sizes)
	if log {
		label += ", log scale"
	}
	return kind, log, label
}

// LogX reports whether the sweep's charts draw sizes on a log axis (as
// s.XScale says; by default as LogAxis says); Kneedle
// then works on log-size too.
func (s *Sweep) LogX() bool {
	_, log, _ := s.sizeAxis()
	return log
}

// MRCChart is the hit-ratio curve of every policy against cache size, in
// metric m, with each policy's recommended sizes marked and labelled.
func (s *Sweep) MRCChart(m Metric) *Chart {
	kind, log, xlabel := s.sizeAxis()
	c := &Chart{Title: fmt.Sprintf("%s by cache size: %s", capitalise(m.String()), s.Workload),
		XLabel: xlabel, YLabel: m.String() + " (%)", XKind: kind, LogX: log}
	style := map[string]int{}
	for i, cv := range Curves(s.Points) {
		style[cv.Policy] = i
		sr := Series{Name: cv.Policy, Style: i, Markers: true, PatternByStyle: true}
		for _, p := range cv.Points {
			sr.X, sr.Y = append(sr.X, float64(p.Size)), append(sr.Y, 100*m.Of(p.Stats))
			if p.Band != nil {
				lo, hi := m.Band(p.Band)
				sr.Lo, sr.Hi = append(sr.Lo, 100*lo), append(sr.Hi, 100*hi)
			}
		}
		c.Series = append(c.Series, sr)
	}
	if m == BatchHitRatio {
		c.Series = append(c.Series, s.independenceSeries(style)...)
	}
	s.addCeiling(c, m)
	c.YMin, c.YMax = percentRange(c.Series)
	c.Series = append(c.Series, heldLines(s.Points, c.YMin, c.YMax)...)
	if len(s.Points) > 0 && s.Points[0].Band != nil {
		c.Title += fmt.Sprintf(", shaded: lowest to highest of %d samples", s.Points[0].Band.Samples)
	}
	c.Marks = s.marks(style)
	return c
}

// marks are the recommended points of s, one per policy and size, in the
// policy's style and the shape of the first rule that picked it (see
// ruleOrder). Each is named by a legend entry: the rules, the size
// ("1.811 → 1.9 MiB" when rounded up) and, on a chart of several
// policies, those that share the entry.
func (s *Sweep) marks(style map[string]int) []Mark {
	type at struct {
		policy string
		size   int64
	}
	type point struct {
		mark  Mark
		rules []Recommendation
		size  string
	}
	idx := map[at]int{}
	var pts []point
	for _, r := range s.Recommendations {
		if !r.Found {
			continue
		}
		k := at{r.Policy, r.Size}
		i, ok := idx[k]
		if !ok {
			i = len(pts)
			idx[k] = i
			pts = append(pts, point{mark: Mark{X: float64(r.Size), Y: 100 * r.HitRatio, Style: style[r.Policy], Rule: ruleIndex(r.Method)},
				size: roundedLabel(r.Size, r.configured(), s.bytes())})
		}
		pts[i].rules = append(pts[i].rules, r)
	}
	policies := map[string][]string{} // by entry, the policies that share it
	names := make([]string, len(style))
	for name, i := range style {
		names[i] = name
	}
	for i := range pts {
		slices.SortStableFunc(pts[i].rules, func(a, b Recommendation) int { return cmp.Compare(ruleIndex(a.Method), ruleIndex(b.Method)) })
		var rules []string
		for _, r := range pts[i].rules {
			rules = append(rules, ruleName(r))
		}
		pts[i].mark.Rule = ruleIndex(pts[i].rules[0].Method)
		pts[i].mark.Label = strings.Join(rules, ", ") + ": " + pts[i].size
		policies[pts[i].mark.Label] = append(policies[pts[i].mark.Label], names[pts[i].mark.Style])
	}
	// The legend lists the rules in order, each by ascending size.
	slices.SortStableFunc(pts, func(a, b point) int {
		return cmp.Or(cmp.Compare(a.mark.Rule, b.mark.Rule), cmp.Compare(a.mark.X, b.mark.X))
	})
	out := make([]Mark, len(pts))
	for i, pt := range pts {
		out[i] = pt.mark
		if len(style)-len(s.Bounds) > 1 {
			out[i].Label += " (" + sharers(policies[pt.mark.Label], len(style)-len(s.Bounds)) + ")"
		}
	}
	return out
}

// sharers names the policies of a legend entry: "every policy" when they
// are all n of the chart's.
func sharers(names []string, n int) string {
	if len(names) == n && n > 2 {
		return "every policy"
	}
	return strings.Join(names, ", ")
}

// roundedLabel is a recommended size for a legend: the swept size, and
// the rounded one after an arrow when they differ ("1.811 → 1.9 MiB",
// "52,052 → 53,000").
func roundedLabel(size, rounded int64, bytes bool) string {
	a, b := sim.FormatSize(size, bytes), sim.FormatSize(rounded, bytes)
	if !bytes {
		a, b = Count(size), Count(rounded)
	}
	if a == b {
		return a
	}
	if i, j := strings.LastIndexByte(a, ' '), strings.LastIndexByte(b, ' '); i > 0 && j > 0 && a[i:] == b[j:] {
		a = a[:i] // one unit for both: "1.811 → 1.9 MiB"
	}
	return a + " → " + b
}

// addCeiling adds the unlimited cache's hit ratio (metric m) across the
// sizes of c as a gray dashed reference line, when s knows it.
func (s *Sweep) addCeiling(c *Chart, m Metric) {
	if s.Ceiling == nil || len(s.Points) == 0 {
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range s.Points {
		lo, hi = math.Min(lo, float64(p.Size)), math.Max(hi, float64(p.Size))
	}
	v := 100 * m.OfCeiling(*s.Ceiling)
	c.Series = append(c.Series, Series{Name: fmt.Sprintf("unlimited cache %.1f%%", v),
		X: []float64{lo, hi}, Y: []float64{v, v}, Gray: true, Dashed: true})
}

// LatencyChart is the mean (solid) and p99 (dashed) request latency of every
// policy against cache size, over gray lines for no cache at all. It is nil
// when the sweep has no latency report.
func (s *Sweep) LatencyChart() *Chart { return s.LatencyChartOf(RequestHitRatio) }

// LatencyChartOf is LatencyChart, of whole multi-key requests for the
// metric BatchHitRatio (when the report has their latency).
func (s *Sweep) LatencyChartOf(m Metric) *Chart {
	if s.Latency == nil {
		return nil
	}
	title, of, u := "Request latency by cache size: ", func(r LatencyRow) *Latency { return &r.With }, s.Latency.Uncached
	if m == BatchHitRatio && s.Latency.BatchUncached != nil {
		title, of, u = "Latency of whole requests by cache size: ", func(r LatencyRow) *Latency { return r.Batch }, *s.Latency.BatchUncached
	}
	kind, log, xlabel := s.sizeAxis()
	c := &Chart{Title: title + s.Workload, XLabel: xlabel, YLabel: "latency (ms)",
		XKind: kind, LogX: log}
	order := map[string]int{}
	for i, cv := range Curves(s.Points) {
		order[cv.Policy] = i
		c.Series = append(c.Series, Series{Name: cv.Policy + " mean", Style: i, Markers: true},
			Series{Name: cv.Policy + " p99", Style: i, Markers: true, Dashed: true})
	}
	lo, hi, top := math.Inf(1), math.Inf(-1), u.P99MS
	for _, r := range s.Latency.Rows {
		w := of(r)
		if w == nil {
			continue
		}
		i := 2 * order[r.Policy]
		x := float64(r.Size)
		c.Series[i].X, c.Series[i].Y = append(c.Series[i].X, x), append(c.Series[i].Y, w.MeanMS)
		c.Series[i+1].X, c.Series[i+1].Y = append(c.Series[i+1].X, x), append(c.Series[i+1].Y, w.P99MS)
		lo, hi, top = math.Min(lo, x), math.Max(hi, x), math.Max(top, w.P99MS)
	}
	if lo > hi {
		return nil
	}
	if lo == hi { // one size: draw the no-cache lines across a little width
		lo, hi = lo-math.Max(0.1*lo, 1), hi+math.Max(0.1*hi, 1)
	}
	c.Series = append(c.Series,
		Series{Name: "no cache mean", X: []float64{lo, hi}, Y: []float64{u.MeanMS, u.MeanMS}, Gray: true},
		Series{Name: "no cache p99", X: []float64{lo, hi}, Y: []float64{u.P99MS, u.P99MS}, Gray: true, Dashed: true})
	c.YMin, c.YMax = 0, top*1.08
	return c
}

// Timeline is the per-window record of one replay, for TimelineChart.
type Timeline struct {
	// Title names what ran ("trace.csv, lru at 1000 objects").
	Title   string
	Plan    *sim.WindowPlan
	Windows []sim.WindowStats
	// Overall is the hit ratio of the whole run, or after its warm-up
	// when Warmup is set (the windows show the warm-up too).
	Overall float64
	Warmup  bool
	// Origin is the clock time of the trace's first request, when its
	// timestamps are clock times (zero otherwise): time windows are then
	// drawn against clock time.
	Origin time.Time
	// Events are moments to mark, in the windows' unit: nanoseconds since
	// the first request for time windows, request indexes otherwise.
	Events []TimelineEvent
	// Peak, when set (time windows only), gives the rates per window that
	// a second panel draws: client requests and backend calls per second.
	Peak *Peak
}

// TimelineEvent is a moment of a run worth marking on its timeline.
type TimelineEvent struct {
	At   int64
	Name string
}

// TimelineChart is the hit ratio (metric m) per window over the run, with
// the whole run's hit ratio as a gray dashed line and the events as
// vertical lines. Windows without requests are left out. Time windows of a
// trace with clock times are drawn against clock time (UTC).
func (tl Timeline) TimelineChart(m Metric) *Chart {
	w := tl.Plan.Window
	c := &Chart{Title: fmt.Sprintf("%s per %s window: %s", capitalise(m.String()), w, tl.Title),
		YLabel: m.String() + " (%)"}
	at := tl.axis(c) // x position of a window start or an event
	width := float64(w.Requests)
	if tl.Plan.ByTime {
		width = float64(w.Duration)
	}
	sr := Series{Name: "per window", Markers: len(tl.Windows) <= 60}
	for _, win := range tl.Windows {
		if win.Requests == 0 {
			continue
		}
		v := win.HitRatio()
		if m == ByteHitRatio {
			v = win.ByteHitRatio()
		}
		sr.X = append(sr.X, at(float64(win.Start)+width/2))
		sr.Y = append(sr.Y, 100*v)
	}
	c.Series = []Series{sr}
	if len(sr.X) > 0 {
		lo, hi := sr.X[0], sr.X[len(sr.X)-1]
		name := fmt.Sprintf("whole run %.2f%% (all requests)", 100*tl.Overall)
		if tl.Warmup {
			name = fmt.Sprintf("after the warm-up %.2f%% (the requests counted)", 100*tl.Overall)
		}
		c.Series = append(c.Series, Series{Name: name,
			X: []float64{lo, hi}, Y: []float64{100 * tl.Overall, 100 * tl.Overall}, Gray: true, Dashed: true})
	}
	for _, e := range tl.Events {
		c.Events = append(c.Events, Event{X: at(float64(e.At)), Name: e.Name})
	}
	c.YMin, c.YMax = percentRange(c.Series)
	if tl.Peak != nil && tl.Plan.ByTime {
		c.Lower = tl.rateChart(at, width)
		c.Title = fmt.Sprintf("%s and load per %s window: %s", capitalise(m.String()), w, tl.Title)
	}
	return c
}

// rateChart is the timeline's second panel: per window, the client
// requests per second and the backend calls per second with the cache (and
// without one, when that is not the client requests: one call per key of
// a multi-key request), every window drawn that the peak report counts.
func (tl Timeline) rateChart(at func(float64) float64, width float64) *Chart {
	pk := tl.Peak
	c := &Chart{XLabel: "", YLabel: "per second"}
	client := Series{Name: "client requests/s", Style: 1}
	with := Series{Name: fmt.Sprintf("backend calls/s, %s at %s", pk.Policy, sim.FormatSize(pk.Size, pk.Unit == "bytes")), Style: 0}
	without := Series{Name: "backend calls/s, no cache", Gray: true, Dashed: true}
	top := 0.0
	windows := pk.Windows
	if pk.LastLeftOut {
		windows = windows[:len(windows)-1]
	}
	for _, w := range windows {
		x := at(w.Start*1e9 + width/2)
		client.X, client.Y = append(client.X, x), append(client.Y, w.Client)
		with.X, with.Y = append(with.X, x), append(with.Y, w.With)
		without.X, without.Y = append(without.X, x), append(without.Y, w.Without)
		top = math.Max(top, math.Max(w.Client, w.Without))
	}
	c.Series = []Series{client, with}
	if pk.Lookups != nil && pk.Without != pk.Client {
		c.Series = append(c.Series, without)
	}
	c.YMin, c.YMax = 0, niceCeil(top*1.08)
	return c
}

// niceCeil rounds v > 0 up to a round number: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5,
// 6 or 8 times a power of ten (1 for v <= 0).
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// axis sets c's x axis for the timeline and returns the map from the
// windows' unit (nanoseconds since the first request, or a request index)
// to x.
func (tl Timeline) axis(c *Chart) func(float64) float64 {
	switch {
	case tl.Plan.ByTime && !tl.Origin.IsZero():
		c.XKind, c.XLabel = XClock, clockLabel(tl.Origin, tl.Windows)
		origin := float64(tl.Origin.UnixNano())
		return func(ns float64) float64 { return (origin + ns) / 1e9 }
	case tl.Plan.ByTime:
		div, unit := timeUnit(tl.Windows)
		c.XLabel = "time since the start of the trace (" + unit + ")"
		base := float64(0)
		if len(tl.Windows) > 0 {
			base = float64(tl.Windows[0].Start)
		}
		return func(ns float64) float64 { return (ns - base) / div }
	}
	div, unit := countUnit(tl.Windows)
	c.XLabel = "requests" + unit
	return func(i float64) float64 { return i / div }
}

// clockLabel names a clock-time axis with the date (or dates) it spans.
func clockLabel(origin time.Time, ws []sim.WindowStats) string {
	first, last := origin.UTC(), origin.UTC()
	if len(ws) > 0 {
		first = origin.Add(time.Duration(ws[0].Start)).UTC()
		last = origin.Add(time.Duration(ws[len(ws)-1].Start)).UTC()
	}
	if first.Format(time.DateOnly) == last.Format(time.DateOnly) {
		return "clock time (UTC) on " + first.Format(time.DateOnly)
	}
	return "clock time (UTC), " + first.Format(time.DateOnly) + " to " + last.Format(time.DateOnly)
}

// timeUnit picks the unit of a time axis from the span of the windows.
func timeUnit(ws []sim.WindowStats) (float64, string) {
	span := time.Duration(0)
	if len(ws) > 0 {
		span = time.Duration(ws[len(ws)-1].Start - ws[0].Start)
	}
	switch {
	case span >= 5*24*time.Hour:
		return float64(24 * time.Hour), "days"
	case span >= 5*time.Hour:
		return float64(time.Hour), "hours"
	case span >= 5*time.Minute:
		return float64(time.Minute), "minutes"
	}
	return float64(time.Second), "seconds"
}

// countUnit picks the unit of a request-count axis.
func countUnit(ws []sim.WindowStats) (float64, string) {
	n := int64(0)
	if len(ws) > 0 {
		n = ws[len(ws)-1].Start
	}
	switch {
	case n >= 10_000_000:
		return 1e6, " (millions)"
	case n >= 10_000:
		return 1e3, " (thousands)"
	}
	return 1, ""
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
