package sim

import (
	"sort"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/keymap"
)

// weight is the type of the stack tree's sums: int32 for object counts
// (half the memory, so more of the tree stays in the CPU cache), int64 for
// bytes.
type weight interface{ ~int32 | ~int64 }

// fenwick is a binary indexed tree of sums over positions 1…n.
type fenwick[T weight] []T

func newFenwick[T weight](n int) fenwick[T] { return make(fenwick[T], n+1) }

func (f fenwick[T]) add(i int, v T) {
	for ; i < len(f); i += i & -i {
		f[i] += v
	}
}

// prefix returns the sum over positions 1…i.
func (f fenwick[T]) prefix(i int) T {
	var s T
	for ; i > 0; i -= i & -i {
		s += f[i]
	}
	return s
}

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
func LRUCurve(t *traces.Trace, sizes Sizes) (stats []Stats, exact []bool) {
	if sizes.Bytes {
		return lruCurve[int64](t, sizes)
	}
	return lruCurve[int32](t, sizes)
}

func lruCurve[T weight](t *traces.Trace, sizes Sizes) (stats []Stats, exact []bool) {
	k := len(sizes.Values)
	stats, exact = make([]Stats, k), make([]bool, k)
	if k == 0 || t.Ops != nil {
		return stats, exact
	}
	d := newStackDistances[T](sizes)
	for i, key := range t.Keys {
		rs := uint32(1)
		if t.Sizes != nil {
			rs = t.Sizes[i]
		}
		d.add(key, rs)
	}
	return d.Curve(sizes)
}

// StackDistances accumulates the LRU stack distances of a request stream,
// one request at a time, for LRUCurve and for curves of streams: the
// memory follows the distinct keys (about 50 bytes each), not the requests.
type StackDistances interface {
	// Add counts a request for key of this size.
	Add(r *traces.Request)
	// Footprint returns the number of distinct keys added and the sum of
	// their first-seen sizes.
	Footprint() (objects int, bytes int64)
	// Curve returns the LRU statistics of the requests added at each size,
	// as LRUCurve does. With byte capacities, sizes must be those given to
	// NewStackDistances.
	Curve(sizes Sizes) (stats []Stats, exact []bool)
}

// NewStackDistances returns an empty accumulator. For object capacities it
// keeps a histogram of every distance, so the sizes may be chosen after the
// stream (from its footprint); for byte capacities sizes must be known up
// front, and each distance is binned by them.
func NewStackDistances(sizes Sizes) StackDistances {
	if sizes.Bytes {
		return newStackDistances[int64](sizes)
	}
	return newStackDistances[int32](sizes)
}

// stackDistances implements StackDistances. In object mode distances are
// counted exactly in a histogram (O(1) a request, and a distance never
// exceeds the distinct keys); with byte capacities each distance is binned
// by a binary search over the sizes instead.
type stackDistances[T weight] struct {
	bytes       bool
	caps        []int64    // byte mode: the capacities, ascending
	hist        []uint64   // object mode: requests at each distance
	byteHist    []uint64   // their bytes
	hitsAt      []uint64   // byte mode: requests whose distance first fits at size j
	byteHitsAt  []uint64   // their bytes
	ids         keymap.Map // key → dense id
	objs        []stackObject
	tree        *stackTree[T]
	requests    uint64
	total       int64 // bytes requested
	footprint   int64 // the distinct objects' first-seen sizes
	maxSize     int64 // the largest size a cache would store
	sizeChanged bool
	// observe, when set, is handed each reuse distance instead of the
	// histograms (SHARDS with a fixed number of keys).
	observe func(dist int64, size uint32)
	free    []int32 // ids of forgotten objects, for reuse
}

func newStackDistances[T weight](sizes Sizes) *stackDistances[T] {
	d := &stackDistances[T]{bytes: sizes.Bytes, ids: keymap.New(), tree: newStackTree[T](1 << 12)}
	if d.bytes {
		d.caps = sizes.Values
		d.hitsAt, d.byteHitsAt = make([]uint64, len(d.caps)+1), make([]uint64, len(d.caps)+1)
	}
	return d
}

func (d *stackDistances[T]) Add(r *traces.Request) { d.add(r.Key, r.Size) }

func (d *stackDistances[T]) Footprint() (int, int64) { return len(d.objs), d.footprint }

func (d *stackDistances[T]) add(key uint64, rs uint32) {
	d.requests++
	d.total += int64(rs)
	id, seen := d.ids.Get(key)
	if !seen {
		id = d.newObject(rs)
		d.ids.Put(key, id)
	}
	o := &d.objs[id]
	s := int64(1)
	if d.bytes {
		s = int64(o.size)
	}
	if seen {
		d.sizeChanged = d.sizeChanged || o.size != rs
		dist := d.tree.above(o.pos) + s
		if d.observe != nil {
			d.observe(dist, rs)
		} else if d.bytes {
			j := searchCap(d.caps, dist)
			d.hitsAt[j]++
			d.byteHitsAt[j] += uint64(rs)
		} else { // dist <= len(objs) = len(hist)
			d.hist[dist-1]++
			d.byteHist[dist-1] += uint64(rs)
		}
		d.tree.remove(o.pos, s)
		o.pos = 0
	}
	d.maxSize = max(d.maxSize, s)
	if d.tree.full() {
		d.tree.compact(d.objs, d.bytes)
	}
	o.pos = d.tree.push(s)
}

