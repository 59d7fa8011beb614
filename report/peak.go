package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Peak is the load of one cache over time (see sim.Calls): per window of
// the trace, the client requests and the backend calls per second, without
// a cache and with this one, and of each the mean, p99 and peak over the
// windows. Capacity is bought for the peak, not the mean.
type Peak struct {
	Policy string `json:"policy"`
	Size   int64  `json:"size"`
	Unit   string `json:"unit"`
	// Interval is the windows' width; Call says what one backend call is.
	Interval        string  `json:"interval"`
	IntervalSeconds float64 `json:"interval_seconds"`
	Call            string  `json:"backend_call"`
	// Client are the client requests per second (a multi-key request
	// once); Lookups the keys they look up per second (nil in a trace of
	// single keys, where they are the requests).
	Client  RateStats  `json:"client_requests_per_s"`
	Lookups *RateStats `json:"key_lookups_per_s,omitempty"`
	// Without and With are the backend calls per second without a cache
	// and with this one; PeakCutPct how much lower the peak is with it.
	Without    RateStats    `json:"backend_calls_per_s_without_cache"`
	With       RateStats    `json:"backend_calls_per_s"`
	PeakCutPct float64      `json:"peak_reduction_pct"`
	Windows    []PeakWindow `json:"windows"`
	// LastLeftOut says that the last window, which the trace covers less
	// than half of, is left out of the mean, p99 and peak (its rate, over
	// the whole width, would be too low).
	LastLeftOut bool `json:"last_window_left_out,omitempty"`
}

// RateStats summarises a rate over the windows: their mean, their 99th
// percentile (nearest rank) and their highest, with where the highest
// window starts (the first, on a tie).
type RateStats struct {
	Mean float64 `json:"mean"`
	P99  float64 `json:"p99"`
	Peak float64 `json:"peak"`
	// PeakStart is in seconds since the trace's first request; PeakClock
	// the same moment in UTC when the trace's timestamps are clock times.
	PeakStart float64 `json:"peak_start_s"`
	PeakClock string  `json:"peak_start,omitempty"`
}

// PeakWindow is one window's rates, per second.
type PeakWindow struct {
	// Start is in seconds since the trace's first request.
	Start   float64 `json:"start_s"`
	Client  float64 `json:"client_requests_per_s"`
	Lookups float64 `json:"key_lookups_per_s"`
	Without float64 `json:"backend_calls_per_s_without_cache"`
	With    float64 `json:"backend_calls_per_s"`
}

// NewPeak builds the peak report of a run st of policy at size, recorded
// in the time windows of plan; b says how the misses of a multi-key
// request reach the backend, origin is the clock time of the trace's
// first request (zero: not a clock). Every window's rate is over its
// whole width; a last window that the trace covers less than half of is
// left out of the mean, p99 and peak.
func NewPeak(policy string, size sim.Size, plan *sim.WindowPlan, st sim.Stats, b sim.BatchBackend, origin time.Time) *Peak {
	width := plan.Window.Duration.Seconds()
	batched := st.Batch != nil
	p := &Peak{Policy: policy, Size: size.N, Unit: size.Unit.String(), Interval: plan.Window.String(), IntervalSeconds: width,
		Call: sim.CallUnit(batched, b)}
	for _, w := range st.Windows {
		c := sim.WindowCalls(w, batched, b)
		p.Windows = append(p.Windows, PeakWindow{Start: float64(w.Start) / 1e9, Client: float64(c.Requests) / width,
			Lookups: float64(c.Lookups) / width, Without: float64(c.Without) / width, With: float64(c.With) / width})
	}
	counted := p.Windows
	if len(counted) > 1 && plan.LastCovered() < 0.5 {
		counted, p.LastLeftOut = counted[:len(counted)-1], true
	}
	rates := func(of func(PeakWindow) float64) RateStats { return summarise(counted, of, origin) }
	p.Client = rates(func(w PeakWindow) float64 { return w.Client })
	if batched {
		l := rates(func(w PeakWindow) float64 { return w.Lookups })
		p.Lookups = &l
	}
	p.Without = rates(func(w PeakWindow) float64 { return w.Without })
	p.With = rates(func(w PeakWindow) float64 { return w.With })
	p.PeakCutPct = reduction(p.With.Peak, p.Without.Peak)
	return p
}

// summarise returns the mean, p99 and peak of one rate over windows.
func summarise(windows []PeakWindow, of func(PeakWindow) float64, origin time.Time) RateStats {
	var r RateStats
	if len(windows) == 0 {
		return r
	}
	vs := make([]float64, len(windows))
	for i, w := range windows {
		vs[i] = of(w)
		r.Mean += vs[i]
		if vs[i] > r.Peak || i == 0 {
			r.Peak, r.PeakStart = vs[i], w.Start
		}
	}
	r.Mean /= float64(len(vs))
	r.P99 = nearestRank(vs, 0.99)
	if !origin.IsZero() {
		r.PeakClock = origin.Add(time.Duration(r.PeakStart * 1e9)).UTC().Format(time.RFC3339)
	}
	return r
}

