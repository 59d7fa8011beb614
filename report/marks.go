package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Geometry of the marks: the ring around a marked point, the gap between
// ring and label, and the label's font size.
const (
	ringRadius = 7
	labelGap   = 9
	labelFont  = 9
)

// labelBacking is the translucent white behind a label.
var labelBacking = color.NRGBA{R: 255, G: 255, B: 255, A: 200}

// labelSize is the width and height of a label's box.
type labelSize struct{ w, h vg.Length }

// placement is where a label went: its box, or ok false when there was no
// room for it anywhere (its ring still marks the point).
type placement struct {
	box vg.Rectangle
	ok  bool
}

// placeLabels places each label beside its anchor inside area, in order,
// so that no label overlaps another label or any anchor's ring: the first
// free one of right below, right above, left below, left above the anchor,
// then the same four moved away from it one label height at a time. A
// label moved away gets a leader line (see markLayer).
func placeLabels(anchors []vg.Point, sizes []labelSize, area vg.Rectangle) []placement {
	var taken []vg.Rectangle
	for _, a := range anchors {
		r := vg.Length(ringRadius)
		taken = append(taken, vg.Rectangle{Min: vg.Point{X: a.X - r, Y: a.Y - r}, Max: vg.Point{X: a.X + r, Y: a.Y + r}})
	}
	out := make([]placement, len(anchors))
	for i, a := range anchors {
		out[i] = placeOne(a, sizes[i], area, taken)
		if out[i].ok {
			taken = append(taken, out[i].box)
		}
	}
	return out
}

// placeOne finds the first free spot for one label (see placeLabels).
func placeOne(a vg.Point, s labelSize, area vg.Rectangle, taken []vg.Rectangle) placement {
	levels := int((area.Max.Y-area.Min.Y)/s.h) + 1
	for k := 0; k <= levels; k++ {
		shift := vg.Length(k) * s.h
		for _, right := range []bool{true, false} {
			x := a.X + labelGap
			if !right {
				x = a.X - labelGap - s.w
			}
			below := vg.Rectangle{Min: vg.Point{X: x, Y: a.Y - labelGap - shift - s.h}, Max: vg.Point{X: x + s.w, Y: a.Y - labelGap - shift}}
			above := vg.Rectangle{Min: vg.Point{X: x, Y: a.Y + labelGap + shift}, Max: vg.Point{X: x + s.w, Y: a.Y + labelGap + shift + s.h}}
			for _, b := range []vg.Rectangle{below, above} {
				if inside(b, area) && !collides(b, taken) {
					return placement{box: b, ok: true}
				}
			}
		}
	}
	return placement{}
}

// inside reports whether r lies within area.
func inside(r, area vg.Rectangle) bool {
	return r.Min.X >= area.Min.X && r.Min.Y >= area.Min.Y && r.Max.X <= area.Max.X && r.Max.Y <= area.Max.Y
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

// markTextStyle is the text style of a mark's label.
func markTextStyle(style int) text.Style {
	return text.Style{Color: textColor(styleColor(style)), Font: font.From(plot.DefaultFont, labelFont), Handler: plot.DefaultTextHandler,
		XAlign: draw.XLeft, YAlign: draw.YCenter}
}

// labelSizes measures the labels of marks.
func labelSizes(marks []Mark) []labelSize {
	out := make([]labelSize, len(marks))
	for i, m := range marks {
		st := markTextStyle(m.Style)
		out[i] = labelSize{w: st.Width(m.Label), h: st.Height(m.Label) + vg.Points(2)}
	}
	return out
}

// markLayer draws the labels of a chart's marks once the data area is
// known, so that their placement (placeLabels) is exact.
type markLayer struct{ marks []Mark }

// Plot draws the labels, each in its mark's colour, with a leader line to
// the ring when the label had to move away from it.
func (l markLayer) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	anchors := make([]vg.Point, len(l.marks))
	for i, m := range l.marks {
		anchors[i] = vg.Point{X: trX(m.X), Y: trY(m.Y)}
	}
	for i, pl := range placeLabels(anchors, labelSizes(l.marks), c.Rectangle) {
		if !pl.ok {
			continue
		}
		m, a, b := l.marks[i], anchors[i], pl.box
		if far(a, b) {
			near := vg.Point{X: clamp(a.X, b.Min.X, b.Max.X), Y: clamp(a.Y, b.Min.Y, b.Max.Y)}
			dx, dy := near.X-a.X, near.Y-a.Y
			d := vg.Length(math.Hypot(float64(dx), float64(dy)))
			start := vg.Point{X: a.X + dx*ringRadius/d, Y: a.Y + dy*ringRadius/d}
			c.StrokeLine2(draw.LineStyle{Color: styleColor(m.Style), Width: vg.Points(0.6)}, start.X, start.Y, near.X, near.Y)
		}
		// A light backing keeps the label legible over the curves.
		c.FillPolygon(labelBacking, []vg.Point{b.Min, {X: b.Max.X, Y: b.Min.Y}, b.Max, {X: b.Min.X, Y: b.Max.Y}})
		c.FillText(markTextStyle(m.Style), vg.Point{X: b.Min.X, Y: (b.Min.Y + b.Max.Y) / 2}, m.Label)
	}
}

// far reports whether box b is not next to anchor a (it was moved away).
func far(a vg.Point, b vg.Rectangle) bool {
	dx := math.Max(float64(b.Min.X-a.X), float64(a.X-b.Max.X))
	dy := math.Max(float64(b.Min.Y-a.Y), float64(a.Y-b.Max.Y))
	return math.Max(dx, dy) > labelGap+1
}

func clamp(v, lo, hi vg.Length) vg.Length { return max(lo, min(v, hi)) }

// addMarks draws a ring around each mark's point and, over the curves, the
// labels (markLayer); the legend gets one "recommended" entry.
func (c *Chart) addMarks(p *plot.Plot, legend *plot.Legend) error {
	if len(c.Marks) == 0 {
		return nil
	}
	for _, m := range c.Marks {
		ring, err := plotter.NewScatter(plotter.XYs{{X: m.X, Y: m.Y}})
		if err != nil {
			return err
		}
		ring.Shape, ring.Color, ring.Radius = draw.RingGlyph{}, styleColor(m.Style), vg.Points(ringRadius)
		p.Add(ring)
	}
	p.Add(markLayer{marks: c.Marks})
	ring, _ := plotter.NewScatter(plotter.XYs{{}})
	ring.Shape, ring.Color, ring.Radius = draw.RingGlyph{}, color.Gray{Y: 60}, vg.Points(5)
	legend.Add("recommended", ring)
	return nil
}

// textColor darkens a light colour (amber, turquoise, sand) so that small
// text in it stays legible on white.
func textColor(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	if 0.2126*float64(r)+0.7152*float64(g)+0.0722*float64(b) < 0.45*0xffff {
		return c
	}
	return color.RGBA64{R: uint16(r * 6 / 10), G: uint16(g * 6 / 10), B: uint16(b * 6 / 10), A: 0xffff}
}
