package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// XKind says what a chart's x values are and how to label them.
type XKind int

const (
	// XPlain values get plain number labels.
	XPlain XKind = iota
	// XObjects are object counts, labelled 500, 10k, 1.5M.
	XObjects
	// XBytes are byte sizes, labelled in binary units (64 KiB, 1 GiB).
	XBytes
)

// Chart is the data of a chart and how to show it. Build one with
// MRCChart, LatencyChart or TimelineChart; Save draws it.
type Chart struct {
	Title  string
	XLabel string
	YLabel string
	XKind  XKind
	// LogX draws the x axis in log scale.
	LogX bool
	// YMin and YMax fix the y range when YMax > YMin.
	YMin, YMax float64
	Series     []Series
	Marks      []Mark
}

// Series is one line of a chart.
type Series struct {
	Name string
	X, Y []float64
	// Style picks the colour (and marker shape); series of one policy share it.
	Style   int
	Dashed  bool
	Markers bool
	// Gray draws a reference line (a baseline) in gray.
	Gray bool
	// Lo and Hi, when set (as long as X), bound a band drawn shaded behind
	// the line: the spread of an estimate over independent samples.
	Lo, Hi []float64
}

// Mark is a labelled point drawn over the curves (a recommended size).
type Mark struct {
	X, Y  float64
	Label string
	Style int
}

// ChartFormats are the file name extensions Save understands.
var ChartFormats = []string{".png", ".svg"}

// CheckChartPath reports whether Save can write a chart to path (by its
// extension), so a command can fail before it does any work.
func CheckChartPath(flag, path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range ChartFormats {
		if ext == f {
			return nil
		}
	}
	return fmt.Errorf("%s %q: the file name must end in %s (the format follows the extension)", flag, path, strings.Join(ChartFormats, " or "))
}

// Chart size on the page; PNGs are drawn at chartDPI.
const (
	chartWidth  = 9 * vg.Inch
	chartHeight = 5.5 * vg.Inch
	chartDPI    = 110
)

// Save draws the chart to path, a PNG or SVG by its extension, atomically.
func (c *Chart) Save(path string) error {
	if err := CheckChartPath("chart", path); err != nil {
		return err
	}
	return WriteFile(path, func(w io.Writer) error {
		var cv interface {
			vg.CanvasSizer
			io.WriterTo
		}
		if strings.ToLower(filepath.Ext(path)) == ".svg" {
			cv = vgsvg.New(chartWidth, chartHeight)
		} else {
			cv = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(chartDPI))}
		}
		if err := c.draw(draw.New(cv)); err != nil {
			return err
		}
		_, err := cv.WriteTo(w)
		return err
	})
}

