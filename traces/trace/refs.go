package trace

import (
	"math"
	"sync"

	"github.com/cachesim/cachesim/traces/huge"
	"github.com/cachesim/cachesim/traces/keymap"
)

// KeyRefs numbers the distinct keys of a trace densely, 1…Len() in the
// order of their first request, so that a cache can keep its per-key state
// in slices indexed by number instead of hash tables: a loaded trace's
// (see Trace.NumberKeys), or a stream's as it goes by (NewKeyRefs and
// Number). It is safe for concurrent use, Number excepted.
type KeyRefs struct {
	n          int
	keys       []uint64 // the trace's keys, and their numbers, for Of
	refs       []uint32
	once       sync.Once
	byKey      keymap.Map     // key → number − 1: built by the first Of
	numbers    keymap.Numbers // key → number, for Number (its keys by number: run.keyOf)
	tableBytes int64
	// live: Number extends the numbering, under mu (Of and Len take it too).
	live bool
	mu   sync.Mutex
	run  successor // Number's shortcut for sequential keys
}

// successor numbers the keys of sequential runs without hashing. Block
// traces read and write runs of consecutive block numbers, and a run read
// again was usually numbered in order the first time: 76% of p3's
// requests are for the key after the one before, numbered right after
// it. Such a key's number is found by checking the key numbered next to
// the last one (keyOf, in order, so the check touches the cache line the
// last one did) instead of a hash lookup that misses the CPU cache.
type successor struct {
	keyOf   []uint64 // key by number − 1
	last    uint64   // the key numbered last
	lastRef uint32   // its number
}

// next returns key's number if it is the key after the last one and was
// numbered right after it.
func (s *successor) next(key uint64) (uint32, bool) {
	if key == s.last+1 && int(s.lastRef) < len(s.keyOf) && s.keyOf[s.lastRef] == key {
		s.last, s.lastRef = key, s.lastRef+1
		return s.lastRef, true
	}
	return 0, false
}

// saw records that key has number ref, numbered just now if isNew.
func (s *successor) saw(key uint64, ref uint32, isNew bool) {
	if isNew {
		s.keyOf = huge.Append(s.keyOf, key)
	}
	s.last, s.lastRef = key, ref
}

// NewKeyRefs returns an empty numbering that Number extends, for a stream
// whose keys are numbered as they are read. It holds a table of 11 to 21
// bytes a key (keymap.Numbers) and the keys by number, 8 more. requests,
// when known (else 0), bounds the keys it will number: the keys by number
// then have room for them all from the start, which costs address space,
// not memory, until used, and spares the copies and garbage of growing.
func NewKeyRefs(requests int) *KeyRefs {
	return &KeyRefs{live: true, run: successor{keyOf: roomForKeys(requests)}}
}

// roomForKeys is an empty slice of the keys by number with room for
// requests keys, its first pages ordinary ones (huge.Room): huge ones
// (huge.Make) would make the first 2 MiB resident however few keys a
// trace has.
func roomForKeys(requests int) []uint64 { return huge.Room[uint64](requests) }

// Number returns key's number, numbering it next if it has none (isNew).
// Only one goroutine may call Number on a numbering made by NewKeyRefs;
// others may call Of and Len meanwhile. A key known already costs one
// table lookup, and no lock; the next key of a sequential run (see
// successor), usually none.
func (k *KeyRefs) Number(key uint64) (ref uint32, isNew bool) {
	if ref, ok := k.run.next(key); ok {
		return ref, false
	}
	if ref, ok := k.numbers.Get(key, k.run.keyOf); ok {
		k.run.saw(key, ref, false)
		return ref, false
	}
	k.mu.Lock()
	k.n++
	ref = uint32(k.n)
	k.numbers.Put(key, ref)
	k.run.saw(key, ref, true)
	k.mu.Unlock()
	return ref, true
}

// Len returns the number of distinct keys, the largest number (0 for nil).
func (k *KeyRefs) Len() int {
	if k == nil {
		return 0
	}
	if k.live {
		k.mu.Lock()
		defer k.mu.Unlock()
	}
	return k.n
}

