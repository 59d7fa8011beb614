package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// chartDir is where tests write charts: CACHESIM_CHART_DIR when set (to
// look at them), else a temporary directory.
func chartDir(t *testing.T) string {
	if d := os.Getenv("CACHESIM_CHART_DIR"); d != "" {
		return d
	}
	return t.TempDir()
}

// checkPNG asserts that path is a PNG of the chart's size with real content.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() != 990 || b.Dy() != 605 {
		t.Errorf("%s is %dx%d, want 990x605 (9 x 5.5 in at 110 dpi)", path, b.Dx(), b.Dy())
	}
	if len(data) < 10_000 || len(data) > 2_000_000 {
		t.Errorf("%s has %d bytes, want a chart's 10 kB to 2 MB", path, len(data))
	}
	if n := colours(img); n < 4 {
		t.Errorf("%s has %d colours: blank", path, n)
	}
}

func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

// checkSVG asserts that path is an SVG document of sensible size.
func checkSVG(t *testing.T, path string, contains ...string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if !strings.HasPrefix(s, "<?xml") || !strings.Contains(s, "<svg") || !strings.HasSuffix(strings.TrimSpace(s), "</svg>") {
		t.Errorf("%s is not an SVG document: %.80q…", path, s)
	}
	if len(data) < 5_000 || len(data) > 5_000_000 {
		t.Errorf("%s has %d bytes, want 5 kB to 5 MB", path, len(data))
	}
	for _, c := range contains {
		if !strings.Contains(s, c) {
			t.Errorf("%s does not contain %q", path, c)
		}
	}
}

// loopSweep is the loop trace's cliff for two policies, with recommendations.
func loopSweep(t *testing.T) *Sweep {
	c, tr := loopCurve(t, []int64{250, 500, 750, 1000, 1250, 1500, 1750, 2000})
	fifo := Curve{Policy: "fifo"}
	for _, p := range c.Points {
		p.Policy = "fifo"
		p.Hits = p.Hits * 9 / 10 // a made-up second curve, visibly apart
		fifo.Points = append(fifo.Points, p)
	}
	rep := &Sweep{Workload: tr.Name, Requests: tr.Len(), Unit: "objects", Points: append(slices.Clone(c.Points), fifo.Points...)}
	for _, cv := range Curves(rep.Points) {
		rep.Recommendations = append(rep.Recommendations, Recommend(cv, RecommendConfig{MinGain: -1, Sensitivity: 1, Target: 0.85})...)
	}
	return rep
}

