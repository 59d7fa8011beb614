package report

import (
	"fmt"
	"io"
	"math"

	"github.com/cachesim/cachesim/sim"
)

// RoundUp rounds a recommended size up to one people configure: to a
// multiple of to when to > 0, else to two significant figures in the unit
// sim.FormatSize shows (5.944 MiB → 6 MiB, 13.13 MiB → 14 MiB, 12,345
// objects → 13,000). A size that already is such a value stays, as does a
// byte size that is a whole number of its unit (512 MiB); a size rounded
// up past 1023 of its binary unit becomes 1 of the next (1010.5 KiB →
// 1 MiB). Rounding up, never down, keeps what the swept size
// promised: a larger cache hits at least as often where the curve rises
// with size.
func RoundUp(size int64, bytes bool, to int64) int64 {
	if size <= 0 {
		return size
	}
	if to > 0 {
		return ceilDiv(size, to) * to
	}
	unit := int64(1)
	for bytes && size >= 1024*unit && unit < 1<<40 {
		unit *= 1024
	}
	if bytes && size%unit == 0 {
		return size // a whole number of its unit: 512 MiB, 768 KiB
	}
	f := float64(size) / float64(unit)
	e := int(math.Floor(math.Log10(f)))
	if math.Pow10(e+1) <= f {
		e++ // Log10(1000) is 2.9999…
	}
	step := float64(unit) * math.Pow10(e-1) // the second significant figure
	if step <= 1 {
		return size // a whole number of bytes or objects with at most two figures
	}
	// k steps, where a size within a byte of k steps counts as k (1.9 MiB
	// is 1992294.4 B, so 1992295 B is 1.9 MiB already).
	k := math.Ceil(float64(size-1) / step)
	r := int64(math.Ceil(k * step))
	if r < size {
		r = int64(math.Ceil((k + 1) * step))
	}
	if bytes && unit < 1<<40 && r > 1024*unit {
		r = 1024 * unit
	}
	return r
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// roundNote says how rec's size was rounded: "" when it was not, else
// " (rounded up from 5.944 MiB)".
func roundNote(rec Recommendation, bytes bool) string {
	if rec.RoundedSize == 0 || rec.RoundedSize == rec.Size {
		return ""
	}
	return fmt.Sprintf(" (rounded up from %s)", sim.FormatSize(rec.Size, bytes))
}

// configured is the size a recommendation asks to configure: rounded
// when it was.
func (r Recommendation) configured() int64 {
	if r.RoundedSize > 0 {
		return r.RoundedSize
	}
	return r.Size
}

// writeRounding says, when a recommended size was rounded up, how, and
// whose figures the recommendations and plans give.
func (s *Sweep) writeRounding(w io.Writer) {
	for _, r := range s.Recommendations {
		if r.Found && r.configured() != r.Size {
			how := "two significant figures (--round-to SIZE sets a step; --round-to 1 keeps the swept sizes)"
			if s.RoundTo > 0 {
				how = "a multiple of " + sim.FormatSize(s.RoundTo, s.bytes())
			}
			fmt.Fprintf(w, "sizes rounded up to %s: the hit ratios and the plans' figures are those of the swept size, which a larger cache matches or beats where the curve rises with size\n", how)
			return
		}
	}
}
