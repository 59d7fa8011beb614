package sim

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

// Warmup is the start of a run that fills the cache but is not counted:
// a number of requests or a span of trace time (at most one is set).
type Warmup struct {
	Requests int
	Duration time.Duration
}

// IsZero reports whether there is no warm-up.
func (w Warmup) IsZero() bool { return w == Warmup{} }

// String renders the warm-up as ParseWarmup reads it ("" for none).
func (w Warmup) String() string {
	switch {
	case w.Duration > 0:
		return shortDuration(w.Duration)
	case w.Requests > 0:
		return strconv.Itoa(w.Requests)
	}
	return ""
}

// ParseWarmup parses a warm-up: a number of requests (100000, 1e5) or a
// duration of trace time (10m); "" and "0" are none.
func ParseWarmup(s string) (Warmup, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return Warmup{}, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f != math.Trunc(f) || f > math.MaxInt32*1e3 {
			return Warmup{}, fmt.Errorf("%q: a request count must be a whole number >= 0", s)
		}
		return Warmup{Requests: int(f)}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return Warmup{}, fmt.Errorf("%q: expected a number of requests (100000) or a duration of trace time (10m)", s)
	}
	return Warmup{Duration: d}, nil
}

// WarmupEnd returns the index of the first request of t after warm-up w
// (0 without warm-up; t.Len() when the warm-up covers t), as Span.Resolve
// finds it.
func WarmupEnd(t *trace.Trace, w Warmup) int {
	if w.IsZero() {
		return 0
	}
	e, err := Span{Warmup: w}.Resolve(t)
	if err != nil {
		return t.Len()
	}
	return e.Counted
}

// Bound is one end of a Range: a request index, a trace time since the
// first request, or a clock time (a date and time, or a time of day).
// The zero Bound is an open end.
type Bound struct {
	kind  boundKind
	index int
	at    time.Duration // offset: since the first request; day: since midnight
	clock time.Time     // clock
	loc   *time.Location
	text  string
}

type boundKind uint8

const (
	boundOpen boundKind = iota
	boundIndex
	boundOffset
	boundClock
	boundDay
)

// timed reports whether the bound is a time.
func (b Bound) timed() bool { return b.kind >= boundOffset }

// String renders the bound as given.
func (b Bound) String() string { return b.text }

// clockLayouts are the clock forms a Bound takes, with a date or
// without (a time of day), each with a zone or without (UTC).
var (
	dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04",
		"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}
	dayLayouts = []string{"15:04:05Z07:00", "15:04Z07:00", "15:04:05", "15:04"}
)

// boundForms says what a bound may be, for errors.
const boundForms = "a request index (100000), trace time since the first request (2h, 90m), a time of day (08:00, 08:00:30, 08:00+01:00) or a date and time (2024-03-01T08:00)"

// parseBound parses one end of a range ("": open).
func parseBound(s string) (Bound, error) {
	b := Bound{text: s}
	if s == "" {
		return b, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, ":") {
		if f < 0 || f != math.Trunc(f) || f > math.MaxInt64/2 {
			return b, fmt.Errorf("%q: a request index is a whole number >= 0", s)
		}
		b.kind, b.index = boundIndex, int(f)
		return b, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return b, fmt.Errorf("%q: trace time counts from the first request, >= 0", s)
		}
		b.kind, b.at = boundOffset, d
		return b, nil
	}
	for _, l := range dateLayouts {
		if c, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			b.kind, b.clock = boundClock, c
			return b, nil
		}
	}
	for _, l := range dayLayouts {
		if c, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			b.kind, b.loc = boundDay, c.Location()
			b.at = time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute + time.Duration(c.Second())*time.Second
			return b, nil
		}
	}
	return b, fmt.Errorf("%q: expected %s", s, boundForms)
}

