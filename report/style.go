package report

import (
	"image/color"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette are the colours of a chart's series, by Style: twelve, as far
// apart as could be chosen (no two closer than 42 in CIELAB ΔE*76), none of
// them light gray, which reference lines use.
var palette = []color.Color{
	rgb(0x1f, 0x77, 0xb4), // blue
	rgb(0xbe, 0x00, 0x32), // crimson
	rgb(0x00, 0x64, 0x00), // dark green
	rgb(0xf6, 0xa6, 0x00), // amber
	rgb(0x4b, 0x00, 0x82), // indigo
	rgb(0x00, 0xce, 0xd1), // turquoise
	rgb(0xff, 0x14, 0x93), // deep pink
	rgb(0x65, 0x45, 0x22), // brown
	rgb(0x8d, 0xb6, 0x00), // yellow-green
	rgb(0x00, 0x00, 0x00), // black
	rgb(0xe6, 0x8f, 0xac), // rose
	rgb(0xc2, 0xb2, 0x80), // sand
}

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 255} }

// dashPatterns are the line patterns of series whose pattern follows their
// Style: solid, dashed, dotted, dash-dot.
var dashPatterns = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(7), vg.Points(3), vg.Points(1.5), vg.Points(3)},
}

// estimateDashes is the pattern of estimates (Series.Estimate): short
// dashes far apart, unlike any of dashPatterns.
var estimateDashes = []vg.Length{vg.Points(2.5), vg.Points(4.5)}

// shapes are the marker shapes, by Style. With four dash patterns and six
// shapes, the first twelve styles differ in pattern and shape together too,
// so the series stay apart in gray print.
var shapes = []draw.GlyphDrawer{draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{},
	draw.CrossGlyph{}, draw.PlusGlyph{}, draw.CircleGlyph{}}

// styleColor returns the colour of style i.
func styleColor(i int) color.Color { return palette[mod(i, len(palette))] }

// styleDashes returns the dash pattern of style i (nil: solid).
func styleDashes(i int) []vg.Length { return dashPatterns[mod(i, len(dashPatterns))] }

// styleShape returns the marker shape of style i.
func styleShape(i int) draw.GlyphDrawer { return shapes[mod(i, len(shapes))] }

func mod(i, n int) int { return ((i % n) + n) % n }

// referenceGray is the colour of reference lines (no cache, unlimited cache, whole run).
var referenceGray = color.Gray{Y: 110}
