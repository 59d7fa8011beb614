package sim

import (
	"math"

	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/stack"
	"github.com/cachesim/cachesim/traces/trace"
)

// prefixStackCurve computes what replayPrefix gives for lru (leafFirst false)
// or radix (leafFirst true) at every size in one pass over prompt trace t,
// without pins (opt.Pin and opt.Durations are ignored).
//
// Every block of every request is accessed, whatever the prefix rule
// decided, so the cache holds what LRU (or radix's order) holds on the
// block stream: the top of a stack of blocks, which is the inclusion
// property — a block cached at size C is cached at every larger size. A
// block is cached when its request arrives exactly when its stack
// distance then (its own size plus the sizes of the blocks above it) is
// at most C, and the prefix rule makes block j of a request hit exactly
// when blocks 1…j all are: at every C at least the largest of their
// distances. So the distances of all the request's blocks are taken
// before any moves, their running maximum is binned by size, and then the
// blocks move to the top: in access order for LRU (the last block most
// recent), first block most recent for radix.
//
// As for LRUCurve, byte capacities are exact only at sizes holding the
// largest block (for radix: the largest request), and when a key keeps
// one size; exact says which sizes are.
func prefixStackCurve(t *trace.Trace, sizes Sizes, opt PrefixOptions, leafFirst bool) (stats []Stats, exact []bool) {
	if sizes.Bytes {
		return prefixCurve[int64](t, sizes, opt, leafFirst)
	}
	return prefixCurve[int32](t, sizes, opt, leafFirst)
}

func prefixCurve[T stack.Weight](t *trace.Trace, sizes Sizes, opt PrefixOptions, leafFirst bool) ([]Stats, []bool) {
	d := &prefixDistances[T]{caps: sizes.Values, bytes: sizes.Bytes, leafFirst: leafFirst, ids: keymap.New(), tree: stack.NewTree[T](1 << 12),
		r: prefixReplayer{t: t, opt: opt}}
	d.bins = make([]prefixBin, len(d.caps)+1)
	eachPrompt(t, d.prompt)
	return d.curve()
}

// prefixBin counts what first hits at one size (the bin's index in caps).
type prefixBin struct {
	hits, byteHits, tokenHits uint64
	full, any                 uint64
	admits                    int64 // admissions starting (+) and ending (−) here
}

// prefixDistances is prefixStackCurve's state.
type prefixDistances[T stack.Weight] struct {
	caps      []int64
	bytes     bool
	leafFirst bool
	ids       keymap.Map
	objs      []stack.Object
	tree      *stack.Tree[T]
	r         prefixReplayer // for the blocks' sizes and weights
	bins      []prefixBin
	st        Stats
	ps        PrefixStats
	maxSize   int64   // the largest block
	maxPrompt int64   // the largest request's blocks together
	changed   bool    // a key's size changed
	blocks    []int32 // scratch: the request's block ids
}

// inf is the distance of a block not on the stack.
const inf = math.MaxInt64

// bin returns the index of the smallest size at least dist.
func (d *prefixDistances[T]) bin(dist int64) int { return searchCap(d.caps, dist) }

// distance is block id's stack distance now.
func (d *prefixDistances[T]) distance(id int32) int64 {
	o := &d.objs[id]
	if o.Pos == 0 {
		return inf
	}
	return d.tree.Above(o.Pos) + o.Weight(d.bytes)
}

// id returns block k's object, creating it on first sight.
func (d *prefixDistances[T]) id(k int) int32 {
	key, size := d.r.t.Keys[k], d.r.size(k)
	id, ok := d.ids.Get(key)
	if !ok {
		id = int32(len(d.objs))
		d.objs = append(d.objs, stack.Object{Size: size})
		d.ids.Put(key, id)
	}
	d.changed = d.changed || d.objs[id].Size != size
	return id
}

// prompt counts the request of trace entries i to j-1 and moves its blocks.
func (d *prefixDistances[T]) prompt(i, j int) {
	d.blocks = d.blocks[:0]
	run := int64(0) // the running maximum of the distances at arrival
	first := true
	d.ps.Prompts++
	for k := i; k < j; k++ {
		tok := uint64(d.r.t.Tokens[k])
		d.ps.Tokens += tok
		if d.r.tail(k) {
			continue
		}
		id := d.id(k)
		d.blocks = append(d.blocks, id)
		w := d.r.weight(k)
		d.st.Requests++
		d.st.Bytes += w
		run = max(run, d.distance(id))
		if run == inf {
			first = false
			continue
		}
		b := &d.bins[d.bin(run)]
		b.hits++
		b.byteHits += w
		b.tokenHits += tok
		if first {
			b.any++
			first = false
		}
	}
	if n := len(d.blocks); n > 0 && run != inf {
		d.bins[d.bin(run)].full++
	}
	d.move()
}

// move accesses the request's blocks in order, counting the admissions
// (a block not cached when accessed and admitted), and leaves them at the
// top of the stack in the policy's order.
func (d *prefixDistances[T]) move() {
	var cum int64
	for _, id := range d.blocks {
		o := &d.objs[id]
		w := o.Weight(d.bytes)
		cum += w
		d.maxSize = max(d.maxSize, w)
		// Admitted at the sizes [from, dist): not cached there, yet it fits
		// (for radix, below its request's blocks before it).
		from := w
		if d.leafFirst {
			from = cum
		}
		if dist := d.distance(id); from < dist {
			d.bins[d.bin(from)].admits++
			if dist != inf {
				d.bins[d.bin(dist)].admits--
			}
		}
		d.push(id)
	}
	d.maxPrompt = max(d.maxPrompt, cum)
	if d.leafFirst {
		for k := len(d.blocks) - 1; k >= 0; k-- {
			d.push(d.blocks[k])
		}
	}
}

// push moves block id to the top of the stack.
func (d *prefixDistances[T]) push(id int32) {
	o := &d.objs[id]
	w := o.Weight(d.bytes)
	if o.Pos != 0 {
		d.tree.Remove(o.Pos, w)
		o.Pos = 0
	}
	if d.tree.Full() {
		d.tree.Compact(d.objs, d.bytes)
	}
	d.objs[id].Pos = d.tree.Push(w)
}

// curve adds the bins up into the statistics at each size.
func (d *prefixDistances[T]) curve() ([]Stats, []bool) {
	k := len(d.caps)
	stats, exact := make([]Stats, k), make([]bool, k)
	res := d.tree.Residents(d.objs, d.bytes)
	var acc prefixBin
	for j := 0; j < k; j++ {
		b := d.bins[j]
		acc.hits += b.hits
		acc.byteHits += b.byteHits
		acc.tokenHits += b.tokenHits
		acc.full += b.full
		acc.any += b.any
		acc.admits += b.admits
		c := d.caps[j]
		resident := res.Fit(c)
		ps := d.ps
		ps.TokenHits, ps.Full, ps.Partial = acc.tokenHits, acc.full, acc.any-acc.full
		stats[j] = Stats{Requests: d.st.Requests, Hits: acc.hits, Bytes: d.st.Bytes, ByteHits: acc.byteHits,
			Evictions: uint64(acc.admits - int64(resident)), Prefix: &ps}
		limit := d.maxSize
		if d.leafFirst {
			limit = d.maxPrompt
		}
		exact[j] = !d.bytes || (c >= limit && !d.changed)
	}
	return stats, exact
}
