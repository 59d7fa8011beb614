package traces

import "math"

// SpatialHash mixes a key into a uniformly distributed 64-bit value (the
// murmur3 finaliser), so that sampling by key hash keeps a random subset of
// the keys even when the keys are sequential block numbers.
func SpatialHash(key uint64) uint64 {
	key ^= key >> 33
	key *= 0xff51afd7ed558ccd
	key ^= key >> 33
	key *= 0xc4ceb9fe1a85ec53
	key ^= key >> 33
	return key
}

// SampleThreshold returns the hash threshold that keeps a fraction rate of
// the keys: a key is sampled when SpatialHash(key) < threshold.
func SampleThreshold(rate float64) uint64 {
	if rate >= 1 {
		return math.MaxUint64
	}
	return uint64(rate * (1 << 64))
}

// Sampler keeps the requests whose key hash falls below a threshold
// (spatial sampling, as SHARDS: every request for a sampled key is kept, so
// reuse distances survive), and counts all requests it has seen.
type Sampler struct {
	r         Reader
	threshold uint64
	// Seen counts every request read, sampled or not.
	Seen int64
}

// NewSampler keeps a fraction rate (0 < rate <= 1) of the keys of r.
func NewSampler(r Reader, rate float64) *Sampler {
	return &Sampler{r: r, threshold: SampleThreshold(rate)}
}

// Read returns the next sampled request.
func (s *Sampler) Read(req *Request) error {
	for {
		if err := s.r.Read(req); err != nil {
			return err
		}
		s.Seen++
		if SpatialHash(req.Key) < s.threshold {
			return nil
		}
	}
}

// Fields reports the fields of the underlying reader.
func (s *Sampler) Fields() Fields {
	if d, ok := s.r.(Describer); ok {
		return d.Fields()
	}
	return Fields{Time: true, Size: true, TTL: true, Op: true}
}
