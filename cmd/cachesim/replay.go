package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// replayOptions are the flags and arguments of cachesim replay: the input,
// output, cache (one policy), latency, batch, timeline and prompt flags,
// --size and --bytes.
type replayOptions struct {
	args     []string // [TRACE]
	in       inputFlags
	out      outputFlags
	cache    cacheFlags
	lat      latencyFlags
	timeline timelineFlags
	batch    batchFlags
	size     string
	bytes    bool
	prefix   prefixFlags
	route    routeFlags
	span     spanFlags
}

// newReplayCmd is cachesim replay. runF, when not nil, runs instead of the
// replay with the options parsed and checked (for tests).
func newReplayCmd(runF func(*replayOptions) error) *cobra.Command {
	var o replayOptions
	cmd := &cobra.Command{
		Use:         "replay [TRACE]",
		Annotations: pathArgs("input"),
		Short:       "Replay a trace through one policy at one size and report its statistics",
		Long: `replay runs every request of the trace through one cache and reports
requests, hits, misses, hit ratio, byte hit ratio, evictions, distinct keys,
and how long the simulation took. In traces with operations only gets are
counted; sets and deletes are applied and reported apart (see --count-writes).

With --miss-latency (or --hit-latency, --latency), it adds the latency and
backend-load report of cachesim sweep for this one cache.

With --interval or --plot, it also records the hit ratio per window of the
run (per --interval of time, like 1m, when the trace has timestamps; per
that many requests, like 10000, otherwise; by default about 100 windows)
and, with --plot, draws it, so warm-up, daily cycles and drift show.

--window FROM..TO replays only that part of the trace (request indexes,
trace time like 2h..10h, or clock times like 08:00..20:00), and --warmup
(requests, or trace time like 2h) fills the cache with the start of it
without counting: the statistics are the steady state's. A note on stderr
says which requests were replayed and counted.
In windows of time it adds the peak report of cachesim sweep for this cache
(client requests and backend calls per second per window, after the
warm-up: mean, p99, peak), and --plot draws those rates in a panel below
the hit ratio.

A synthetic workload spec may stand in for the trace (see cachesim generate
--help). Without a trace, the built-in workload is used (Zipf, 1,000 keys,
10,000 requests, exponent 1.5, seed 42). Without --size, the cache holds 10%
of the distinct keys (of the footprint in bytes, with --bytes).

A hierarchy of caches, instances, stampedes and writes: cachesim system
replay. A real Redis or memcached: cachesim live replay.

` + batchHelp + ` The replay adds how many keys a request fetched
(percentiles) and the share of requests by the share of their keys hit.

` + prefixHelp + "\n\n" + routeHelp,
		Example: `  cachesim replay
  cachesim generate zipf --keys 1e4 --requests 1e5 --rate 1000 --size lognormal:8:1 -o trace.csv
  cachesim replay trace.csv --policy lfu --size 1000
  cachesim replay trace.csv --size 64MiB --format json
  cachesim replay trace.csv --size 1000 --miss-latency lognormal:median=40ms,p99=250ms
  cachesim replay trace.csv --size 1000 --interval 10s --plot timeline.png
  cachesim replay trace.csv --size 1000 --window 20s..80s --warmup 10s
  cachesim replay 'drifting:keys=1e4,requests=1e5' --policy lfu --size 1000 --interval 10000
  cachesim replay trace.csv --size 4MiB --policy redis-lru --overhead-per-object 62
  cachesim replay 'prefix:requests=2000' --policy radix --size 8GiB --kv-bytes-per-token 128KiB --pin-time 2s
  cachesim replay 'prefix:requests=2000' --policy lru --size 32GiB --model layers=32,kv-heads=8,head-dim=128 --instances 8 --router all --plot routers.png
  cachesim replay 'batch:keys=1e4,batch=20,requests=1e5' --size 5000 --dedup-batch --miss-latency 10ms`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args, o.in.stdin = args, cmd.InOrStdin()
			p, err := o.plan()
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return runReplay(cmd, &o, p)
		},
	}
	fs := cmd.Flags()
	o.cache.register(fs, false)
	done := inSection(fs, sectionPolicies)
	fs.StringVarP(&o.size, "size", "s", "", "cache size: objects (1000) or bytes with a unit (64MiB) (default: 10% of the distinct keys)")
	fs.BoolVar(&o.bytes, "bytes", false, "treat a size without a unit as bytes")
	done()
	o.lat.register(fs, latencyParts{hit: true, rate: true})
	o.batch.register(fs, true)
	o.timeline.register(fs)
	o.span.register(fs, true, sectionSpan)
	o.prefix.register(fs)
	o.route.register(fs)
	o.in.register(fs)
	o.in.registerRequests(fs)
	o.out.register(fs, "table", "csv", "json")
	completeFlags(cmd, o.out.formats...)
	startHere(cmd, []helpArg{traceArg}, "policy", "size", "format", "out")
	return cmd
}

