package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "belady-prefix",
		Summary: "the offline optimum for LLM prefix caches (block counts): Belady's MIN over the cached prefix tree, " +
			"evicting the cached leaf block whose next request is farthest and declining a block needed no sooner, or " +
			"whose parent block is not cached (reads each request's next-access index; Belady with bypass on traces " +
			"without prompts)",
		Traits: Offline,
		New:    func(c Config) (Cache, error) { return newBeladyPrefix(c.Capacity), nil },
	})
}

// beladyPrefix is Belady's MIN adapted to prefix caches, where a block is
// useful only while every block before it in its prompt is cached (the
// prefix rule, sim.Replay with Options.Prefix). The blocks of a prompt
// arrive in order, each after the first with Request.Continues set; the
// block before a block is its parent. beladyPrefix keeps the cached blocks closed under
// parents, a tree of cached prefixes:
//
//   - it evicts only leaves (cached blocks no cached block extends), the one
//     whose next request (Request.Next) is farthest, an O(log n) heap
//     operation;
//   - it declines a block whose parent is not cached (an orphan can never
//     hit under the prefix rule until its parent is stored again), and a
//     block whose next request is no sooner than the leaf eviction would
//     remove (strict MIN).
//
// Because a block's key implies its whole prefix, every later request for
// a block also requests its parent before it, so a parent's next request
// is always sooner than its child's: the farthest cached block is a leaf,
// or ties with one (both never requested again), and MIN's choices keep the
// cache closed under parents. The cache is then MIN with bypass on the
// block sequence, which no cache beats in plain hits, and, being closed,
// every block MIN finds cached is a prefix hit: with every block counting
// 1 (block counts, equal token weights) it is the optimum of the prefix
// rule. Tokens that differ from block to block (a prompt's last, partial
// block) and byte capacities (KV memory, blocks of different sizes) make
// it a bound that is not always attained; the tests measure the gap to an
// exhaustive search (sim/prefix_optimal_test.go).
//
// On a trace without multi-key requests every block is a root and
// beladyPrefix is Belady with bypass. It treats any multi-key request as a
// chain, so on traces whose multi-key requests are not prompts (a Redis
// MGET) belady is the bound to use.
//
// An entry's priority (word64, through prioHeap) is −(its next request),
// kept current for every cached block; only leaves are in the heap.
type beladyPrefix struct {
	store
	leaves prioHeap     // the cached leaves; the farthest next request on top
	links  []prefixLink // indexed like the entries
	prev   int32        // the current request's previous block if cached, else nilIdx
}

// prefixLink ties a cached block to its parent in the tree of cached
// prefixes.
type prefixLink struct {
	parent   int32 // the entry of the block before it in its request, nilIdx for a root
	children int32 // cached blocks whose parent this is
}

// newBeladyPrefix returns an empty prefix-aware Belady cache.
func newBeladyPrefix(capacity int64) *beladyPrefix {
	return &beladyPrefix{store: newStore(capacity), prev: nilIdx}
}

// NeedsFuture reports that beladyPrefix reads Request.Next.
func (c *beladyPrefix) NeedsFuture() bool { return true }

// Access looks r up, recording its next request; a miss is admitted as a
// leaf under the request's previous block unless MIN declines it.
func (c *beladyPrefix) Access(r *trace.Request) bool {
	parent := c.prev
	if !r.Continues {
		parent = nilIdx
	}
	c.prev = nilIdx
	prio := -r.Next
	if i, ok := c.lookup(r); ok {
		setPriority(c.nodes, i, prio)
		if c.links[i].children == 0 {
			c.leaves.fix(c.nodes, i)
		}
		c.prev = i
		return true
	}
	if !c.fits(r.Size) || (r.Continues && parent == nilIdx) {
		return false
	}
	// The parent, about to gain a child, leaves the heap first: room is
	// never made by evicting it.
	detached := parent != nilIdx && c.links[parent].children == 0
	if detached {
		c.leaves.remove(c.nodes, parent)
	}
	if !c.makeRoom(r.Size, prio) {
		if detached {
			c.leaves.push(c.nodes, parent)
		}
		return false
	}
	i := c.add(r)
	setPriority(c.nodes, i, prio)
	for len(c.links) <= int(i) {
		c.links = append(c.links, prefixLink{})
	}
	c.links[i] = prefixLink{parent: parent, children: 0}
	if parent != nilIdx {
		c.links[parent].children++
	}
	c.leaves.push(c.nodes, i)
	c.prev = i
	return false
}

// makeRoom evicts the farthest leaves until a block of this size fits, and
// reports whether it does: it stops, and the block is declined, at a leaf
// requested no later than the block (priority ≥ prio). With block counts
// that is one comparison, strict MIN's.
func (c *beladyPrefix) makeRoom(size uint32, prio int64) bool {
	for c.full(size) {
		if c.leaves.len() == 0 || priorityOf(c.nodes, c.leaves.top()) >= prio {
			return false
		}
		c.evictLeaf(c.leaves.top())
	}
	return true
}

// evictLeaf evicts leaf v; its parent becomes a leaf when v was its last
// cached child.
func (c *beladyPrefix) evictLeaf(v int32) {
	c.leaves.remove(c.nodes, v)
	c.unlink(v)
	c.evict(v)
}

// unlink takes entry v, a leaf out of the heap, off its parent's children.
func (c *beladyPrefix) unlink(v int32) {
	p := c.links[v].parent
	if p == nilIdx {
		return
	}
	if c.links[p].children--; c.links[p].children == 0 {
		c.leaves.push(c.nodes, p)
	}
}

// Remove drops key's block (a delete in the trace). The blocks it was the
// parent of become roots (found by a scan, as deletes come only in traces
// without prompts, where every block is a root already).
func (c *beladyPrefix) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) {
		if c.links[i].children > 0 {
			for j := range c.nodes {
				if k, ok := c.lookupKey(c.nodes[j].key); ok && k == int32(j) && c.links[j].parent == i {
					c.links[j].parent = nilIdx
				}
			}
		} else {
			c.leaves.remove(c.nodes, i)
		}
		c.unlink(i)
		if c.prev == i {
			c.prev = nilIdx
		}
	})
}