func TestMRCChart(t *testing.T) {
	rep := loopSweep(t)
	c := rep.MRCChart(RequestHitRatio)
	if c.LogX || c.XKind != XObjects || !strings.Contains(c.Title, "loop.trace.gz") || c.YLabel != "hit ratio (%)" {
		t.Errorf("chart %q: log %v kind %v y %q; want linear objects, the trace name in the title", c.Title, c.LogX, c.XKind, c.YLabel)
	}
	if len(c.Series) != 2 || c.Series[0].Name != "lru" || c.Series[1].Name != "fifo" || !c.Series[0].Markers {
		t.Fatalf("series %+v, want lru and fifo with markers", c.Series)
	}
	lru := c.Series[0]
	if lru.X[4] != 1250 || math.Abs(lru.Y[4]-99.8) > 0.05 || lru.Y[3] != 0 {
		t.Errorf("lru at 1000 and 1250: %g%%, %g%%; want 0 and 99.8", lru.Y[3], lru.Y[4])
	}
	// Kneedle and the 85% target agree on 1250 for lru; for fifo (89.8%)
	// too: one marker each, in the knee's shape, and one legend entry.
	label := "knee of the curve, target 85%: 1,250 (lru, fifo)"
	want := []Mark{{X: 1250, Y: lru.Y[4], Label: label, Style: 0, Rule: 1}, {X: 1250, Y: c.Series[1].Y[4], Label: label, Style: 1, Rule: 1}}
	if !slices.Equal(c.Marks, want) {
		t.Errorf("marks %+v, want %+v", c.Marks, want)
	}
	if c.YMin != 0 || c.YMax != 100 {
		t.Errorf("y range %g..%g, want 0..100", c.YMin, c.YMax)
	}
	dir := chartDir(t)
	for _, name := range []string{"mrc.png", "mrc.svg"} {
		if err := c.Save(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	checkPNG(t, filepath.Join(dir, "mrc.png"))
	checkSVG(t, filepath.Join(dir, "mrc.svg"), "loop.trace.gz", "knee of the curve, target 85%: 1,250", "recommended sizes:")
	if err := c.Save(filepath.Join(dir, "mrc.jpg")); err == nil {
		t.Error("saving a .jpg: no error")
	}
}

func TestMRCChartLogBytes(t *testing.T) {
	// Byte sizes 64 KiB … 1 GiB (more than two decades) and a byte hit ratio apart from the request one.
	rep := &Sweep{Workload: "zipf", Unit: "bytes"}
	for i, s := range []int64{64 << 10, 1 << 20, 16 << 20, 256 << 20, 1 << 30} {
		rep.Points = append(rep.Points, sim.Point{Policy: "lru", Size: s,
			Stats: sim.Stats{Requests: 100, Hits: uint64(20 * i), Bytes: 1000, ByteHits: uint64(100 * i)}})
	}
	c := rep.MRCChart(ByteHitRatio)
	if !c.LogX || c.XKind != XBytes || c.YLabel != "byte hit ratio (%)" || !strings.Contains(c.XLabel, "log scale") {
		t.Errorf("log %v kind %v y %q x %q; want a log byte axis of byte hit ratio", c.LogX, c.XKind, c.YLabel, c.XLabel)
	}
	if !slices.Equal(c.Series[0].Y, []float64{0, 10, 20, 30, 40}) {
		t.Errorf("byte hit ratios %v, want 0 10 20 30 40", c.Series[0].Y)
	}
	var labels []string
	for _, tk := range (sizeTicks{kind: XBytes, log: true}).Ticks(64<<10, 1<<30) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if !slices.Contains(labels, "1MiB") || !slices.Contains(labels, "1GiB") || len(labels) > 8 {
		t.Errorf("byte tick labels %v, want 1MiB and 1GiB among at most 8", labels)
	}
	var objLabels []string
	for _, tk := range (sizeTicks{kind: XObjects, log: true}).Ticks(100, 1e6) {
		if tk.Label != "" {
			objLabels = append(objLabels, tk.Label)
		}
	}
	if !slices.Equal(objLabels, []string{"100", "1k", "10k", "100k", "1M"}) {
		t.Errorf("object tick labels %v", objLabels)
	}
	path := filepath.Join(chartDir(t), "mrc-bytes.png")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, path)
}

func TestLatencyChart(t *testing.T) {
	points, lat := latencySweep(t, cycleTrace(), "50ms", 1, 2, 3)
	rep := &Sweep{Workload: "cycle", Unit: "objects", Points: points, Latency: NewLatencyReport(points, lat.Uncached, Load{Rate: 1, Rows: 10})}
	c := rep.LatencyChart()
	if !strings.Contains(c.Title, ": cycle") {
		t.Errorf("title %q does not name the trace", c.Title)
	}
	names := []string{}
	for _, s := range c.Series {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"lru mean", "lru p99", "no cache mean", "no cache p99"}) {
		t.Fatalf("series %v", names)
	}
	// Hand figures as in TestLatencyReportConstant: mean 50, 50, 20.3; p99 50.
	if m := c.Series[0].Y; len(m) != 3 || m[0] != 50 || m[1] != 50 || !near(m[2], 20.3) {
		t.Errorf("mean series %v, want 50 50 20.3", m)
	}
	if !slices.Equal(c.Series[1].Y, []float64{50, 50, 50}) || !c.Series[1].Dashed || !c.Series[3].Gray {
		t.Errorf("p99 series %v dashed %v", c.Series[1].Y, c.Series[1].Dashed)
	}
	if !slices.Equal(c.Series[2].X, []float64{1, 3}) || !slices.Equal(c.Series[2].Y, []float64{50, 50}) {
		t.Errorf("no-cache line %v %v, want 50 from 1 to 3", c.Series[2].X, c.Series[2].Y)
	}
	dir := chartDir(t)
	if err := c.Save(filepath.Join(dir, "latency.png")); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "latency.png"))
	if (&Sweep{}).LatencyChart() != nil {
		t.Error("a sweep without latencies has a latency chart")
	}
}

