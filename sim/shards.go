package sim

import (
	"math"

	"github.com/cachesim/cachesim/traces"
)

// SHARDSCurve estimates the LRU curve from a spatially sampled trace
// (Waldspurger et al., "Efficient MRC Construction with SHARDS", FAST'15):
// sample holds every request for the keys whose hash fell below rate·2⁶⁴,
// total is the number of requests in the full trace. Stack distances in the
// sample, scaled by 1/rate, estimate those in the full trace, so the sample
// is measured at capacities scaled by rate. With SHARDS-adj, the difference
// between the expected sample size (total·rate) and the actual one is
// credited to the smallest distances, which removes most of the bias that a
// few very popular keys falling in or out of the sample cause.
//
// The result is scaled back to the full trace: Requests = total, hit counts
// estimated (rounded).
func SHARDSCurve(sample *traces.Trace, total int64, rate float64, sizes Sizes) []Stats {
	scaled := Sizes{Bytes: sizes.Bytes, Values: make([]int64, len(sizes.Values))}
	for i, c := range sizes.Values {
		scaled.Values[i] = int64(math.Round(float64(c) * rate))
	}
	// LRUCurve needs ascending sizes; rounding keeps the order.
	stats, _ := LRUCurve(sample, scaled)
	expected := float64(total) * rate
	adj := expected - float64(sample.Len())
	out := make([]Stats, len(stats))
	for i, st := range stats {
		hr := 0.0
		if expected > 0 {
			hr = (float64(st.Hits) + adj) / expected
		}
		hr = min(max(hr, 0), 1)
		bhr := st.ByteHitRatio()
		out[i] = Stats{
			Requests: uint64(total),
			Hits:     uint64(math.Round(hr * float64(total))),
			Bytes:    uint64(math.Round(float64(st.Bytes) / rate)),
			ByteHits: uint64(math.Round(bhr * float64(st.Bytes) / rate)),
		}
	}
	return out
}