// draw renders the chart on dc: the plot on the left, the legend in a
// column of its own on the right, so that it never covers a curve.
func (c *Chart) draw(dc draw.Canvas) error {
	p := plot.New()
	p.Title.Text = c.Title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text, p.Y.Label.Text = c.XLabel, c.YLabel
	p.X.Label.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	p.Add(&plotter.Grid{Vertical: draw.LineStyle{Color: color.Gray{Y: 225}, Width: vg.Points(0.5)},
		Horizontal: draw.LineStyle{Color: color.Gray{Y: 225}, Width: vg.Points(0.5)}})
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = vg.Points(28)
	legend.TextStyle.Font.Size = vg.Points(10)
	legend.Padding = vg.Points(3)
	for _, s := range c.Series {
		xys := make(plotter.XYs, len(s.X))
		for i := range s.X {
			xys[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
		}
		if err := s.addBand(p); err != nil {
			return fmt.Errorf("chart %q, series %s: %w", c.Title, s.Name, err)
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("chart %q, series %s: %w", c.Title, s.Name, err)
		}
		line.Color, line.Width = plotutil.Color(s.Style), vg.Points(1.8)
		if s.Gray {
			line.Color, line.Width = color.Gray{Y: 110}, vg.Points(1.2)
		}
		if s.Dashed {
			line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		p.Add(line)
		thumbs := []plot.Thumbnailer{line}
		if s.Markers {
			pts, err := plotter.NewScatter(xys)
			if err != nil {
				return err
			}
			pts.Color, pts.Shape, pts.Radius = line.Color, plotutil.Shape(s.Style), vg.Points(3)
			p.Add(pts)
			thumbs = append(thumbs, pts)
		}
		legend.Add(s.Name, thumbs...)
	}
	if err := c.addMarks(p, &legend); err != nil {
		return err
	}
	c.setAxes(p)
	// The legend gets a column as wide as its longest entry.
	lw := legend.TextStyle.Width("recommended")
	for _, s := range c.Series {
		lw = max(lw, legend.TextStyle.Width(s.Name))
	}
	// SVG viewers may substitute a wider font: leave a quarter more room.
	lw = lw*5/4 + legend.ThumbnailWidth + vg.Points(24)
	p.Draw(draw.Crop(dc, vg.Points(4), -lw, vg.Points(4), -vg.Points(8)))
	lc := draw.Crop(dc, dc.Max.X-dc.Min.X-lw+vg.Points(8), 0, 0, -vg.Points(40))
	legend.Draw(lc)
	return nil
}

// addMarks draws the marks as rings with labels beside them, moving a
// label down (or up) a line when it would cover another, and dropping a
// label that repeats its neighbour's (the same rule at the same size for two
// policies whose curves run together).
func (c *Chart) addMarks(p *plot.Plot, legend *plot.Legend) error {
	if len(c.Marks) == 0 {
		return nil
	}
	var placed []vg.Rectangle
	type shown struct {
		x, y   vg.Length
		label  string
		labels *plotter.Labels
	}
	var done []shown
	for _, m := range c.Marks {
		ring, err := plotter.NewScatter(plotter.XYs{{X: m.X, Y: m.Y}})
		if err != nil {
			return err
		}
		ring.Shape, ring.Color, ring.Radius = draw.RingGlyph{}, plotutil.Color(m.Style), vg.Points(7)
		p.Add(ring)

		l, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: m.X, Y: m.Y}}, Labels: []string{m.Label}})
		if err != nil {
			return err
		}
		ts := &l.TextStyle[0]
		ts.Font.Size = vg.Points(9)
		ts.Color = plotutil.Color(m.Style)
		ts.YAlign = draw.YTop // below-right of the ring: curves rise to the right
		x, y := c.approxPoint(m.X, m.Y)
		dup := false
		for _, d := range done {
			if d.label == m.Label && math.Abs((d.x-x).Points()) < 30 && math.Abs((d.y-y).Points()) < 30 {
				dup = true
				d.labels.TextStyle[0].Color = color.Gray{Y: 60} // it speaks for several policies now
			}
		}
		if dup {
			continue
		}
		done = append(done, shown{x, y, m.Label, l})
		w, h := ts.Width(m.Label), ts.Height(m.Label)+vg.Points(2)
		off := vg.Point{X: vg.Points(8), Y: -vg.Points(8)}
		box := func() vg.Rectangle {
			top := y + off.Y
			return vg.Rectangle{Min: vg.Point{X: x + off.X, Y: top - h}, Max: vg.Point{X: x + off.X + w, Y: top}}
		}
		for tries := 0; tries < 6 && collides(box(), placed); tries++ {
			off.Y -= h
		}
		if collides(box(), placed) || y+off.Y-h < 0 { // no room below: above the ring instead
			off.Y = vg.Points(8) + h
			for tries := 0; tries < 6 && collides(box(), placed); tries++ {
				off.Y += h
			}
		}
		placed = append(placed, box())
		l.Offset = off
		p.Add(l)
	}
	ring, _ := plotter.NewScatter(plotter.XYs{{}})
	ring.Shape, ring.Color, ring.Radius = draw.RingGlyph{}, color.Gray{Y: 60}, vg.Points(5)
	legend.Add("recommended", ring)
	return nil
}