// timedCycle is 600 requests 1s apart over 10 minutes, keys cycling over
// 50 (so LRU of 50 misses the first 50 and hits everything after), with
// 1-minute windows planned.
func timedCycle(t *testing.T) (*trace.Trace, *sim.WindowPlan) {
	tr := trace.NewTrace("timed", trace.Fields{Time: true})
	for i := 0; i < 600; i++ {
		tr.Append(&trace.Request{Key: uint64(i % 50), Size: 1, Time: int64(i) * int64(time.Second)})
	}
	plan, err := sim.PlanWindows(tr, sim.Window{Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return tr, plan
}

func TestTimelineChart(t *testing.T) {
	tr, plan := timedCycle(t)
	points, _ := latencySweep(t, tr, "1ms", 50) // for the overall hit ratio
	st := sim.Replay(tr, newCache(t, 50), sim.Options{Objects: true, Window: plan})
	tl := Timeline{Title: "timed, lru at 50 objects", Plan: plan, Windows: st.Windows, Overall: points[0].HitRatio()}
	c := tl.TimelineChart(RequestHitRatio)
	s := c.Series[0]
	// Windows of 60 requests: the first has 10 hits (16.7%), the rest 100%;
	// plotted at their middles, 0.5, 1.5, … minutes.
	if len(s.X) != 10 || s.X[0] != 0.5 || s.X[9] != 9.5 || math.Abs(s.Y[0]-100.0/6) > 1e-9 || s.Y[1] != 100 {
		t.Errorf("timeline x %v y %v", s.X, s.Y)
	}
	if !strings.Contains(c.XLabel, "minutes") || !strings.Contains(c.Title, "1m window") {
		t.Errorf("x label %q, title %q", c.XLabel, c.Title)
	}
	if o := c.Series[1]; !o.Gray || math.Abs(o.Y[0]-100*550.0/600) > 1e-9 {
		t.Errorf("overall line %+v, want %g%%", o, 100*550.0/600)
	}
	dir := chartDir(t)
	if err := c.Save(filepath.Join(dir, "timeline.png")); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "timeline.png"))
	if err := c.Save(filepath.Join(dir, "timeline.svg")); err != nil {
		t.Fatal(err)
	}
	checkSVG(t, filepath.Join(dir, "timeline.svg"), "per window")
}

// deltaE is the CIE76 distance of two colours in CIELAB (D65), computed
// from the sRGB formulas, independently of how the palette was chosen.
func deltaE(a, b color.Color) float64 {
	lab := func(c color.Color) [3]float64 {
		r, g, bl, _ := c.RGBA()
		lin := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.04045 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		R, G, B := lin(r), lin(g), lin(bl)
		X := (0.4124*R + 0.3576*G + 0.1805*B) / 0.95047
		Y := 0.2126*R + 0.7152*G + 0.0722*B
		Z := (0.0193*R + 0.1192*G + 0.9505*B) / 1.08883
		f := func(t float64) float64 {
			if t > 0.008856 {
				return math.Cbrt(t)
			}
			return 7.787*t + 16.0/116
		}
		return [3]float64{116*f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))}
	}
	p, q := lab(a), lab(b)
	return math.Sqrt((p[0]-q[0])*(p[0]-q[0]) + (p[1]-q[1])*(p[1]-q[1]) + (p[2]-q[2])*(p[2]-q[2]))
}

// twelveSweep is a sweep of twelve policies, each a made-up rising curve,
// every one with a recommendation at the same size (the worst case for labels).
func twelveSweep() *Sweep {
	s := &Sweep{Workload: "twelve.csv", Unit: "objects", Ceiling: &sim.Ceiling{Requests: 1000, Misses: 150, Bytes: 1000, MissBytes: 300}}
	for i := 0; i < 12; i++ {
		name := fmt.Sprintf("policy%02d", i)
		for j, size := range []int64{100, 1000, 10000, 100000} {
			s.Points = append(s.Points, sim.Point{Policy: name, Size: size, Stats: sim.Stats{Requests: 1000, Hits: uint64(100 + 200*j + 5*i)}})
		}
		s.Recommendations = append(s.Recommendations,
			Recommendation{Policy: name, Method: MethodKneedle, Found: true, Size: 1000, HitRatio: float64(300+5*i) / 1000},
			Recommendation{Policy: name, Method: MethodMarginalGain, Found: true, Size: 10000, HitRatio: float64(500+5*i) / 1000})
	}
	return s
}

