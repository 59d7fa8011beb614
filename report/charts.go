package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cachesim/cachesim/sim"
)

// methodLabels are the short names of the methods on a chart.
var methodLabels = map[string]string{MethodMarginalGain: "gain", MethodKneedle: "knee", MethodTarget: "target", MethodCost: "cost"}

// sizeAxis returns the x kind, log scale and label of a sweep's size axis.
func (s *Sweep) sizeAxis() (XKind, bool, string) {
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, p := range s.Points {
		lo, hi = min(lo, p.Size), max(hi, p.Size)
	}
	kind, label := XObjects, "cache size (objects)"
	if s.bytes() {
		kind, label = XBytes, "cache size"
	}
	log := LogAxis(lo, hi)
	if log {
		label += ", log scale"
	}
	return kind, log, label
}

// LogX reports whether the sweep's charts draw sizes on a log axis (they
// span more than two decades); Kneedle then works on log-size too.
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
		sr := Series{Name: cv.Policy, Style: i, Markers: true}
		for _, p := range cv.Points {
			sr.X, sr.Y = append(sr.X, float64(p.Size)), append(sr.Y, 100*m.Of(p.Stats))
			if p.Band != nil {
				lo, hi := m.Band(p.Band)
				sr.Lo, sr.Hi = append(sr.Lo, 100*lo), append(sr.Hi, 100*hi)
			}
		}
		c.Series = append(c.Series, sr)
	}
	c.YMin, c.YMax = percentRange(c.Series)
	if len(s.Points) > 0 && s.Points[0].Band != nil {
		c.Title += fmt.Sprintf(", shaded: lowest to highest of %d samples", s.Points[0].Band.Samples)
	}
	// One mark per policy and size, naming every rule that picked it.
	type at struct {
		policy string
		size   int64
	}
	idx := map[at]int{}
	var methods [][]string
	for _, r := range s.Recommendations {
		if !r.Found {
			continue
		}
		k := at{r.Policy, r.Size}
		i, ok := idx[k]
		if !ok {
			i = len(c.Marks)
			idx[k] = i
			methods = append(methods, nil)
			c.Marks = append(c.Marks, Mark{X: float64(r.Size), Y: 100 * r.HitRatio, Style: style[r.Policy],
				Label: sim.FormatSize(r.Size, s.bytes())})
		}
		methods[i] = append(methods[i], methodLabels[r.Method])
	}
	for i := range c.Marks { // "knee+cost: 1250"
		c.Marks[i].Label = strings.Join(methods[i], "+") + ": " + c.Marks[i].Label
	}
	return c
}

// LatencyChart is the mean (solid) and p99 (dashed) request latency of every
// policy against cache size, over gray lines for no cache at all. It is nil
// when the sweep has no latency report.
func (s *Sweep) LatencyChart() *Chart {
	if s.Latency == nil {
		return nil
	}
	kind, log, xlabel := s.sizeAxis()
	c := &Chart{Title: "Request latency by cache size: " + s.Workload, XLabel: xlabel, YLabel: "latency (ms)",
		XKind: kind, LogX: log}
	order := map[string]int{}
	for i, cv := range Curves(s.Points) {
		order[cv.Policy] = i
		c.Series = append(c.Series, Series{Name: cv.Policy + " mean", Style: i, Markers: true},
			Series{Name: cv.Policy + " p99", Style: i, Markers: true, Dashed: true})
	}
	lo, hi, top := math.Inf(1), math.Inf(-1), s.Latency.Uncached.P99MS
	for _, r := range s.Latency.Rows {
		i := 2 * order[r.Policy]
		x := float64(r.Size)
		c.Series[i].X, c.Series[i].Y = append(c.Series[i].X, x), append(c.Series[i].Y, r.With.MeanMS)
		c.Series[i+1].X, c.Series[i+1].Y = append(c.Series[i+1].X, x), append(c.Series[i+1].Y, r.With.P99MS)
		lo, hi, top = math.Min(lo, x), math.Max(hi, x), math.Max(top, r.With.P99MS)
	}
	if lo > hi {
		return nil
	}
	if lo == hi { // one size: draw the no-cache lines across a little width
		lo, hi = lo-math.Max(0.1*lo, 1), hi+math.Max(0.1*hi, 1)
	}
	u := s.Latency.Uncached
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
	// Overall is the hit ratio of the whole run.
	Overall float64
}

// TimelineChart is the hit ratio (metric m) per window over the run, with
// the whole run's hit ratio as a gray dashed line. Windows without requests
// are left out.
func (tl Timeline) TimelineChart(m Metric) *Chart {
	w := tl.Plan.Window
	c := &Chart{Title: fmt.Sprintf("%s per %s window: %s", capitalise(m.String()), w, tl.Title),
		YLabel: m.String() + " (%)"}
	var div float64
	if tl.Plan.ByTime {
		var unit string
		div, unit = timeUnit(tl.Windows)
		c.XLabel = "time since the start of the trace (" + unit + ")"
	} else {
		var unit string
		div, unit = countUnit(tl.Windows)
		c.XLabel = "requests" + unit
	}
	width := float64(w.Requests)
	if tl.Plan.ByTime {
		width = float64(w.Duration)
	}
	base := float64(0)
	if len(tl.Windows) > 0 {
		base = float64(tl.Windows[0].Start)
		if !tl.Plan.ByTime {
			base = 0
		}
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
		sr.X = append(sr.X, (float64(win.Start)-base+width/2)/div)
		sr.Y = append(sr.Y, 100*v)
	}
	c.Series = []Series{sr}
	if len(sr.X) > 0 {
		lo, hi := sr.X[0], sr.X[len(sr.X)-1]
		c.Series = append(c.Series, Series{Name: fmt.Sprintf("whole run %.2f%% (all requests)", 100*tl.Overall),
			X: []float64{lo, hi}, Y: []float64{100 * tl.Overall, 100 * tl.Overall}, Gray: true, Dashed: true})
	}
	c.YMin, c.YMax = percentRange(c.Series)
	return c
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
