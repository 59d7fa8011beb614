// Package sim replays request streams through policies: the replay loop, the
// statistics, parallel size sweeps and the size syntax.
package sim

// Stats counts what a replay saw. Stats from disjoint parts of a run add up
// with Merge. Requests, hits and bytes count lookups only; the writes and
// deletes of traces with operations are counted apart (see ReplayWith).
type Stats struct {
	Requests  uint64 `json:"requests"`
	Hits      uint64 `json:"hits"`
	Bytes     uint64 `json:"bytes"`     // sum of the sizes of all requests
	ByteHits  uint64 `json:"byte_hits"` // sum of the sizes of the requests that hit
	Evictions uint64 `json:"evictions"`
	Sets      uint64 `json:"sets,omitempty"`    // writes applied, not counted as requests
	Deletes   uint64 `json:"deletes,omitempty"` // deletes applied, not counted as requests
}

// Misses returns the number of requests that missed.
func (s Stats) Misses() uint64 { return s.Requests - s.Hits }

// HitRatio returns hits over requests (0 for no requests).
func (s Stats) HitRatio() float64 { return ratio(s.Hits, s.Requests) }

// ByteHitRatio returns the bytes of the requests that hit over the bytes of
// all requests, each request counted with its own size.
func (s Stats) ByteHitRatio() float64 { return ratio(s.ByteHits, s.Bytes) }

// Merge adds o's counts to s.
func (s *Stats) Merge(o Stats) {
	s.Requests += o.Requests
	s.Hits += o.Hits
	s.Bytes += o.Bytes
	s.ByteHits += o.ByteHits
	s.Evictions += o.Evictions
	s.Sets += o.Sets
	s.Deletes += o.Deletes
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
