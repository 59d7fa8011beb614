package policy

// sideLinks are a second set of doubly linked list links for a store's
// entries, kept beside the slab, for policies that keep an object in two
// lists at once (LeCaR's LRU list and LFU buckets). The links of entry i
// are prev[i] and next[i]; grow makes room for a new entry.
type sideLinks struct{ prev, next []int32 }

// grow makes sure entry i has links.
func (s *sideLinks) grow(i int32) {
	for int(i) >= len(s.prev) {
		s.prev = append(s.prev, nilIdx)
		s.next = append(s.next, nilIdx)
	}
}

// sideList is a doubly linked list threaded through sideLinks: head is the
// newest end, tail the oldest, as in list.
type sideList struct{ head, tail int32 }

func newSideList() sideList { return sideList{nilIdx, nilIdx} }

// pushFront links entry i at the head.
func (l *sideList) pushFront(s *sideLinks, i int32) {
	s.prev[i], s.next[i] = nilIdx, l.head
	if l.head != nilIdx {
		s.prev[l.head] = i
	} else {
		l.tail = i
	}
	l.head = i
}

// remove unlinks entry i.
func (l *sideList) remove(s *sideLinks, i int32) {
	p, x := s.prev[i], s.next[i]
	if p != nilIdx {
		s.next[p] = x
	} else {
		l.head = x
	}
	if x != nilIdx {
		s.prev[x] = p
	} else {
		l.tail = p
	}
	s.prev[i], s.next[i] = nilIdx, nilIdx
}