// collides reports whether r overlaps any of rs.
func collides(r vg.Rectangle, rs []vg.Rectangle) bool {
	for _, o := range rs {
		if r.Min.X < o.Max.X && o.Min.X < r.Max.X && r.Min.Y < o.Max.Y && o.Min.Y < r.Max.Y {
			return true
		}
	}
	return false
}

// Approximate size of the data area, for placing labels before drawing.
const (
	approxDataWidth  = 560
	approxDataHeight = 330
)

// approxPoint maps a data point to approximate points on the data area.
func (c *Chart) approxPoint(x, y float64) (vg.Length, vg.Length) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, v := range s.X {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	nx := 0.5
	if hi > lo {
		nx = (x - lo) / (hi - lo)
		if c.LogX && lo > 0 {
			nx = math.Log(x/lo) / math.Log(hi/lo)
		}
	}
	ny := 0.5
	if c.YMax > c.YMin {
		ny = (y - c.YMin) / (c.YMax - c.YMin)
	}
	return vg.Points(nx * approxDataWidth), vg.Points(ny * approxDataHeight)
}

// setAxes fixes the ranges and the size labels.
func (c *Chart) setAxes(p *plot.Plot) {
	if c.YMax > c.YMin {
		p.Y.Min, p.Y.Max = c.YMin, c.YMax
	}
	if p.X.Min == p.X.Max { // one size: give the axis some width
		d := math.Max(math.Abs(p.X.Min)*0.1, 1)
		if c.LogX {
			p.X.Min, p.X.Max = p.X.Min/2, p.X.Max*2
		} else {
			p.X.Min, p.X.Max = p.X.Min-d, p.X.Max+d
		}
	}
	if c.LogX && p.X.Min > 0 {
		p.X.Scale = plot.LogScale{}
		// A little room either side, so the end markers are not cut in half.
		p.X.Min, p.X.Max = p.X.Min/math.Pow(p.X.Max/p.X.Min, 0.02), p.X.Max*math.Pow(p.X.Max/p.X.Min, 0.02)
	} else {
		pad := (p.X.Max - p.X.Min) * 0.02
		p.X.Min, p.X.Max = p.X.Min-pad, p.X.Max+pad
	}
	p.X.Tick.Marker = sizeTicks{kind: c.XKind, log: c.LogX && p.X.Min > 0, at: c.sweptX()}
	p.Y.Tick.Marker = niceTicks{}
}

// sweptX returns the distinct x values of the series drawn with markers
// when there are few of them (they then make the best linear ticks).
func (c *Chart) sweptX() []float64 {
	if c.XKind == XPlain {
		return nil
	}
	seen := map[float64]bool{}
	var xs []float64
	for _, s := range c.Series {
		if !s.Markers {
			continue
		}
		for _, x := range s.X {
			if !seen[x] {
				seen[x] = true
				xs = append(xs, x)
			}
		}
	}
	if len(xs) > 12 {
		return nil
	}
	// Only when no two would print on top of each other.
	slices.Sort(xs)
	for i := 1; i < len(xs); i++ {
		a, _ := c.approxPoint(xs[i-1], 0)
		b, _ := c.approxPoint(xs[i], 0)
		if (b - a).Points() < 40 {
			return nil
		}
	}
	return xs
}

// niceTicks puts 4 to 10 labelled ticks on 1, 2 or 5 times a power of ten.
type niceTicks struct{}

// Ticks returns the ticks between lo and hi.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/4)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if (hi-lo)/(m*step) <= 10 {
			step *= m
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(math.Round(v/step)*step+0, 'g', 6, 64)}) // +0 turns -0 into 0
		if m := v + step/2; m < hi {
			ticks = append(ticks, plot.Tick{Value: m})
		}
	}
	return ticks
}

// sizeTicks labels an axis of sizes in human units.
type sizeTicks struct {
	kind XKind
	log  bool
	at   []float64 // on a linear axis, tick these (the swept sizes) when set
}

