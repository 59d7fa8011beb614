package sim

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
)

// Window is the width of the windows of a timeline: a duration (for traces
// with timestamps) or a number of requests. The zero Window means "choose":
// about 100 windows of a round width.
type Window struct {
	Duration time.Duration
	Requests int
}

// String renders the window as ParseWindow reads it.
func (w Window) String() string {
	switch {
	case w.Duration > 0:
		return shortDuration(w.Duration)
	case w.Requests > 0:
		return strconv.Itoa(w.Requests) + " requests"
	}
	return "auto"
}

// shortDuration renders d without zero trailing units: 1m, 1h30m, 2.5s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ErrTooManyWindows says that a window is too narrow for the trace.
var ErrTooManyWindows = errors.New("give a wider window")

// ParseWindow parses a window width: a duration ("1m", "30s") or a number
// of requests ("10000"); "" or "auto" is the zero Window.
func ParseWindow(s string) (Window, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "auto" {
		return Window{}, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 {
			return Window{}, fmt.Errorf("%q: a request count must be at least 1", s)
		}
		return Window{Requests: n}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return Window{}, fmt.Errorf("%q: expected a positive duration (1m, 30s) or a number of requests (10000)", s)
	}
	return Window{Duration: d}, nil
}

// MaxWindows bounds the number of windows of a timeline.
const MaxWindows = 1_000_000

// WindowPlan is how a trace is cut into windows. Make it with PlanWindows.
type WindowPlan struct {
	// Window is the width used (never zero).
	Window Window
	// ByTime is true for time windows.
	ByTime bool
	// Note says why the plan differs from what was asked, or is "".
	Note  string
	base  int64 // time or index of the start of window 0
	width int64 // ns or requests
	count int
	last  int64 // time or index of the last request
}

// PlanWindows cuts t into windows of width w. A duration needs timestamps;
// on a trace without them, the plan falls back to request windows and says
// so in Note. The zero Window picks a round width giving about 100 windows.
func PlanWindows(t *trace.Trace, w Window) (*WindowPlan, error) {
	p := &WindowPlan{Window: w}
	lo, hi, timed := timeSpan(t)
	if w.Duration > 0 && !timed {
		p.Note = fmt.Sprintf("%s has no timestamps: windows of requests instead of %s", t.Name, w.Duration)
		w = Window{}
	}
	if w == (Window{}) {
		if timed && hi > lo {
			w.Duration = time.Duration(roundUp125(float64(hi-lo) / 100))
			w.Duration = niceDuration(w.Duration)
		} else {
			w.Requests = int(roundUp125(float64(t.Len()) / 100))
		}
	}
	p.Window = w
	if w.Duration > 0 {
		p.ByTime, p.base, p.width, p.last = true, lo, int64(w.Duration), hi
		p.count = int((hi-lo)/p.width) + 1
	} else {
		p.width, p.last = int64(w.Requests), int64(t.Len()-1)
		p.count = int(max((int64(t.Len())+p.width-1)/p.width, 1))
	}
	if p.count > MaxWindows {
		return nil, fmt.Errorf("a window of %s cuts %s into %d windows (at most %d): %w", w, t.Name, p.count, MaxWindows, ErrTooManyWindows)
	}
	return p, nil
}

// Count returns the number of windows.
func (p *WindowPlan) Count() int { return p.count }

// roundUp125 rounds x >= 0 up to 1, 2 or 5 times a power of ten (at least 1).
func roundUp125(x float64) float64 {
	if x <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if x <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// niceDurations are the widths an automatic time window may take beyond a minute.
var niceDurations = []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
	15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour,
	12 * time.Hour, 24 * time.Hour}

// niceDuration rounds d up to a width people read easily (seconds keep 1-2-5
// steps; past a minute, whole minutes and hours).
func niceDuration(d time.Duration) time.Duration {
	if d <= time.Minute {
		if d > 30*time.Second {
			return time.Minute
		}
		return d
	}
	for _, n := range niceDurations {
		if d <= n {
			return n
		}
	}
	return time.Duration(math.Ceil(float64(d)/float64(24*time.Hour))) * 24 * time.Hour
}

// Windower counts the requests of one run per window of a WindowPlan;
// WindowPlan.Start makes one.
type Windower struct {
	windows []WindowStats
	cur     *WindowStats
	byTime  bool
	lo, hi  int64 // the current window covers positions [lo, hi)
	base    int64
	width   int64
}

// Start returns an empty Windower for one run of the plan.
func (p *WindowPlan) Start() *Windower {
	w := &Windower{windows: make([]WindowStats, p.count), byTime: p.ByTime, base: p.base, width: p.width}
	for k := range w.windows {
		w.windows[k].Start = p.base + int64(k)*p.width
	}
	w.move(p.base)
	return w
}

// Add counts one request, at index i and time t, of size bytes. It is
// small enough to be inlined into a replay loop; only a change of window
// calls out.
func (w *Windower) Add(i, t int64, hit bool, size uint64) {
	pos := i
	if w.byTime {
		pos = t
	}
	if pos < w.lo || pos >= w.hi {
		w.move(pos)
	}
	c := w.cur
	c.Requests++
	c.Bytes += size
	if hit {
		c.Hits++
		c.ByteHits += size
	}
}

// addBatch counts a multi-key request that ended at the last request
// added, served from the cache alone when hit.
func (w *Windower) addBatch(hit bool) {
	w.cur.Batches++
	if hit {
		w.cur.BatchHits++
	}
}

// move makes the window holding pos current.
func (w *Windower) move(pos int64) {
	k := int((pos - w.base) / w.width)
	k = min(max(k, 0), len(w.windows)-1)
	w.cur = &w.windows[k]
	w.lo, w.hi = w.cur.Start, w.cur.Start+w.width
}

// Windows returns the counts per window so far (the Windower's own slice).
func (w *Windower) Windows() []WindowStats { return w.windows }

// From returns the windows ws of a run of t in this plan's windows that
// start at or after request i of t: those a warm-up ending at i left
// whole (a peak is the steady state's).
func (p *WindowPlan) From(ws []WindowStats, t *trace.Trace, i int) []WindowStats {
	if i <= 0 || i >= t.Len() {
		return ws
	}
	pos := int64(i)
	if p.ByTime {
		pos = t.Times[i]
	}
	k := 0
	for k < len(ws) && ws[k].Start < pos {
		k++
	}
	return ws[k:]
}