// newObject returns the id of a new object of this size.
func (d *stackDistances[T]) newObject(size uint32) int32 {
	d.footprint += int64(size)
	if n := len(d.free); n > 0 {
		id := d.free[n-1]
		d.free = d.free[:n-1]
		d.objs[id] = stackObject{size: size}
		return id
	}
	d.objs = append(d.objs, stackObject{size: size})
	if d.observe == nil && !d.bytes {
		d.hist = append(d.hist, 0)
		d.byteHist = append(d.byteHist, 0)
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
	d.tree.remove(o.pos, o.weight(d.bytes))
	o.pos = 0
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
		for i, n := range d.hist {
			j := searchCap(caps, int64(i+1))
			hitsAt[j] += n
			byteHitsAt[j] += d.byteHist[i]
		}
	}
	// Objects resident at the end: the longest prefix of the recency order
	// that fits, so evictions = admissions − residents.
	cum := d.tree.cumulativeByRecency(d.objs, d.bytes)
	var hits, byteHits uint64
	n := d.requests
	for j := 0; j < k; j++ {
		hits += hitsAt[j]
		byteHits += byteHitsAt[j]
		c := caps[j]
		exact[j] = c >= d.maxSize && (!d.bytes || !d.sizeChanged)
		resident := sort.Search(len(cum), func(r int) bool { return cum[r] > c }) - 1
		stats[j] = Stats{Requests: n, Hits: hits, Bytes: uint64(d.total), ByteHits: byteHits,
			Evictions: n - hits - uint64(resident)}
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

// stackObject is an object on the LRU stack: the position of its last
// request in the stackTree and the size a cache stores (its first-seen one).
type stackObject struct {
	pos  int32
	size uint32
}

// weight is the object's weight on the stack: its size, or 1 for object counts.
func (o *stackObject) weight(bytes bool) int64 {
	if bytes {
		return int64(o.size)
	}
	return 1
}

// stackTree holds the LRU stack as weights at positions ordered by last
// request. Positions are handed out in increasing order; when they run out,
// the live ones are renumbered 1…L (compaction), so the tree stays about
// twice the number of distinct keys rather than the number of requests —
// smaller, and kinder to the CPU cache.
type stackTree[T weight] struct {
	f     fenwick[T]
	clock int32 // last position handed out
	total int64
	owner []int32 // scratch for byRecency, reused so that compactions allocate only to grow
	order []int32
}

func newStackTree[T weight](size int) *stackTree[T] { return &stackTree[T]{f: newFenwick[T](size)} }

// above returns the total weight at positions after p.
func (s *stackTree[T]) above(p int32) int64 { return s.total - int64(s.f.prefix(int(p))) }

func (s *stackTree[T]) remove(p int32, v int64) {
	s.f.add(int(p), T(-v))
	s.total -= v
}

func (s *stackTree[T]) full() bool { return int(s.clock) == len(s.f)-1 }

// push puts weight v at a new, most recent position and returns it.
func (s *stackTree[T]) push(v int64) int32 {
	s.clock++
	s.f.add(int(s.clock), T(v))
	s.total += v
	return s.clock
}

// byRecency returns the objects' indices, most recently requested first,
// in a buffer that the next call reuses.
func (s *stackTree[T]) byRecency(objs []stackObject) []int32 {
	s.owner = resize(s.owner, int(s.clock)+1) // position → object index + 1
	for i := range objs {
		if p := objs[i].pos; p != 0 {
			s.owner[p] = int32(i) + 1
		}
	}
	order := s.order[:0]
	for p := s.clock; p >= 1; p-- {
		if s.owner[p] != 0 {
			order = append(order, s.owner[p]-1)
		}
	}
	s.order = order
	return order
}

// resize returns b with n zero elements, reusing its memory when it can.
func resize[E any](b []E, n int) []E {
	if cap(b) < n {
		return make([]E, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// compact renumbers the live positions 1…L in order, growing the tree when
// more than half of it is live, and rewrites the objects' positions.
func (s *stackTree[T]) compact(objs []stackObject, bytes bool) {
	order := s.byRecency(objs)
	size := len(s.f) - 1
	for 2*len(objs) > size {
		size *= 2
	}
	s.f = resize(s.f, size+1)
	for r, id := range order {
		p := int32(len(order) - r)
		objs[id].pos = p
		s.f[p] = T(objs[id].weight(bytes))
	}
	s.clock = int32(len(order))
	// Build the Fenwick tree in O(size).
	for i := 1; i <= size; i++ {
		if j := i + i&-i; j <= size {
			s.f[j] += s.f[i]
		}
	}
}

// cumulativeByRecency returns cum[r], the total weight of the r most
// recently requested objects.
func (s *stackTree[T]) cumulativeByRecency(objs []stackObject, bytes bool) []int64 {
	order := s.byRecency(objs)
	cum := make([]int64, 1, len(order)+1)
	for _, id := range order {
		cum = append(cum, cum[len(cum)-1]+objs[id].weight(bytes))
	}
	return cum
}