// TestChartTwelveSeriesApart: twelve policies get twelve colours no two
// closer than ΔE 40 (20 is clearly different to the eye), none of them the
// reference gray, and twelve different (dash pattern, marker) pairs, so
// they stay apart in gray print too.
func TestChartTwelveSeriesApart(t *testing.T) {
	c := twelveSweep().MRCChart(RequestHitRatio)
	if len(c.Series) != 13 || !c.Series[12].Gray {
		t.Fatalf("%d series, want 12 curves and the ceiling", len(c.Series))
	}
	type look struct{ dash, shape string }
	seen := map[look]string{}
	for i, s := range c.Series[:12] {
		if s.Style != i || !s.PatternByStyle {
			t.Errorf("series %s: style %d pattern %v", s.Name, s.Style, s.PatternByStyle)
		}
		for j := 0; j < i; j++ {
			if d := deltaE(s.lineStyle().Color, c.Series[j].lineStyle().Color); d < 40 {
				t.Errorf("%s and %s: colours ΔE %.1f apart, want 40", s.Name, c.Series[j].Name, d)
			}
		}
		if d := deltaE(s.lineStyle().Color, referenceGray); d < 20 {
			t.Errorf("%s: colour ΔE %.1f from the reference gray", s.Name, d)
		}
		l := look{fmt.Sprint(s.lineStyle().Dashes), fmt.Sprintf("%T", styleShape(s.Style))}
		if other, ok := seen[l]; ok {
			t.Errorf("%s and %s share dash pattern and marker %v", s.Name, other, l)
		}
		seen[l] = s.Name
	}
	// A marker per policy and recommended size, and two legend entries:
	// every policy's knee at 1,000 and its diminishing returns at 10,000.
	if len(c.Marks) != 24 {
		t.Fatalf("%d marks, want 24", len(c.Marks))
	}
	labels := map[string]int{}
	for _, m := range c.Marks {
		labels[m.Label]++
	}
	if labels["diminishing returns: 10,000 (every policy)"] != 12 || labels["knee of the curve: 1,000 (every policy)"] != 12 {
		t.Errorf("legend entries %v, want two of 12 marks each", labels)
	}
	path := filepath.Join(chartDir(t), "twelve.png")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, path)
}

// TestXScale: the size axis is log past two decades or for log-spaced
// sizes, unless the x scale says otherwise, and Kneedle (LogX) follows the axis.
func TestXScale(t *testing.T) {
	sweep := func(sizes ...int64) *Sweep {
		s := &Sweep{Workload: "w", Unit: "objects"}
		for _, size := range sizes {
			s.Points = append(s.Points, sim.Point{Policy: "lru", Size: size, Stats: sim.Stats{Requests: 10, Hits: 5}})
		}
		return s
	}
	cases := []struct {
		sizes []int64
		scale Scale
		log   bool
	}{
		{[]int64{10, 500, 1000}, ScaleAuto, false}, // exactly two decades, uneven steps
		{[]int64{10, 100, 1000}, ScaleAuto, true},  // two decades in steps of 10: log-spaced
		{[]int64{10, 500, 1001}, ScaleAuto, true},  // past two decades
		{[]int64{10, 100, 1000}, ScaleLog, true},
		{[]int64{10, 1e6}, ScaleLinear, false},
	}
	for _, k := range cases {
		s := sweep(k.sizes...)
		s.XScale = k.scale
		c := s.MRCChart(RequestHitRatio)
		if c.LogX != k.log || s.LogX() != k.log || strings.Contains(c.XLabel, "log scale") != k.log {
			t.Errorf("sizes %v scale %s: chart log %v (%q), LogX %v; want %v", k.sizes, ScaleNames[k.scale], c.LogX, c.XLabel, s.LogX(), k.log)
		}
	}
	for _, name := range []string{"log", "linear", "auto"} {
		if sc, err := ParseScale(name); err != nil || ScaleNames[sc] != name {
			t.Errorf("ParseScale(%q) = %v, %v", name, sc, err)
		}
	}
	if _, err := ParseScale("lin"); err == nil || !strings.Contains(err.Error(), "log, linear") {
		t.Errorf("ParseScale(lin): %v, want an error listing the names", err)
	}
}

