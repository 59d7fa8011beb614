package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/cachesim/cachesim/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
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
	// XClock are clock times in seconds since the Unix epoch, labelled in
	// UTC (15:04, Jan 2).
	XClock
	// XDuration are durations in seconds, labelled 30s, 5m, 1h, 2d.
	XDuration
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
	// Marks are the recommended points, each named in the legend under
	// MarksTitle ("" : "recommended sizes:").
	Marks      []Mark
	MarksTitle string
	// Events are moments drawn as vertical lines across the plot (the
	// drops of every cached entry on a timeline).
	Events []Event
	// Bars make a bar chart: one bar a category, at x 0, 1, 2…, named on
	// the x axis; Series are then reference lines across them.
	Bars []Bar
	// Lower, when set, is a second panel drawn below this one on the same
	// x axis (its title and x label unused): the rates beside a timeline's
	// hit ratio.
	Lower *Chart
}

// Event is a vertical line at X; events of one Name share a legend entry.
type Event struct {
	X    float64
	Name string
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
	// PatternByStyle draws the line in its Style's dash pattern (solid,
	// dashed, dotted, dash-dot), so that many series stay apart.
	PatternByStyle bool
	// Estimate draws a model's prediction beside a measured series of the
	// same Style: thin, in sparse short dashes no Style uses.
	Estimate bool
}

// lineStyle is the series' line: its Style's colour (gray for a reference
// line), dashed when Dashed, or in its Style's pattern when PatternByStyle.
func (s Series) lineStyle() draw.LineStyle {
	ls := draw.LineStyle{Color: styleColor(s.Style), Width: vg.Points(1.8)}
	if s.Gray {
		ls.Color, ls.Width = referenceGray, vg.Points(1.2)
	}
	switch {
	case s.Estimate:
		ls.Width, ls.Dashes = vg.Points(1.1), estimateDashes
	case s.Dashed:
		ls.Dashes = dashPatterns[1]
	case s.PatternByStyle:
		ls.Dashes = styleDashes(s.Style)
	}
	return ls
}

// Mark is a recommended point drawn over the curves: a marker in its
// policy's colour (Style) and its rule's shape (Rule, an index of
// ruleOrder), named by the legend entry Label, which marks of several
// policies may share.
type Mark struct {
	X, Y  float64
	Label string
	Style int
	Rule  int
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
	return WriteFile(path, c.Writer(path))
}

// Writer returns a function that draws the chart to w in the format of
// path's extension (SVG for .svg, else PNG), for Files.Add.
func (c *Chart) Writer(path string) func(io.Writer) error {
	return func(w io.Writer) error {
		var cv interface {
			vg.CanvasSizer
			io.WriterTo
		}
		if strings.ToLower(filepath.Ext(path)) == ".svg" {
			cv = vgsvg.New(chartWidth, chartHeight)
		} else {
			cv = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(chartDPI))}
		}
		if _, err := c.draw(draw.New(cv)); err != nil {
			return err
		}
		_, err := cv.WriteTo(w)
		return err
	}
}

