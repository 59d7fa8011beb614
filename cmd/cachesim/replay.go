package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"
)

type replayFlags struct {
	in     inputFlags
	out    outputFlags
	policy string
	size   string
	bytes  bool
	ttl    time.Duration
	seed   uint64
	plot   string
	window string
	metric string
	writes bool
	// overhead is added to every object's size in byte-capacity replays.
	overhead uint32
	server   targetFlags
	sys      systemFlags
}

func newReplayCmd() *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay [TRACE]",
		Short: "Replay a trace through one policy at one size and report its statistics",
		Long: `replay runs every request of the trace through one cache and reports
requests, hits, misses, hit ratio, byte hit ratio, evictions, distinct keys,
and how long the simulation took. In traces with operations only gets are
counted; sets and deletes are applied and reported apart (see --count-writes).

With --window or --plot, it also records the hit ratio per window of the run
(per --window of time, like 1m, when the trace has timestamps; per that many
requests, like 10000, otherwise; by default about 100 windows) and, with
--plot, draws it, so warm-up, daily cycles and drift show.

A synthetic workload spec may stand in for the trace (see cachesim generate
--help). Without a trace, the built-in workload is used (Zipf, 1,000 keys, 10,000
requests, exponent 1.5, seed 42). Without --size, the cache holds 10% of the
distinct keys.

The trace is streamed: memory follows the distinct keys and the cache, not
the number of requests, and the simulation time includes reading. Without
--size a first pass counts the distinct keys (a pipe, which cannot be read
twice, is loaded into memory instead). A timeline (--window, --plot) and the
offline policies (belady, belady-size), which need the whole trace, load it.` + systemHelp + `
` + targetHelp,
		Example: `  cachesim replay
  cachesim replay trace.txt --policy lfu --size 1000
  cachesim replay 'drifting:keys=1e5,requests=1e6' --policy lfu --size 1000
  cachesim replay trace.csv --csv-key 5 --csv-size 4 --header --size 64MiB --format json
  cachesim replay trace.csv --csv-key 5 --csv-time 2 --header --size 10000 --window 1m --plot timeline.png
  cachesim replay trace.txt --size 1000 --window 50000 --plot timeline.svg
  cachesim replay 'zipf:keys=1e5,alpha=0.9,size=1000' --target redis://127.0.0.1:6379 --maxmemory 64MiB --maxmemory-policy allkeys-lru
  cachesim replay trace.txt --target redis://:secret@127.0.0.1:6379/3 --flush --maxmemory 1GiB --maxmemory-policy allkeys-lfu --concurrency 4
  cachesim replay trace.txt --target memcached://127.0.0.1:11211 --spawn --maxmemory 64MiB
  cachesim replay trace.txt --size 64MiB --policy redis-lru --overhead-per-object 62
  cachesim replay trace.csv --csv-key 2 --csv-time 1 --levels 'l1=lru:1000@0.05ms,l2=lru:100000@1ms' --instances 8
  cachesim replay trace.csv --csv-key 2 --csv-time 1 --levels 'l1=lru:10000@1ms' --ttl 60s --stampede none,coalesce,xfetch
  cachesim replay trace.csv --csv-key 2 --csv-time 1 --csv-op 3 --levels 'l1=lru:1000,l2=lru:1GiB@1ms' --instances 4 --write-policy back --flush-interval 30s --invalidation-delay 100ms
  cachesim replay trace.csv --csv-key 2 --csv-time 1 --levels 'l1=lru:10000' --invalidate-every 1h --plot timeline.png`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runReplay(cmd, args, &f) },
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.policy, "policy", "p", "lru", "policy (see: cachesim policies)")
	fs.StringVarP(&f.size, "size", "s", "", "cache size: objects (1000) or bytes with a unit (64MiB) (default: 10% of the distinct keys)")
	fs.BoolVar(&f.bytes, "bytes", false, "treat a size without a unit as bytes")
	fs.DurationVar(&f.ttl, "ttl", time.Hour, "time to live for the ttl policy when a request carries none (0: never expire)")
	fs.Uint64Var(&f.seed, "seed", 42, "seed for randomised policies")
	fs.StringVar(&f.plot, "plot", "", "draw the hit ratio per window to this file, PNG or SVG by its extension (timeline.png)")
	fs.StringVar(&f.window, "window", "", "window of the timeline: a duration (1m) on traces with timestamps, or a number of requests (10000) (default: about 100 windows)")
	fs.StringVar(&f.metric, "metric", "request", "hit ratio of the timeline chart: request, or byte")
	fs.BoolVar(&f.writes, "count-writes", false, countWritesHelp)
	fs.Uint32Var(&f.overhead, "overhead-per-object", 0, overheadHelp)
	f.server.register(fs)
	f.in.register(fs)
	f.out.register(fs, false)
	f.sys.register(fs, true)
	return cmd
}