// TestMRCChartCeiling: the unlimited cache's hit ratio, 1 - 150/1000 = 85%
// (byte: 1 - 300/1000 = 70%), is a gray dashed line across the sizes.
func TestMRCChartCeiling(t *testing.T) {
	s := twelveSweep()
	for m, want := range map[Metric]float64{RequestHitRatio: 85, ByteHitRatio: 70} {
		c := s.MRCChart(m)
		top := c.Series[len(c.Series)-1]
		if !top.Gray || !top.Dashed || !slices.Equal(top.X, []float64{100, 100000}) || math.Abs(top.Y[0]-want) > 1e-9 || top.Y[0] != top.Y[1] {
			t.Errorf("%s: ceiling series %+v, want a gray dashed line at %g%% from 100 to 100000", m, top, want)
		}
		if !strings.Contains(top.Name, fmt.Sprintf("unlimited cache %.1f%%", want)) {
			t.Errorf("ceiling named %q", top.Name)
		}
	}
	s.Ceiling = nil
	if c := s.MRCChart(RequestHitRatio); len(c.Series) != 12 {
		t.Errorf("without a ceiling: %d series, want 12", len(c.Series))
	}
}

// TestTimelineClock: 600 requests a second apart from 2023-11-14 22:13:20
// UTC (Unix time 1700000000) in 1-minute windows: the windows' middles are
// at 1700000030, 1700000090, …; a drop 5 minutes in is at 1700000300.
// Without an origin, the same windows are minutes since the start.
func TestTimelineClock(t *testing.T) {
	tr, plan := timedCycle(t)
	st := sim.Replay(tr, newCache(t, 50), sim.Options{Objects: true, Window: plan})
	tl := Timeline{Title: "timed.csv, lru at 50 objects", Plan: plan, Windows: st.Windows, Overall: st.HitRatio(),
		Origin: time.Unix(1700000000, 0), Events: []TimelineEvent{{At: int64(5 * time.Minute), Name: "every entry dropped"}}}
	c := tl.TimelineChart(RequestHitRatio)
	if x := c.Series[0].X; c.XKind != XClock || x[0] != 1700000030 || x[9] != 1700000570 {
		t.Errorf("kind %v, x %v; want clock times 1700000030 … 1700000570", c.XKind, x)
	}
	if c.XLabel != "clock time (UTC) on 2023-11-14" || !strings.Contains(c.Title, "timed.csv") {
		t.Errorf("x label %q, title %q", c.XLabel, c.Title)
	}
	if len(c.Events) != 1 || c.Events[0].X != 1700000300 || c.Events[0].Name != "every entry dropped" {
		t.Errorf("events %+v, want one at 1700000300", c.Events)
	}
	dir := chartDir(t)
	if err := c.Save(filepath.Join(dir, "timeline-clock.png")); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "timeline-clock.png"))
	tl.Origin = time.Time{}
	if c := tl.TimelineChart(RequestHitRatio); c.XKind == XClock || c.Series[0].X[0] != 0.5 || c.Events[0].X != 5 {
		t.Errorf("without an origin: kind %v, x %v, event %v; want minutes 0.5 … and 5", c.XKind, c.Series[0].X, c.Events)
	}
}

// TestClockTicks: 10 minutes from 22:13:20 need a tick every 2 minutes (a
// minute would give 10 > 8 labels): 22:14, 22:16, … 22:22; 20 minutes
// across midnight tick every 5 minutes, the date where the day changes.
func TestClockTicks(t *testing.T) {
	labels := func(lo, hi float64) []string {
		var out []string
		for _, tk := range (clockTicks{}).Ticks(lo, hi) {
			out = append(out, tk.Label)
		}
		return out
	}
	if got := labels(1700000000, 1700000600); !slices.Equal(got, []string{"22:14", "22:16", "22:18", "22:20", "22:22"}) {
		t.Errorf("ticks %v", got)
	}
	midnight := float64(time.Date(2023, 11, 15, 0, 0, 0, 0, time.UTC).Unix())
	if got := labels(midnight-600, midnight+600); !slices.Equal(got, []string{"23:50", "23:55", "Nov 15 00:00", "00:05", "00:10"}) {
		t.Errorf("ticks across midnight %v", got)
	}
	if got := labels(midnight, midnight+5*86400); !slices.Equal(got, []string{"Nov 15", "Nov 16", "Nov 17", "Nov 18", "Nov 19", "Nov 20"}) {
		t.Errorf("ticks over days %v", got)
	}
}

