package trace

import "github.com/cachesim/cachesim/traces/keymap"

// KeyRefs numbers the distinct keys of a trace densely, 1…Len() in the
// order of their first request (see Trace.NumberKeys), so that a cache
// replaying the trace many times can keep its per-key state in slices
// indexed by number instead of hash tables. It is read-only once built.
type KeyRefs struct {
	byKey keymap.Map // key → number − 1
}

// Len returns the number of distinct keys, the largest number (0 for nil).
func (k *KeyRefs) Len() int {
	if k == nil {
		return 0
	}
	return k.byKey.Len()
}

// Bytes returns the memory the numbering holds (0 for nil).
func (k *KeyRefs) Bytes() int64 {
	if k == nil {
		return 0
	}
	return k.byKey.Bytes()
}

// Of returns key's number, 0 when the trace never requests key.
func (k *KeyRefs) Of(key uint64) uint32 {
	if v, ok := k.byKey.Get(key); ok {
		return uint32(v) + 1
	}
	return 0
}

// NumberKeys fills t.Refs, each request's key number (see KeyRefs), and
// t.KeyRefs, in one pass; Fill and At then set Request.Ref. It writes to
// t, so call it on a complete trace before sharing t between goroutines.
// A second call does nothing.
func (t *Trace) NumberKeys() {
	if t.KeyRefs != nil {
		return
	}
	refs := make([]uint32, len(t.Keys))
	k := &KeyRefs{byKey: keymap.New()}
	for i, key := range t.Keys {
		v, ok := k.byKey.Get(key)
		if !ok {
			v = int32(k.byKey.Len())
			k.byKey.Put(key, v)
		}
		refs[i] = uint32(v) + 1
	}
	t.Refs, t.KeyRefs = refs, k
}
