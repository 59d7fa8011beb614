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

// ReadAllWithin is ReadAll stopping with an *ErrTraceMemory as soon as
// the trace's columns (Trace.ColumnBytes) pass bound bytes (0: no bound),
// rather than after holding all of it.
func ReadAllWithin(name string, r trace.Reader, bound int64) (*trace.Trace, error) {
	return readAll(name, r, bound, false)
}

// ReadAllNumbered is ReadAllWithin numbering the keys as well (as
// Trace.NumberKeys does), on a goroutine of its own that follows the
// reading, when r knows how many requests it holds (File.RequestBound):
// the numbering then overlaps the reading, and no garbage of the load's
// (its columns are presized) is held beside it. Otherwise it leaves the trace unnumbered, for
// NumberKeys to number once the load's garbage is collected.
func ReadAllNumbered(name string, r trace.Reader, bound int64) (*trace.Trace, error) {
	return readAll(name, r, bound, true)
}

func readAll(name string, r trace.Reader, bound int64, number bool) (*trace.Trace, error) {
	fields := func() trace.Fields {
		if d, ok := r.(trace.Describer); ok {
			return d.Fields()
		}
		return trace.Fields{Time: true, Size: true, TTL: true, Op: true}
	}
	t := &trace.Trace{Name: name, Keys: []uint64{}}
	keep := func([]uint64) {}       // hands on the keys read so far
	finish := func(*trace.Trace) {} // numbers t, complete
	if n := trace.RequestBound(r); n > 0 && (bound == 0 || int64(n) <= bound/8) {
		// Columns of the right length from the start: no growing, and
		// none of the copies growing makes or Shrink's trimming.
		t.Keys = huge.Make[uint64](0, n)
		if number {
			nb := startNumbering(n)
			defer nb.stop()
			keep = nb.keep
			finish = nb.finish
		}
	}
	var f trace.Fields
	batch := make([]trace.Request, 256)
	for {
		n, err := trace.ReadSome(r, batch)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if t.Len() == 0 {
			f = fields() // after the first read: a CSV reader knows its columns once it has read the header
		}
		for i := range batch[:n] {
			t.AppendSparse(&batch[i], f)
			if t.Len()%numberChunk == 0 {
				keep(t.Keys)
			}
			if bound > 0 && t.Len()%4096 == 0 && t.ColumnBytes() > bound {
				return nil, &ErrTraceMemory{Requests: t.Len(), Bytes: t.ColumnBytes(), Bound: bound}
			}
		}
	}
	if o, ok := r.(Originer); ok {
		t.Origin, _ = o.Origin()
	}
	if n, ok := r.(TenantNamer); ok {
		t.TenantNames = n.TenantNames()
	}
	keep(t.Keys)
	t.Shrink()
	finish(t)
	return t, nil
}

// numberChunk is how many keys a load reads between handing them on to be
// numbered (ReadAllNumbered).
const numberChunk = 1 << 16

// loadNumbering numbers the keys of a trace being loaded on a goroutine
// of its own, a chunk behind the reader (see ReadAllNumbered).
type loadNumbering struct {
	nb     *trace.Numbering
	chunks chan []uint64
	done   chan struct{}
	sent   int // keys handed on
	closed bool
}

// startNumbering starts numbering the keys of a load of up to requests.
func startNumbering(requests int) *loadNumbering {
	l := &loadNumbering{nb: trace.NewNumbering(requests, 0), chunks: make(chan []uint64, 64), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for keys := range l.chunks {
			l.nb.Add(keys)
		}
	}()
	return l
}

// keep hands on the keys read since the last call. keys is the trace's
// column, which the reader appends to but never rewrites: a chunk stays
// valid, even in an array a growth leaves behind.
func (l *loadNumbering) keep(keys []uint64) {
	if len(keys) > l.sent {
		l.chunks <- keys[l.sent:len(keys):len(keys)]
		l.sent = len(keys)
	}
}

// stop ends the numbering goroutine, once it has numbered what it was handed.
func (l *loadNumbering) stop() {
	if !l.closed {
		l.closed = true
		close(l.chunks)
	}
	<-l.done
}

// finish waits for the numbering of t's keys (all handed on) and sets
// t's numbers.
func (l *loadNumbering) finish(t *trace.Trace) {
	l.stop()
	l.nb.Finish(t)
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