// Points with error bands (estimates from several samples) give the curve
// its band, shaded behind the line in the series' colour, and the title
// says what the shading is.
func TestMRCChartBands(t *testing.T) {
	rep := loopSweep(t)
	for i := range rep.Points {
		hr := rep.Points[i].HitRatio()
		rep.Points[i].Band = &sim.Band{Samples: 5, HitRatioMin: hr * 0.9, HitRatioMax: min(hr*1.05, 1)}
	}
	c := rep.MRCChart(RequestHitRatio)
	lru := c.Series[0]
	if len(lru.Lo) != len(lru.X) || math.Abs(lru.Lo[4]-0.9*lru.Y[4]) > 1e-9 || math.Abs(lru.Hi[4]-min(1.05*lru.Y[4], 100)) > 1e-9 {
		t.Fatalf("band %v..%v around %v", lru.Lo, lru.Hi, lru.Y)
	}
	if !strings.Contains(c.Title, "lowest to highest of 5 samples") {
		t.Errorf("title %q does not explain the shading", c.Title)
	}
	dir := chartDir(t)
	plain, banded := filepath.Join(dir, "plain.svg"), filepath.Join(dir, "banded.svg")
	if err := loopSweep(t).MRCChart(RequestHitRatio).Save(plain); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(banded); err != nil {
		t.Fatal(err)
	}
	p, _ := os.ReadFile(plain)
	b, _ := os.ReadFile(banded)
	// The band is a filled path in a translucent tint: the series' colour at alpha 56/255.
	if strings.Contains(string(p), "fill-opacity:0.2196") || !strings.Contains(string(b), "fill-opacity:0.2196") {
		t.Errorf("the banded chart has no translucent fill, or the plain one has")
	}
}

// textRecorder is a canvas that records the box of every text drawn on
// it, in page coordinates (it follows the canvas's transforms).
type textRecorder struct {
	vg.CanvasSizer
	m     [6]float64 // x' = m0 x + m2 y + m4, y' = m1 x + m3 y + m5
	stack [][6]float64
	texts []drawnText
}

type drawnText struct {
	text string
	box  vg.Rectangle
}

func newTextRecorder() *textRecorder {
	return &textRecorder{CanvasSizer: vgimg.New(chartWidth, chartHeight), m: [6]float64{1, 0, 0, 1, 0, 0}}
}

func (r *textRecorder) Push() { r.stack = append(r.stack, r.m); r.CanvasSizer.Push() }
func (r *textRecorder) Pop() {
	r.m, r.stack = r.stack[len(r.stack)-1], r.stack[:len(r.stack)-1]
	r.CanvasSizer.Pop()
}
func (r *textRecorder) Translate(pt vg.Point) {
	x, y := float64(pt.X), float64(pt.Y)
	r.m[4], r.m[5] = r.m[0]*x+r.m[2]*y+r.m[4], r.m[1]*x+r.m[3]*y+r.m[5]
	r.CanvasSizer.Translate(pt)
}
func (r *textRecorder) Rotate(a float64) {
	c, s := math.Cos(a), math.Sin(a)
	m := r.m
	r.m[0], r.m[2] = m[0]*c+m[2]*s, -m[0]*s+m[2]*c
	r.m[1], r.m[3] = m[1]*c+m[3]*s, -m[1]*s+m[3]*c
	r.CanvasSizer.Rotate(a)
}
func (r *textRecorder) Scale(x, y float64) {
	r.m[0], r.m[1], r.m[2], r.m[3] = r.m[0]*x, r.m[1]*x, r.m[2]*y, r.m[3]*y
	r.CanvasSizer.Scale(x, y)
}

// FillString records the box of the text: its advance from pt, and the
// font size up from the font's descent below the baseline.
func (r *textRecorder) FillString(f font.Face, pt vg.Point, txt string) {
	if strings.TrimSpace(txt) != "" {
		e := f.Extents()
		x0, x1 := float64(pt.X), float64(pt.X+f.Width(txt))
		y0 := float64(pt.Y - e.Descent)
		y1 := y0 + float64(f.Font.Size) // a line's em: lines of a text are that far apart
		box := vg.Rectangle{Min: vg.Point{X: vg.Length(math.Inf(1)), Y: vg.Length(math.Inf(1))}, Max: vg.Point{X: vg.Length(math.Inf(-1)), Y: vg.Length(math.Inf(-1))}}
		for _, c := range [][2]float64{{x0, y0}, {x0, y1}, {x1, y0}, {x1, y1}} {
			x, y := vg.Length(r.m[0]*c[0]+r.m[2]*c[1]+r.m[4]), vg.Length(r.m[1]*c[0]+r.m[3]*c[1]+r.m[5])
			box.Min.X, box.Min.Y, box.Max.X, box.Max.Y = min(box.Min.X, x), min(box.Min.Y, y), max(box.Max.X, x), max(box.Max.Y, y)
		}
		r.texts = append(r.texts, drawnText{txt, box})
	}
	r.CanvasSizer.FillString(f, pt, txt)
}

