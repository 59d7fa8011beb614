package sim

import (
	"math"

	"github.com/cachesim/cachesim/traces/trace"
)

// curveBatches follows multi-key requests through the stack distances: LRU
// being a stack algorithm, a request is served from a cache of capacity C
// exactly when the largest stack distance of its lookups is at most C, so
// binning each request by that largest distance gives the batch hit ratio
// of every size in the same pass.
type curveBatches struct {
	dedup  bool
	seen   keySet
	far    int64 // the current request's largest distance (math.MaxInt64: a first request)
	keys   int   // its lookups
	sizes  []uint64
	byFar  []uint64 // object mode: requests by largest distance - 1
	farAt  []uint64 // byte mode: requests whose largest distance first fits at size j
	caps   []int64
	nbytes bool
}

// batchTracker is implemented by the stack distances.
type batchTracker interface {
	trackBatches(dedup bool)
}

// trackBatches makes d follow multi-key requests (Request.Continues).
func (d *stackDistances[T]) trackBatches(dedup bool) {
	d.bt = &curveBatches{dedup: dedup, caps: d.caps, nbytes: d.bytes}
	if d.bytes {
		d.bt.farAt = make([]uint64, len(d.caps)+1)
	}
}

// addBatched adds a request that may continue the one before.
func (d *stackDistances[T]) addBatched(r *trace.Request) {
	b := d.bt
	if !r.Continues {
		b.end()
	}
	if b.dedup && !b.seen.add(r.Key) {
		return
	}
	b.keys++
	b.far = max(b.far, d.add(r.Key, r.Ref, r.Size))
}

// end closes the current request.
func (b *curveBatches) end() {
	if b.keys > 0 {
		b.sizes = count(b.sizes, b.keys)
		switch {
		case b.far == math.MaxInt64: // a first request: never served
		case b.nbytes:
			b.farAt[searchCap(b.caps, b.far)]++
		default:
			b.byFar = count(b.byFar, int(b.far-1))
		}
	}
	b.keys, b.far = 0, 0
	if b.dedup {
		b.seen.reset()
	}
}

// restart closes the current request and drops the counts so far (a
// warm-up's).
func (b *curveBatches) restart() {
	b.end()
	b.sizes, b.byFar = nil, nil
	clear(b.farAt)
}

// curve sets the batch statistics of each size (caps ascending).
func (b *curveBatches) curve(stats []Stats, caps []int64, bytes bool) {
	b.end()
	var requests uint64
	for _, c := range b.sizes {
		requests += c
	}
	at := b.farAt
	if !bytes {
		at = make([]uint64, len(caps)+1)
		for i, n := range b.byFar {
			at[searchCap(caps, int64(i+1))] += n
		}
	}
	var hits uint64
	maxKeys := len(b.sizes) - 1
	for j := range stats {
		hits += at[j]
		if maxKeys >= 2 {
			stats[j].Batch = &BatchStats{Requests: requests, Hits: hits, Sizes: b.sizes}
		}
	}
}

var _ batchTracker = (*stackDistances[int32])(nil)
