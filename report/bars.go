package report

import (
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bar is one bar of a bar chart (Chart.Bars): Name labels its place on
// the x axis, Value its height, and Label, written on it, says more.
type Bar struct {
	Name  string
	Value float64
	Label string
	Style int
}

// barWidth is a bar's width in categories (the gap between bars is the rest).
const barWidth = 0.7

// barTextStyle is the text style of a bar's label: centred, a line under another.
func barTextStyle() text.Style {
	return text.Style{Color: color.Gray{Y: 30}, Font: font.From(plot.DefaultFont, labelFont+1), Handler: plot.DefaultTextHandler,
		XAlign: draw.XCenter, YAlign: draw.YBottom}
}

// barLayer draws a chart's bars, one a category at x 0, 1, 2…, each in
// its Style's colour.
type barLayer struct{ bars []Bar }

// Plot draws the bars.
func (l barLayer) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, b := range l.bars {
		x0, x1 := trX(float64(i)-barWidth/2), trX(float64(i)+barWidth/2)
		y0, y1 := trY(max(p.Y.Min, 0)), trY(min(b.Value, p.Y.Max))
		c.FillPolygon(styleColor(b.Style), []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	}
}

// barLabelLayer writes the bars' labels over everything else, each on a
// light backing: just above its bar, unless that crosses a reference line
// (refs, y values) or leaves the plot; then just inside the bar's top, or
// just above the line.
type barLabelLayer struct {
	bars []Bar
	refs []float64
}

// Plot writes the labels.
func (l barLabelLayer) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	st := barTextStyle()
	gap := vg.Points(3)
	for i, b := range l.bars {
		if b.Label == "" {
			continue
		}
		mid := trX(float64(i))
		base, top := trY(max(p.Y.Min, 0)), trY(min(b.Value, p.Y.Max))
		w, h := st.Width(b.Label)+vg.Points(6), st.Height(b.Label)+vg.Points(2)
		fits := func(bottom vg.Length) bool {
			if bottom < base || bottom+h > c.Max.Y {
				return false
			}
			for _, r := range l.refs {
				if y := trY(r); y >= bottom-gap && y <= bottom+h+gap {
					return false
				}
			}
			return true
		}
		candidates := []vg.Length{top + gap, top - gap - h}
		for _, r := range l.refs {
			candidates = append(candidates, trY(r)+2*gap)
		}
		bottom := candidates[0]
		for _, y := range candidates {
			if fits(y) {
				bottom = y
				break
			}
		}
		c.FillPolygon(labelBacking, []vg.Point{{X: mid - w/2, Y: bottom}, {X: mid + w/2, Y: bottom},
			{X: mid + w/2, Y: bottom + h}, {X: mid - w/2, Y: bottom + h}})
		c.FillText(st, vg.Point{X: mid, Y: bottom + vg.Points(1)}, b.Label)
	}
}

// barTicks labels the categories of a bar chart with the bars' names.
func barTicks(bars []Bar) plot.ConstantTicks {
	ticks := make(plot.ConstantTicks, len(bars))
	for i, b := range bars {
		ticks[i] = plot.Tick{Value: float64(i), Label: b.Name}
	}
	return ticks
}

// references returns the y values of the chart's horizontal reference
// lines (gray series), which bar labels keep off.
func (c *Chart) references() []float64 {
	var ys []float64
	for _, s := range c.Series {
		if s.Gray && len(s.Y) > 0 && slices.Min(s.Y) == slices.Max(s.Y) {
			ys = append(ys, s.Y[0])
		}
	}
	return ys
}
