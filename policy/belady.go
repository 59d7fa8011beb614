package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "belady",
		Summary: "Belady's MIN, the offline optimum for object-count capacity: evicts the object whose next request " +
			"is farthest in the future (reads each request's next-access index; as libCacheSim's Belady)",
		Traits: Offline,
		Params: []Param{BoolParam("bypass", false, "do not admit an object whose next request is no sooner than "+
			"the one eviction would remove (strict MIN; the default admits every miss, as libCacheSim)")},
		New: func(c Config) (Cache, error) {
			return newBelady(c.Capacity, c.Values.Bool("bypass")), nil
		},
	})
}

// belady evicts the cached object whose next request is farthest away, an
// O(log n) heap operation per request. It needs each request's Next field
// (trace.Trace.NextAccess; sim.Replay fills it). For object-count capacity
// it is optimal among caches that admit every miss; with bypass set it may
// decline to admit and is then optimal among all caches (Belady's MIN).
// belady-size(score=distance) is this type with sized set.
type belady struct {
	store
	far    prioHeap // priority: −(the next request's index), so the farthest is on top
	bypass bool     // decline objects requested no sooner than the eviction victim
	sized  bool     // never admit an object with no next request, drop it at its last
}

// newBelady returns an empty Belady cache; bypass as described on belady.
func newBelady(capacity int64, bypass bool) *belady {
	return &belady{store: newStore(capacity), bypass: bypass}
}

// NeedsFuture reports that Belady reads Request.Next.
func (c *belady) NeedsFuture() bool { return true }

// Access looks r up, recording its next request; a miss is admitted unless
// the variant declines it.
func (c *belady) Access(r *trace.Request) bool {
	prio := -r.Next
	if i, ok := c.lookup(r); ok {
		if c.sized && r.Next == trace.NoNext {
			c.far.remove(c.nodes, i)
			c.drop(i)
			return true
		}
		setPriority(c.nodes, i, prio)
		c.far.fix(c.nodes, i)
		return true
	}
	if !c.fits(r.Size) || (c.sized && r.Next == trace.NoNext) {
		return false
	}
	if c.bypass && c.full(r.Size) && priorityOf(c.nodes, c.far.top()) >= prio {
		return false
	}
	for c.full(r.Size) {
		v := c.far.top()
		c.far.remove(c.nodes, v)
		c.evict(v)
	}
	i := c.add(r)
	setPriority(c.nodes, i, prio)
	c.far.push(c.nodes, i)
	return false
}

// Remove drops key's object (a delete in the trace) from the cache and its heap.
func (c *belady) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) { c.far.remove(c.nodes, i) })
}
