package sim

import (
	"math"

	"github.com/cachesim/cachesim/traces/huge"
	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/stack"
	"github.com/cachesim/cachesim/traces/trace"
)

// LRUCurve computes exact LRU statistics for every size in one pass over
// the trace, from Mattson's stack distances: LRU is a stack algorithm, so a
// request hits in a cache of capacity C exactly when its stack distance —
// its own size plus the sizes of the distinct objects requested since its
// previous request — is at most C. The sizes of the objects between are kept
// in a Fenwick tree indexed by each object's last request, so a distance
// costs O(log N) and the whole curve O(N log N + N log K), whatever the
// number K of sizes.
//
// For byte capacities LRU stays a stack algorithm only while every object
// fits in the cache and keeps one size: an object larger than the capacity
// is never admitted, so it must not count in other objects' distances, and
// the size a cache stores depends on when it last missed. LRUCurve therefore
// reports, per size, whether its result is exact; callers replay the others.
// Traces with writes or deletes are never exact here.
func LRUCurve(t *trace.Trace, sizes Sizes) (stats []Stats, exact []bool) {
	return lruCurveWith(t, sizes, false, 0)
}

// lruCurveWith is LRUCurve where dedup skips a key looked up a second time
// within one multi-key request, as Options.DedupBatch does, and the first
// warm requests are a warm-up: their distances count in those of the
// others, but only the others count in the curve (as Options.Span's
// warm-up does in a replay). On a trace of multi-key requests both give
// each size's Stats.Batch too (see batchcurve.go).
func lruCurveWith(t *trace.Trace, sizes Sizes, dedup bool, warm int) (stats []Stats, exact []bool) {
	if sizes.Bytes {
		return lruCurve[int64](t, sizes, dedup, warm)
	}
	return lruCurve[int32](t, sizes, dedup, warm)
}

func lruCurve[T stack.Weight](t *trace.Trace, sizes Sizes, dedup bool, warm int) (stats []Stats, exact []bool) {
	k := len(sizes.Values)
	stats, exact = make([]Stats, k), make([]bool, k)
	if k == 0 || t.Ops != nil {
		return stats, exact
	}
	d := newStackDistances[T](sizes)
	if t.HasBatches() {
		d.trackBatches(dedup)
	}
	d.addRange(t, 0, warm)
	if warm > 0 {
		d.restart()
	}
	d.addRange(t, warm, t.Len())
	return d.Curve(sizes)
}

// addRange adds requests [from, to) of t.
func (d *stackDistances[T]) addRange(t *trace.Trace, from, to int) {
	if d.bt != nil {
		var r trace.Request
		for i := from; i < to; i++ {
			t.At(i, &r)
			d.Add(&r)
		}
		return
	}
	if t.Refs != nil {
		d.numbered(t.KeyRefs)
		for i, ref := range t.Refs[from:to] {
			rs := uint32(1)
			if t.Sizes != nil {
				rs = t.Sizes[from+i]
			}
			d.add(0, ref, rs)
		}
		return
	}
	for i, key := range t.Keys[from:to] {
		rs := uint32(1)
		if t.Sizes != nil {
			rs = t.Sizes[from+i]
		}
		d.add(key, 0, rs)
	}
}

// StackDistances accumulates the LRU stack distances of a request stream,
// one request at a time, for LRUCurve and for curves of streams: the
// memory follows the distinct keys (about 50 bytes each), not the requests.
type StackDistances interface {
	// Add counts a request for key of this size.
	Add(r *trace.Request)
	// Footprint returns the number of distinct keys added and the sum of
	// their first-seen sizes.
	Footprint() (objects int, bytes int64)
	// Curve returns the LRU statistics of the requests added at each size,
	// as LRUCurve does. With byte capacities, sizes must be those given to
	// newStackDistancesOf.
	Curve(sizes Sizes) (stats []Stats, exact []bool)
	// Ceiling returns what an unlimited cache does on the requests added
	// (every request a lookup): a request misses when its key is first
	// seen; the footprint is the distinct keys at their first-seen sizes.
	Ceiling() Ceiling
}

// newStackDistancesOf returns an empty accumulator. For object capacities it
// keeps a histogram of every distance, so the sizes may be chosen after the
// stream (from its footprint); for byte capacities sizes must be known up
// front, and each distance is binned by them.
func newStackDistancesOf(sizes Sizes) StackDistances {
	if sizes.Bytes {
		return newStackDistances[int64](sizes)
	}
	return newStackDistances[int32](sizes)
}

