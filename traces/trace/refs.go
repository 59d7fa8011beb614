package trace

import (
	"github.com/cachesim/cachesim/traces/huge"
	"math"
	"sync"

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
	byKey      keymap.Map // key → number − 1: built by the first Of, or by Number
	tableBytes int64
	// live: Number extends the numbering, under mu (Of and Len take it too).
	live bool
	mu   sync.Mutex
}

// NewKeyRefs returns an empty numbering that Number extends, for a stream
// whose keys are numbered as they are read.
func NewKeyRefs() *KeyRefs { return &KeyRefs{live: true, byKey: keymap.NewDense()} }

// Number returns key's number, numbering it next if it has none (isNew).
// Only one goroutine may call Number on a numbering made by NewKeyRefs;
// others may call Of and Len meanwhile. A key known already costs one
// table lookup, and no lock.
func (k *KeyRefs) Number(key uint64) (ref uint32, isNew bool) {
	if v, ok := k.byKey.Get(key); ok {
		return uint32(v) + 1, false
	}
	k.mu.Lock()
	k.byKey.Put(key, int32(k.n))
	k.n++
	ref = uint32(k.n)
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
		v, ok := k.byKey.Get(key)
		k.mu.Unlock()
		if ok {
			return uint32(v) + 1
		}
		return 0
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
	refs := huge.Make[uint32](len(t.Keys), len(t.Keys))
	byKey := keymap.NewSized(t.EstimateDistinct())
	for i, key := range t.Keys {
		v, ok := byKey.Get(key)
		if !ok {
			v = int32(byKey.Len())
			byKey.Put(key, v)
		}
		refs[i] = uint32(v) + 1
	}
	k := &KeyRefs{n: byKey.Len(), keys: t.Keys, refs: refs}
	k.tableBytes = max(byKey.Bytes(), keymap.SizedBytes(k.n)) // what Of would build
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