// Ticks returns the ticks between lo and hi.
func (t sizeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	switch {
	case t.log && t.kind == XBytes:
		// Powers of two; every one a minor tick, every 1st, 2nd, 4th or 10th labelled (64KiB, 1MiB, 16MiB).
		a, b := int(math.Floor(math.Log2(lo))), int(math.Ceil(math.Log2(hi)))
		step := 20
		for _, st := range []int{1, 2, 4, 10, 20} {
			if (b-a)/st <= 7 {
				step = st
				break
			}
		}
		for e := a; e <= b; e++ {
			v := math.Exp2(float64(e))
			tk := plot.Tick{Value: v}
			if e%step == 0 {
				tk.Label = t.label(v)
			}
			ticks = append(ticks, tk)
		}
	case t.log:
		// Powers of ten, with 2 and 5 labelled too over a few decades.
		a, b := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
		for e := a; e <= b; e++ {
			for m := 1; m < 10; m++ {
				v := float64(m) * math.Pow10(e)
				tk := plot.Tick{Value: v}
				if m == 1 || (b-a <= 3 && (m == 2 || m == 5)) {
					tk.Label = t.label(v)
				}
				ticks = append(ticks, tk)
			}
		}
	case len(t.at) > 0:
		for _, v := range t.at {
			ticks = append(ticks, plot.Tick{Value: v, Label: t.label(v)})
		}
	case t.kind == XBytes:
		// A power-of-two step giving at most 8 labels.
		step := math.Exp2(math.Ceil(math.Log2(math.Max((hi-lo)/8, 1))))
		for v := math.Ceil(lo/step) * step; v <= hi; v += step {
			ticks = append(ticks, plot.Tick{Value: v, Label: t.label(v)})
		}
	case t.kind == XPlain:
		return niceTicks{}.Ticks(lo, hi)
	default:
		for _, tk := range (niceTicks{}).Ticks(lo, hi) {
			if tk.Label != "" {
				tk.Label = t.label(tk.Value)
			}
			ticks = append(ticks, tk)
		}
	}
	return ticks
}

func (t sizeTicks) label(v float64) string {
	if v == 0 {
		v = 0 // not "-0"
	}
	switch t.kind {
	case XBytes:
		return strings.Replace(sim.FormatSize(int64(math.Round(v)), true), " ", "", 1)
	case XObjects:
		return humanCount(v)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// humanCount renders a count short: 950, 1.5k, 20k, 3M, 1.2G.
func humanCount(v float64) string {
	for _, u := range []struct {
		div  float64
		name string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= u.div {
			return strconv.FormatFloat(v/u.div, 'g', 4, 64) + u.name
		}
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// percentRange returns a y range from 0 to a round number above the
// largest value in percent (at most 100).
func percentRange(series []Series) (lo, hi float64) {
	top := 0.0
	for _, s := range series {
		for _, y := range s.Y {
			top = math.Max(top, y)
		}
		for _, y := range s.Hi {
			top = math.Max(top, y)
		}
	}
	return 0, math.Min(100, math.Max(10, math.Ceil(top*1.08/10)*10))
}

// addBand shades the series' band (Lo to Hi) in a light tint of its colour.
func (s *Series) addBand(p *plot.Plot) error {
	if len(s.Lo) != len(s.X) || len(s.Hi) != len(s.X) || len(s.X) == 0 {
		return nil
	}
	outline := make(plotter.XYs, 0, 2*len(s.X))
	for i := range s.X { // along the top, then back along the bottom
		outline = append(outline, plotter.XY{X: s.X[i], Y: s.Hi[i]})
	}
	for i := len(s.X) - 1; i >= 0; i-- {
		outline = append(outline, plotter.XY{X: s.X[i], Y: s.Lo[i]})
	}
	band, err := plotter.NewPolygon(outline)
	if err != nil {
		return err
	}
	r, g, b, _ := plotutil.Color(s.Style).RGBA()
	band.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 56}
	band.LineStyle.Width = 0
	p.Add(band)
	return nil
}