// draw renders the chart on dc: the plot on the left, the legend in a
// column of its own on the right, so that it never covers a curve; a
// Lower panel goes below, on the same x axis, its legend beside it. It
// returns the (upper) plot's data area, where nothing but the data is
// drawn.
func (c *Chart) draw(dc draw.Canvas) (vg.Rectangle, error) {
	width := dc.Max.X - dc.Min.X
	p, legend, err := c.build()
	if err != nil {
		return vg.Rectangle{}, err
	}
	// The legend gets a column as wide as its longest entry, up to 3/8 of
	// the chart; longer entries wrap.
	lw := legend.width(width * 3 / 8)
	var q *plot.Plot
	var lower *legendColumn
	if c.Lower != nil {
		if q, lower, err = c.Lower.build(); err != nil {
			return vg.Rectangle{}, err
		}
		lw = max(lw, lower.width(width*3/8))
	}
	c.setAxes(p, width-lw-vg.Points(70))
	if q != nil {
		c.Lower.setAxes(q, width-lw-vg.Points(70))
		p.X.Min, p.X.Max = min(p.X.Min, q.X.Min), max(p.X.Max, q.X.Max)
		q.X = p.X // the same axis, ticks and range: both panels' data
		q.X.Label.Text, p.X.Label.Text = p.X.Label.Text, ""
	}
	// The title is centred over the plot, beside the legend: wrap it to fit.
	p.Title.Text = wrapText(c.Title, p.Title.TextStyle.Width, width-lw-vg.Points(8))
	area := draw.Crop(dc, vg.Points(4), -lw, vg.Points(4), -vg.Points(8))
	column := func(panel draw.Canvas) draw.Canvas { // the legend's, beside a panel
		return draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: dc.Max.X - lw + legendGap, Y: panel.Min.Y},
			Max: vg.Point{X: dc.Max.X, Y: panel.Max.Y - vg.Points(40)}}}
	}
	if q == nil {
		p.Draw(area)
		legend.draw(column(dc))
		return p.DataCanvas(area).Rectangle, nil
	}
	panels := plot.Align([][]*plot.Plot{{p}, {q}}, draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(12)}, area)
	p.Draw(panels[0][0])
	q.Draw(panels[1][0])
	legend.draw(column(draw.Canvas{Rectangle: vg.Rectangle{Min: vg.Point{Y: panels[0][0].Min.Y}, Max: vg.Point{Y: dc.Max.Y}}}))
	lower.draw(column(draw.Canvas{Rectangle: vg.Rectangle{Min: vg.Point{Y: dc.Min.Y}, Max: vg.Point{Y: panels[1][0].Max.Y + vg.Points(40)}}}))
	return p.DataCanvas(panels[0][0]).Rectangle, nil
}

// build makes the chart's plot and legend; the axes are set by draw,
// once the legend's width is known.
func (c *Chart) build() (*plot.Plot, *legendColumn, error) {
	p := plot.New()
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text, p.Y.Label.Text = c.XLabel, c.YLabel
	p.X.Label.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	grid := &plotter.Grid{Vertical: draw.LineStyle{Color: color.Gray{Y: 225}, Width: vg.Points(0.5)},
		Horizontal: draw.LineStyle{Color: color.Gray{Y: 225}, Width: vg.Points(0.5)}}
	if len(c.Bars) > 0 {
		grid.Vertical.Color = nil // categories: no lines through the bars
	}
	p.Add(grid)
	legend := newLegend()
	if len(c.Bars) > 0 {
		p.Add(barLayer{bars: c.Bars})
	}
	for _, s := range c.Series {
		xys := make(plotter.XYs, len(s.X))
		for i := range s.X {
			xys[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
		}
		if err := s.addBand(p); err != nil {
			return nil, nil, fmt.Errorf("chart %q, series %s: %w", c.Title, s.Name, err)
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, nil, fmt.Errorf("chart %q, series %s: %w", c.Title, s.Name, err)
		}
		line.LineStyle = s.lineStyle()
		p.Add(line)
		thumbs := []plot.Thumbnailer{line}
		if s.Markers {
			pts, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, nil, err
			}
			pts.Color, pts.Shape, pts.Radius = line.Color, styleShape(s.Style), vg.Points(3)
			p.Add(pts)
			thumbs = append(thumbs, pts)
		}
		legend.add(s.Name, thumbs...)
	}
	if len(c.Bars) > 0 {
		p.Add(barLabelLayer{bars: c.Bars, refs: c.references()})
	}
	if err := c.addEvents(p, legend); err != nil {
		return nil, nil, err
	}
	if err := c.addMarks(p, legend); err != nil {
		return nil, nil, err
	}
	return p, legend, nil
}

