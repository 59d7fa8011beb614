package policy

import "container/heap"

// whenHeap is a binary min-heap of entry indices ordered by entry.when; each
// entry's position in the heap is kept in entry.aux so that any entry can be
// removed or re-prioritised in O(log n).
type whenHeap struct{ items []int32 }

func (h *whenHeap) len() int { return len(h.items) }

// top returns the entry with the smallest when.
func (h *whenHeap) top() int32 { return h.items[0] }

func (h *whenHeap) push(n []entry, i int32) {
	n[i].aux = int32(len(h.items))
	h.items = append(h.items, i)
	h.up(n, len(h.items)-1)
}

// remove takes entry i out of the heap.
func (h *whenHeap) remove(n []entry, i int32) {
	p := int(n[i].aux)
	last := len(h.items) - 1
	if p != last {
		h.swap(n, p, last)
	}
	h.items = h.items[:last]
	if p != last {
		if !h.down(n, p) {
			h.up(n, p)
		}
	}
}

// fix restores the order after entry i's when changed.
func (h *whenHeap) fix(n []entry, i int32) {
	p := int(n[i].aux)
	if !h.down(n, p) {
		h.up(n, p)
	}
}

func (h *whenHeap) less(n []entry, a, b int) bool {
	return n[h.items[a]].when < n[h.items[b]].when
}

func (h *whenHeap) swap(n []entry, a, b int) {
	h.items[a], h.items[b] = h.items[b], h.items[a]
	n[h.items[a]].aux = int32(a)
	n[h.items[b]].aux = int32(b)
}

func (h *whenHeap) up(n []entry, j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !h.less(n, j, p) {
			break
		}
		h.swap(n, j, p)
		j = p
	}
}

func (h *whenHeap) down(n []entry, j int) bool {
	start := j
	for {
		l := 2*j + 1
		if l >= len(h.items) {
			break
		}
		m := l
		if r := l + 1; r < len(h.items) && h.less(n, r, l) {
			m = r
		}
		if !h.less(n, m, j) {
			break
		}
		h.swap(n, j, m)
		j = m
	}
	return j > start
}

// rankHeap is a binary min-heap of entry indices in an order the policy
// defines (less), for policies that rank objects by more than entry.when
// (GDSF: a floating-point priority, then the time of the last request).
// Each entry's position is kept in entry.aux. It implements
// container/heap.Interface for the sifting; policies use push, top,
// remove and fix.
type rankHeap struct {
	items []int32
	nodes *[]entry // the store's entries, to record positions
	less  func(a, b int32) bool
}

func newRankHeap(nodes *[]entry, less func(a, b int32) bool) rankHeap {
	return rankHeap{nodes: nodes, less: less}
}

// Len, Less, Swap, Push and Pop implement container/heap.Interface.
func (h *rankHeap) Len() int           { return len(h.items) }
func (h *rankHeap) Less(a, b int) bool { return h.less(h.items[a], h.items[b]) }
func (h *rankHeap) Swap(a, b int) {
	h.items[a], h.items[b] = h.items[b], h.items[a]
	n := *h.nodes
	n[h.items[a]].aux = int32(a)
	n[h.items[b]].aux = int32(b)
}
func (h *rankHeap) Push(any) { panic("policy: rankHeap.Push: use push") }
func (h *rankHeap) Pop() any { h.items = h.items[:len(h.items)-1]; return nil }

// top returns the least entry.
func (h *rankHeap) top() int32 { return h.items[0] }

// push adds entry i.
func (h *rankHeap) push(i int32) {
	(*h.nodes)[i].aux = int32(len(h.items))
	h.items = append(h.items, i)
	heap.Fix(h, len(h.items)-1)
}

// remove takes entry i out.
func (h *rankHeap) remove(i int32) { heap.Remove(h, int((*h.nodes)[i].aux)) }

// fix restores the order after entry i's rank changed.
func (h *rankHeap) fix(i int32) { heap.Fix(h, int((*h.nodes)[i].aux)) }