// overlap reports whether a and b overlap by more than half a point.
func overlap(a, b vg.Rectangle) bool {
	const e = 0.5
	return a.Min.X+e < b.Max.X && b.Min.X+e < a.Max.X && a.Min.Y+e < b.Max.Y && b.Min.Y+e < a.Max.Y
}

// drawnTexts draws c on a recorder and returns the texts drawn and the data area.
func drawnTexts(t *testing.T, c *Chart) ([]drawnText, vg.Rectangle) {
	t.Helper()
	r := newTextRecorder()
	area, err := c.draw(draw.New(r))
	if err != nil {
		t.Fatal(err)
	}
	return r.texts, area
}

// checkTextApart asserts that no two texts drawn on chart c overlap, and
// that none is drawn in its data area: the recommendations are named in
// the legend, not beside the curves.
func checkTextApart(t *testing.T, name string, c *Chart) []drawnText {
	t.Helper()
	texts, area := drawnTexts(t, c)
	for i, a := range texts {
		if overlap(a.box, area) {
			t.Errorf("%s: %q at %v is drawn in the data area %v", name, a.text, a.box, area)
		}
		for _, b := range texts[:i] {
			if overlap(a.box, b.box) {
				t.Errorf("%s: %q at %v overlaps %q at %v", name, a.text, a.box, b.text, b.box)
			}
		}
	}
	return texts
}

// redisSweep is a byte sweep of five policies over eight log-spaced sizes
// from 1 to 64 MiB with many recommendations, as a Redis sizing has them:
// two knees at 1.811 MiB, targets at three sizes, every policy's cost at
// 64 MiB, and nine more marks crowding 4–16 MiB; sizes rounded up.
func redisSweep() *Sweep {
	s := &Sweep{Workload: "redis.monitor", Unit: "bytes", Ceiling: &sim.Ceiling{Requests: 1000, Misses: 220, Bytes: 1000, MissBytes: 210}}
	sizes := sim.LogSizes(1<<20, 64<<20, 8)
	policies := []string{"redis-lru", "redis-lfu", "lru", "s3fifo", "arc"}
	for i, name := range policies {
		for j, size := range sizes {
			s.Points = append(s.Points, sim.Point{Policy: name, Size: size, Stats: sim.Stats{Requests: 1000, Hits: uint64(70 + 90*j + 15*i)}})
		}
	}
	rec := func(policy, method string, size int64) {
		hits := 0.0
		for _, p := range s.Points {
			if p.Policy == policy && p.Size == size {
				hits = p.HitRatio()
			}
		}
		s.Recommendations = append(s.Recommendations, Recommendation{Policy: policy, Method: method, Found: true, Size: size,
			RoundedSize: RoundUp(size, true, 0), HitRatio: hits, Target: 0.6})
	}
	rec("redis-lru", MethodKneedle, sizes[1])
	rec("redis-lfu", MethodKneedle, sizes[1])
	rec("redis-lru", MethodTarget, sizes[6])
	rec("redis-lfu", MethodTarget, sizes[5])
	rec("lru", MethodTarget, sizes[5])
	rec("s3fifo", MethodTarget, sizes[4])
	rec("arc", MethodTarget, sizes[4])
	for _, p := range policies {
		rec(p, MethodCost, sizes[7])
	}
	for i, p := range policies { // marginal gain and knees crowding 4–16 MiB
		rec(p, MethodMarginalGain, sizes[3+i%3])
		if i > 1 {
			rec(p, MethodKneedle, sizes[3+(i+1)%3])
		}
	}
	return s
}