// legendColumn is a chart's legend: its entries top down in a column of
// their own, each a thumbnail and a text that wraps to the column.
type legendColumn struct {
	style   text.Style
	thumbW  vg.Length
	gap     vg.Length // between entries
	entries []legendEntry
}

type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

func newLegend() *legendColumn {
	return &legendColumn{thumbW: vg.Points(28), gap: vg.Points(3),
		style: text.Style{Color: color.Black, Font: font.From(plot.DefaultFont, 10), Handler: plot.DefaultTextHandler,
			XAlign: draw.XLeft, YAlign: draw.YTop}}
}

// add appends an entry.
func (l *legendColumn) add(name string, thumbs ...plot.Thumbnailer) {
	l.entries = append(l.entries, legendEntry{text: name, thumbs: thumbs})
}

// textX is the offset of an entry's text from the column's left edge.
func (l *legendColumn) textX() vg.Length { return l.thumbW + vg.Points(5) }

// width returns the width the column needs, at most limit: longer
// entries wrap. SVG viewers may substitute a wider font: it leaves a
// tenth more room.
func (l *legendColumn) width(limit vg.Length) vg.Length {
	w := vg.Length(0)
	for _, e := range l.entries {
		w = max(w, l.style.Width(e.text))
	}
	return min(w*11/10+l.textX()+legendGap+vg.Points(4), limit)
}

// lines wraps an entry's text to a legend canvas of width w (the
// column less legendGap).
func (l *legendColumn) lines(txt string, w vg.Length) string {
	return wrapText(txt, l.style.Width, (w-l.textX()-vg.Points(4))*10/11+vg.Points(0.5)) // past the rounding of width's
}

// legendGap is the room between the plot and the legend.
const legendGap = vg.Length(8)

// draw draws the entries from the top of c down, each thumbnail beside
// the first line of its text.
func (l *legendColumn) draw(c draw.Canvas) {
	y := c.Max.Y
	lineH := l.style.Height("M")
	for _, e := range l.entries {
		txt := l.lines(e.text, c.Max.X-c.Min.X)
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: y - lineH}, Max: vg.Point{X: c.Min.X + l.thumbW, Y: y}}}
		for _, t := range e.thumbs {
			t.Thumbnail(&icon)
		}
		c.FillText(l.style, vg.Point{X: c.Min.X + l.textX(), Y: y}, txt)
		y -= l.style.Height(txt) + l.gap
	}
}

// wrapText breaks text into lines no wider than max (as width measures
// them), at the spaces, commas or colons nearest the end of each line; a
// word wider than max stays whole.
func wrapText(text string, width func(string) vg.Length, max vg.Length) string {
	var lines []string
	for width(text) > max {
		cut := -1
		for i := 1; i < len(text); i++ {
			if c := text[i-1]; (c == ' ' || c == ',' || c == ':') && !unitAt(text, i) && width(text[:i]) <= max {
				cut = i
			}
		}
		if cut <= 0 {
			break
		}
		lines = append(lines, strings.TrimRight(text[:cut], " "))
		text = strings.TrimLeft(text[cut:], " ")
	}
	return strings.Join(append(lines, text), "\n")
}

// unitAt reports whether text continues at i with a size's unit after a
// number and a space ("64 GiB"), which wrapText keeps on one line.
func unitAt(text string, i int) bool {
	if i < 2 || text[i-1] != ' ' || text[i-2] < '0' || text[i-2] > '9' {
		return false
	}
	for _, u := range []string{"B", "KiB", "MiB", "GiB", "TiB"} {
		if rest, ok := strings.CutPrefix(text[i:], u); ok && (rest == "" || !unicode.IsLetter(rune(rest[0]))) {
			return true
		}
	}
	return false
}

