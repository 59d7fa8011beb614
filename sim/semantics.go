package sim

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// Action is what a request does to a cache. Semantics.Action gives every
// request its one meaning, which every command applies: replays, sweeps
// and curves, the hierarchy (sim/system), inspect's footprint and live
// replays.
type Action uint8

const (
	// Fill is a read that admits its object on a miss, at the request's
	// size and TTL. In a trace whose clients write their own objects
	// (cache-aside), the miss stands for the client's fill after it: the
	// reader gives the read the size and TTL the client last wrote the key
	// with (Redis MONITOR does), and where the captured server missed too,
	// the client's write that follows replaces the entry. A cache smaller
	// than the captured one thus still gets back what it evicts, as the
	// client would give it.
	Fill Action = iota
	// Lookup is a read that never admits: a hit, or a miss that leaves
	// the cache as it was. The unsized reads (the cache would not know
	// what to store: a key never written nor sized before).
	Lookup
	// Store is a write: the object is stored at the request's size, with
	// the request's TTL (or the policy's default when it carries none),
	// replacing any cached copy — a new entry, whose recency, frequency
	// and history start over as a miss's would.
	Store
	// Retime changes the TTL of a cached object, and nothing else (none
	// when the request's TTL is 0). An object not cached stays so; a
	// policy without expiry ignores it.
	Retime
	// Drop removes the object.
	Drop
	// Change is a change of the truth behind the key that the cache is not
	// told of (trace.OpChange): it leaves the cache as it was and is no
	// request, whatever CountWrites says. Only cachesim fresh uses it: the
	// reads that then hit a value fetched before it are stale, and its
	// push invalidation turns it into a Drop.
	Change
)

var actionNames = [...]string{"fill", "lookup", "store", "retime", "drop", "change"}

// String returns the action's name.
func (a Action) String() string { return actionNames[a] }

// IsRead reports whether a is a read: counted in the requests, hits and
// hit ratios. Writes (Store, Retime) and deletes count apart.
func (a Action) IsRead() bool { return a <= Lookup }

// Semantics says what the requests of a trace mean. The same rule serves
// every trace, so it needs nothing of the trace but this choice.
type Semantics struct {
	// CountWrites: every request is a read that admits, whatever its
	// operation, as libCacheSim counts them.
	CountWrites bool
}

// Action returns what r does.
func (s Semantics) Action(r *trace.Request) Action {
	if r.Op == trace.OpChange {
		return Change
	}
	if !s.CountWrites {
		switch r.Op {
		case trace.OpSet, trace.OpWrite:
			return Store
		case trace.OpDelete:
			return Drop
		case trace.OpExpire:
			return Retime
		}
	}
	if r.Unsized {
		return Lookup
	}
	return Fill
}

// Apply does a, the action of r, to c and reports whether a read hit.
func Apply(c policy.Cache, r *trace.Request, a Action) bool {
	switch a {
	case Fill:
		return c.Access(r)
	case Lookup:
		return lookup(c, r)
	case Store:
		if c.Contains(r.Key) { // a key not cached keeps its history (ghost)
			c.Remove(r.Key)
		}
		c.Access(r)
	case Retime:
		if !expired(c, r) && c.Contains(r.Key) {
			c.Remove(r.Key)
			c.Access(r)
		}
	case Drop:
		c.Remove(r.Key)
	}
	return false // Change: the cache is not told
}

// Access runs the read r through c as the simulator does everywhere: it
// admits the object on a miss, unless r is unsized (trace.Request.Unsized:
// its key was never sized), which is looked up but never admitted, since
// the cache would not know what to store.
func Access(c policy.Cache, r *trace.Request) bool {
	if r.Unsized {
		return lookup(c, r)
	}
	return c.Access(r)
}

// lookup reads r without admitting it: a cached, unexpired object hits
// (with the policy's bookkeeping of a hit); anything else misses and
// changes nothing but dropping an expired entry.
func lookup(c policy.Cache, r *trace.Request) bool {
	return !expired(c, r) && c.Contains(r.Key) && c.Access(r)
}

// expired drops r's object from c if c honours TTLs and it has expired at
// r's time, and reports whether it did.
func expired(c policy.Cache, r *trace.Request) bool {
	e, ok := c.(policy.Expirer)
	return ok && e.Expire(r.Key, r.Time)
}