// TestMRCChartTextApart: on the crowded Redis sweep, the twelve-policy
// sweep and the loop sweep, no drawn text overlaps another and none lies
// in the data area; every one of the (at most ten) swept sizes has its
// tick label; the legend names each rule in plain words, one entry per
// group of policies sharing a recommendation.
func TestMRCChartTextApart(t *testing.T) {
	redis := redisSweep()
	for name, c := range map[string]*Chart{"redis": redis.MRCChart(RequestHitRatio), "twelve": twelveSweep().MRCChart(RequestHitRatio),
		"loop": loopSweep(t).MRCChart(RequestHitRatio)} {
		texts := checkTextApart(t, name, c)
		drawn := map[string]bool{}
		for _, tx := range texts {
			drawn[tx.text] = true
		}
		st := sizeTicks{kind: c.XKind}
		for _, x := range c.sweptX() {
			if !drawn[st.label(x)] {
				t.Errorf("%s: no tick label %q for the swept size %g", name, st.label(x), x)
			}
		}
		all := strings.Join(slices.Collect(maps.Keys(drawn)), "\n")
		if strings.Contains(all, " gain") {
			t.Errorf("%s: a drawn text says gain", name)
		}
	}
	c := redis.MRCChart(RequestHitRatio)
	if len(c.sweptX()) != 8 {
		t.Fatalf("redis sweep: %d swept sizes labelled, want 8", len(c.sweptX()))
	}
	entries := map[string]bool{}
	for _, m := range c.Marks {
		entries[m.Label] = true
	}
	for _, want := range []string{"knee of the curve: 1.811 → 1.9 MiB (redis-lru, redis-lfu)", "least cost: 64 MiB (every policy)",
		"target 60%: 35.33 → 36 MiB (redis-lru)", "diminishing returns: 5.944 → 6 MiB (redis-lru, s3fifo)",
		"diminishing returns, target 60%: 10.77 → 11 MiB (arc)"} {
		if !entries[want] {
			t.Errorf("no legend entry %q in %v", want, entries)
		}
	}
	path := filepath.Join(chartDir(t), "redis.png")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, path)
}

// TestSizeTicksLabelEverySweptSize: up to ten swept sizes each get a
// label on a log or linear axis, a crowded one on a second row; more than
// ten get round sizes instead.
func TestSizeTicksLabelEverySweptSize(t *testing.T) {
	style := text.Style{Font: font.From(plot.DefaultFont, 10), Handler: plot.DefaultTextHandler}
	labels := func(tk sizeTicks, lo, hi float64) []string {
		var out []string
		for _, k := range tk.Ticks(lo, hi) {
			if k.Label != "" {
				out = append(out, k.Label)
			}
		}
		return out
	}
	sizes := []float64{1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20, 128 << 20, 256 << 20, 512 << 20}
	got := labels(sizeTicks{kind: XBytes, log: true, at: sizes, width: 500, style: style}, 1<<20, 512<<20)
	if !slices.Equal(got, []string{"1MiB", "2MiB", "4MiB", "8MiB", "16MiB", "32MiB", "64MiB", "128MiB", "256MiB", "512MiB"}) {
		t.Errorf("log bytes: labels %v", got)
	}
	// 1000 and 1100 on a linear axis to 100,000: the second goes a row down.
	got = labels(sizeTicks{kind: XObjects, at: []float64{1000, 1100, 50000, 100000}, width: 500, style: style}, 0, 100000)
	if !slices.Equal(got, []string{"1k", "\n1.1k", "50k", "100k"}) {
		t.Errorf("linear objects: labels %q", got)
	}
}

// TestMRCChartUnits: the size axis names the unit the trace means: blocks
// for a prompt trace's block counts, objects for object counts, and no
// count for bytes (the ticks carry their units).
func TestMRCChartUnits(t *testing.T) {
	s := twelveSweep()
	if c := s.MRCChart(RequestHitRatio); !strings.HasPrefix(c.XLabel, "cache size (objects)") {
		t.Errorf("objects: x label %q", c.XLabel)
	}
	s.Prefix = &Prefix{}
	if c := s.MRCChart(TokenHitRatio); !strings.HasPrefix(c.XLabel, "cache size (blocks)") {
		t.Errorf("prompt trace: x label %q, want blocks", c.XLabel)
	}
	if c := redisSweep().MRCChart(RequestHitRatio); c.XLabel != "cache size, log scale" || c.XKind != XBytes {
		t.Errorf("bytes: x label %q", c.XLabel)
	}
}

// TestWrapKeepsSizesWhole: a legend entry wraps at a space, but not
// between a number and its unit.
func TestWrapKeepsSizesWhole(t *testing.T) {
	width := func(s string) vg.Length { return vg.Length(len(s)) } // a point a character
	got := wrapText("diminishing returns, knee of the curve: 64 GiB (lru, radix)", width, 42)
	if want := "diminishing returns, knee of the curve:\n64 GiB (lru, radix)"; got != want {
		t.Errorf("wrapped %q, want %q", got, want)
	}
	if got := wrapText("a curve at 64 Bees", width, 15); got != "a curve at 64\nBees" {
		t.Errorf("wrapped %q: a word starting with B is not a unit", got)
	}
}
