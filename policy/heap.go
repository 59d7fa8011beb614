package policy

import "container/heap"

// The heaps keep each member's position in the heap in its word32, so that
// any member can be removed or re-ranked in O(log n).

// heapPos returns the position of entry i, a member, in its heap.
func heapPos(n []entry, i int32) int { return int(n[i].word32) }

// setHeapPos records the position of entry i in its heap.
func setHeapPos(n []entry, i int32, p int) { n[i].word32 = int32(p) }

// prioHeap is a binary min-heap of entry indices ordered by a priority
// that the policy keeps in each entry's word64 (priorityOf, setPriority):
// Belady's negated next request, TTL's expiry time.
type prioHeap struct{ items []int32 }

// priorityOf returns entry i's priority in a prioHeap.
func priorityOf(n []entry, i int32) int64 { return n[i].word64 }

// setPriority sets entry i's priority; a member's heap needs fix then.
func setPriority(n []entry, i int32, p int64) { n[i].word64 = p }

func (h *prioHeap) len() int { return len(h.items) }

// top returns the entry with the lowest priority.
func (h *prioHeap) top() int32 { return h.items[0] }

// push adds entry i, its priority set.
func (h *prioHeap) push(n []entry, i int32) {
	setHeapPos(n, i, len(h.items))
	h.items = append(h.items, i)
	h.up(n, len(h.items)-1)
}

// remove takes entry i out of the heap.
func (h *prioHeap) remove(n []entry, i int32) {
	p := heapPos(n, i)
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

// fix restores the order after entry i's priority changed.
func (h *prioHeap) fix(n []entry, i int32) {
	p := heapPos(n, i)
	if !h.down(n, p) {
		h.up(n, p)
	}
}

func (h *prioHeap) less(n []entry, a, b int) bool {
	return priorityOf(n, h.items[a]) < priorityOf(n, h.items[b])
}

func (h *prioHeap) swap(n []entry, a, b int) {
	h.items[a], h.items[b] = h.items[b], h.items[a]
	setHeapPos(n, h.items[a], a)
	setHeapPos(n, h.items[b], b)
}

func (h *prioHeap) up(n []entry, j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !h.less(n, j, p) {
			break
		}
		h.swap(n, j, p)
		j = p
	}
}

func (h *prioHeap) down(n []entry, j int) bool {
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
// defines (less), for policies that rank objects by more than one number
// (GDSF: a floating-point priority, then the time of the last request).
// Each entry's position is kept in its word32 (heapPos). It implements
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
	setHeapPos(n, h.items[a], a)
	setHeapPos(n, h.items[b], b)
}
func (h *rankHeap) Push(any) { panic("policy: rankHeap.Push: use push") }
func (h *rankHeap) Pop() any { h.items = h.items[:len(h.items)-1]; return nil }

// top returns the least entry.
func (h *rankHeap) top() int32 { return h.items[0] }

// push adds entry i.
func (h *rankHeap) push(i int32) {
	setHeapPos(*h.nodes, i, len(h.items))
	h.items = append(h.items, i)
	heap.Fix(h, len(h.items)-1)
}

// remove takes entry i out.
func (h *rankHeap) remove(i int32) { heap.Remove(h, heapPos(*h.nodes, i)) }

// fix restores the order after entry i's rank changed.
func (h *rankHeap) fix(i int32) { heap.Fix(h, heapPos(*h.nodes, i)) }
