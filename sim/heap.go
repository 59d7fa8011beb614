package sim

// Ending is something in flight that ends at a time: a backend call, a
// request holding its blocks.
type Ending interface {
	// Ends returns when it ends (nanoseconds of trace time).
	Ends() int64
}

// EndHeap is a min-heap of things in flight by the time they end. Pushing
// and popping allocate nothing once the slice has grown to the most in
// flight at once.
type EndHeap[T Ending] []T

// Push adds x.
func (h *EndHeap[T]) Push(x T) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p].Ends() <= a[i].Ends() {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

// Pop removes and returns what ends first.
func (h *EndHeap[T]) Pop() T {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	for i := 0; ; {
		m, l, r := i, 2*i+1, 2*i+2
		if l < n && a[l].Ends() < a[m].Ends() {
			m = l
		}
		if r < n && a[r].Ends() < a[m].Ends() {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

// Due reports whether something in flight ends at or before now.
func (h EndHeap[T]) Due(now int64) bool { return len(h) > 0 && h[0].Ends() <= now }
