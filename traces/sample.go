package traces

import (
	"container/heap"
	"fmt"
	"math"

	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/trace"
)

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
	r         trace.Reader
	threshold uint64
	// Seen counts every request read, sampled or not.
	Seen int64
}

// NewSampler keeps a fraction rate (0 < rate <= 1) of the keys of r.
func NewSampler(r trace.Reader, rate float64) *Sampler {
	return &Sampler{r: r, threshold: SampleThreshold(rate)}
}

// Read returns the next sampled request.
func (s *Sampler) Read(req *trace.Request) error {
	for {
		if err := s.r.Read(req); err != nil {
			return err
		}
		s.Seen++
		if trace.SpatialHash(req.Key) < s.threshold {
			return nil
		}
	}
}

// Fields reports the fields of the underlying reader.
func (s *Sampler) Fields() trace.Fields {
	if d, ok := s.r.(trace.Describer); ok {
		return d.Fields()
	}
	return trace.Fields{Time: true, Size: true, TTL: true, Op: true}
}

// Rate returns the fraction of the key space a threshold keeps.
func Rate(threshold uint64) float64 {
	if threshold == math.MaxUint64 {
		return 1
	}
	return float64(threshold) / (1 << 64)
}

// NewSamplerThreshold keeps the keys whose hash is below threshold.
func NewSamplerThreshold(r trace.Reader, threshold uint64) *Sampler {
	return &Sampler{r: r, threshold: threshold}
}

// SampleHash is the hash that decides whether key is sampled in the
// sample of this seed: SpatialHash for seed 0, and as independent a hash
// for each other seed (so that samples of different seeds are independent
// draws of keys, for error bands).
func SampleHash(key, seed uint64) uint64 {
	return trace.SpatialHash(key ^ seed*0x9e3779b97f4a7c15)
}

// ThresholdForKeys reads r to the end and returns the hash threshold that
// keeps exactly the n keys with the smallest hashes (all keys, threshold
// MaxUint64, when there are no more than n), and the number of requests
// read. It holds at most n hashes.
func ThresholdForKeys(r trace.Reader, n int) (threshold uint64, seen int64, err error) {
	if n < 1 {
		return 0, 0, fmt.Errorf("sample size must be at least 1 key, got %d", n)
	}
	k := NewKeySample(n, 0)
	err = trace.Each(r, func(req *trace.Request) {
		seen++
		k.Keep(req.Key)
	})
	if err != nil {
		return 0, seen, err
	}
	return k.Threshold(), seen, nil
}

// KeySample keeps, in one pass, the n keys with the smallest SampleHash
// (SHARDS with a fixed memory bound): once n keys are kept, a key with a
// smaller hash displaces the one with the largest and the threshold drops
// below it. It holds n hashes.
type KeySample struct {
	n, seed   uint64
	threshold uint64
	kept      keymap.Map // hash → 0
	heap      hashHeap
	// Dropped, when set, is called with the hash of each key that leaves the sample.
	Dropped func(hash uint64)
}

// NewKeySample keeps at most n keys (n >= 1) of the sample of this seed.
func NewKeySample(n int, seed uint64) *KeySample {
	return &KeySample{n: uint64(n), seed: seed, threshold: math.MaxUint64, kept: keymap.New()}
}

// Keep offers key and reports whether it is in the sample now, with its hash.
func (k *KeySample) Keep(key uint64) (hash uint64, in bool) {
	x := SampleHash(key, k.seed)
	if x >= k.threshold {
		return x, false
	}
	if !k.kept.Add(x, 0) {
		return x, true
	}
	heap.Push(&k.heap, x)
	if uint64(k.kept.Len()) > k.n {
		drop := heap.Pop(&k.heap).(uint64)
		k.kept.Del(drop)
		if k.Dropped != nil {
			k.Dropped(drop)
		}
	}
	if uint64(k.kept.Len()) == k.n && k.heap[0] < math.MaxUint64 {
		k.threshold = k.heap[0] + 1 // no key above the largest kept one can enter any more
	}
	return x, x < k.threshold
}

// Threshold returns the threshold of the keys kept so far: a key is in the
// sample when its hash is below it (MaxUint64 while fewer than n are kept).
func (k *KeySample) Threshold() uint64 { return k.threshold }

// Sample collects, in one pass, the requests of a spatial sample of the
// keys of a stream: those whose SampleHash falls below a threshold, fixed
// by a rate or lowered as the sample fills (KeySample). It holds the
// sampled requests only; Seen counts them all.
type Sample struct {
	// Seen counts every request added, sampled or not.
	Seen      int64
	seed      uint64
	threshold uint64
	keys      *KeySample // nil: a fixed rate
	fields    trace.Fields
	t         *trace.Trace
	filtered  int // requests held after the last filter
	warm      int // the first warm requests held are a warm-up's (EndWarmup)
}

// NewRateSample samples a fraction rate of the keys with the hash of seed.
func NewRateSample(name string, f trace.Fields, rate float64, seed uint64) *Sample {
	return &Sample{seed: seed, threshold: SampleThreshold(rate), fields: f, t: &trace.Trace{Name: name, Keys: []uint64{}}}
}

// NewSizeSample samples the n keys with the smallest hashes of seed.
func NewSizeSample(name string, f trace.Fields, n int, seed uint64) *Sample {
	return &Sample{seed: seed, threshold: math.MaxUint64, keys: NewKeySample(n, seed), fields: f, t: &trace.Trace{Name: name, Keys: []uint64{}}}
}

// Add offers a request to the sample.
func (s *Sample) Add(r *trace.Request) {
	s.Seen++
	if s.keys == nil {
		if SampleHash(r.Key, s.seed) < s.threshold {
			s.t.AppendSparse(r, s.fields)
		}
		return
	}
	if _, in := s.keys.Keep(r.Key); !in {
		return
	}
	s.t.AppendSparse(r, s.fields)
	if s.threshold != s.keys.Threshold() && s.t.Len() > 2*s.filtered+4096 {
		s.filter()
	}
}

// filter drops the requests of the keys that left the sample.
func (s *Sample) filter() {
	s.threshold = s.keys.Threshold()
	keep := func(key uint64) bool { return SampleHash(key, s.seed) < s.threshold }
	warm := 0
	for _, k := range s.t.Keys[:s.warm] {
		if keep(k) {
			warm++
		}
	}
	s.t.Filter(keep)
	s.filtered, s.warm = s.t.Len(), warm
}

// EndWarmup says that the requests added so far are a warm-up's: they
// fill a cache without being counted (see Warmup).
func (s *Sample) EndWarmup() { s.warm = s.t.Len() }

// Warmup returns how many of the first requests of Trace are a warm-up's
// (see EndWarmup); call it after Trace.
func (s *Sample) Warmup() int { return s.warm }

// Trace returns the sampled requests (the Sample must not be added to after).
func (s *Sample) Trace() *trace.Trace {
	if s.keys != nil {
		s.filter()
	}
	s.t.Shrink()
	return s.t
}

// Rate returns the fraction of the key space sampled.
func (s *Sample) Rate() float64 {
	if s.keys != nil {
		return Rate(s.keys.Threshold())
	}
	return Rate(s.threshold)
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
