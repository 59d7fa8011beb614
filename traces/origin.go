package traces

import "time"

// Originer is implemented by readers that can tell when their first
// request happened, in clock time. Request.Time counts from that request.
type Originer interface {
	// Origin returns the clock time of the first request, and false when
	// the trace's timestamps are not clock times (or there are none).
	Origin() (time.Time, bool)
}

// Timestamps whose first one falls between these are taken for clock
// times (Unix epoch times); others (times since a recording started, say)
// are not.
var (
	ClockFrom = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	ClockTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// clock returns the first timestamp as a clock time, when it is one; unit
// is the length in nanoseconds of the unit the reader passed to since.
func (o *origin) clock(unit int64) (time.Time, bool) {
	if !o.set || o.t0 < 0 || o.t0 > ClockTo.UnixNano()/unit {
		return time.Time{}, false
	}
	t := time.Unix(0, o.t0*unit).UTC()
	if t.Before(ClockFrom) || !t.Before(ClockTo) {
		return time.Time{}, false
	}
	return t, true
}

// Origin returns the clock time of the first request (see Originer).
func (f *File) Origin() (time.Time, bool) {
	if o, ok := f.Reader.(Originer); ok {
		return o.Origin()
	}
	return time.Time{}, false
}

// Origin returns the clock time of the first timestamp (see Originer).
func (l *LineReader) Origin() (time.Time, bool) { return l.clock.origin.clock(1) }

// Origin returns the clock time of the first timestamp (see Originer).
func (j *JSONReader) Origin() (time.Time, bool) { return j.clock.origin.clock(1) }

// Origin returns the clock time of the first request (see Originer).
func (a *AccessLogReader) Origin() (time.Time, bool) { return a.start.clock(1) }

// Origin returns the clock time of the first request (see Originer).
func (t *TwitterReader) Origin() (time.Time, bool) { return t.start.clock(1) }

// Origin returns the clock time of the first command (see Originer).
func (m *MonitorReader) Origin() (time.Time, bool) { return m.start.clock(1) }

// Origin returns the clock time of the first record, in seconds (see Originer).
func (o *OracleReader) Origin() (time.Time, bool) { return o.start.clock(1e9) }

// Origin returns the clock time of the first record, in microseconds (see Originer).
func (v *VSCSIReader) Origin() (time.Time, bool) { return v.start.clock(1e3) }
