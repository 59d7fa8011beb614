package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/pflag"
)

// spanFlags choose the part of the trace a run replays (--window FROM..TO)
// and the part of that it counts (--warmup): see sim.Span.
type spanFlags struct {
	window string
	warmup string
	// withWarmup says the flags registered --warmup (system has its own).
	withWarmup bool
	// timeline says the command draws a timeline, whose window width is
	// --interval (--window was that width before).
	timeline bool
}

// spanHelp is the help of --window.
const spanHelp = "replay only this part of the trace, FROM..TO: request indexes (100000..200000), trace time since the first request (2h..10h), " +
	"or clock times of the trace's timestamps (08:00..20:00, 2024-03-01T08:00.., UTC unless given a zone: 08:00+01:00); either side may be empty (..2h, 10h..)"

// register adds --window, and --warmup when warmup is set, to fs in
// help section.
func (f *spanFlags) register(fs *pflag.FlagSet, warmup bool, section string) {
	defer inSection(fs, section)()
	f.withWarmup = warmup
	fs.StringVar(&f.window, "window", "", spanHelp)
	if warmup {
		fs.StringVar(&f.warmup, "warmup", "", "fill the cache with the start of the --window (of the trace) without counting it: a number of requests (100000) or trace time (2h); the counting starts after")
	}
}

// check parses the flags.
func (f *spanFlags) check() (sim.Span, error) {
	var s sim.Span
	var err error
	if s.Window, err = sim.ParseRange(f.window); err != nil {
		if errors.Is(err, sim.ErrNotRange) && f.timeline {
			if _, werr := sim.ParseWindow(f.window); werr == nil {
				return s, fmt.Errorf("--window takes FROM..TO now; the timeline window width is --interval %s", f.window)
			}
		}
		return s, fmt.Errorf("bad --window %w", err)
	}
	if f.withWarmup {
		if s.Warmup, err = sim.ParseWarmup(f.warmup); err != nil {
			return s, fmt.Errorf("bad --warmup %w", err)
		}
	}
	return s, nil
}

// cut resolves s on t and returns its window and the extent (nil
// without a span), saying on stderr what it replays and counts.
func cut(t *trace.Trace, s sim.Span, stderr io.Writer) (*trace.Trace, *sim.Extent, error) {
	if s.IsZero() {
		return t, nil, nil
	}
	e, err := s.Resolve(t)
	if err != nil {
		return nil, nil, spanError(err)
	}
	noteSpan(stderr, &e)
	return e.Cut(t), &e, nil
}

// warmOf returns the requests of e's warm-up (0 without e).
func warmOf(e *sim.Extent) int {
	if e == nil {
		return 0
	}
	return e.Warmup()
}

// warmupOf is the span that replays a window cut from a trace with its
// first warm requests as a warm-up.
func warmupOf(warm int) sim.Span { return sim.Span{Warmup: sim.Warmup{Requests: warm}} }

// noteSpan says on stderr what a span replayed and counted (nothing
// without one).
func noteSpan(w io.Writer, e *sim.Extent) {
	if e == nil {
		return
	}
	for _, n := range e.Notes() {
		fmt.Fprintln(w, "note:", n)
	}
}

// spanError words a sim.SpanError with its flag.
func spanError(err error) error {
	var se *sim.SpanError
	if !errors.As(err, &se) {
		return err
	}
	flag := "--window"
	if se.Warmup {
		flag = "--warmup"
	}
	return fmt.Errorf("%s %s: %s", flag, strings.TrimSpace(se.Value), se.Problem)
}

// windowOf reads the requests of s's window of r (all of r without one),
// named name: the warm-up's too, told from the others by nothing.
func windowOf(r trace.Reader, s sim.Span, name string) trace.Reader {
	if s.Window.IsZero() {
		return r
	}
	return sim.NewSpanReader(r, sim.Span{Window: s.Window}, name)
}

// peakInput returns the trace a sweep's peak report cuts into windows:
// s's window of the loaded trace (the trace itself without one, for
// samples, or when s does not resolve: the sweep says why).
func peakInput(in sweepInput, s sim.Span) *trace.Trace {
	t := in.t
	if s.Window.IsZero() || len(in.samples) > 0 {
		return t
	}
	e, err := s.Resolve(t)
	if err != nil {
		return t
	}
	return e.Cut(t)
}