// nearestRank returns the q-quantile of vs by nearest rank: the smallest
// value with at least a share q of the values at or below it.
func nearestRank(vs []float64, q float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	k := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// WritePeaks writes the peak reports of caches of one trace (the same
// windows, the same client requests) as one table: the load without a
// cache, then with each, and the cut at the peak.
func WritePeaks(w io.Writer, peaks []*Peak) error {
	if len(peaks) == 0 {
		return nil
	}
	first := peaks[0]
	counted := fmt.Sprintf("%d windows", len(first.Windows))
	if first.LastLeftOut {
		counted = fmt.Sprintf("%d windows; the last, less than half covered, left out", len(first.Windows)-1)
	}
	fmt.Fprintf(w, "backend load per %s window (%s; %s):\n", first.Interval, counted, first.Call)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("rate", "mean", "p99", "peak", "peak window starts", "peak cut")
	row := func(name string, r RateStats, cut string) []string {
		return []string{name, Amount(r.Mean), Amount(r.P99), Amount(r.Peak), peakStart(r), cut}
	}
	rows := [][]string{row("client requests/s", first.Client, "")}
	if first.Lookups != nil {
		rows = append(rows, row("key lookups/s", *first.Lookups, ""))
	}
	rows = append(rows, row("backend calls/s, no cache", first.Without, ""))
	for _, p := range peaks {
		rows = append(rows, row(fmt.Sprintf("backend calls/s, %s at %s", p.Policy, sim.FormatSize(p.Size, p.Unit == "bytes")),
			p.With, fmt.Sprintf("%.1f%%", p.PeakCutPct)))
	}
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

// peakStart renders where a peak window starts: its clock time when known,
// else the time since the first request.
func peakStart(r RateStats) string {
	if r.PeakClock != "" {
		c, _ := time.Parse(time.RFC3339, r.PeakClock)
		return c.Format("2006-01-02 15:04:05") + " UTC"
	}
	return "+" + time.Duration(r.PeakStart*1e9).Round(time.Millisecond).String()
}

// CSVPeakHeader lists the columns a sweep's CSV gains with a peak report,
// filled on the rows of the points it covers (the plans' sizes).
var CSVPeakHeader = []string{"peak_interval_s", "client_requests_per_s_mean", "client_requests_per_s_p99", "client_requests_per_s_peak",
	"backend_calls_per_s_without_cache_mean", "backend_calls_per_s_without_cache_p99", "backend_calls_per_s_without_cache_peak",
	"backend_calls_per_s_mean", "backend_calls_per_s_p99", "backend_calls_per_s_peak", "backend_calls_peak_start_s", "peak_reduction_pct"}

// csvRow returns p's values of CSVPeakHeader.
func (p *Peak) csvRow() []string {
	return []string{fmtFloat(p.IntervalSeconds), fmtFloat(p.Client.Mean), fmtFloat(p.Client.P99), fmtFloat(p.Client.Peak),
		fmtFloat(p.Without.Mean), fmtFloat(p.Without.P99), fmtFloat(p.Without.Peak),
		fmtFloat(p.With.Mean), fmtFloat(p.With.P99), fmtFloat(p.With.Peak), fmtFloat(p.With.PeakStart), fmtFloat(p.PeakCutPct)}
}

// peakRow returns the peak columns of the sweep's CSV for point p (none
// without peaks, empty for a point no peak covers).
func (s *Sweep) peakRow(p sim.Point) []string {
	if len(s.Peaks) == 0 {
		return nil
	}
	for _, pk := range s.Peaks {
		if pk.Policy == p.Policy && pk.Size == p.Size {
			return pk.csvRow()
		}
	}
	return make([]string, len(CSVPeakHeader))
}

// PeakWindowsHeader lists the columns of WritePeakWindows.
var PeakWindowsHeader = []string{"policy", "size", "unit", "window_start_s", "client_requests_per_s", "key_lookups_per_s",
	"backend_calls_per_s_without_cache", "backend_calls_per_s"}

// WritePeakWindows writes the rates of every window of the peaks as CSV,
// one row a window and cache.
func WritePeakWindows(w io.Writer, peaks []*Peak) error {
	cw := csv.NewWriter(w)
	cw.Write(PeakWindowsHeader)
	for _, p := range peaks {
		for _, win := range p.Windows {
			cw.Write([]string{p.Policy, strconv.FormatInt(p.Size, 10), p.Unit, fmtFloat(win.Start), fmtFloat(win.Client),
				fmtFloat(win.Lookups), fmtFloat(win.Without), fmtFloat(win.With)})
		}
	}
	cw.Flush()
	return cw.Error()
}
