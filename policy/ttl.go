package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "ttl",
		Summary: "LRU with expiry: an entry expires TTL seconds after it was written (the request's TTL, else the " +
			"default TTL); an expired entry is a miss and is replaced; when full, expired entries go first, then the " +
			"least recently used",
		Traits: TraceTime | Expiry,
		New:    func(c Config) (Cache, error) { return newTTL(c.Capacity, int64(c.TTL)), nil },
	})
}

// ttl is an LRU cache whose entries expire. Time is the trace's, never the
// wall clock: an entry written at time t with time to live d serves hits at
// times before t+d and is a miss from t+d on.
type ttl struct {
	store
	q          list     // recency order
	expiry     prioHeap // entries by expiry time (expiresAt)
	defaultTTL int64    // ns; 0 = never
	expired    uint64
}

// never is the expiry time of entries without a TTL.
const never = int64(^uint64(0) >> 1)

// newTTL returns an empty TTL cache; defaultTTL (ns) applies to requests
// that carry no TTL of their own, and 0 means such entries never expire.
func newTTL(capacity, defaultTTL int64) *ttl {
	return &ttl{store: newStore(capacity), q: newList(), defaultTTL: defaultTTL}
}

// Expired returns how many entries were found expired or evicted because they had expired.
func (c *ttl) Expired() uint64 { return c.expired }

func (c *ttl) expiryOf(r *trace.Request) int64 {
	ttl := c.defaultTTL
	if r.TTL > 0 {
		ttl = int64(r.TTL) * 1e9
	}
	if ttl <= 0 || r.Time > never-ttl {
		return never
	}
	return r.Time + ttl
}

// Access looks r up at the request's time; a fresh entry hits, an expired or
// absent one is a miss and is (re)written.
func (c *ttl) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		if r.Time < c.expiresAt(i) {
			c.q.moveToFront(c.nodes, i)
			return true
		}
		// Expired: the entry is replaced by a fresh copy of the object.
		c.expired++
		c.remove(i)
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		v := c.q.tail
		if top := c.expiry.top(); c.expiresAt(top) <= r.Time {
			v = top
			c.expired++
		} else {
			c.evicted(v)
		}
		c.remove(v)
	}
	i := c.add(r)
	setPriority(c.nodes, i, c.expiryOf(r))
	c.q.pushFront(c.nodes, i)
	c.expiry.push(c.nodes, i)
	return false
}

// expiresAt returns the time entry i expires, its priority in the expiry
// heap.
func (c *ttl) expiresAt(i int32) int64 { return priorityOf(c.nodes, i) }

// remove drops entry i.
func (c *ttl) remove(i int32) {
	c.unlink(i)
	c.drop(i)
}

// unlink takes entry i out of the recency list and the expiry heap.
func (c *ttl) unlink(i int32) {
	c.q.remove(c.nodes, i)
	c.expiry.remove(c.nodes, i)
}

// Remove drops key's object (a delete in the trace).
func (c *ttl) Remove(key uint64) bool { return c.removeKey(key, c.unlink) }

// Expire drops key's entry if it has expired by now (see Expirer).
func (c *ttl) Expire(key uint64, now int64) bool {
	i, ok := c.lookupKey(key)
	if !ok || now < c.expiresAt(i) {
		return false
	}
	c.expired++
	c.remove(i)
	return true
}
