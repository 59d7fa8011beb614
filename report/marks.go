package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// labelFont is the font size of the text drawn on a chart's bars.
const labelFont = 9

// labelBacking is the translucent white behind a bar's label.
var labelBacking = color.NRGBA{R: 255, G: 255, B: 255, A: 200}

// markRadius is the radius of a recommended point's marker: twice a
// curve's own markers, so that it stands out on its curve.
const markRadius = 6

// markOutline is the dark edge of a recommended point's marker, which keeps
// it apart from the line under it in any colour.
var markOutline = draw.LineStyle{Color: color.Gray{Y: 40}, Width: vg.Points(0.9)}

// ruleMarkers are the markers of the sizing rules, in the order of
// ruleOrder: shapes no curve uses (see shapes), filled.
var ruleMarkers = []draw.GlyphDrawer{
	polygonGlyph{sides: 3, turn: -math.Pi / 2}, // diminishing returns: ▼, the curve flattens
	polygonGlyph{sides: 4, turn: 0},            // knee: ◆
	starGlyph{},                                // target: ★
	polygonGlyph{sides: 6, turn: 0},            // cost: ⬢
}

// ruleOrder lists the methods in the order their markers are chosen: a
// point several rules pick takes the first one's marker.
var ruleOrder = []string{MethodMarginalGain, MethodKneedle, MethodTarget, MethodCost}

// ruleIndex returns the place of method in ruleOrder.
func ruleIndex(method string) int {
	for i, m := range ruleOrder {
		if m == method {
			return i
		}
	}
	return 0
}

// polygonGlyph is a filled regular polygon with an outline, turned by turn
// radians from a corner at the right.
type polygonGlyph struct {
	sides int
	turn  float64
}

// DrawGlyph draws the polygon at pt.
func (g polygonGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var pts []vg.Point
	for i := 0; i < g.sides; i++ {
		a := g.turn + 2*math.Pi*float64(i)/float64(g.sides)
		pts = append(pts, vg.Point{X: pt.X + sty.Radius*vg.Length(math.Cos(a)), Y: pt.Y + sty.Radius*vg.Length(math.Sin(a))})
	}
	fillOutlined(c, sty.Color, pts)
}

// starGlyph is a filled five-pointed star with an outline.
type starGlyph struct{}

// DrawGlyph draws the star at pt.
func (starGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var pts []vg.Point
	for i := 0; i < 10; i++ {
		r := sty.Radius * 1.15
		if i%2 == 1 {
			r *= 0.45
		}
		a := math.Pi/2 + math.Pi*float64(i)/5
		pts = append(pts, vg.Point{X: pt.X + r*vg.Length(math.Cos(a)), Y: pt.Y + r*vg.Length(math.Sin(a))})
	}
	fillOutlined(c, sty.Color, pts)
}

// fillOutlined fills the polygon pts in col and draws its outline.
func fillOutlined(c *draw.Canvas, col color.Color, pts []vg.Point) {
	c.FillPolygon(col, pts)
	c.StrokeLines(markOutline, append(pts, pts[0]))
}

// addMarks draws a marker on each recommended point, in its policy's
// colour and its rule's shape, and gives each group of marks (one Label)
// one legend entry: the rule's shape in the policy's colour, or in gray
// when the entry names several policies. Nothing is written on the plot.
func (c *Chart) addMarks(p *plot.Plot, legend *legendColumn) error {
	type entry struct {
		rule, style int
		several     bool
	}
	entries := map[string]*entry{}
	var order []string
	for _, m := range c.Marks {
		pts, err := plotter.NewScatter(plotter.XYs{{X: m.X, Y: m.Y}})
		if err != nil {
			return err
		}
		pts.Shape, pts.Color, pts.Radius = ruleMarkers[m.Rule], styleColor(m.Style), vg.Points(markRadius)
		p.Add(pts)
		if e, ok := entries[m.Label]; ok {
			e.several = e.several || e.style != m.Style
			continue
		}
		entries[m.Label] = &entry{rule: m.Rule, style: m.Style}
		order = append(order, m.Label)
	}
	if len(order) > 0 {
		title := c.MarksTitle
		if title == "" {
			title = "recommended sizes:"
		}
		legend.add(title)
	}
	for _, label := range order {
		e := entries[label]
		thumb, _ := plotter.NewScatter(plotter.XYs{{}})
		thumb.Shape, thumb.Color, thumb.Radius = ruleMarkers[e.rule], styleColor(e.style), vg.Points(markRadius-1)
		if e.several {
			thumb.Color = color.Gray{Y: 150}
		}
		legend.add(label, thumb)
	}
	return nil
}
