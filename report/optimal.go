package report

import (
	"fmt"
	"io"

	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Gap is how far one policy's hit ratio is below the offline optimum's at
// one size.
type Gap struct {
	Policy string `json:"policy"`
	Size   int64  `json:"size"`
	// GapPP is the optimum's hit ratio minus the policy's, in percentage points.
	GapPP float64 `json:"gap_pp"`
	// ByteGapPP is the same for the byte hit ratio.
	ByteGapPP float64 `json:"byte_gap_pp"`
}

// OptimalGaps returns every other policy's gap to the policy named optimal,
// size by size (sizes the optimum lacks are skipped).
func OptimalGaps(points []sim.Point, optimal string) []Gap {
	best := map[int64]sim.Point{}
	for _, p := range points {
		if p.Policy == optimal {
			best[p.Size] = p
		}
	}
	var gaps []Gap
	for _, c := range Curves(points) {
		if c.Policy == optimal {
			continue
		}
		for _, p := range c.Points {
			if o, ok := best[p.Size]; ok {
				gaps = append(gaps, Gap{Policy: p.Policy, Size: p.Size,
					GapPP: 100 * (o.HitRatio() - p.HitRatio()), ByteGapPP: 100 * (o.ByteHitRatio() - p.ByteHitRatio())})
			}
		}
	}
	return gaps
}

// WriteGapTable writes the gaps as a table, one row per policy and size.
func (s *Sweep) WriteGapTable(w io.Writer) error {
	if len(s.Gaps) == 0 {
		return nil
	}
	fmt.Fprintf(w, "gap to the offline optimum %s (percentage points below it):\n", s.Optimal)
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignment(tw.AlignRight))
	t.Header("policy", "size", "hit ratio gap (pp)", "byte hit ratio gap (pp)")
	for _, g := range s.Gaps {
		if err := t.Append(g.Policy, sim.FormatSize(g.Size, s.bytes()),
			fmt.Sprintf("%.2f", g.GapPP), fmt.Sprintf("%.2f", g.ByteGapPP)); err != nil {
			return err
		}
	}
	return t.Render()
}
