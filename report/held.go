package report

import (
	"fmt"

	"github.com/cachesim/cachesim/sim"
)

// HeldFloor is where a smaller size stops meaning anything for one policy
// of a byte sweep: at its smallest swept size the cache held more memory
// than the size (memcached: a slab page for every class in use, whatever
// the limit), and a smaller size would hold as much.
type HeldFloor struct {
	Policy string
	// Memory is what the cache held at the policy's smallest swept size, At.
	Memory, At int64
	// Sizes is how many swept sizes are below Memory.
	Sizes int
}

// HeldFloors returns the floor of every policy whose cache held more
// memory than its smallest swept size, in the order of the points.
func HeldFloors(points []sim.Point) []HeldFloor {
	smallest := map[string]sim.Point{}
	var order []string
	for _, p := range points {
		s, ok := smallest[p.Policy]
		if !ok {
			order = append(order, p.Policy)
		}
		if !ok || p.Size < s.Size {
			smallest[p.Policy] = p
		}
	}
	var out []HeldFloor
	for _, name := range order {
		if s := smallest[name]; s.Memory > s.Size {
			f := HeldFloor{Policy: name, Memory: s.Memory, At: s.Size}
			for _, p := range points {
				if p.Policy == name && p.Size < s.Memory {
					f.Sizes++
				}
			}
			out = append(out, f)
		}
	}
	return out
}

// String says what the floor means.
func (f HeldFloor) String() string {
	m := sim.FormatSize(f.Memory, true)
	return fmt.Sprintf("%s holds %s at %s, the smallest size (memcached: a slab page for every class in use, even "+
		"beyond the limit); below %s (%d of the sizes) the size changes nothing", f.Policy, m, sim.FormatSize(f.At, true), m, f.Sizes)
}

// heldLines are vertical gray dashed lines at each policy's floor, from
// lo to hi on the y axis.
func heldLines(points []sim.Point, lo, hi float64) []Series {
	var out []Series
	for _, f := range HeldFloors(points) {
		x := float64(f.Memory)
		out = append(out, Series{Name: fmt.Sprintf("%s holds ≥ %s", f.Policy, sim.FormatSize(f.Memory, true)),
			X: []float64{x, x}, Y: []float64{lo, hi}, Gray: true, Dashed: true})
	}
	return out
}
