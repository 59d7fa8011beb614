package policy

// This file holds the memcached model's slab rebalancing: the decisions of
// slab_automove=1 (slab_automove.c), the aggressive slab_automove=2, and the
// page moves themselves (slabs.c's slab_rebalance_*).

// memcached's automover thresholds (slab_automove.c).
const (
	mcMinPagesForSource  = 2   // a source class keeps more pages than this
	mcMinPagesForReclaim = 2.5 // free pages beyond which an idle class gives one back
)

// mcWindowSlot is one second of one class in the automover's window.
type mcWindowSlot struct {
	age          uint64  // COLD's tail age
	dirty        bool    // evictions, refused writes or new pages
	evicted      bool    // evictions
	evictedRatio float64 // the class's share of all evictions
}

// mcWindowSum adds a class's window up.
type mcWindowSum struct {
	age          uint64
	dirty        bool
	evicted      int // seconds with evictions
	evictedRatio float64
}

// mcClassCounts are the counters of a class the automover compares from
// one run to the next.
type mcClassCounts struct {
	evicted, outOfMemory uint64
	pages                int64
}

// mcAutomove is the automover's state: a window of slots per class and the
// counters at its last run.
type mcAutomove struct {
	window int
	runs   int             // window_cur
	slots  []mcWindowSlot  // class·window + run % window
	before []mcClassCounts // per class, at the last run
	counts []mcClassCounts // per class, this run
	pick   int             // slabs_reassign_pick_any's rotating position
}

func newMCAutomove(classes, window int) mcAutomove {
	return mcAutomove{window: window, slots: make([]mcWindowSlot, classes*window),
		before: make([]mcClassCounts, classes), counts: make([]mcClassCounts, classes), pick: -1}
}

// coldAge is the age of class k's COLD tail in seconds, 0 when empty.
func (c *memcached) coldAge(k int) uint64 {
	if t := c.classes[k].lru[mcCold].tail; t != nilIdx {
		return uint64(c.clock.now - mcTime(&c.nodes[t]))
	}
	return 0
}

// runAutomove runs slab_automove=1 once for this second; a page given back
// to the global pool lets it run again at once, as memcached's maintainer
// does.
func (c *memcached) runAutomove() {
	if c.o.Automove != 1 {
		return
	}
	for range len(c.classes) + 1 {
		src, dst := c.automoveDecide()
		if src < 0 {
			return
		}
		c.movePage(src, dst)
		if dst >= 0 {
			return
		}
	}
}

// automoveDecide is slab_automove_run: it records this second in every
// class's window and returns the page move to make (src, dst; dst -1 is
// the global pool), or src -1 for none.
func (c *memcached) automoveDecide() (src, dst int) {
	a := &c.am
	var evictedTotal uint64
	for k := range c.classes {
		cl := &c.classes[k]
		a.counts[k] = mcClassCounts{evicted: cl.evicted, outOfMemory: cl.outOfMemory, pages: cl.pages}
		evictedTotal += cl.evicted - a.before[k].evicted
	}
	a.runs++
	src, dst = -1, -1
	oldest, youngest := -1, -1
	var oldestAge, youngestAge uint64 = 0, ^uint64(0)
	youngestEvicting := false
	for k := range c.classes {
		cl, now, was := &c.classes[k], a.counts[k], a.before[k]
		slot := &a.slots[k*a.window+a.runs%a.window]
		*slot = mcWindowSlot{age: c.coldAge(k)}
		if d := now.evicted - was.evicted; d > 0 {
			slot.evictedRatio = float64(float32(d) / float32(evictedTotal))
			slot.evicted, slot.dirty = true, true
		}
		if now.outOfMemory > was.outOfMemory || now.pages > was.pages {
			slot.dirty = true
		}
		sum := a.windowSum(k)
		age := sum.age / uint64(a.window)
		if float64(cl.free()) > float64(cl.perPage)*mcMinPagesForReclaim && !sum.dirty {
			src, dst, oldest, youngest = k, -1, -1, -1
			break
		}
		if age > oldestAge && cl.pages > mcMinPagesForSource {
			oldest, oldestAge = k, age
		}
		if age < youngestAge && (sum.evicted > a.window/2 || sum.evictedRatio/float64(a.window) > 0.25) {
			youngest, youngestAge, youngestEvicting = k, age, slot.evicted
		}
	}
	copy(a.before, a.counts)
	if youngest >= 0 && oldest >= 0 && a.runs > a.window &&
		float64(youngestAge) < float64(oldestAge)*c.o.AutomoveRatio && youngestEvicting {
		return oldest, youngest
	}
	if src >= 0 {
		return src, -1
	}
	return -1, -1
}

// windowSum adds up class k's window.
func (a *mcAutomove) windowSum(k int) mcWindowSum {
	var s mcWindowSum
	for _, w := range a.slots[k*a.window : (k+1)*a.window] {
		s.age += w.age
		s.dirty = s.dirty || w.dirty
		if w.evicted {
			s.evicted++
		}
		s.evictedRatio += w.evictedRatio
	}
	return s
}

// movePage moves a page of class src to class dst, or to the global pool
// when dst is -1, where memory beyond the limit is given back
// (slab_rebalance_start/move/finish, memory_release). A class keeps at
// least one page. The page's items are rescued into the class's free
// chunks; those that find none are evicted, here from the class's LRU
// tails (COLD first), where memcached evicts the items that happen to sit
// in the page.
func (c *memcached) movePage(src, dst int) {
	s := &c.classes[src]
	if s.pages < 2 || src == dst {
		return
	}
	s.pages--
	for lru := mcCold; s.used > s.pages*s.perPage; {
		v := s.lru[lru].tail
		if v == nilIdx {
			lru = [4]int{mcCold: mcWarm, mcWarm: mcHot, mcHot: mcTemp, mcTemp: mcCold}[lru]
			continue
		}
		c.unlink(v)
		c.evict(v)
	}
	c.moved++
	if dst >= 0 {
		c.classes[dst].pages++
		return
	}
	c.pool++
	for c.malloced > c.capacity && c.pool > 0 {
		c.pool--
		c.malloced -= c.o.Page
	}
}

// reassignAny is slab_automove=2's move after an eviction from class dst:
// a page from the next class, in turn, that has more than one
// (slabs_reassign_pick_any).
func (c *memcached) reassignAny(dst int) {
	a := &c.am
	for range c.classes {
		a.pick = (a.pick + 1) % len(c.classes)
		if a.pick != dst && c.classes[a.pick].pages > 1 {
			c.movePage(a.pick, dst)
			return
		}
	}
}
