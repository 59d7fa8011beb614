package sim

import (
	"errors"
	"io"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

// ErrCounted is returned once by a SpanReader's Read, where a warm-up
// ends: the requests read before it fill the cache uncounted, those
// read after it are counted (the next Read returns the first).
var ErrCounted = errors.New("the warm-up ends here")

// SpanReader reads the requests of a Span of a stream, resolving it as
// they go by: it skips those before the window, ends (io.EOF) at the
// first past it without reading further, and returns ErrCounted once
// where the warm-up ends (not at all without a warm-up). Extent then
// says what it found.
type SpanReader struct {
	r        trace.Reader
	c        *spanCursor
	counting bool // the warm-up is over (or there is none)
	pending  bool // req is the first counted request, not yet returned
	req      trace.Request
	total    int // requests of the input, once read to its end (-1 before)
	err      error
}

// NewSpanReader returns a reader of span of r, whose name (for errors)
// is name ("" says "the trace").
func NewSpanReader(r trace.Reader, s Span, name string) *SpanReader {
	if name == "" {
		name = "the trace"
	}
	timed := true
	if d, ok := r.(trace.Describer); ok {
		timed = d.Fields().Time
	}
	return &SpanReader{r: r, c: newSpanCursor(s, name, timed), counting: s.Warmup.IsZero(), total: -1}
}

// Read reads the next request of the span.
func (s *SpanReader) Read(req *trace.Request) error {
	if s.pending {
		*req, s.pending = s.req, false
		return nil
	}
	if s.err != nil {
		return s.err
	}
	for {
		if err := s.r.Read(req); err != nil {
			if err == io.EOF {
				s.total = s.c.next
			}
			return err
		}
		if s.c.next == 0 {
			if err := s.start(); err != nil {
				s.err = err
				return err
			}
		}
		switch s.c.step(req.Time, req.Continues) {
		case phaseBefore:
			continue
		case phaseAfter:
			s.err = io.EOF
			return io.EOF
		case phaseCounted:
			if !s.counting {
				s.counting, s.pending, s.req = true, true, *req
				return ErrCounted
			}
		}
		return nil
	}
}

// start checks the span against the stream once its first request is
// read (a file knows the clock time of its first timestamp only then).
func (s *SpanReader) start() error {
	if o, ok := s.r.(traces.Originer); ok {
		s.c.origin, _ = o.Origin()
	}
	return s.c.check()
}

// Fields passes on the fields r declares (see trace.Describer).
func (s *SpanReader) Fields() trace.Fields {
	if d, ok := s.r.(trace.Describer); ok {
		return d.Fields()
	}
	return trace.Fields{Time: true, Size: true, TTL: true, Op: true}
}

// Extent returns the span as resolved on the requests read: call it once
// Read has returned io.EOF. It fails with a *SpanError when the window
// held no request or the warm-up covered it.
func (s *SpanReader) Extent() (Extent, error) {
	if s.c.next == 0 { // an empty input: nothing was checked
		if err := s.c.check(); err != nil {
			return Extent{}, err
		}
	}
	return s.c.finish(s.total)
}