// replayResult is what replay reports.
type replayResult struct {
	Workload     string  `json:"workload"`
	Policy       string  `json:"policy"`
	Size         int64   `json:"size"`
	Unit         string  `json:"unit"`
	Requests     uint64  `json:"requests"`
	Hits         uint64  `json:"hits"`
	Misses       uint64  `json:"misses"`
	HitRatio     float64 `json:"hit_ratio"`
	ByteHitRatio float64 `json:"byte_hit_ratio"`
	Evictions    uint64  `json:"evictions"`
	Sets         uint64  `json:"sets"`
	Deletes      uint64  `json:"deletes"`
	DistinctKeys int     `json:"distinct_keys"`
	Seconds      float64 `json:"seconds"`
	RequestsPerS float64 `json:"requests_per_second"`
	// Window and Windows are the timeline, when asked for.
	Window  string            `json:"window,omitempty"`
	Windows []sim.WindowStats `json:"windows,omitempty"`
}

func runReplay(cmd *cobra.Command, args []string, f *replayFlags) error {
	if err := f.out.check(); err != nil {
		return err
	}
	if f.server.url != "" {
		return runTargetReplay(cmd, args, f)
	}
	if on, err := f.sys.active(); on || err != nil {
		if err != nil {
			return err
		}
		return runSystemReplay(cmd, args, f)
	}
	spec, err := policy.ParseSpec(f.policy)
	if err != nil {
		return err
	}
	window, metric, err := f.timeline()
	if err != nil {
		return err
	}
	var size int64
	bytes := f.bytes
	if f.size != "" {
		var withUnit bool
		if size, withUnit, err = sim.ParseSize(f.size); err != nil {
			return fmt.Errorf("bad --size: %v\n%s", err, sim.SizeForms)
		}
		bytes = bytes || withUnit
	}
	if err := checkOverhead(f.overhead, bytes); err != nil {
		return err
	}
	if res, ok, err := f.replayStream(cmd, args, spec, size, bytes); ok || err != nil {
		if err != nil {
			return err
		}
		return res.write(cmd, f)
	}
	t, err := f.in.load(args, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	distinct, footprint := t.Footprint()
	if f.size == "" {
		size = max(int64(distinct)/10, 1)
		if bytes {
			size = max(footprint/10, 1)
		}
	}
	warnTTL(cmd.ErrOrStderr(), t, []policy.Spec{spec})
	warnNoSizes(cmd.ErrOrStderr(), t, bytes)
	warnClock(cmd.ErrOrStderr(), t, []policy.Spec{spec})
	hint := 0
	if !bytes {
		hint = int(min(size, int64(t.Len())))
	}
	c, err := policy.New(spec, policy.Config{Capacity: size, TTL: f.ttl, Seed: f.seed, SizeHint: hint})
	if err != nil {
		return err
	}
	opt := sim.Options{Objects: !bytes, CountWrites: f.writes, Overhead: f.overhead}
	if f.plot != "" || f.window != "" {
		if opt.Window, err = sim.PlanWindows(t, window); err != nil {
			return err
		}
		if opt.Window.Note != "" {
			fmt.Fprintln(cmd.ErrOrStderr(), "note:", opt.Window.Note)
		}
	}
	start := time.Now()
	st := sim.ReplayWith(t, c, opt)
	el := time.Since(start)
	res := replayResult{
		Workload: t.Name, Policy: spec.String(), Size: size, Unit: unitName(bytes),
		Requests: st.Requests, Hits: st.Hits, Misses: st.Misses(), HitRatio: st.HitRatio(),
		ByteHitRatio: st.ByteHitRatio(), Evictions: st.Evictions, Sets: st.Sets, Deletes: st.Deletes, DistinctKeys: distinct,
		Seconds: el.Seconds(), RequestsPerS: float64(t.Len()) / max(el.Seconds(), 1e-9),
		Windows: st.Windows,
	}
	if opt.Window != nil {
		res.Window = opt.Window.Window.String()
	}
	if f.plot != "" {
		tl := report.Timeline{Title: fmt.Sprintf("%s, %s at %s", t.Name, spec, sim.FormatSize(size, bytes)),
			Plan: opt.Window, Windows: st.Windows, Overall: metric.Of(st)}
		if bytes {
			tl.Title += " bytes"
		} else {
			tl.Title += " objects"
		}
		if err := tl.TimelineChart(metric).Save(f.plot); err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", f.plot)
	}
	return res.write(cmd, f)
}

func (res replayResult) write(cmd *cobra.Command, f *replayFlags) error {
	return f.out.write(cmd.OutOrStdout(), map[string]func(io.Writer) error{
		"table": res.writeTable,
		"json": func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		},
	})
}

