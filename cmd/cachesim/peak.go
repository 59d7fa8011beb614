package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/pflag"
)

// peakFlags ask for the peak report of a sweep: client requests and
// backend calls per second per window of the trace, without a cache and at
// each plan's size.
type peakFlags struct {
	interval string
	csv      string
	fs       *pflag.FlagSet
}

func (f *peakFlags) register(fs *pflag.FlagSet) {
	defer inSection(fs, sectionLatency)()
	f.fs = fs
	fs.StringVar(&f.interval, "interval", "", "width of the windows of the peak report (backend calls per second at each plan's size), a duration: 1m, 10s (default: 1m when the trace spans an hour or more, else about 100 windows); needs timestamps")
	fs.StringVar(&f.csv, "peak-csv", "", "also write the peak report's rates per window to this CSV file")
	markPaths(fs, "output", "peak-csv")
}

// given reports whether a peak flag was given.
func (f *peakFlags) given() bool { return f != nil && changed(f.fs, "interval", "peak-csv") }

// check validates the flags before any work.
func (f *peakFlags) check() (sim.Window, error) {
	w, err := sim.ParseWindow(f.interval)
	if err != nil {
		return w, fmt.Errorf("bad --interval %w", err)
	}
	if w.Requests > 0 {
		return w, fmt.Errorf("--interval %s: the peak is a rate per second, so its windows are durations (1m, 10s), not request counts", f.interval)
	}
	if f.csv != "" {
		return w, report.Check(f.csv)
	}
	return w, nil
}

// plan cuts t into the peak report's windows of width w: nil, with a note
// on stderr, when t cannot have one (a flag that asked for it is then an
// error); sampled says t is a spatial sample, prompts a prompt trace.
func (f *peakFlags) plan(t *trace.Trace, w sim.Window, sampled bool, stderr io.Writer) (*sim.WindowPlan, error) {
	switch {
	case sampled && f.given():
		return nil, fmt.Errorf("--interval, --peak-csv: the peak report needs every request: drop --sample-rate/--sample-size")
	case sim.Prompts(t) && f.given():
		return nil, fmt.Errorf("--interval, --peak-csv have no effect on a prompt trace, whose plan counts tokens, not backend calls")
	case sampled || sim.Prompts(t):
		return nil, nil
	}
	p, err := sim.PeakWindows(t, w)
	switch {
	case errors.Is(err, sim.ErrNoTimestamps) && f.given():
		return nil, fmt.Errorf("--interval, --peak-csv: %w", err)
	case errors.Is(err, sim.ErrNoTimestamps):
		fmt.Fprintf(stderr, "note: no peak report (backend calls per second per window): %v\n", err)
		return nil, nil
	case errors.Is(err, sim.ErrTooManyWindows):
		return nil, fmt.Errorf("--interval: %w", err)
	}
	return p, err
}

// peaks replays, for every plan of rep that found a swept size, its
// policy at that size in the windows of w, and adds the peak reports to
// rep (and --peak-csv to the outputs).
func (f *peakFlags) peaks(rep *report.Sweep, r sim.Result, plan *sim.Plan, w *sim.WindowPlan, b sim.BatchBackend, jobs int, out *outputFlags) error {
	if w == nil {
		return nil
	}
	specs := map[string]policy.Spec{}
	for _, s := range r.Policies {
		specs[s.String()] = s
	}
	var tasks []func() error
	for _, pl := range rep.Plans {
		spec, ok := specs[pl.Policy]
		if !pl.Found || !ok || !swept(r.Points, pl.Policy, pl.Size) {
			continue
		}
		i, size := len(rep.Peaks), sim.Size{N: pl.Size, Unit: sim.UnitOf(r.Sizes.Bytes)}
		rep.Peaks = append(rep.Peaks, nil)
		tasks = append(tasks, func() error {
			st, err := plan.Rerun(spec, size, w)
			rep.Peaks[i] = report.NewPeak(pl.Policy, size, w, st, b, r.Trace.Origin)
			return err
		})
	}
	if err := sim.Parallel(jobs, tasks); err != nil {
		return err
	}
	if f.csv == "" {
		return nil
	}
	out.written = append(out.written, f.csv)
	return out.files.Add(f.csv, func(wr io.Writer) error { return report.WritePeakWindows(wr, rep.Peaks) })
}

// swept reports whether points hold policy at size.
func swept(points []sim.Point, policy string, size int64) bool {
	for _, p := range points {
		if p.Policy == policy && p.Size == size {
			return true
		}
	}
	return false
}