// Of returns key's number, 0 when the trace never requests key (a stream's
// numbering: none requested so far). On a loaded trace's, the first call
// builds a table from keys to numbers, a pass over the trace: most
// replays never need it, as their requests carry their numbers
// (Request.Ref), and the memory it would hold goes to the caches.
func (k *KeyRefs) Of(key uint64) uint32 {
	if k.live {
		k.mu.Lock()
		ref, _ := k.numbers.Get(key, k.run.keyOf)
		k.mu.Unlock()
		return ref
	}
	k.once.Do(func() {
		k.byKey = keymap.NewSized(k.n)
		for i, key := range k.keys {
			if int(k.refs[i]) > k.byKey.Len() {
				k.byKey.Put(key, int32(k.refs[i]-1))
			}
		}
	})
	if v, ok := k.byKey.Get(key); ok {
		return uint32(v) + 1
	}
	return 0
}

// TableBytes is the most memory the numbering holds at once besides the
// trace's Refs column: the table of NumberKeys or Of, whichever is larger.
func (k *KeyRefs) TableBytes() int64 { return k.tableBytes }

// NumberKeys fills t.Refs, each request's key number (see KeyRefs), and
// t.KeyRefs, in one pass; Fill and At then set Request.Ref. It writes to
// t, so call it on a complete trace before sharing t between goroutines.
// A second call does nothing.
func (t *Trace) NumberKeys() {
	if t.KeyRefs != nil {
		return
	}
	nb := NewNumbering(len(t.Keys), t.EstimateDistinct())
	nb.Add(t.Keys)
	nb.Finish(t)
}

// Numbering numbers a trace's keys in steps, as NumberKeys does in one: a
// load that numbers the keys as it reads them (traces.ReadAllNumbered)
// Adds each run of keys as it is read, then Finishes the trace.
type Numbering struct {
	refs  []uint32
	byKey keymap.Numbers
	run   successor // its keyOf: the keys by number − 1, which byKey checks
}

// NewNumbering returns an empty numbering for up to requests keys, about
// distinct of them distinct (0: unknown, and its table grows as it fills;
// the keys by number have room for requests, as NewKeyRefs's).
func NewNumbering(requests, distinct int) *Numbering {
	nb := &Numbering{refs: huge.MakeTable[uint32](0, requests)}
	if distinct > 0 {
		nb.byKey = keymap.NewNumbersSized(distinct)
		nb.run.keyOf = huge.Make[uint64](0, distinct)
	} else {
		// Room for every request's key, up to one huge page of table:
		// a table that grows from small faults in its pages one by one.
		nb.byKey = keymap.NewNumbersSized(min(requests, keymap.NumbersPerPage))
		nb.run.keyOf = roomForKeys(requests)
	}
	return nb
}

// Add numbers the trace's next keys.
func (nb *Numbering) Add(keys []uint64) {
	// Locals, not fields, in the loop: the compiler keeps them in registers.
	byKey, run := nb.byKey, nb.run
	from := len(nb.refs)
	refs := huge.Grow(nb.refs, from+len(keys))
	for i, key := range keys {
		ref, ok := run.next(key)
		if !ok {
			var seen bool
			if ref, seen = byKey.Get(key, run.keyOf); !seen {
				ref = uint32(byKey.Len()) + 1
				byKey.Put(key, ref)
			}
			run.saw(key, ref, !seen)
		}
		refs[from+i] = ref
	}
	nb.refs, nb.byKey, nb.run = refs, byKey, run
}

// Finish sets t.Refs and t.KeyRefs from the keys added, which must be
// t.Keys, in order.
func (nb *Numbering) Finish(t *Trace) {
	if len(nb.refs) != len(t.Keys) {
		panic("trace: Numbering.Finish on a trace of other keys than those added")
	}
	refs := trim(nb.refs)
	k := &KeyRefs{n: nb.byKey.Len(), keys: t.Keys, refs: refs}
	// The numbering held the table and the keys by number (those used: the
	// room past them is address space); Of builds a table.
	k.tableBytes = max(nb.byKey.Bytes()+int64(len(nb.run.keyOf))*8, keymap.SizedBytes(k.n))
	t.Refs, t.KeyRefs = refs, k
}

// EstimateDistinct returns t's distinct keys: counted exactly in small
// traces, else estimated (within a few percent, rounded up by 10%) from the
// keys of a 1/64 spatial sample, which costs a hash per request and a
// table 64 times smaller.
func (t *Trace) EstimateDistinct() int {
	if t.Len() < 1<<18 {
		n, _ := t.Footprint()
		return n
	}
	const rate = 64
	var seen keymap.KeySet
	for _, k := range t.Keys {
		if SpatialHash(k) < math.MaxUint64/rate {
			seen.Add(k)
		}
	}
	return seen.Len() * rate * 11 / 10
}
