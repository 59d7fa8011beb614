package policy

// Pinner is implemented by policies that can hold objects in place while
// they are in use, as an LLM server holds the KV-cache blocks of the
// requests it is running (a reference count above zero): a pinned object
// is never evicted. The prefix simulation (sim.Replay with
// Options.Prefix) pins a request's blocks while it is in flight. lru and
// radix implement it.
type Pinner interface {
	// Pin adds a pin to key's object and reports whether it is cached (an
	// object that is not cached is not pinned).
	Pin(key uint64) bool
	// Unpin takes one pin off each of keys, the blocks of one request in
	// the order it accessed them; an object whose last pin goes becomes
	// evictable again, as just used (each policy says in which order).
	Unpin(keys []uint64)
	// Pinned returns the sum of the sizes of the pinned objects: a miss
	// can be admitted only while the capacity minus it holds the object.
	Pinned() int64
}

// pins counts the pins of a store's entries, indexed like its entries, and
// the size they hold.
type pins struct {
	count []int32
	size  int64
}

// of returns entry i's pins.
func (p *pins) of(i int32) int32 {
	if int(i) < len(p.count) {
		return p.count[i]
	}
	return 0
}

// add pins entry i of the given size and reports whether it was unpinned.
func (p *pins) add(i int32, size uint32) bool {
	for len(p.count) <= int(i) {
		p.count = append(p.count, 0)
	}
	p.count[i]++
	if p.count[i] == 1 {
		p.size += int64(size)
		return true
	}
	return false
}

// release takes a pin off entry i and reports whether it was the last.
func (p *pins) release(i int32, size uint32) bool {
	if p.of(i) == 0 {
		return false
	}
	p.count[i]--
	if p.count[i] == 0 {
		p.size -= int64(size)
		return true
	}
	return false
}

// clear forgets entry i's pins (the entry is removed).
func (p *pins) clear(i int32, size uint32) {
	if p.of(i) > 0 {
		p.count[i] = 0
		p.size -= int64(size)
	}
}

// Pin implements Pinner: a pinned object leaves the recency list until its
// last pin goes.
func (c *lru) Pin(key uint64) bool {
	i, ok := c.lookupKey(key)
	if !ok {
		return false
	}
	if c.pins.add(i, c.nodes[i].size) {
		c.q.remove(c.nodes, i)
	}
	return true
}

// Unpin implements Pinner: objects whose last pin goes re-enter at the
// most recent end in the order given, so the last of keys is the most
// recent, as if they had just been accessed in that order.
func (c *lru) Unpin(keys []uint64) {
	for _, k := range keys {
		if i, ok := c.lookupKey(k); ok && c.pins.release(i, c.nodes[i].size) {
			c.q.pushFront(c.nodes, i)
		}
	}
}

// Pinned implements Pinner.
func (c *lru) Pinned() int64 { return c.pins.size }

// Remove drops key's object (a delete in the trace), pinned or not.
func (c *lru) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) {
		if c.pins.of(i) > 0 {
			c.pins.clear(i, c.nodes[i].size)
			return
		}
		c.q.remove(c.nodes, i)
	})
}