// Range is a part of a trace, FROM..TO: the requests from the first at
// or after FROM up to the last before TO (see Bound; either may be open).
// A time of day FROM is its first occurrence at or after the trace's
// first request; a time of day TO its first occurrence after the range's
// start. Clock times are UTC unless they carry a zone.
type Range struct {
	From, To Bound
}

// IsZero reports whether the range is the whole trace.
func (r Range) IsZero() bool { return r.From.kind == boundOpen && r.To.kind == boundOpen }

// String renders the range as given ("" for the whole trace).
func (r Range) String() string {
	if r.IsZero() {
		return ""
	}
	return r.From.text + ".." + r.To.text
}

// ErrNotRange says that a range lacks its "..".
var ErrNotRange = errors.New("expected FROM..TO")

// ParseRange parses FROM..TO (see Range): "2h..10h", "08:00..20:00",
// "..1e6", "2024-03-01T08:00..". "" is the whole trace.
func ParseRange(s string) (Range, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Range{}, nil
	}
	from, to, ok := strings.Cut(s, "..")
	if !ok {
		return Range{}, fmt.Errorf("%q: %w, each side %s, either side empty (..2h, 10h..)", s, ErrNotRange, boundForms)
	}
	var r Range
	var err error
	if r.From, err = parseBound(strings.TrimSpace(from)); err != nil {
		return r, err
	}
	if r.To, err = parseBound(strings.TrimSpace(to)); err != nil {
		return r, err
	}
	if r.IsZero() {
		return r, fmt.Errorf("%q: give FROM, TO or both (2h..10h, ..1e6)", s)
	}
	if r.From.kind == r.To.kind && r.To.kind != boundDay {
		if (r.From.kind == boundIndex && r.To.index <= r.From.index) || (r.From.kind == boundOffset && r.To.at <= r.From.at) ||
			(r.From.kind == boundClock && !r.To.clock.After(r.From.clock)) {
			return r, fmt.Errorf("%q: TO must come after FROM", s)
		}
	}
	return r, nil
}

// Span is the part of a trace a run replays and the part of that it
// counts: the requests of Window (the whole trace when zero) are
// replayed, the first Warmup of them fill the cache uncounted, and the
// rest are counted. A warm-up of trace time counts from the window's
// FROM when that is a time, else from its first request.
type Span struct {
	Window Range
	Warmup Warmup
}

// IsZero reports whether the span is the whole trace, all counted.
func (s Span) IsZero() bool { return s.Window.IsZero() && s.Warmup.IsZero() }

// needsTime reports whether resolving the span needs timestamps.
func (s Span) needsTime() bool {
	return s.Window.From.timed() || s.Window.To.timed() || s.Warmup.Duration > 0
}

// needsClock reports whether resolving the span needs clock timestamps.
func (s Span) needsClock() bool {
	return s.Window.From.kind >= boundClock || s.Window.To.kind >= boundClock
}

// Extent is a Span resolved on an input: requests [Start, End) are
// replayed, [Counted, End) counted (indices into the whole input).
type Extent struct {
	// Span is the span resolved.
	Span                Span
	Start, Counted, End int
	// Total is the number of requests of the input, or -1 for a stream
	// not read to its end (the window ended before).
	Total int
	// StartTime, CountedTime and LastTime are the trace times (ns since
	// the first request) of requests Start, Counted and End-1; Timed says
	// the input has timestamps, Origin is the clock time of time 0 (zero
	// when the timestamps are not clock times).
	StartTime, CountedTime, LastTime int64
	Timed                            bool
	Origin                           time.Time
}

// Warmup returns the number of requests replayed and not counted.
func (e Extent) Warmup() int { return e.Counted - e.Start }

// Cut returns t's requests of the window as a trace of their own (see
// trace.Slice).
func (e Extent) Cut(t *trace.Trace) *trace.Trace { return t.Slice(e.Start, e.End) }

