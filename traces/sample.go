package traces

import (
	"container/heap"
	"fmt"
	"io"
	"math"
)

// SpatialHash mixes a key into a uniformly distributed 64-bit value (the
// murmur3 finaliser): sampling by key hash keeps a random subset of the keys
// even when the keys are sequential block numbers, and the generators and
// instance assignment use it wherever a key must decide something at random.
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

// Rate returns the fraction of the key space a threshold keeps.
func Rate(threshold uint64) float64 {
	if threshold == math.MaxUint64 {
		return 1
	}
	return float64(threshold) / (1 << 64)
}

// NewSamplerThreshold keeps the keys whose hash is below threshold.
func NewSamplerThreshold(r Reader, threshold uint64) *Sampler {
	return &Sampler{r: r, threshold: threshold}
}

// ThresholdForKeys reads r to the end and returns the hash threshold that
// keeps exactly the n keys with the smallest hashes (all keys, threshold
// MaxUint64, when there are no more than n): SHARDS with a fixed memory
// bound, which lowers the threshold each time a new key would exceed n. It
// holds at most n hashes and returns the number of requests read.
func ThresholdForKeys(r Reader, n int) (threshold uint64, seen int64, err error) {
	if n < 1 {
		return 0, 0, fmt.Errorf("sample size must be at least 1 key, got %d", n)
	}
	kept := make(map[uint64]struct{}, n+1)
	h := &hashHeap{}
	limit := uint64(math.MaxUint64) // hashes at or above the largest kept one are out once full
	var req Request
	for {
		if err := r.Read(&req); err == io.EOF {
			break
		} else if err != nil {
			return 0, seen, err
		}
		seen++
		x := SpatialHash(req.Key)
		if len(kept) == n && x >= limit {
			continue
		}
		if _, ok := kept[x]; ok {
			continue
		}
		kept[x] = struct{}{}
		heap.Push(h, x)
		if len(kept) > n {
			delete(kept, heap.Pop(h).(uint64))
		}
		if len(kept) == n {
			limit = (*h)[0]
		}
	}
	if len(kept) < n {
		return math.MaxUint64, seen, nil
	}
	return limit + 1, seen, nil
}

// hashHeap is a max-heap of hashes (container/heap).
type hashHeap []uint64

func (h hashHeap) Len() int           { return len(h) }
func (h hashHeap) Less(i, j int) bool { return h[i] > h[j] }
func (h hashHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hashHeap) Push(x any)        { *h = append(*h, x.(uint64)) }
func (h *hashHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