// setAxes fixes the ranges and the size labels; width is about the
// width of the data area, for keeping the size labels apart.
func (c *Chart) setAxes(p *plot.Plot, width vg.Length) {
	if c.YMax > c.YMin {
		p.Y.Min, p.Y.Max = c.YMin, c.YMax
	}
	p.Y.Tick.Marker = niceTicks{}
	if len(c.Bars) > 0 {
		p.X.Min, p.X.Max = -0.5, float64(len(c.Bars))-0.5
		p.X.Tick.Marker = barTicks(c.Bars)
		return
	}
	if p.X.Min == p.X.Max { // one size: give the axis some width
		d := math.Max(math.Abs(p.X.Min)*0.1, 1)
		if c.XKind == XClock {
			d = 60 // a minute either side
		}
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
	p.X.Tick.Marker = sizeTicks{kind: c.XKind, log: c.LogX && p.X.Min > 0, at: c.sweptX(), width: width, style: p.X.Tick.Label}
	switch c.XKind {
	case XClock:
		p.X.Tick.Marker = clockTicks{}
	case XDuration:
		p.X.Tick.Marker = durationTicks{}
		if at := c.sweptX(); at != nil {
			p.X.Tick.Marker = sizeTicks{kind: XDuration, log: c.LogX && p.X.Min > 0, at: at, width: width, style: p.X.Tick.Label}
		}
	}
}

// durationTicks labels an axis of durations in seconds at round values:
// 1s, 10s, 1m, 5m, 1h, 6h, 1d, …, at most 10 of them.
type durationTicks struct{}

// roundDurations are the values durationTicks may label, in seconds.
var roundDurations = []float64{0.001, 0.01, 0.1, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600,
	3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 30 * 86400, 365 * 86400}

// Ticks returns the ticks between lo and hi.
func (durationTicks) Ticks(lo, hi float64) []plot.Tick {
	var in []float64
	for _, v := range roundDurations {
		if v >= lo && v <= hi {
			in = append(in, v)
		}
	}
	step := (len(in) + 9) / 10
	var ticks []plot.Tick
	for i, v := range in {
		label := ""
		if i%max(step, 1) == 0 {
			label = sim.FormatTTL(time.Duration(v * 1e9))
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// MaxLabelledSizes is the most swept sizes that each get a label on the
// size axis; past it the axis is labelled at round sizes.
const MaxLabelledSizes = 10

// sweptX returns the distinct x values of the series drawn with markers
// (the swept sizes) when there are at most MaxLabelledSizes of them.
func (c *Chart) sweptX() []float64 {
	if c.XKind != XObjects && c.XKind != XBytes && c.XKind != XDuration {
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
	if len(xs) > MaxLabelledSizes {
		return nil
	}
	slices.Sort(xs)
	return xs
}

// niceTicks puts 4 to 10 labelled ticks on 1, 2 or 5 times a power of ten.
type niceTicks struct{}

// Ticks returns the ticks between lo and hi.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: Sig(lo, 4)}}
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
		ticks = append(ticks, plot.Tick{Value: v, Label: Sig(math.Round(v/step)*step+0, 6)}) // +0 turns -0 into 0
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
	// at, when set, are the sizes to label (the swept ones); labels that
	// would touch go on a second row (see apart). The round sizes of the
	// axis are then ticks without labels.
	at []float64
	// width is about the width of the axis, and style the labels' text
	// style, for keeping the labels apart.
	width vg.Length
	style text.Style
}

// Ticks returns the ticks between lo and hi.
func (t sizeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	if len(t.at) > 0 {
		round := sizeTicks{kind: t.kind, log: t.log}.Ticks(lo, hi)
		if t.kind == XDuration {
			round = durationTicks{}.Ticks(lo, hi)
		}
		for _, tk := range round {
			if !slices.Contains(t.at, tk.Value) {
				ticks = append(ticks, plot.Tick{Value: tk.Value})
			}
		}
		return append(ticks, t.apart(lo, hi)...)
	}
	switch {
	case t.log && t.kind == XBytes:
		return t.powersOfTwo(lo, hi)
	case t.log:
		return t.powersOfTen(lo, hi)
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

// apart labels every size of t.at, a label that would touch the one
// before it on the first row going on a second row (a line lower), and
// one that would touch labels on both rows left without its label (only
// where sizes crowd: within about two labels' width, three of them).
func (t sizeTicks) apart(lo, hi float64) []plot.Tick {
	pos := func(v float64) vg.Length {
		if t.log {
			return t.width * vg.Length(math.Log(v/lo)/math.Log(hi/lo))
		}
		return t.width * vg.Length((v-lo)/(hi-lo))
	}
	gap := vg.Points(6)
	right := []vg.Length{vg.Length(math.Inf(-1)), vg.Length(math.Inf(-1))} // the right edge of each row's last label
	var ticks []plot.Tick
	for _, v := range t.at {
		label := t.label(v)
		w := t.style.Width(label)
		left := pos(v) - w/2
		switch {
		case left >= right[0]+gap:
			right[0] = left + w
		case left >= right[1]+gap:
			right[1] = left + w
			label = "\n" + label
		default:
			label = ""
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// powersOfTwo ticks a log axis of bytes: every power of two a minor tick,
// every 1st, 2nd, 4th or 10th labelled (64KiB, 1MiB, 16MiB).
func (t sizeTicks) powersOfTwo(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
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
	return ticks
}

// powersOfTen ticks a log axis of counts: powers of ten, with 2 and 5
// labelled too over a few decades.
func (t sizeTicks) powersOfTen(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
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
	case XDuration:
		return sim.FormatTTL(time.Duration(v * 1e9))
	}
	return Sig(v, 6)
}

// humanCount renders a count short: 950, 1.5k, 20k, 3M, 1.2G.
func humanCount(v float64) string {
	for _, u := range []struct {
		div  float64
		name string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= u.div {
			return Sig(v/u.div, 4) + u.name
		}
	}
	return Sig(v, 6)
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

// eventColor is the colour of event lines: apart from every series colour
// at a glance, and dash-dotted.
var eventColor = rgb(0xd9, 0x5f, 0x02)

// addEvents draws each event as a vertical line over the y range, and one
// legend entry per event name.
func (c *Chart) addEvents(p *plot.Plot, legend *legendColumn) error {
	named := map[string]bool{}
	for _, e := range c.Events {
		line, err := plotter.NewLine(plotter.XYs{{X: e.X, Y: c.YMin}, {X: e.X, Y: c.YMax}})
		if err != nil {
			return fmt.Errorf("chart %q, event %s: %w", c.Title, e.Name, err)
		}
		line.LineStyle = draw.LineStyle{Color: eventColor, Width: vg.Points(1), Dashes: dashPatterns[3]}
		p.Add(line)
		if !named[e.Name] {
			named[e.Name] = true
			legend.add(e.Name, line)
		}
	}
	return nil
}

// clockSteps are the tick spacings of a clock axis, in seconds.
var clockSteps = []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
	3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400}

// clockTicks labels an axis of clock times (seconds since the Unix epoch)
// in UTC, at round times: at most 8 labels.
type clockTicks struct{}

// Ticks returns the ticks between lo and hi.
func (clockTicks) Ticks(lo, hi float64) []plot.Tick {
	step := clockSteps[len(clockSteps)-1]
	for _, s := range clockSteps {
		if (hi-lo)/s <= 8 {
			step = s
			break
		}
	}
	var ticks []plot.Tick
	prevDay := ""
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		t := time.Unix(int64(v), 0).UTC()
		day := t.Format("Jan 2")
		var label string
		switch {
		case step >= 86400:
			label = day
		case step < 60:
			label = t.Format("15:04:05")
		default:
			label = t.Format("15:04")
		}
		if step < 86400 && prevDay != "" && day != prevDay {
			label = day + " " + label // the date where it changes
		}
		prevDay = day
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
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
	r, g, b, _ := styleColor(s.Style).RGBA()
	band.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 56}
	band.LineStyle.Width = 0
	p.Add(band)
	return nil
}