// SpanError is a window or warm-up that does not apply to the input at
// hand: one it holds no request of, or one that needs timestamps it lacks.
type SpanError struct {
	// Warmup says the warm-up is at fault, else the window.
	Warmup bool
	// Value is the window or warm-up as given.
	Value string
	// Problem says what is wrong and how to fix it.
	Problem string
}

func (e *SpanError) Error() string {
	what := "window"
	if e.Warmup {
		what = "warm-up"
	}
	return what + " " + e.Value + ": " + e.Problem
}

// Resolve finds span's requests in t. It fails with a *SpanError when
// the window holds no request, the warm-up covers the window, or a bound
// needs timestamps (clock times) that t lacks.
func (s Span) Resolve(t *trace.Trace) (Extent, error) {
	c := newSpanCursor(s, t.Name, t.Times != nil)
	c.origin = t.Origin
	n := t.Len()
	if s.IsZero() {
		e := Extent{Span: s, End: n, Total: n, Timed: t.Times != nil, Origin: t.Origin}
		if n > 0 {
			e.LastTime = timeAt(t, n-1)
		}
		return e, nil
	}
	if err := c.check(); err != nil {
		return Extent{}, err
	}
	open := s.Window.To.kind == boundOpen
	for i := 0; i < n && c.phase != phaseAfter; i++ {
		if open && c.phase == phaseCounted { // the rest is counted: no need to look
			c.ext.End, c.ext.LastTime = n, timeAt(t, n-1)
			break
		}
		c.step(timeAt(t, i), t.Marks != nil && t.Marks[i]&trace.MarkContinues != 0)
	}
	return c.finish(n)
}

// timeAt returns the time of request i of t (0 without timestamps).
func timeAt(t *trace.Trace, i int) int64 {
	if t.Times == nil {
		return 0
	}
	return t.Times[i]
}

// phase is where a request falls in a span.
type phase uint8

const (
	phaseBefore  phase = iota // before the window: skipped
	phaseWarm                 // in the window, in the warm-up: replayed, not counted
	phaseCounted              // replayed and counted
	phaseAfter                // past the window: the input may stop here
)

// spanCursor resolves a Span one request at a time, as a loaded trace or
// a stream goes by.
type spanCursor struct {
	span  Span
	name  string
	timed bool
	// origin is the clock time of trace time 0 (zero: not clock times).
	origin time.Time
	phase  phase
	ext    Extent
	next   int   // index of the next request
	from   int64 // FROM as trace time (time bounds)
	to     int64 // TO as trace time, once the window started
	warmAt int64 // trace time the warm-up ends (duration warm-ups)
	// first and last are the smallest and largest times seen.
	first, last int64
	started     bool // from has been resolved
	counting    bool // the warm-up ended in the window
}

func newSpanCursor(s Span, name string, timed bool) *spanCursor {
	return &spanCursor{span: s, name: name, timed: timed, first: math.MaxInt64, last: math.MinInt64}
}

// check fails when the span needs timestamps, or clock times, the input
// lacks (origin must be set before, for clock bounds).
func (c *spanCursor) check() error {
	s := c.span
	switch {
	case s.needsTime() && !c.timed:
		if s.Warmup.Duration > 0 && !s.Window.From.timed() && !s.Window.To.timed() {
			return &SpanError{Warmup: true, Value: s.Warmup.String(), Problem: fmt.Sprintf("%s has no timestamps: give a number of requests (100000)", c.name)}
		}
		return &SpanError{Value: s.Window.String(), Problem: fmt.Sprintf("%s has no timestamps: give request indexes (100000..200000)", c.name)}
	case s.needsClock() && c.origin.IsZero():
		return &SpanError{Value: s.Window.String(), Problem: fmt.Sprintf("the timestamps of %s are not clock times (its first is no Unix time of 2000 to 2100): give trace time since its first request (2h..10h) or request indexes", c.name)}
	}
	return nil
}