// replayStream replays the input as a stream, holding nothing per request
// (sim.ReplayStream), unless something needs the loaded trace: a timeline
// or an offline policy, or the default size (10% of the distinct keys) on
// an input that cannot be read twice (a pipe). Without --size a first pass
// counts the distinct keys. ok is false when the caller must load the trace.
func (f *replayFlags) replayStream(cmd *cobra.Command, args []string, spec policy.Spec, size int64, bytes bool) (res replayResult, ok bool, err error) {
	if f.plot != "" || f.window != "" || (f.size == "" && !rereadable(args)) {
		return res, false, nil
	}
	cfg := policy.Config{Capacity: max(size, 1), TTL: f.ttl, Seed: f.seed}
	if c, err := policy.New(spec, cfg); err != nil || policy.UsesFuture(c) {
		return res, false, err
	}
	stderr := cmd.ErrOrStderr()
	hint := int64(1 << 16) // the cache's tables grow past this
	if f.size == "" {
		var count traces.Counter
		if _, err := f.in.stream(args, io.Discard, func(_ string, r traces.Reader) error { return countAll(r, &count) }); err != nil {
			return res, true, err
		}
		size, hint = max(int64(count.Distinct)/10, 1), int64(count.Distinct)
		if bytes {
			size = max(count.Bytes/10, 1)
		}
	}
	cfg.Capacity = size
	if !bytes {
		cfg.SizeHint = int(min(size, hint))
	}
	c, err := policy.New(spec, cfg)
	if err != nil {
		return res, true, err
	}
	var (
		st   sim.Stats
		info sim.StreamInfo
		name string
	)
	start := time.Now()
	if _, err := f.in.stream(args, stderr, func(n string, r traces.Reader) (err error) {
		name = n
		st, info, err = sim.ReplayStream(r, c, sim.Options{Objects: !bytes, CountWrites: f.writes, Overhead: f.overhead})
		return err
	}); err != nil {
		return res, true, err
	}
	el := time.Since(start)
	if info.Requests == 0 {
		return res, true, fmt.Errorf("%s: no requests (see --trace-format)", name)
	}
	fields := traces.NewTrace(name, info.Fields) // for the notes, which look at the columns
	warnTTL(stderr, fields, []policy.Spec{spec})
	warnNoSizes(stderr, fields, bytes)
	warnClock(stderr, fields, []policy.Spec{spec})
	return replayResult{
		Workload: name, Policy: spec.String(), Size: size, Unit: unitName(bytes),
		Requests: st.Requests, Hits: st.Hits, Misses: st.Misses(), HitRatio: st.HitRatio(),
		ByteHitRatio: st.ByteHitRatio(), Evictions: st.Evictions, Sets: st.Sets, Deletes: st.Deletes, DistinctKeys: info.Distinct,
		Seconds: el.Seconds(), RequestsPerS: float64(info.Requests) / max(el.Seconds(), 1e-9),
	}, true, nil
}

