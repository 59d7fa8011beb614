package workload

import (
	"io"
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/trace"
)

// source produces the key of each request.
type source interface {
	next() uint64
}

// clocked is a source with its own arrival process (bursty): now returns
// the arrival time in nanoseconds of the request whose key next returned last.
type clocked interface {
	source
	now() int64
}

// PCG stream numbers, so that each use of the seed draws independent numbers.
const (
	streamArrivals = iota + 1
	streamKeys
	streamBursts
	streamMix
	streamSizes
	streamBatches
	streamComponents = 1 << 16 // + component index, for the sources of a mix
)

// newRand returns a generator for one stream of a seed.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^stream))
}

// stream turns a key source into requests: arrival times (the source's own
// or Poisson), per-key sizes, TTLs and operations.
type stream struct {
	common
	src    source
	clock  clocked
	rng    *rand.Rand
	left   int64
	t      float64 // arrival time of the next request, ns
	gap    float64 // mean time between requests, ns; 0: no timestamps
	fields trace.Fields
	multi  batched  // src, when it makes multi-key requests (nil otherwise)
	owned  tenanted // src, when its keys have tenants (nil otherwise)
}

// Read fills r with the next request.
func (s *stream) Read(r *trace.Request) error {
	if s.left <= 0 && !s.midRequest() {
		return io.EOF
	}
	s.left--
	r.Key = s.src.next()
	r.Continues, r.Tenant = s.marks()
	switch {
	case s.clock != nil:
		r.Time = s.clock.now()
	case s.gap > 0:
		r.Time = int64(s.t)
		s.t += s.rng.ExpFloat64() * s.gap
	default:
		r.Time = 0
	}
	r.Size = s.size.of(r.Key)
	r.TTL = s.ttl
	r.Op = trace.OpGet
	if s.write > 0 && s.rng.Float64() < s.write {
		r.Op = trace.OpWrite
	}
	return nil
}

// Fields reports the optional fields the stream fills.
func (s *stream) Fields() trace.Fields { return s.fields }
