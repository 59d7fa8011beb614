// Package trace is the data model every simulation consumes: Request (one
// cache request: key, size, TTL, operation, time, …), Op, the streaming
// Reader interface, and Trace, the compact columnar form a sweep shares
// between goroutines. It imports only the standard library and
// traces/keymap, so the policies and the simulator depend on it alone; the
// readers of each file format are in the parent package traces.
package trace

import "fmt"

// Op is the operation a request performs.
type Op uint8

const (
	// OpGet is a read: a hit or a miss, which admits the object at the
	// request's size and TTL unless the request is Unsized.
	OpGet Op = iota
	// OpSet is a key-value client's write (SET, HSET, memcached set, …):
	// it stores the object at the request's size and TTL. A trace with
	// one is a trace whose clients write their own objects
	// (Trace.ClientWrites), which a hierarchy simulation treats apart.
	OpSet
	// OpDelete removes the object.
	OpDelete
	// OpExpire changes the TTL of a cached object only (EXPIRE, PERSIST,
	// TOUCH with a TTL): TTL 0 removes its expiry; an object not cached
	// stays so.
	OpExpire
	// OpWrite is a write in a cache that also fills on reads (a block
	// trace's SCSI WRITE, a synthetic workload's write): it stores the
	// object as OpSet does, but leaves the trace's reads admitting.
	OpWrite
	// OpChange says the truth behind the key (the backend's value: a
	// prediction after its model or features changed) changed, and the
	// cache was not told: it is no request to the cache and changes
	// nothing in it (sim.Change). cachesim fresh counts the reads that
	// hit a value older than the key's last change as stale.
	OpChange
)

// String returns the lower-case name of the operation.
func (o Op) String() string {
	switch o {
	case OpGet:
		return "get"
	case OpSet:
		return "set"
	case OpDelete:
		return "delete"
	case OpExpire:
		return "expire"
	case OpWrite:
		return "write"
	case OpChange:
		return "change"
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Request is one cache request.
type Request struct {
	// Time is nanoseconds since the start of the trace (0 when the trace has no timestamps).
	Time int64
	// Key identifies the object; string keys are hashed to 64 bits once at read time.
	Key uint64
	// Size is the object size in bytes (1 when the trace carries no sizes).
	Size uint32
	// TTL is the time to live in seconds; 0 means none.
	TTL uint32
	// Op is the operation.
	Op Op
	// Continues says the request continues the one before it: the second
	// and later keys of a request that carries several — a multi-key
	// command (Redis MGET, MSET, DEL k1 k2, …), a batch of feature or
	// embedding lookups, the blocks of an LLM prompt — in order. Policies
	// see one key at a time; the simulator groups the outcomes.
	Continues bool
	// Unsized says the request carries no size and its key was never sized
	// before (an HTTP HEAD or 304, a Redis GET of a key never set): Size is
	// a default. The simulator looks such a request up but does not admit
	// it on a miss, since the cache would not know what to store.
	Unsized bool
	// Tenant is the tenant (a model, a service, a Redis namespace) the
	// request belongs to, numbered from 1 in the order first seen; 0 is none.
	Tenant uint32
	// Tokens is the number of tokens a KV-cache block holds (LLM prefix
	// caches); 0 when the trace is not of prompts.
	Tokens uint32
	// Ref is the key's number in the loaded trace the request comes from
	// (see Trace.NumberKeys) or in its stream's numbering (KeyRefs.Number),
	// 0 when unknown (a trace not numbered). A cache built on that
	// numbering (policy.Config.Keys) finds the key's entry by it without
	// hashing.
	Ref uint32
	// Latency is the backend latency the trace recorded for the request, in
	// seconds (0 when the trace has none); --miss-latency column uses it.
	Latency float64
	// Next is the index in the trace of the next request for the same key,
	// NoNext when there is none, and 0 when unknown (a next request always
	// comes after its predecessor, so 0 is never a real value). Only offline
	// policies (Belady) read it; see Trace.NextAccess.
	Next int64
}

// Reader streams requests. Read fills r and returns io.EOF after the last request.
type Reader interface {
	Read(r *Request) error
}

// BatchReader is a Reader that also fills many requests in one call, for
// loops that read a batch at a time: ReadBatch fills b[:n] with the next
// n requests (n > 0) and returns a nil error, or returns 0 and the error
// Read would (io.EOF at the end).
type BatchReader interface {
	Reader
	ReadBatch(b []Request) (int, error)
}

// ReadSome reads up to len(b) requests into b: many at a time from a
// BatchReader, else one. It returns 0 only with an error.
func ReadSome(r Reader, b []Request) (int, error) {
	if br, ok := r.(BatchReader); ok {
		return br.ReadBatch(b)
	}
	if err := r.Read(&b[0]); err != nil {
		return 0, err
	}
	return 1, nil
}

// RequestBound is at most how many requests r holds, when it knows (a
// file of fixed-size records: its RequestBound method), else 0.
func RequestBound(r Reader) int {
	if b, ok := r.(interface{ RequestBound() int }); ok {
		return b.RequestBound()
	}
	return 0
}

// Fields tells which optional fields a source carries, so that the columnar
// form stores only those and the simulator knows what it may rely on.
type Fields struct {
	Time, Size, TTL, Op bool
	// Latency: the trace records what each request cost the backend.
	Latency bool
	// Marks: some requests continue the one before (Request.Continues) or
	// are unsized (Request.Unsized).
	Marks bool
	// Tenant: requests carry tenants; Tokens: they carry token counts.
	Tenant, Tokens bool
}

// Describer is implemented by readers that know which fields they carry.
type Describer interface {
	Fields() Fields
}
