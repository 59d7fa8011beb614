// Package traces reads and writes every trace format: the readers that turn
// a file into a stream of trace.Request (a trace.Reader), the table that
// picks a reader by name or extension, sampling, summaries and the writers.
// The request type itself, and Trace, the compact columnar form a sweep
// shares between goroutines, live in the leaf package traces/trace, which
// the policies import without pulling in any reader.
package traces

import (
	"fmt"
	"io"

	"github.com/cachesim/cachesim/traces/huge"
	"github.com/cachesim/cachesim/traces/trace"
)

// ReadAll drains r into a Trace. name is kept for reports.
func ReadAll(name string, r trace.Reader) (*trace.Trace, error) { return ReadAllWithin(name, r, 0) }

// ErrTraceMemory is the error of ReadAllWithin for a trace whose columns
// pass its bound: reading stopped there.
type ErrTraceMemory struct {
	// Requests were read, in Bytes of columns, when they passed Bound.
	Requests     int
	Bytes, Bound int64
}

func (e *ErrTraceMemory) Error() string {
	return fmt.Sprintf("the trace's first %d requests take %d bytes in memory, past the bound of %d bytes: loading stopped there",
		e.Requests, e.Bytes, e.Bound)
}

// requestBounder is implemented by readers that know at most how many
// requests they hold (File.RequestBound; 0: unknown).
type requestBounder interface{ RequestBound() int }

// ReadAllWithin is ReadAll stopping with an *ErrTraceMemory as soon as
// the trace's columns (Trace.ColumnBytes) pass bound bytes (0: no bound),
// rather than after holding all of it.
func ReadAllWithin(name string, r trace.Reader, bound int64) (*trace.Trace, error) {
	fields := func() trace.Fields {
		if d, ok := r.(trace.Describer); ok {
			return d.Fields()
		}
		return trace.Fields{Time: true, Size: true, TTL: true, Op: true}
	}
	t := &trace.Trace{Name: name, Keys: []uint64{}}
	if b, ok := r.(requestBounder); ok && b.RequestBound() > 0 && (bound == 0 || int64(b.RequestBound()) <= bound/8) {
		// Columns of the right length from the start: no growing, and
		// none of the copies growing makes or Shrink's trimming.
		t.Keys = huge.Make[uint64](0, b.RequestBound())
	}
	var f trace.Fields
	var req trace.Request
	for {
		err := r.Read(&req)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if t.Len() == 0 {
			f = fields() // after the first read: a CSV reader knows its columns once it has read the header
		}
		t.AppendSparse(&req, f)
		if bound > 0 && t.Len()%4096 == 0 && t.ColumnBytes() > bound {
			return nil, &ErrTraceMemory{Requests: t.Len(), Bytes: t.ColumnBytes(), Bound: bound}
		}
	}
	if o, ok := r.(Originer); ok {
		t.Origin, _ = o.Origin()
	}
	if n, ok := r.(TenantNamer); ok {
		t.TenantNames = n.TenantNames()
	}
	t.Shrink()
	return t, nil
}

// origin turns absolute timestamps into times since the first one a reader
// saw, as Request.Time wants.
type origin struct {
	t0  int64
	set bool
}

// since returns t relative to the first timestamp passed to since.
func (o *origin) since(t int64) int64 {
	if !o.set {
		o.t0, o.set = t, true
	}
	return t - o.t0
}