// replayPlan is a checked replay: what to run, decided before any work.
type replayPlan struct {
	spec   policy.Spec
	size   sim.Size // N 0: the default, in Unit
	model  *sim.LatencyModel
	window sim.Window
	span   sim.Span
}

// plan checks every flag before any work.
func (o *replayOptions) plan() (p replayPlan, err error) {
	if err := o.out.check(); err != nil {
		return p, err
	}
	specs, err := o.cache.specs(false)
	if err != nil {
		return p, err
	}
	p.spec = specs[0]
	if p.size, err = o.parseSize(); err != nil {
		return p, err
	}
	if o.lat.asked() {
		if p.model, err = o.lat.model(o.cache.seed); err != nil {
			return p, err
		}
	} else if o.lat.rateGiven() {
		return p, fmt.Errorf("--request-rate serves the latency report: give --miss-latency")
	}
	if err := o.batch.check(p.model != nil); err != nil {
		return p, err
	}
	o.batch.apply(p.model)
	if err := o.cache.check(specs, p.size.Bytes(), p.model); err != nil {
		return p, err
	}
	if _, err := o.route.check(); err != nil {
		return p, err
	}
	o.span.timeline = true
	if p.span, err = o.span.check(); err != nil {
		return p, err
	}
	p.window, err = o.timeline.check(&o.out)
	return p, err
}

// runReplay is cachesim replay, as plan p says.
func runReplay(cmd *cobra.Command, o *replayOptions, p replayPlan) error {
	stderr, args := cmd.ErrOrStderr(), o.args
	if ok, err := o.replayStream(cmd, args, p); ok || err != nil {
		return err
	}
	spec, size, model := p.spec, p.size, p.model
	bytes := size.Bytes()
	t, err := o.in.load(args, stderr)
	if err != nil {
		return err
	}
	t, extent, err := cut(t, p.span, stderr)
	if err != nil {
		return err
	}
	warm := warmOf(extent)
	if err := o.prefix.check(t); err != nil {
		return err
	}
	if err := o.route.checkTrace(t); err != nil {
		return err
	}
	if sim.Prompts(t) {
		return o.replayPrompts(cmd, t, p)
	}
	if err := o.cache.checkTrace(t); err != nil {
		return err
	}
	if err := o.batch.checkTrace(t, report.RequestHitRatio); err != nil {
		return err
	}
	distinct, footprint := t.Footprint()
	if size.N == 0 {
		size = sim.DefaultReplaySize(distinct, footprint, size.Unit)
	}
	warnInputs(stderr, t, []policy.Spec{spec}, bytes)
	cfg := o.cache.config(size.N)
	cfg.Objects = !bytes
	if !bytes {
		cfg.SizeHint = int(min(size.N, int64(t.Len())))
	}
	c, err := policy.New(spec, cfg)
	if err != nil {
		return err
	}
	opt := o.cache.options(bytes)
	opt.DedupBatch, opt.Span = o.batch.dedup, warmupOf(warm)
	if opt.Window, err = o.timeline.plan(t, p.window, stderr); err != nil {
		return err
	}
	peak := o.timeline.peakOn(t, opt.Window, stderr)
	if err := o.batch.checkCalls(t, model != nil, peak); err != nil {
		return err
	}
	if model != nil {
		if err := checkModel(model, t); err != nil {
			return err
		}
		opt.Latency = model.Latencies(t)
	}
	start := time.Now()
	st := sim.Replay(t, c, opt)
	rep := report.NewReplay(t.Name, spec.String(), size, st, distinct, time.Since(start))
	rep.Span = report.NewSpan(extent)
	if opt.Window != nil {
		rep.Window = opt.Window.Window.String()
	}
	if peak {
		steady := st // the peak of the windows after the warm-up
		steady.Windows = opt.Window.From(st.Windows, t, warm)
		rep.Peak = report.NewPeak(spec.String(), size, opt.Window, steady, o.batch.mode(), t.Origin)
	}
	if model != nil {
		rate := requestRate(o.lat.requestRate, t)
		rep.AddLatency(opt.Latency.Uncached, report.Load{Rate: rate, Rows: int64(t.Len()), Backend: model.Batch}, model)
		noteRate(stderr, rate == 0)
	}
	title := fmt.Sprintf("%s, %s at %s", t.Name, spec, sizeWithUnit(size))
	if err := o.timeline.chart(&o.out, title, t, opt.Window, st, warm, nil, rep.Peak); err != nil {
		return err
	}
	return o.out.emit(cmd.OutOrStdout(), stderr, writers{"table": rep.WriteTable, "csv": rep.WriteCSV, "json": rep.WriteJSON})
}

