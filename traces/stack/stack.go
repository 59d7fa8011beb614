// Package stack keeps the LRU stack of a request stream for stack
// distances (Mattson et al.): objects by recency with weights, in a Fenwick
// tree indexed by each object's last request, so that the weight of the
// objects requested since an object's previous request costs O(log N). The
// positions are renumbered when they run out, so the tree stays about twice
// the number of live objects rather than the number of requests. The
// simulator's exact LRU curves (sim) and the trace summary's reuse
// distances (traces) share it.
package stack

// Weight is the type of the stack tree's sums: int32 for object counts
// (half the memory, so more of the tree stays in the CPU cache), int64 for
// bytes.
type Weight interface{ ~int32 | ~int64 }

// fenwick is a binary indexed tree of sums over positions 1…n.
type fenwick[T Weight] []T

func newFenwick[T Weight](n int) fenwick[T] { return make(fenwick[T], n+1) }

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
// request. Positions are handed out in increasing order; when they run out,
// the live ones are renumbered 1…L (compaction), so the tree stays about
// twice the number of distinct keys rather than the number of requests —
// smaller, and kinder to the CPU cache.
type Tree[T Weight] struct {
	f     fenwick[T]
	clock int32 // last position handed out
	total int64
	owner []int32 // scratch for byRecency, reused so that compactions allocate only to grow
	order []int32
}

// NewTree returns an empty tree of size positions (it grows as needed).
func NewTree[T Weight](size int) *Tree[T] { return &Tree[T]{f: newFenwick[T](size)} }

// Above returns the total weight at positions after p.
func (s *Tree[T]) Above(p int32) int64 { return s.total - int64(s.f.prefix(int(p))) }

// Remove takes weight v off position p.
func (s *Tree[T]) Remove(p int32, v int64) {
	s.f.add(int(p), T(-v))
	s.total -= v
}

// Full reports whether every position is handed out: Compact before the next Push.
func (s *Tree[T]) Full() bool { return int(s.clock) == len(s.f)-1 }

// Push puts weight v at a new, most recent position and returns it.
func (s *Tree[T]) Push(v int64) int32 {
	s.clock++
	s.f.add(int(s.clock), T(v))
	s.total += v
	return s.clock
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
	order := s.byRecency(objs)
	size := len(s.f) - 1
	for 2*len(objs) > size {
		size *= 2
	}
	s.f = resize(s.f, size+1)
	for r, id := range order {
		p := int32(len(order) - r)
		objs[id].Pos = p
		s.f[p] = T(objs[id].Weight(bytes))
	}
	s.clock = int32(len(order))
	// Build the Fenwick tree in O(size).
	for i := 1; i <= size; i++ {
		if j := i + i&-i; j <= size {
			s.f[j] += s.f[i]
		}
	}
}

// CumulativeByRecency returns cum[r], the total weight of the r most
// recently requested objects.
func (s *Tree[T]) CumulativeByRecency(objs []Object, bytes bool) []int64 {
	order := s.byRecency(objs)
	cum := make([]int64, 1, len(order)+1)
	for _, id := range order {
		cum = append(cum, cum[len(cum)-1]+objs[id].Weight(bytes))
	}
	return cum
}
