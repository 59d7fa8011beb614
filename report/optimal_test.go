package report

import (
	"math"
	"testing"

	"github.com/cachesim/cachesim/sim"
)

func TestOptimalGaps(t *testing.T) {
	pt := func(pol string, size int64, hits, byteHits uint64) sim.Point {
		return sim.Point{Policy: pol, Size: size, Stats: sim.Stats{Requests: 100, Hits: hits, Bytes: 1000, ByteHits: byteHits}}
	}
	points := []sim.Point{
		pt("lru", 10, 20, 100), pt("lru", 20, 30, 300),
		pt("opt", 10, 45, 150), // no optimum at size 20: skipped
	}
	gaps := OptimalGaps(points, "opt")
	// 45% − 20% = 25 points; 15% − 10% = 5 points of byte hit ratio.
	if len(gaps) != 1 || gaps[0].Policy != "lru" || gaps[0].Size != 10 || math.Abs(gaps[0].GapPP-25) > 1e-9 || math.Abs(gaps[0].ByteGapPP-5) > 1e-9 {
		t.Fatalf("gaps %+v, want lru at 10: 25 and 5 points", gaps)
	}
}
