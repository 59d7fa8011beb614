package report

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
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
	// Kneedle and the 85% target agree on 1250 for lru; for fifo (89.8%) too.
	want := []Mark{{X: 1250, Y: lru.Y[4], Label: "knee+target: 1250", Style: 0}, {X: 1250, Y: c.Series[1].Y[4], Label: "knee+target: 1250", Style: 1}}
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
	checkSVG(t, filepath.Join(dir, "mrc.svg"), "loop.trace.gz", "knee+target: 1250", "recommended")
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
	rep := &Sweep{Workload: "cycle", Unit: "objects", Points: points, Latency: NewLatencyReport(points, lat.Uncached, 1)}
	c := rep.LatencyChart()
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

func TestTimelineChart(t *testing.T) {
	// 600 requests 1s apart over 10 minutes; keys cycle over 50, so LRU of 50
	// misses the first 50 and hits everything after.
	tr := traces.NewTrace("timed", traces.Fields{Time: true})
	for i := 0; i < 600; i++ {
		tr.Append(&traces.Request{Key: uint64(i % 50), Size: 1, Time: int64(i) * int64(time.Second)})
	}
	plan, err := sim.PlanWindows(tr, sim.Window{Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	points, _ := latencySweep(t, tr, "1ms", 50) // for the overall hit ratio
	st := sim.ReplayWith(tr, newCache(t, 50), sim.Options{Objects: true, Window: plan})
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
	// The band is a filled path in a translucent tint: plotutil's first colour at alpha 56/255.
	if strings.Contains(string(p), "fill-opacity:0.2196") || !strings.Contains(string(b), "fill-opacity:0.2196") {
		t.Errorf("the banded chart has no translucent fill, or the plain one has")
	}
}