// stackDistances implements StackDistances. In object mode distances are
// counted exactly in a histogram (O(1) a request, and a distance never
// exceeds the distinct keys); with byte capacities each distance is binned
// by a binary search over the sizes instead.
type stackDistances[T stack.Weight] struct {
	bytes      bool
	caps       []int64         // byte mode: the capacities, ascending
	hist       []distanceCount // object mode: the requests at each distance
	hitsAt     []uint64        // byte mode: requests whose distance first fits at size j
	byteHitsAt []uint64        // their bytes
	ids        keymap.Map      // key → dense id, for the requests without a key number
	idOf       []int32         // dense id + 1 by key number (Request.Ref), 0: none yet
	// byRef: every object so far was made for the next key number, so an
	// object's id is its key's number − 1 and idOf is not needed (a
	// stream numbered as it is read, or a whole loaded trace, creates
	// them in that order: one random memory access a request fewer).
	byRef       bool
	objs        []stack.Object
	tree        *stack.Tree[T]
	requests    uint64
	total       int64 // bytes requested
	footprint   int64 // the distinct objects' first-seen sizes
	maxSize     int64 // the largest size a cache would store
	sizeChanged bool
	// observe, when set, is handed each reuse distance instead of the
	// histograms (SHARDS with a fixed number of keys).
	observe func(dist int64, size uint32)
	free    []int32       // ids of forgotten objects, for reuse
	bt      *curveBatches // multi-key requests (nil: not followed)
	// warm, after a warm-up (restart), is the stack when it ended (see
	// Curve's evictions).
	warm *stack.Residents
}

// distanceCount counts the requests at one stack distance, and their
// bytes: side by side, so a request updates one cache line.
type distanceCount struct{ n, bytes uint64 }

func newStackDistances[T stack.Weight](sizes Sizes) *stackDistances[T] {
	d := &stackDistances[T]{bytes: sizes.Bytes, ids: keymap.New(), tree: stack.NewTree[T](1 << 12), byRef: true}
	if d.bytes {
		d.caps = sizes.Values
		d.hitsAt, d.byteHitsAt = make([]uint64, len(d.caps)+1), make([]uint64, len(d.caps)+1)
	}
	return d
}

func (d *stackDistances[T]) Add(r *trace.Request) {
	if d.bt != nil {
		d.addBatched(r)
		return
	}
	d.add(r.Key, r.Ref, r.Size)
}

// numbered presizes the ids by key number for the requests of k's
// numbering, which then find their object by a slice lookup instead of
// hashing the key, and the objects' columns, as the numbering knows how
// many objects there will be: no growing, and none of the copies and
// freed memory growing leaves.
func (d *stackDistances[T]) numbered(k *trace.KeyRefs) {
	n := k.Len()
	if !d.byRef && len(d.idOf) < n+1 {
		d.idOf = huge.Grow(d.idOf, n+1)
	}
	d.reserve(n)
}

// object returns the id of the object of key, whose number is ref (0:
// none), if it was seen.
func (d *stackDistances[T]) object(key uint64, ref uint32) (int32, bool) {
	switch {
	case ref == 0:
		return d.ids.Get(key)
	case d.byRef:
		return int32(ref) - 1, int(ref) <= len(d.objs)
	case int(ref) >= len(d.idOf) || d.idOf[ref] == 0:
		return 0, false
	}
	return d.idOf[ref] - 1, true
}

// setObject records that key, whose number is ref (0: none), is object id.
func (d *stackDistances[T]) setObject(key uint64, ref uint32, id int32) {
	if ref == 0 {
		d.ids.Put(key, id)
		return
	}
	if d.byRef {
		if id == int32(ref)-1 {
			return
		}
		// Out of order (the keys of one tenant, say): index every
		// object by number from here on.
		d.byRef = false
		d.idOf = huge.Grow(d.idOf, len(d.objs)+1)
		for i := 1; i < len(d.objs); i++ {
			d.idOf[i] = int32(i)
		}
	}
	if int(ref) >= len(d.idOf) { // a stream's numbering grows
		d.idOf = huge.Grow(d.idOf, int(ref)+1)
	}
	d.idOf[ref] = id + 1
}

// reserver is implemented by stackDistances: reserve gives its columns
// room for up to n objects (address space, which only the objects seen
// turn into memory), for a stream that knows at most how many requests it
// holds (traces.File.RequestBound): no growing and no copies.
type reserver interface{ reserve(n int) }

func (d *stackDistances[T]) reserve(n int) {
	if len(d.objs) == 0 && cap(d.objs) < n {
		d.objs = huge.Make[stack.Object](0, n)
		if d.observe == nil && !d.bytes {
			d.hist = huge.Make[distanceCount](0, n)
		}
	}
}

func (d *stackDistances[T]) Footprint() (int, int64) { return len(d.objs), d.footprint }

