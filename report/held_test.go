package report

import (
	"strings"
	"testing"

	"github.com/cachesim/cachesim/sim"
)

// A policy that held more than its smallest size gets a floor at what it
// held there, counting the sizes below it; one that did not (or held
// nothing, as policies whose memory is their capacity) gets none. The MRC
// chart draws the floor as a gray dashed vertical line.
func TestHeldFloors(t *testing.T) {
	const mib = 1 << 20
	pts := []sim.Point{
		{Policy: "lru", Size: 2 * mib, Stats: sim.Stats{Requests: 10, Hits: 1}},
		{Policy: "memcached", Size: 8 * mib, Stats: sim.Stats{Requests: 10, Hits: 5, Memory: 27 * mib}},
		{Policy: "memcached", Size: 2 * mib, Stats: sim.Stats{Requests: 10, Hits: 5, Memory: 27 * mib}},
		{Policy: "memcached", Size: 64 * mib, Stats: sim.Stats{Requests: 10, Hits: 7, Memory: 65 * mib}},
		{Policy: "lru", Size: 8 * mib, Stats: sim.Stats{Requests: 10, Hits: 2}},
		{Policy: "memcached(automove=0)", Size: 2 * mib, Stats: sim.Stats{Requests: 10, Hits: 5, Memory: 2 * mib}},
	}
	f := HeldFloors(pts)
	if len(f) != 1 || f[0] != (HeldFloor{Policy: "memcached", Memory: 27 * mib, At: 2 * mib, Sizes: 2}) {
		t.Fatalf("floors %+v, want memcached's 27 MiB at 2 MiB over 2 sizes", f)
	}
	if s := f[0].String(); !strings.Contains(s, "memcached holds 27 MiB at 2 MiB") || !strings.Contains(s, "below 27 MiB (2 of the sizes)") {
		t.Errorf("note %q", s)
	}
	c := (&Sweep{Workload: "w", Unit: "bytes", Points: pts}).MRCChart(RequestHitRatio)
	var line *Series
	for i := range c.Series {
		if c.Series[i].Gray {
			line = &c.Series[i]
		}
	}
	if line == nil || line.X[0] != 27*mib || line.X[1] != 27*mib || !line.Dashed || line.Y[0] != c.YMin || line.Y[1] != c.YMax {
		t.Errorf("no dashed gray line at 27 MiB across the chart: %+v", line)
	}
}