// step places the next request, at trace time ts, that continues the
// request before it or not: requests are cut only where one starts.
func (c *spanCursor) step(ts int64, continues bool) phase {
	i := c.next
	c.next++
	c.first, c.last = min(c.first, ts), max(c.last, ts)
	if continues {
		if c.phase == phaseWarm || c.phase == phaseCounted {
			c.ext.End, c.ext.LastTime = i+1, ts
		}
		return c.phase
	}
	if c.phase == phaseBefore {
		if from := c.span.Window.From; from.kind != boundOpen && !c.reached(from, i, ts, c.fromTime()) {
			return phaseBefore
		}
		c.enter(i, ts)
	}
	if c.phase == phaseAfter {
		return phaseAfter
	}
	if c.reached(c.span.Window.To, i, ts, c.to) {
		c.phase = phaseAfter
		return phaseAfter
	}
	if c.phase == phaseWarm && c.warmedUp(i, ts) {
		c.phase, c.counting, c.ext.Counted, c.ext.CountedTime = phaseCounted, true, i, ts
	}
	c.ext.End, c.ext.LastTime = i+1, ts
	return c.phase
}

// reached reports whether request i at time ts is at or past b (whose
// trace time, for time bounds, is at); an open bound is never reached.
func (c *spanCursor) reached(b Bound, i int, ts, at int64) bool {
	switch {
	case b.kind == boundOpen:
		return false
	case b.kind == boundIndex:
		return i >= b.index
	}
	return ts >= at
}

// fromTime returns FROM as trace time (time bounds).
func (c *spanCursor) fromTime() int64 {
	if !c.started {
		c.started = true
		b := c.span.Window.From
		if b.timed() {
			c.from = c.traceTime(b, c.origin, false)
		}
	}
	return c.from
}

// traceTime returns a time bound as trace time; a time of day is its
// first occurrence at or after ref (after, when strict).
func (c *spanCursor) traceTime(b Bound, ref time.Time, strict bool) int64 {
	switch b.kind {
	case boundOffset:
		return int64(b.at)
	case boundClock:
		return b.clock.Sub(c.origin).Nanoseconds()
	}
	r := ref.In(b.loc)
	at := time.Date(r.Year(), r.Month(), r.Day(), 0, 0, 0, 0, b.loc).Add(b.at)
	if at.Before(r) || (strict && !at.After(r)) {
		at = time.Date(r.Year(), r.Month(), r.Day()+1, 0, 0, 0, 0, b.loc).Add(b.at)
	}
	return at.Sub(c.origin).Nanoseconds()
}

// enter starts the window at request i, at time ts.
func (c *spanCursor) enter(i int, ts int64) {
	c.phase = phaseWarm
	c.ext.Start, c.ext.Counted, c.ext.End, c.ext.StartTime, c.ext.CountedTime = i, i, i, ts, ts
	base := ts // the window's start as a time: FROM when it is one
	if c.span.Window.From.timed() {
		base = c.fromTime()
	}
	if to := c.span.Window.To; to.timed() {
		c.to = c.traceTime(to, c.origin.Add(time.Duration(base)), true)
	}
	c.warmAt = base + int64(c.span.Warmup.Duration)
}

// warmedUp reports whether request i, at time ts, is past the warm-up.
func (c *spanCursor) warmedUp(i int, ts int64) bool {
	w := c.span.Warmup
	if w.Duration > 0 {
		return ts >= c.warmAt
	}
	return i >= c.ext.Start+w.Requests
}

