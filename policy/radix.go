package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "radix",
		Summary: "an LLM server's prefix cache (SGLang's radix cache, vLLM's free block queue): LRU over the blocks no running " +
			"request holds, leaf-first: a request's blocks count as used together, the last block evicted first, and " +
			"a block is never evicted while a longer prefix extending it is cached",
		New: func(c Config) (Cache, error) { return newRadix(c.Capacity), nil },
	})
}

// radix is the eviction order of LLM servers' prefix caches. The blocks of
// a prompt form a path in a prefix tree (each block's parent is the block
// before it in the prompt, Request.Continues); SGLang evicts the least
// recently used leaf whose reference count is zero, and vLLM frees a
// finished request's blocks into an LRU queue last block first. Both come
// to one order: a list by last use where a request's blocks, used
// together, rank first block most recent, last block least. Since every
// request that uses a block uses its whole prefix, a block is then always
// more recent than the blocks that extend it, and the list's tail is a
// leaf.
//
// Without pins Radix is a stack algorithm (sim.Sweep computes it
// for every size at once): the cached blocks are the top of that order.
// A block whose place in the order is below every other cached block of
// its own request and that finds no older block to evict is not admitted
// (a prompt longer than the cache keeps its first blocks). Pinned blocks
// (Pinner) leave the list until released; a block that a cached block
// extends is skipped by eviction, which only a pinned or missing block in
// the middle of a path can cause.
//
// On a trace without multi-key requests every access starts a request,
// and Radix is LRU.
type radix struct {
	store
	q      list
	pins   pins
	tree   []radixNode // indexed like the entries
	anchor int32       // the last block of the current request placed in q (nilIdx: none yet)
	prev   uint64      // the key of the request's previous block
	inReq  bool        // a request is under way (prev is set)
}

// radixNode links an entry to its parent block.
type radixNode struct {
	parent    uint64 // the key of the block before it in its request
	hasParent bool   // parent was cached when the entry was inserted (and counts it)
	children  int32  // cached blocks whose parent this is
}

// newRadix returns an empty radix cache of the given capacity.
func newRadix(capacity int64) *radix {
	return &radix{store: newStore(capacity), q: newList(), anchor: nilIdx}
}

// Access looks r up: a hit is ranked as just used, below the blocks of
// its request accessed before it; a miss is admitted there if room can be
// made.
func (c *radix) Access(r *trace.Request) bool {
	if !r.Continues {
		c.anchor, c.inReq = nilIdx, false
	}
	i, hit := c.lookup(r)
	if hit {
		if c.pins.of(i) == 0 && i != c.anchor {
			c.q.remove(c.nodes, i)
			c.place(i)
		}
	} else {
		c.admit(r)
	}
	c.prev, c.inReq = r.Key, true
	return hit
}

// place links unpinned entry i just below the anchor (at the head for a
// request's first block) and makes it the anchor.
func (c *radix) place(i int32) {
	if c.anchor == nilIdx {
		c.q.pushFront(c.nodes, i)
	} else {
		n := c.nodes
		a := c.anchor
		x := n[a].next
		n[i].prev, n[i].next = a, x
		n[a].next = i
		if x != nilIdx {
			n[x].prev = i
		} else {
			c.q.tail = i
		}
	}
	c.anchor = i
}

// admit inserts r's block if room can be made below the anchor.
func (c *radix) admit(r *trace.Request) {
	if !c.fits(r.Size) {
		return
	}
	for c.full(r.Size) {
		v := c.victim()
		if v == nilIdx {
			return
		}
		c.q.remove(c.nodes, v)
		c.unlinkParent(v)
		c.evict(v)
	}
	i := c.add(r)
	for len(c.tree) <= int(i) {
		c.tree = append(c.tree, radixNode{})
	}
	c.tree[i] = radixNode{}
	if c.inReq {
		if p, ok := c.lookupKey(c.prev); ok {
			c.tree[i] = radixNode{parent: c.prev, hasParent: true}
			c.tree[p].children++
		}
	}
	c.place(i)
}

// victim returns the least recently used leaf below the anchor, or nilIdx.
func (c *radix) victim() int32 {
	for v := c.q.tail; v != nilIdx && v != c.anchor; v = c.nodes[v].prev {
		if c.tree[v].children == 0 {
			return v
		}
	}
	return nilIdx
}

// unlinkParent takes entry i off its parent's children.
func (c *radix) unlinkParent(i int32) {
	if nd := c.tree[i]; nd.hasParent {
		if p, ok := c.lookupKey(nd.parent); ok && c.tree[p].children > 0 {
			c.tree[p].children--
		}
	}
}

// Pin implements Pinner: a pinned block leaves the list until released.
func (c *radix) Pin(key uint64) bool {
	i, ok := c.lookupKey(key)
	if !ok {
		return false
	}
	if c.pins.add(i, c.nodes[i].size) {
		if i == c.anchor {
			c.anchor = c.nodes[i].prev // the next block goes where i was
		}
		c.q.remove(c.nodes, i)
	}
	return true
}

// Unpin implements Pinner: the blocks whose last pin goes re-enter at the
// most recent end, the first of keys most recent (vLLM frees a request's
// blocks last block first).
func (c *radix) Unpin(keys []uint64) {
	for k := len(keys) - 1; k >= 0; k-- {
		if i, ok := c.lookupKey(keys[k]); ok && c.pins.release(i, c.nodes[i].size) {
			c.q.pushFront(c.nodes, i)
		}
	}
}

// Pinned implements Pinner.
func (c *radix) Pinned() int64 { return c.pins.size }

// Remove drops key's block (a delete in the trace), pinned or not.
func (c *radix) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) {
		if i == c.anchor {
			c.anchor = c.nodes[i].prev
		}
		if c.pins.of(i) > 0 {
			c.pins.clear(i, c.nodes[i].size)
		} else {
			c.q.remove(c.nodes, i)
		}
		c.unlinkParent(i)
	})
}
