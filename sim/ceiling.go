package sim

import (
	"math"

	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/trace"
)

// Ceiling is what a cache of unlimited size would do on a trace: the hit
// ratio no size of any policy can pass, and the footprint, the capacity
// from which nothing need ever be evicted.
//
// Its misses are the unavoidable ones: a read of a key not held — the
// first read of each key in a trace without writes, and in traces with
// operations a read before the key is written, or after it is deleted.
// Requests, bytes and operations mean what they mean in Replay (see
// Semantics). Expiry is not modelled: with TTLs, an unlimited cache that
// expires entries hits less.
type Ceiling struct {
	// Requests and Bytes are the lookups and their bytes.
	Requests uint64 `json:"requests"`
	Bytes    uint64 `json:"bytes"`
	// Misses and MissBytes are the unavoidable misses and their bytes.
	Misses    uint64 `json:"unavoidable_misses"`
	MissBytes uint64 `json:"unavoidable_miss_bytes"`
	// Objects is the number of distinct objects ever cached, and
	// ObjectBytes the sum of their sizes, each at the size it was last
	// stored with (its last write, or the read that admitted it: a read
	// that hits does not resize): the footprint in objects and in bytes.
	Objects     uint64 `json:"objects"`
	ObjectBytes uint64 `json:"object_bytes"`
	// Tokens and TokenMisses count the prompts' tokens and those no cache
	// can hit, on prompt traces (PrefixCeiling; 0 otherwise).
	Tokens      uint64 `json:"tokens,omitempty"`
	TokenMisses uint64 `json:"unavoidable_token_misses,omitempty"`
	// BatchRequests counts the requests with lookups of a trace of
	// multi-key requests, and BatchMisses those with an unavoidable miss
	// among their lookups (0 for other traces; see batch.go).
	BatchRequests uint64 `json:"batch_requests,omitempty"`
	BatchMisses   uint64 `json:"batch_unavoidable_misses,omitempty"`
}

// BatchHitRatio is the share of multi-key requests an unlimited cache
// serves whole (0 when unknown).
func (c Ceiling) BatchHitRatio() float64 {
	if c.BatchRequests == 0 {
		return 0
	}
	return 1 - ratio(c.BatchMisses, c.BatchRequests)
}

// HitRatio is the hit ratio of an unlimited cache: 1 − unavoidable misses / requests.
func (c Ceiling) HitRatio() float64 { return 1 - ratio(c.Misses, c.Requests) }

// ByteHitRatio is the byte hit ratio of an unlimited cache.
func (c Ceiling) ByteHitRatio() float64 { return 1 - ratio(c.MissBytes, c.Bytes) }

// Footprint returns the capacity that holds every object: objects, or bytes
// with overhead added to each object (as a byte-capacity replay does).
func (c Ceiling) Footprint(bytes bool, overhead uint32) int64 {
	if !bytes {
		return int64(c.Objects)
	}
	return int64(c.ObjectBytes + c.Objects*uint64(overhead))
}

// Scale turns the ceiling of a spatial sample at rate into an estimate for
// the whole trace of total requests: the ratios stay, the counts and the
// footprint grow by 1/rate.
func (c Ceiling) Scale(total int64, rate float64) Ceiling {
	if rate <= 0 || rate >= 1 || c.Requests == 0 {
		return c
	}
	f := float64(total) / float64(c.Requests)
	scale := func(v uint64, by float64) uint64 { return uint64(math.Round(float64(v) * by)) }
	return Ceiling{Requests: uint64(total), Bytes: scale(c.Bytes, f), Misses: scale(c.Misses, f), MissBytes: scale(c.MissBytes, f),
		Objects: scale(c.Objects, 1/rate), ObjectBytes: scale(c.ObjectBytes, 1/rate)}
}

// CeilingCounter computes a Ceiling one request at a time (for traces read
// as a stream). Its memory follows the distinct keys: one entry each in
// the simulator's key table and 8 bytes, or the 8 bytes alone (AddObject).
type CeilingCounter struct {
	c   Ceiling
	sem Semantics
	// index maps each key ever cached to its object in objects.
	index   keymap.Map
	objects []ceilingObject
	// The current multi-key request: whether it has lookups, and whether one missed.
	inRequest, missed bool
}

// ceilingObject is an object an unlimited cache stored: its last stored
// size, whether the cache holds it now, and whether it ever stored it
// (AddObject keeps an entry for every key, stored or not).
type ceilingObject struct {
	size   uint32
	held   bool
	stored bool
}

// NewCeilingCounter returns a counter for a trace whose requests mean what
// sem says.
func NewCeilingCounter(sem Semantics) *CeilingCounter {
	return &CeilingCounter{index: keymap.New(), sem: sem}
}

// Add counts one request.
func (cc *CeilingCounter) Add(r *trace.Request) {
	var o *ceilingObject
	if i, ok := cc.index.Get(r.Key); ok {
		o = &cc.objects[i]
	}
	cc.add(r, o)
}