// finish returns the extent once the input has ended (total requests,
// -1 if it was not read to the end), or why the span holds nothing to count.
func (c *spanCursor) finish(total int) (Extent, error) {
	e := c.ext
	e.Span, e.Total, e.Timed, e.Origin = c.span, total, c.timed, c.origin
	s := c.span
	switch {
	case c.phase == phaseBefore:
		return e, &SpanError{Value: s.Window.String(), Problem: "holds no request: " + c.describe(total)}
	case e.End == e.Start:
		return e, &SpanError{Value: s.Window.String(), Problem: fmt.Sprintf("holds no request: it starts and ends at request %s (give a later TO)", traces.Thousands(int64(e.Start)))}
	case !c.counting:
		what := "the whole window"
		if s.Window.IsZero() {
			what = "the whole trace"
		}
		return e, &SpanError{Warmup: true, Value: s.Warmup.String(), Problem: fmt.Sprintf("covers %s (%s): nothing would be counted; give a shorter warm-up", what, c.describeExtent(e))}
	}
	return e, nil
}

// describe says what the input holds: its requests and their span of time.
func (c *spanCursor) describe(total int) string {
	s := fmt.Sprintf("%s has %s requests", c.name, traces.Thousands(int64(total)))
	if total == 0 {
		return s
	}
	if !c.timed || c.last == 0 && c.first == 0 {
		return s + " (indexes 0 to " + traces.Thousands(int64(total-1)) + "), and no timestamps"
	}
	return s + ", " + c.timeSpan(c.first, c.last)
}

// describeExtent says what the window holds.
func (c *spanCursor) describeExtent(e Extent) string {
	s := fmt.Sprintf("requests %s to %s", traces.Thousands(int64(e.Start)), traces.Thousands(int64(e.End-1)))
	if c.timed {
		s += ", " + c.timeSpan(e.StartTime, e.LastTime)
	}
	return s
}

// timeSpan renders a span of trace time, in clock time too when the
// timestamps are clock times.
func (c *spanCursor) timeSpan(lo, hi int64) string {
	s := fmt.Sprintf("trace time %s to %s", traceDuration(lo), traceDuration(hi))
	if !c.origin.IsZero() {
		s += fmt.Sprintf(", %s to %s UTC", clockTime(c.origin, lo), clockTime(c.origin, hi))
	}
	return s
}

// traceDuration renders a trace time to the second (below a second, as is).
func traceDuration(ns int64) string {
	d := time.Duration(ns)
	if d >= time.Second || d <= -time.Second {
		d = d.Round(time.Second)
	}
	return shortDuration(d)
}

// clockTime renders trace time ns as clock time in UTC.
func clockTime(origin time.Time, ns int64) string {
	return origin.Add(time.Duration(ns)).UTC().Format(time.DateTime)
}

// Notes say what the extent replayed and counted, for a command to print:
// the window's requests, and the warm-up's.
func (e Extent) Notes() []string {
	var notes []string
	c := &spanCursor{timed: e.Timed, origin: e.Origin}
	if w := e.Span.Window; !w.IsZero() {
		of, rest := " of "+traces.Thousands(int64(e.Total)), ""
		if e.Total < 0 {
			of, rest = "", "; the rest of the trace was not read"
		}
		notes = append(notes, fmt.Sprintf("window %s holds requests %s to %s%s%s%s", w, traces.Thousands(int64(e.Start)), traces.Thousands(int64(e.End-1)), of,
			c.timesOf(e.StartTime, e.LastTime), rest))
	}
	if w := e.Span.Warmup; !w.IsZero() {
		first := "first"
		if !e.Span.Window.IsZero() {
			first = "window's first"
		}
		took := ""
		if e.Timed {
			took = fmt.Sprintf(" (%s of trace time)", traceDuration(e.CountedTime-e.StartTime))
		}
		notes = append(notes, fmt.Sprintf("warm-up %s: the %s %s requests%s fill the cache and are not counted; %s counted", w, first,
			traces.Thousands(int64(e.Warmup())), took, traces.Thousands(int64(e.End-e.Counted))))
	}
	return notes
}

// timesOf renders " (trace time …)" for requests at lo and hi, "" without
// timestamps.
func (c *spanCursor) timesOf(lo, hi int64) string {
	if !c.timed {
		return ""
	}
	return " (" + c.timeSpan(lo, hi) + ")"
}
