// Package stack keeps the LRU stack of a request stream for stack
// distances (Mattson et al.): objects by recency with weights, indexed by
// each object's last request, so that the weight of the objects requested
// since an object's previous request costs O(log N). The positions are
// renumbered when they run out, so the stack stays a small multiple of the
// number of live objects rather than the number of requests. The
// simulator's exact LRU curves (sim) and the trace summary's reuse
// distances (traces) share it.
package stack

import (
	"math/bits"
	"sort"
)

// Weight is the type of the stack's sums. A Tree[int32] counts objects
// (every weight is 1) in a bitmap of positions with a Fenwick tree over its
// words: a bit a position instead of a 4-byte sum, so the stack of a
// million objects fits in the CPU's L2 cache. A Tree[int64] sums byte
// weights in a Fenwick tree of positions.
type Weight interface{ ~int32 | ~int64 }

// fenwick is a binary indexed tree of sums over positions 1…n.
type fenwick[T Weight] []T

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

// build turns f, holding each position's own value, into its Fenwick
// tree, in O(n).
func (f fenwick[T]) build() {
	for i := 1; i < len(f); i++ {
		if j := i + i&-i; j < len(f) {
			f[j] += f[i]
		}
	}
}

// Object is an object on the LRU stack: the position of its last
// request in the Tree (0: none, off the stack) and the size a cache stores
// (its first-seen one).
type Object struct {
	Pos  int32
	Size uint32
}

// Weight is the object's weight on the stack: its size, or 1 for object counts.
func (o *Object) Weight(bytes bool) int64 {
	if bytes {
		return int64(o.Size)
	}
	return 1
}

// Tree holds the LRU stack as weights at positions ordered by last
// request. Positions are handed out in increasing order; when they run
// out, the live ones are renumbered 1…L (compaction), so the tree stays a
// small multiple of the number of distinct keys rather than the number of
// requests — smaller, and kinder to the CPU cache.
type Tree[T Weight] struct {
	// count: every weight is 1 (Tree[int32]). Then bits has a bit set at
	// each live position and words sums the bits of each 64-position
	// word (Fenwick position w+1 for word w); else f sums the weights.
	count bool
	bits  []uint64
	words fenwick[int32]
	f     fenwick[T]
	n     int32 // positions 1…n exist
	clock int32 // last position handed out
	total int64
	owner []int32 // scratch for byRecency and compactCounts, reused so that compactions allocate only to grow
	order []int32
}

// NewTree returns an empty tree of size positions (it grows as needed).
func NewTree[T Weight](size int) *Tree[T] {
	var zero T
	_, count := any(zero).(int32)
	s := &Tree[T]{count: count}
	s.resize(size)
	return s
}

// resize makes positions 1…size (at least), all empty.
func (s *Tree[T]) resize(size int) {
	if !s.count {
		s.f = resize(s.f, size+1)
		s.n = int32(size)
		return
	}
	w := (size + 1 + 63) / 64 // bit 0 of word 0 is position 0, never used
	s.bits, s.words = resize(s.bits, w), resize(s.words, w+1)
	s.n = int32(64*w - 1)
}

// Above returns the total weight at positions after p.
func (s *Tree[T]) Above(p int32) int64 {
	if !s.count {
		return s.total - int64(s.f.prefix(int(p)))
	}
	return s.total - s.rank(p)
}

// rank returns the number of live positions 1…p (a counting tree's).
func (s *Tree[T]) rank(p int32) int64 {
	w, b := p>>6, uint(p&63)
	return int64(s.words.prefix(int(w))) + int64(bits.OnesCount64(s.bits[w]<<(63-b)))
}

// Remove takes weight v off position p.
func (s *Tree[T]) Remove(p int32, v int64) {
	s.total -= v
	if !s.count {
		s.f.add(int(p), T(-v))
		return
	}
	s.bits[p>>6] &^= 1 << uint(p&63)
	s.words.add(int(p>>6)+1, -1)
}

// Full reports whether every position is handed out: Compact before the next Push.
func (s *Tree[T]) Full() bool { return s.clock == s.n }

// Push puts weight v at a new, most recent position and returns it.
func (s *Tree[T]) Push(v int64) int32 {
	s.clock++
	p := s.clock
	s.total += v
	if !s.count {
		s.f.add(int(p), T(v))
		return p
	}
	s.bits[p>>6] |= 1 << uint(p&63)
	s.words.add(int(p>>6)+1, 1)
	return p
}

// byRecency returns the objects' indices, most recently requested first,
// in a buffer that the next call reuses.
func (s *Tree[T]) byRecency(objs []Object) []int32 {
	s.owner = resize(s.owner, int(s.clock)+1) // position → object index + 1
	for i := range objs {
		if p := objs[i].Pos; p != 0 {
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

// Compact renumbers the live positions 1…L in order, growing the tree when
// more than half of it is live, and rewrites the objects' positions.
func (s *Tree[T]) Compact(objs []Object, bytes bool) {
	size := int(s.n)
	for 2*len(objs) > size {
		size *= 2
	}
	if s.count {
		s.compactCounts(objs, size)
		return
	}
	order := s.byRecency(objs)
	s.resize(size)
	for r, id := range order {
		p := int32(len(order) - r)
		objs[id].Pos = p
		s.f[p] = T(objs[id].Weight(bytes))
	}
	s.clock = int32(len(order))
	s.f.build()
}

// compactCounts is Compact for a counting tree: an object's new position
// is its rank among the live ones, read off the bitmap, so no sort is
// needed.
func (s *Tree[T]) compactCounts(objs []Object, size int) {
	// below[w]: the live positions in the words before w.
	below := s.owner[:0]
	live := int32(0)
	for _, b := range s.bits {
		below = append(below, live)
		live += int32(bits.OnesCount64(b))
	}
	s.owner = below
	for i := range objs {
		if p := objs[i].Pos; p != 0 {
			w, b := p>>6, uint(p&63)
			objs[i].Pos = below[w] + int32(bits.OnesCount64(s.bits[w]<<(63-b)))
		}
	}
	s.resize(size)
	// Positions 1…live are set: whole words, then a partial one.
	for p := int32(1); p <= live; {
		w := p >> 6
		if p&63 == 0 && p+63 <= live {
			s.bits[w] = ^uint64(0)
			s.words[w+1] = 64
			p += 64
			continue
		}
		s.bits[w] |= 1 << uint(p&63)
		s.words[w+1]++
		p++
	}
	s.words.build()
	s.clock = live
}

// Residents tells how many of the most recently requested objects fit in
// a capacity: those an LRU cache of that capacity holds.
type Residents struct {
	counted bool
	n       int64   // counted: the objects on the stack
	cum     []int64 // else cum[r]: the total weight of the r most recent
}

// Fit returns how many of the most recent objects fit in capacity c.
func (r Residents) Fit(c int64) int {
	if r.counted {
		return int(max(0, min(c, r.n)))
	}
	return sort.Search(len(r.cum), func(i int) bool { return r.cum[i] > c }) - 1
}

// Residents returns the stack's residents by capacity as it is now.
func (s *Tree[T]) Residents(objs []Object, bytes bool) Residents {
	if s.count && !bytes { // every weight is 1
		return Residents{counted: true, n: s.total}
	}
	order := s.byRecency(objs)
	cum := make([]int64, 1, len(order)+1)
	for _, id := range order {
		cum = append(cum, cum[len(cum)-1]+objs[id].Weight(bytes))
	}
	return Residents{cum: cum}
}