// AddObject is Add for a caller that numbers the keys itself: id is the
// number of r's key, dense from 0 in the order keys are first seen (as
// traces.Summarizer.Add returns it). The counter then keeps no key table of
// its own, only 8 bytes per key (inspect of 8.65 M distinct keys: a 512 MiB
// table saved). Add and AddObject must not be mixed.
func (cc *CeilingCounter) AddObject(r *trace.Request, id int32) {
	if int(id) >= len(cc.objects) {
		cc.objects = append(cc.objects, make([]ceilingObject, int(id)+1-len(cc.objects))...)
	}
	cc.add(r, &cc.objects[id])
}

// add counts r, whose object is o (nil: one Add has not seen).
func (cc *CeilingCounter) add(r *trace.Request, o *ceilingObject) {
	if !r.Continues {
		cc.endRequest()
	}
	held := o != nil && o.held
	a := cc.sem.Action(r)
	switch {
	case a == Drop:
		if held {
			o.held = false
		}
		return
	case a == Store || (a == Fill && !held):
		cc.store(o, r)
	}
	if !a.IsRead() {
		return
	}
	cc.c.Requests++
	cc.c.Bytes += uint64(r.Size)
	cc.inRequest = true
	if !held {
		cc.c.Misses++
		cc.c.MissBytes += uint64(r.Size)
		cc.missed = true
	}
}

// store stores r's object, o when it was cached before, at r's size.
func (cc *CeilingCounter) store(o *ceilingObject, r *trace.Request) {
	if o == nil {
		cc.index.Put(r.Key, int32(len(cc.objects)))
		cc.objects = append(cc.objects, ceilingObject{})
		o = &cc.objects[len(cc.objects)-1]
	}
	if !o.stored {
		o.stored = true
		cc.c.Objects++
	}
	cc.c.ObjectBytes += uint64(r.Size) - uint64(o.size)
	o.size, o.held = r.Size, true
}

// endRequest counts the request that ends.
func (cc *CeilingCounter) endRequest() {
	if cc.inRequest {
		cc.c.BatchRequests++
		if cc.missed {
			cc.c.BatchMisses++
		}
	}
	cc.inRequest, cc.missed = false, false
}

// Ceiling returns the counts so far; the batch counts only when some
// request had several keys.
func (cc *CeilingCounter) Ceiling() Ceiling {
	c := cc.c
	if cc.inRequest {
		c.BatchRequests++
		if cc.missed {
			c.BatchMisses++
		}
	}
	if c.BatchRequests == c.Requests {
		c.BatchRequests, c.BatchMisses = 0, 0
	}
	return c
}

// Footprint returns the objects a cache of unlimited size would ever
// store on t and the sum of their sizes, each at its last stored size
// (the ceiling's footprint, under t's own meaning: see Semantics).
func Footprint(t *trace.Trace) (objects int, bytes int64) {
	c := CeilingOf(t, false)
	return int(c.Objects), int64(c.ObjectBytes)
}

// CeilingOf computes the Ceiling of t; countWrites counts every request
// as a read (see Semantics).
func CeilingOf(t *trace.Trace, countWrites bool) Ceiling {
	return ceilingOf(t, countWrites, 0)
}

// ceilingOf is CeilingOf after a warm-up of the first warm requests: an
// unlimited cache holds what they stored, and only the others count.
func ceilingOf(t *trace.Trace, countWrites bool, warm int) Ceiling {
	cc := NewCeilingCounter(Semantics{CountWrites: countWrites})
	if t.KeyRefs != nil {
		cc.objects = make([]ceilingObject, 0, t.KeyRefs.Len())
	}
	var r trace.Request
	for i := range t.Len() {
		if i == warm && warm > 0 {
			cc.restart()
		}
		t.At(i, &r)
		if r.Ref != 0 {
			cc.AddObject(&r, int32(r.Ref-1)) // numbered keys (trace.NumberKeys): no key table
		} else {
			cc.Add(&r)
		}
	}
	return cc.Ceiling()
}

// restart ends a warm-up: the objects stay held (and in the footprint),
// the counts of lookups start again.
func (cc *CeilingCounter) restart() {
	cc.endRequest()
	cc.c = Ceiling{Objects: cc.c.Objects, ObjectBytes: cc.c.ObjectBytes}
}

// EstimatedCeiling is the Ceiling of a sampled stream: distinct is the
// estimated number of distinct keys, misses the estimated unavoidable
// misses (the distinct keys, or after a warm-up those first requested
// since), and bytes are taken at the mean request size. lookups are the
// estimated statistics at any size, scaled to the whole stream.
func EstimatedCeiling(lookups Stats, distinct, misses int64) Ceiling {
	perRequest := 0.0
	if lookups.Requests > 0 {
		perRequest = float64(lookups.Bytes) / float64(lookups.Requests)
	}
	return Ceiling{Requests: lookups.Requests, Bytes: lookups.Bytes, Misses: uint64(misses), MissBytes: uint64(perRequest * float64(misses)),
		Objects: uint64(distinct), ObjectBytes: uint64(perRequest * float64(distinct))}
}