// rereadable reports whether the input args name can be read twice: a
// workload, or a regular file (not a pipe).
func rereadable(args []string) bool {
	if len(args) == 0 || isSpec(args[0]) {
		return true
	}
	st, err := os.Stat(args[0])
	return err == nil && st.Mode().IsRegular()
}

// countAll counts every request of r.
func countAll(r traces.Reader, c *traces.Counter) error { return traces.Each(r, c.Add) }

// windowRange returns the lowest and highest hit ratio of the windows with requests.
func windowRange(ws []sim.WindowStats) (lo, hi float64) {
	lo = 1
	for _, w := range ws {
		if w.Requests > 0 {
			lo, hi = min(lo, w.HitRatio()), max(hi, w.HitRatio())
		}
	}
	return lo, hi
}

// overheadHelp documents --overhead-per-object.
const overheadHelp = "bytes added to every object's size in byte-capacity simulations, so the capacity means what a " +
	"server's memory limit means (Redis: measured by cachesim replay --target)"

// checkOverhead rejects --overhead-per-object with object-count sizes.
func checkOverhead(overhead uint32, bytes bool) error {
	if overhead > 0 && !bytes {
		return fmt.Errorf("--overhead-per-object applies to byte capacities: give the size a unit (64MiB) or --bytes")
	}
	return nil
}

func unitName(bytes bool) string {
	if bytes {
		return "bytes"
	}
	return "objects"
}

func (r replayResult) writeTable(w io.Writer) error {
	fmt.Fprintf(w, "%s through %s at %s (%s)\n", r.Workload, r.Policy, sim.FormatSize(r.Size, r.Unit == "bytes"), r.Unit)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("statistic", "value")
	rows := [][]string{
		{"requests", fmt.Sprint(r.Requests)},
		{"hits", fmt.Sprint(r.Hits)},
		{"misses", fmt.Sprint(r.Misses)},
		{"hit ratio", fmt.Sprintf("%.4f%%", 100*r.HitRatio)},
		{"byte hit ratio", fmt.Sprintf("%.4f%%", 100*r.ByteHitRatio)},
		{"evictions", fmt.Sprint(r.Evictions)},
	}
	if r.Sets+r.Deletes > 0 {
		rows = append(rows, []string{"sets (not counted)", fmt.Sprint(r.Sets)}, []string{"deletes (not counted)", fmt.Sprint(r.Deletes)})
	}
	rows = append(rows, [][]string{
		{"distinct keys", fmt.Sprint(r.DistinctKeys)},
		{"simulation time", (time.Duration(r.Seconds * 1e9)).Round(time.Microsecond).String()},
		{"requests/second", fmt.Sprintf("%.3g", r.RequestsPerS)},
	}...)
	if len(r.Windows) > 0 {
		lo, hi := windowRange(r.Windows)
		rows = append(rows, []string{"windows", fmt.Sprintf("%d of %s", len(r.Windows), r.Window)},
			[]string{"window hit ratio", fmt.Sprintf("%.2f%% to %.2f%%", 100*lo, 100*hi)})
	}
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

// timeline checks the timeline flags (--window, --metric, --plot).
func (f *replayFlags) timeline() (sim.Window, report.Metric, error) {
	window, err := sim.ParseWindow(f.window)
	if err != nil {
		return window, 0, err
	}
	metric, err := report.ParseMetric(f.metric)
	if err != nil {
		return window, metric, err
	}
	if f.plot != "" {
		if err := report.CheckChartPath("--plot", f.plot); err != nil {
			return window, metric, err
		}
	}
	return window, metric, nil
}