// parseSize reads --size and --bytes: a size of 0 means the default, in
// the unit --bytes says.
func (o *replayOptions) parseSize() (sim.Size, error) {
	if o.size == "" {
		return sim.Size{Unit: sim.UnitOf(o.bytes)}, nil
	}
	size, err := sim.ParseSize(o.size)
	if err != nil {
		return size, fmt.Errorf("bad --size: %v\n%s", err, sim.SizeForms)
	}
	if size.Bytes() && o.bytes {
		return size, fmt.Errorf("--bytes has no effect: --size %s carries a unit", o.size)
	}
	if size.N == 0 {
		return size, fmt.Errorf("--size 0: a cache holds at least one object or byte")
	}
	if o.bytes {
		size.Unit = sim.Bytes
	}
	return size, nil
}

// sizeWithUnit renders a cache size as people read it: "1000 objects",
// "128 MiB".
func sizeWithUnit(s sim.Size) string {
	if s.Bytes() {
		return s.String()
	}
	return s.String() + " objects"
}

// timelineFlags ask for the hit ratio per window of a replay.
type timelineFlags struct {
	interval string
	plot     string
	metric   string
	fs       *pflag.FlagSet
}

// timelineMetrics are the metrics a timeline chart draws (its --metric).
var timelineMetrics = []string{"request", "byte"}

func (f *timelineFlags) register(fs *pflag.FlagSet) {
	defer inSection(fs, sectionTimeline)()
	f.fs = fs
	fs.StringVar(&f.plot, "plot", "", "draw the hit ratio per window to this file, PNG or SVG by its extension (timeline.png); with --instances, the token hit ratio per router")
	markPaths(fs, "output", "plot")
	fs.StringVar(&f.interval, "interval", "", "width of the timeline's windows: a duration (1m) on traces with timestamps, or a number of requests (10000) (default: about 100 windows)")
	fs.StringVar(&f.metric, "metric", "request", "hit ratio of the timeline chart: "+report.MetricHelp(timelineMetrics...))
}

// on reports whether a timeline was asked for.
func (f *timelineFlags) on() bool { return f.plot != "" || f.interval != "" }

// check validates the timeline flags before any work.
func (f *timelineFlags) check(out *outputFlags) (sim.Window, error) {
	window, err := sim.ParseWindow(f.interval)
	if err != nil {
		return window, fmt.Errorf("bad --interval %w", err)
	}
	if m, err := report.ParseMetric(f.metric); err != nil {
		return window, fmt.Errorf("--metric %w", err)
	} else if m == report.BatchHitRatio {
		return window, fmt.Errorf("--metric batch: the timeline counts keys, not whole requests; give request or byte (the replay's table has the batch hit ratio)")
	} else if m == report.TokenHitRatio {
		return window, fmt.Errorf("--metric token: the timeline is not drawn for prompt traces; give request or byte")
	}
	if f.fs.Changed("metric") && f.plot == "" {
		return window, fmt.Errorf("--metric chooses the hit ratio of the timeline chart: give --plot")
	}
	return window, out.checkChart("--plot", f.plot)
}

// plan plans the windows on t, when a timeline was asked for.
func (f *timelineFlags) plan(t *trace.Trace, w sim.Window, stderr io.Writer) (*sim.WindowPlan, error) {
	if !f.on() {
		return nil, nil
	}
	p, err := sim.PlanWindows(t, w)
	if errors.Is(err, sim.ErrTooManyWindows) {
		return nil, fmt.Errorf("--interval: %w", err)
	}
	if err != nil {
		return nil, err
	}
	if p.Note != "" {
		fmt.Fprintln(stderr, "note:", p.Note)
	}
	return p, nil
}

// peakOn reports whether a replay of t in the windows of plan (nil: no
// timeline) reports its peak: time windows only; a note on stderr says
// why not when a timeline was asked for on a trace without timestamps
// or in windows of requests.
func (f *timelineFlags) peakOn(t *trace.Trace, plan *sim.WindowPlan, stderr io.Writer) bool {
	switch {
	case plan == nil:
		return false
	case t.Times == nil:
		fmt.Fprintf(stderr, "note: no peak report (backend calls per second per window): %s has no timestamps\n", t.Name)
	case !plan.ByTime:
		fmt.Fprintf(stderr, "note: no peak report: it counts per second, in windows of time (--interval 1m), not of %s\n", plan.Window)
	}
	return plan.ByTime
}

