// Package report turns simulation results into what people read: tables,
// CSV, JSON and sizing recommendations. It knows nothing of policies.
package report

import (
	"fmt"

	"github.com/cachesim/cachesim/sim"
)

// Curve is one policy's results, by ascending size.
type Curve struct {
	Policy string
	Points []sim.Point
}

// Curves groups sweep points by policy, keeping the policies' order.
func Curves(points []sim.Point) []Curve {
	var out []Curve
	idx := map[string]int{}
	for _, p := range points {
		i, ok := idx[p.Policy]
		if !ok {
			i = len(out)
			idx[p.Policy] = i
			out = append(out, Curve{Policy: p.Policy})
		}
		out[i].Points = append(out[i].Points, p)
	}
	return out
}

// Gains returns, for each point, its hit-ratio gain over the previous size in
// percentage points; the first point has none (NaN-free: reported as 0 with ok=false).
func (c Curve) Gains() []float64 {
	g := make([]float64, len(c.Points))
	for i := 1; i < len(c.Points); i++ {
		g[i] = 100 * (c.Points[i].HitRatio() - c.Points[i-1].HitRatio())
	}
	return g
}

// Recommendation is a suggested cache size for one policy and the rule that chose it.
type Recommendation struct {
	Policy   string  `json:"policy"`
	Rule     string  `json:"rule"`
	Found    bool    `json:"found"`
	Size     int64   `json:"size,omitempty"`
	HitRatio float64 `json:"hit_ratio,omitempty"`
	// Note explains the choice, or why there is none, in one sentence.
	Note string `json:"note"`
}

// MarginalGain applies the diminishing-returns rule: the recommended size is
// the first swept size whose hit-ratio gain over the previous swept size is
// below minGain percentage points. From there on, each step buys less than
// minGain.
func MarginalGain(c Curve, minGain float64, bytes bool) Recommendation {
	rec := Recommendation{Policy: c.Policy, Rule: fmt.Sprintf("marginal gain < %g pp per step", minGain)}
	if len(c.Points) < 2 {
		rec.Note = "needs at least two sizes"
		return rec
	}
	gains := c.Gains()
	for i := 1; i < len(c.Points); i++ {
		if gains[i] < minGain {
			p := c.Points[i]
			rec.Found, rec.Size, rec.HitRatio = true, p.Size, p.HitRatio()
			rec.Note = fmt.Sprintf("%s gains %+.3f pp over %s (hit ratio %.2f%%)",
				sim.FormatSize(p.Size, bytes), gains[i], sim.FormatSize(c.Points[i-1].Size, bytes), 100*p.HitRatio())
			return rec
		}
	}
	last := c.Points[len(c.Points)-1]
	rec.Note = fmt.Sprintf("not reached: the largest size, %s, still gains %+.3f pp per step; sweep larger sizes",
		sim.FormatSize(last.Size, bytes), gains[len(gains)-1])
	return rec
}