// add counts a request for key, whose number is ref (0: none; every
// request numbered or none), of size rs and returns its stack distance
// (math.MaxInt64 for a first request).
func (d *stackDistances[T]) add(key uint64, ref uint32, rs uint32) int64 {
	d.requests++
	d.total += int64(rs)
	id, seen := d.object(key, ref)
	if !seen {
		id = d.newObject(rs)
		d.setObject(key, ref, id)
	}
	o := &d.objs[id]
	s := int64(1)
	if d.bytes {
		s = int64(o.Size)
	}
	dist := int64(math.MaxInt64)
	if seen {
		d.sizeChanged = d.sizeChanged || o.Size != rs
		dist = d.tree.Above(o.Pos) + s
		if d.observe != nil {
			d.observe(dist, rs)
		} else if d.bytes {
			j := searchCap(d.caps, dist)
			d.hitsAt[j]++
			d.byteHitsAt[j] += uint64(rs)
		} else { // dist <= len(objs) = len(hist)
			h := &d.hist[dist-1]
			h.n++
			h.bytes += uint64(rs)
		}
		d.tree.Remove(o.Pos, s)
		o.Pos = 0
	}
	d.maxSize = max(d.maxSize, s)
	if d.tree.Full() {
		d.tree.Compact(d.objs, d.bytes)
	}
	o.Pos = d.tree.Push(s)
	return dist
}

// restart ends a warm-up: the distances so far stay on the stack, and
// the counts start again.
func (d *stackDistances[T]) restart() {
	clear(d.hist)
	clear(d.hitsAt)
	clear(d.byteHitsAt)
	d.requests, d.total = 0, 0
	if d.observe == nil {
		r := d.tree.Residents(d.objs, d.bytes)
		d.warm = &r
	}
	if d.bt != nil {
		d.bt.restart()
	}
}

func (d *stackDistances[T]) Ceiling() Ceiling {
	var reused, reusedBytes uint64
	for _, h := range d.hist {
		reused += h.n
		reusedBytes += h.bytes
	}
	for i, n := range d.hitsAt {
		reused += n
		reusedBytes += d.byteHitsAt[i]
	}
	return Ceiling{Requests: d.requests, Bytes: uint64(d.total), Misses: d.requests - reused, MissBytes: uint64(d.total) - reusedBytes,
		Objects: uint64(len(d.objs)), ObjectBytes: uint64(d.footprint)}
}

// newObject returns the id of a new object of this size.
func (d *stackDistances[T]) newObject(size uint32) int32 {
	d.footprint += int64(size)
	if n := len(d.free); n > 0 {
		id := d.free[n-1]
		d.free = d.free[:n-1]
		d.objs[id] = stack.Object{Size: size}
		return id
	}
	d.objs = huge.Append(d.objs, stack.Object{Size: size})
	if d.observe == nil && !d.bytes {
		d.hist = huge.Append(d.hist, distanceCount{})
	}
	return int32(len(d.objs) - 1)
}

// forget takes key off the stack, as if it had never been requested (for
// SHARDS with a fixed number of keys, when a key leaves the sample); its
// id is reused. Only for accumulators with an observer.
func (d *stackDistances[T]) forget(key uint64) {
	id, ok := d.ids.Get(key)
	if !ok {
		return
	}
	o := &d.objs[id]
	d.tree.Remove(o.Pos, o.Weight(d.bytes))
	o.Pos = 0
	d.ids.Del(key)
	d.free = append(d.free, id)
}

func (d *stackDistances[T]) Curve(sizes Sizes) (stats []Stats, exact []bool) {
	k := len(sizes.Values)
	stats, exact = make([]Stats, k), make([]bool, k)
	caps := sizes.Values
	hitsAt, byteHitsAt := d.hitsAt, d.byteHitsAt
	if !d.bytes {
		hitsAt, byteHitsAt = make([]uint64, k+1), make([]uint64, k+1)
		for i, h := range d.hist {
			j := searchCap(caps, int64(i+1))
			hitsAt[j] += h.n
			byteHitsAt[j] += h.bytes
		}
	}
	// Objects resident at the end: the longest prefix of the recency order
	// that fits, so evictions = admissions − residents.
	res := d.tree.Residents(d.objs, d.bytes)
	var hits, byteHits uint64
	n := d.requests
	for j := 0; j < k; j++ {
		hits += hitsAt[j]
		byteHits += byteHitsAt[j]
		c := caps[j]
		exact[j] = c >= d.maxSize && (!d.bytes || !d.sizeChanged)
		resident := res.Fit(c)
		stats[j] = Stats{Requests: n, Hits: hits, Bytes: uint64(d.total), ByteHits: byteHits,
			Evictions: n - hits - uint64(resident)}
		if d.warm != nil { // the warm-up admitted those held when it ended
			stats[j].Evictions += uint64(d.warm.Fit(c))
		}
	}
	if d.bt != nil {
		d.bt.curve(stats, caps, d.bytes)
	}
	return stats, exact
}

// searchCap returns the index of the first capacity >= d (len(caps) if none).
func searchCap(caps []int64, d int64) int {
	lo, hi := 0, len(caps)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if caps[m] < d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