// chart stages the timeline chart of a run of t, when --plot asked for
// one: against clock time when t's timestamps are clock times, with events
// (at trace times, nanoseconds since the first request) marked, and the
// end of a warm-up of the first warm requests (0: none), whose requests
// st does not count, and the rates of peak (nil: none) in a panel below.
func (f *timelineFlags) chart(out *outputFlags, title string, t *trace.Trace, plan *sim.WindowPlan, st sim.Stats, warm int,
	events []report.TimelineEvent, peak *report.Peak) error {
	if f.plot == "" {
		return nil
	}
	metric, _ := report.ParseMetric(f.metric)
	events = eventsOnWindows(t, plan, events)
	if warm > 0 && warm < t.Len() { // its time, or its index for windows of requests
		end := int64(warm)
		if plan.ByTime {
			end = t.Times[warm]
		}
		events = append(events, report.TimelineEvent{At: end, Name: "warm-up ends"})
	}
	tl := report.Timeline{Title: title, Plan: plan, Windows: st.Windows, Overall: metric.Of(st), Warmup: warm > 0, Origin: t.Origin,
		Events: events, Peak: peak}
	return out.chart(f.plot, tl.TimelineChart(metric))
}

// eventsOnWindows puts events at trace times on the windows' axis: the
// same times for time windows, the index of the first request at or after
// each for windows of requests.
func eventsOnWindows(t *trace.Trace, plan *sim.WindowPlan, events []report.TimelineEvent) []report.TimelineEvent {
	out := slices.Clone(events)
	for i := range out {
		if !plan.ByTime {
			out[i].At = int64(sort.Search(len(t.Times), func(j int) bool { return t.Times[j] >= out[i].At }))
		}
	}
	return out
}

// replayStream replays the input as a stream, holding nothing per request
// (sim.ReplayStream), unless something needs the loaded trace: a timeline,
// a latency model, an offline policy, or the default size (10% of the
// distinct keys) on an input that cannot be read twice (a pipe). Without
// --size a first pass counts the distinct keys. ok is false when the
// caller must load the trace.
func (o *replayOptions) replayStream(cmd *cobra.Command, args []string, p replayPlan) (ok bool, err error) {
	if o.timeline.on() || p.model != nil || p.spec.Traits().Has(policy.Offline) || (p.size.N == 0 && !rereadable(args)) ||
		len(o.prefix.given()) > 0 || len(o.route.given()) > 0 || o.batch.given() {
		return false, nil
	}
	stderr := cmd.ErrOrStderr()
	size, hint := p.size, int64(1<<16) // the cache's tables grow past the hint
	if size.N == 0 {
		var count trace.Counter
		if _, err := o.in.stream(args, io.Discard, func(name string, r trace.Reader) error {
			if declaresPrompts(r) {
				return errLoad // prompts replay with the prefix rule, loaded
			}
			return countAll(windowOf(r, p.span, name), &count)
		}); err == errLoad {
			return false, nil
		} else if err != nil {
			return true, spanError(err)
		}
		size, hint = sim.DefaultReplaySize(count.Distinct, count.Bytes, size.Unit), int64(count.Distinct)
	}
	cfg := o.cache.config(size.N)
	cfg.Objects = !size.Bytes()
	if !size.Bytes() {
		cfg.SizeHint = int(min(size.N, hint))
	}
	c, err := policy.New(p.spec, cfg)
	if err != nil {
		return true, err
	}
	var (
		st   sim.Stats
		info sim.StreamInfo
		name string
	)
	start := time.Now()
	if _, err := o.in.stream(args, stderr, func(n string, r trace.Reader) (err error) {
		if declaresPrompts(r) {
			return errLoad // prompts replay with the prefix rule, loaded
		}
		name = n
		var sts []sim.Stats
		opt := o.cache.options(size.Bytes())
		opt.Span = p.span
		sts, info, err = sim.ReplayStream(r, []policy.Cache{c}, opt)
		st = sts[0]
		return err
	}); err == errLoad || (err == nil && info.Fields.Tokens && rereadable(args)) {
		return false, nil // a prompt trace (a CSV of blocks shows it only in its header): the prefix rule, loaded
	} else if err != nil {
		return true, spanError(err)
	}
	noteSpan(stderr, info.Extent)
	took := time.Since(start)
	if info.Fields.Tokens {
		return true, fmt.Errorf("%s is a prompt trace, which replays loaded, and it cannot be read twice: give a file", name)
	}
	if info.Requests == 0 {
		return true, fmt.Errorf("%s: no requests (see --trace-format)", name)
	}
	t := trace.NewTrace(name, info.Fields) // for the notes, which look at the columns
	if err := o.cache.checkTrace(t); err != nil {
		return true, err
	}
	warnInputs(stderr, t, []policy.Spec{p.spec}, size.Bytes())
	rep := report.NewReplay(name, p.spec.String(), size, st, info.Distinct, took)
	rep.Span = report.NewSpan(info.Extent)
	return true, o.out.emit(cmd.OutOrStdout(), stderr, writers{"table": rep.WriteTable, "csv": rep.WriteCSV, "json": rep.WriteJSON})
}
