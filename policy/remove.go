package policy

// This file holds the unlink helpers that several policies' Remove methods
// share, on top of store.removeKey. A removal frees the object's bytes and
// is not an eviction; history a policy keeps about the key (ghost entries)
// is forgotten too, since the object no longer exists.

// removeOrForget drops key's entry like removeKey, after unlink has taken it
// out of the policy's structures, unless ghost reports that the entry is
// history only (store.toGhost), in which case it is forgotten. It reports
// whether key was cached, i.e. false for a ghost. ghost is asked before
// unlink runs. ARC, LIRS and the policies with a ghostQueue, whose ghosts
// share the key index, use it.
func (s *store) removeOrForget(key uint64, ghost func(i int32) bool, unlink func(i int32)) bool {
	i, ok := s.lookupKey(key)
	if !ok {
		return false
	}
	g := ghost(i)
	unlink(i)
	if g {
		s.forget(i)
		return false
	}
	s.drop(i)
	return true
}

// removeFromSegments drops key's entry from its segment (segmentOf: SLRU,
// W-TinyLFU) and reports whether key was cached.
func (s *store) removeFromSegments(key uint64, segs []segment) bool {
	return s.removeKey(key, func(i int32) { takeSegment(segs, s.nodes, i) })
}

// removeQueued drops key's entry from small or main, as queueOf says, or
// forgets its ghost: S3-FIFO, 2Q and QD-LP-FIFO. It reports whether key
// was cached; a key only remembered by the ghost is not.
func (s *store) removeQueued(key uint64, small, main *segment, ghost *ghostQueue) bool {
	return s.removeOrForget(key,
		func(i int32) bool { return queueOf(s.nodes, i) == inGhost },
		func(i int32) {
			switch queueOf(s.nodes, i) {
			case inSmall:
				small.take(s.nodes, i)
			case inMain:
				main.take(s.nodes, i)
			default:
				ghost.take(s.nodes, i)
			}
		})
}

// removeDense drops key's entry from the dense set d (Random, BeladySize)
// and reports whether key was cached.
func (s *store) removeDense(key uint64, d *denseSet) bool {
	return s.removeKey(key, func(i int32) { d.remove(s.nodes, i) })
}
