package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "twoq",
		Summary: "2Q (Johnson and Shasha, VLDB'94): new objects enter a FIFO (A1in); those evicted from it are remembered " +
			"in a ghost FIFO (A1out), and a miss that hits the ghost enters the LRU main queue Am (as libCacheSim's TwoQ)",
		Params: []Param{
			FractionParam("in", 0.25, "share of the capacity for A1in"),
			FloatParam("out", 0.5, 0, 10, "ghost A1out size as a share of the capacity"),
		},
		New: func(c Config) (Cache, error) {
			return newTwoQ(c.Capacity, twoQOptions{In: c.Values.Float("in"), Out: c.Values.Float("out")}), nil
		},
	})
}

// twoQOptions are 2Q's parameters, used as given (the registered policy's
// schema holds the defaults: New(Spec{Name: "twoq"}, …)).
type twoQOptions struct {
	// In is A1in's share of the capacity.
	In float64
	// Out is the ghost A1out's size as a share of the capacity.
	Out float64
}

// twoQ is the full 2Q as libCacheSim implements it (TwoQ.c): a hit in A1in
// changes nothing, a hit in Am moves the object to Am's head. When the cache
// is full, A1in's oldest object goes to A1out if A1in is over its share,
// else Am's least recent object is evicted. queueOf is the queue: inSmall
// for A1in, inMain for Am, inGhost for A1out (whose ghosts share the
// cache's store: ghostQueue).
//
// Difference from libCacheSim, for tiny caches only: A1in holds at least one
// object's worth (libCacheSim's floor(0.25 × capacity) admits nothing below
// 4 objects).
type twoQ struct {
	store
	in, am segment
	out    ghostQueue
}

// newTwoQ returns an empty 2Q cache with the options o.
func newTwoQ(capacity int64, o twoQOptions) *twoQ {
	ic := max(int64(float64(capacity)*o.In), 1)
	return &twoQ{
		store: newHistoryStore(capacity),
		in:    newSegment(ic),
		am:    newSegment(capacity - ic),
		out:   newGhostQueue(int64(float64(capacity) * o.Out)),
	}
}

// Access looks r up; a miss remembered by A1out enters Am, any other A1in.
func (c *twoQ) Access(r *trace.Request) bool {
	i, ok := c.lookup(r)
	if ok {
		switch queueOf(c.nodes, i) {
		case inMain:
			c.am.moveToFront(c.nodes, i)
			return true
		case inSmall:
			return true
		}
	}
	if !c.fits(r.Size) || int64(r.Size) > c.in.capacity {
		return false
	}
	fromGhost := ok
	if fromGhost {
		c.out.forget(&c.store, i)
	}
	for c.full(r.Size) {
		if c.in.over() || c.am.empty() {
			v := c.in.tail
			c.in.take(c.nodes, v)
			c.out.remember(&c.store, v)
		} else {
			c.evictAm()
		}
	}
	i = c.add(r)
	if fromGhost {
		// Am admits as an LRU of its own size would.
		for c.am.used+int64(r.Size) > c.am.capacity && !c.am.empty() {
			c.evictAm()
		}
		setQueue(c.nodes, i, inMain)
		c.am.push(c.nodes, i)
	} else {
		setQueue(c.nodes, i, inSmall)
		c.in.push(c.nodes, i)
	}
	return false
}

func (c *twoQ) evictAm() {
	v := c.am.tail
	c.am.take(c.nodes, v)
	c.evict(v)
}

// Remove drops key's object (a delete in the trace) and forgets it in
// A1out, so that its return is a new object that enters A1in.
func (c *twoQ) Remove(key uint64) bool {
	return c.removeQueued(key, &c.in, &c.am, &c.out)
}
