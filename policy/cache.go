// Package policy holds the eviction policies, one per file, behind the small
// Cache interface, and a registry from names to constructors.
//
// Callers build a cache through the registry (ParseSpec, then New), or
// with NewLRU for the baseline; the policies' types are unexported. What
// some policies do beyond Cache, callers reach through small interfaces:
// Pinner, Expirer, EvictionObserver, Admitter, MemoryHolder and Describer.
//
// Semantics follow libCacheSim where a policy is the same: a hit updates only
// the policy's bookkeeping (the stored size is not changed even if the
// request's size differs); a miss admits the object, evicting until
// used+size <= capacity, unless the object is larger than the whole cache, in
// which case it is never inserted. Capacity is counted in whatever unit the
// sizes are in: bytes, or objects when every size is 1.
//
// A Spec names a policy and its parameters, "lru" or "s3fifo(small=0.2)".
// ParseSpec checks the parameters against the schema the policy declares in
// its Info (a Param each: kind, default, range, help), so that a bad one
// fails before any work; New builds the Cache with the defaults filled in.
// Info.Traits declares what a policy needs and does (TraceTime, Expiry,
// Offline, SizeAware, Randomised, ExactCurve, MemoryLimit): callers ask
// spec.Traits().Has(policy.Expiry), never the policy's name. An admission
// filter, "lru+tinylfu", goes in front of any policy (FilterInfo).
//
// A new policy is one file: an unexported type built on the shared store
// and an init that Registers it. An entry of the store has two words whose
// meaning is the policy's; the policy names them with one-line accessors
// in its file (see entry in store.go).
package policy

import "github.com/cachesim/cachesim/traces/trace"

// Cache is a simulated cache.
type Cache interface {
	// Access looks the request's object up, admits it on a miss, and reports whether it hit.
	Access(r *trace.Request) (hit bool)
	// Len returns the number of cached objects.
	Len() int
	// Used returns the sum of the sizes of the cached objects.
	Used() int64
	// Capacity returns the capacity the cache was built with.
	Capacity() int64
	// Evictions returns how many objects were evicted to make room.
	Evictions() uint64
	// Remove drops key's object if it is cached and reports whether it was:
	// the simulator applies a trace's deletes through it (sim.Replay). A
	// removal is not an eviction, and it also forgets any history (ghost)
	// the policy keeps for the key. The built-in policies implement it with
	// the shared store's removeKey (see remove.go).
	Remove(key uint64) bool
	// Contains reports whether key's object is cached, changing nothing:
	// no recency, frequency or history is touched, so a caller may look
	// before it accesses (a prompt's prefix, an admission filter). History
	// a policy keeps of evicted objects (ghosts) is not cached; an entry
	// past its expiry that the policy has not yet dropped still is. The
	// built-in policies implement it with the shared store's Contains.
	Contains(key uint64) bool
}

// Expirer is implemented by the policies that honour TTLs (Traits Expiry).
// A read that must not admit the object (in a trace whose clients write
// their own objects, see sim.Replay) asks it first, so that an entry past
// its expiry is dropped and the read misses, instead of the policy's Access
// replacing the expired entry with a fresh copy.
type Expirer interface {
	// Expire drops key's entry if it is cached and has expired at time now
	// (ns of trace time), and reports whether it did. It changes nothing
	// else: no recency, frequency or history.
	Expire(key uint64, now int64) bool
}

// Describer is implemented by policies whose way of counting their
// capacity a reader of their results must know (a server's memory
// accounting, and which one ran).
type Describer interface {
	// Describe says how the cache counts its capacity, in a sentence.
	Describe() string
}

// EvictionObserver is implemented by policies that report their evictions:
// all the built-in ones, through the shared store. The system simulation
// uses it to demote an object evicted from one level of an exclusive
// hierarchy to the next. Removals and expirations are not evictions.
type EvictionObserver interface {
	// OnEvict makes the cache call f with the key and size of every object
	// it evicts from now on; nil stops it.
	OnEvict(f func(key uint64, size uint32))
}

// MemoryHolder is implemented by policies whose memory is not their
// capacity: memcached's slab pages include a page for every class in use,
// even beyond its limit.
type MemoryHolder interface {
	// HeldMemory returns the bytes of memory the cache holds.
	HeldMemory() int64
}
