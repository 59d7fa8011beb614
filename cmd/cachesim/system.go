package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/workload"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// systemFlags are the flags of the system simulation (cachesim replay and
// sweep with --levels): hierarchy, instances, stampedes, writes, versions, warming.
type systemFlags struct {
	levels            string
	instances         int
	assign            string
	exclusive         bool
	stampede          string
	beta              float64
	writePolicy       string
	flushInterval     time.Duration
	invalidationDelay time.Duration
	invalidateEvery   time.Duration
	dipWindow         time.Duration
	warmup            string
	prewarm           string
	prewarmFrom       string
	vary              string
	config            string
	missLatency       string
	missPerKiB        string
	fs                *pflag.FlagSet
}

// systemFlagNames are the flags that only make sense with --levels.
var systemFlagNames = []string{"instances", "assign", "exclusive", "stampede", "beta", "write-policy", "flush-interval",
	"invalidation-delay", "invalidate-every", "dip-window", "warmup", "prewarm", "prewarm-from", "vary"}

// systemSweepHelp is appended to sweep's Long help, before systemHelp.
const systemSweepHelp = `

With --levels, the sweep varies the size of the --vary level of a cache
hierarchy (the other levels stay as given) and reports, per size and
--stampede mode, the overall and per-level hit ratios, latency percentiles
(--miss-latency is the backend's), backend calls and stale reads; the sizing
rules and --plot apply to the overall hit ratio.`

// systemHelp is appended to the Long help of the commands with system flags.
const systemHelp = `

System simulation (--levels): a hierarchy of caches replayed on the
trace's time, e.g. --levels 'l1=lru:1000@0.05ms,l2=lru:1GiB@1ms' (any
policy per level; the @latency is a lookup's cost in that level). A request
pays the lookups of the levels it reaches, plus the backend's --miss-latency
when none holds the object. --instances N gives each of N service instances
a private copy of the first level (requests assigned --assign round-robin or
by key) over the shared rest. Misses fill every level on the way back
(inclusive), or with --exclusive only the first, whose victims move down.
Reported: per-level hit ratios (of all requests and of those reaching the
level), the overall hit ratio, latency percentiles and backend load.

  --stampede   off: fills are instantaneous (as a plain replay); none: a miss
               occupies the backend for its latency and every request for the
               key meanwhile calls it too; coalesce: they wait for the first
               call (singleflight); xfetch: values recompute early when
               now - delta*beta*ln(rand) >= expiry (Vattani et al., VLDB 2015;
               entries expire after --ttl or the request's TTL). A list
               (none,coalesce,xfetch) compares them.
  --write-policy  through (store and caches), back (caches, dirty entries
               written every --flush-interval; store writes saved and the
               entries/bytes at risk are reported), around (store, and the
               cached copies dropped). Other instances' L1 copies are dropped
               --invalidation-delay after a write; reads of a copy meanwhile
               count as stale reads.
  --invalidate-every 1h  drops every entry periodically (a model redeploy):
               the hit ratio just before and after (--dip-window) and the miss
               storm are reported and show on the --plot timeline.
  --warmup N|10m  leaves the first N requests or 10 minutes out of the
               statistics. --prewarm top:K loads the K most requested keys of
               --prewarm-from (a trace) or, without it, of the --warmup part,
               which then stands for the past and is not replayed.
  --config hierarchy.yaml  long setups in a file, e.g.
                 levels:
                   - {name: l1, policy: lru, size: 1000, latency: 0.05ms}
                   - {name: l2, policy: "s3fifo(small=0.1)", size: 1GiB, latency: 1ms}
                 instances: 8
                 stampede: coalesce
                 ttl: 60s`

func (f *systemFlags) register(fs *pflag.FlagSet, ownLatency bool) {
	f.fs = fs
	fs.StringVar(&f.config, "config", "", configHelp)
	fs.StringVar(&f.levels, "levels", "", "simulate a cache hierarchy: name=policy:size[@latency],… nearest first, e.g. 'l1=lru:1000@0.05ms,l2=lru:1GiB@1ms'")
	fs.IntVar(&f.instances, "instances", 1, "service instances, each with a private first level (with --levels)")
	fs.StringVar(&f.assign, "assign", "round-robin", "how requests go to instances: round-robin, key (sticky), or column:N (the client id in column N of a CSV or text trace)")
	fs.BoolVar(&f.exclusive, "exclusive", false, "exclusive hierarchy: misses fill only the first level, whose victims move down; hits below move up")
	fs.StringVar(&f.stampede, "stampede", "off", "concurrent misses: off (instantaneous fills), none, coalesce, xfetch, or a comma-separated list to compare")
	fs.Float64Var(&f.beta, "beta", 1, "XFetch's beta: larger recomputes earlier (0: never early)")
	fs.StringVar(&f.writePolicy, "write-policy", "through", "what the trace's writes do: through, back or around")
	fs.DurationVar(&f.flushInterval, "flush-interval", 0, "write-back: how often dirty entries are written to the store (e.g. 30s)")
	fs.DurationVar(&f.invalidationDelay, "invalidation-delay", 0, "how long a write's invalidation takes to reach the other instances' L1s (e.g. 100ms)")
	fs.DurationVar(&f.invalidateEvery, "invalidate-every", 0, "drop every cached entry at this period of trace time, as a model redeploy does (e.g. 1h)")
	fs.DurationVar(&f.dipWindow, "dip-window", 0, "span before and after each --invalidate-every drop over which the dip is measured (default: a tenth of the period)")
	fs.StringVar(&f.warmup, "warmup", "", "leave the start out of the statistics: a number of requests (100000) or trace time (10m)")
	fs.StringVar(&f.prewarm, "prewarm", "", "load the K most requested keys before the replay: top:K (from --prewarm-from, else from the --warmup part)")
	fs.StringVar(&f.prewarmFrom, "prewarm-from", "", "history trace (or workload spec) for --prewarm, read with the same input flags")
	if ownLatency {
		fs.StringVar(&f.missLatency, "miss-latency", "50ms", "backend latency of a miss (with --levels): a duration, lognormal:median=40ms,p99=250ms or exp:mean=30ms (seeded by --seed)")
		fs.StringVar(&f.missPerKiB, "miss-latency-per-kib", "0", "added to a miss per KiB of the object (with --levels)")
	} else {
		fs.StringVar(&f.vary, "vary", "", "with --levels: the level whose size --sizes varies (the others stay as given)")
	}
}

// active reports whether a system simulation was asked for; it fails when a
// system flag comes without --levels.
func (f *systemFlags) active() (bool, error) {
	if f.fs == nil { // a command without the system flags (mrc)
		return false, nil
	}
	if f.config != "" {
		if err := applyConfig(f.fs, f.config); err != nil {
			return false, err
		}
	}
	if f.levels != "" {
		return true, nil
	}
	for _, name := range systemFlagNames {
		if fl := f.fs.Lookup(name); fl != nil && fl.Changed {
			return false, fmt.Errorf("--%s needs --levels (a cache hierarchy)", name)
		}
	}
	return false, nil
}

// systemSetup is a checked system configuration.
type systemSetup struct {
	cfg   sim.SystemConfig
	modes []sim.Stampede
}

// load reads the trace args name and builds the system the flags describe on it.
func (f *systemFlags) load(cmd *cobra.Command, args []string, in *inputFlags, ttl time.Duration, seed uint64) (*traces.Trace, systemSetup, error) {
	stderr := cmd.ErrOrStderr()
	t, err := in.load(args, stderr)
	if err != nil {
		return nil, systemSetup{}, err
	}
	s, err := f.build(t, tracePath(args), ttl, cmd.Flags().Changed("ttl"), seed, in, stderr)
	return t, s, err
}

// build checks the flags and makes the configuration for t. ttl applies
// when given explicitly (or when requests carry TTLs); in loads --prewarm-from.
func (f *systemFlags) build(t *traces.Trace, path string, ttl time.Duration, ttlSet bool, seed uint64, in *inputFlags, stderr io.Writer) (systemSetup, error) {
	var s systemSetup
	c := &s.cfg
	var err error
	if c.Levels, err = sim.ParseLevels(f.levels); err != nil {
		return s, err
	}
	if f.instances < 1 {
		return s, fmt.Errorf("--instances %d: expected at least 1", f.instances)
	}
	c.Instances, c.Exclusive, c.Seed, c.Beta = f.instances, f.exclusive, seed, f.beta
	if ttlSet {
		c.TTL = ttl
	}
	if col, ok := strings.CutPrefix(f.assign, "column:"); ok {
		if c.InstanceOf, err = instanceColumn(t, path, col, in); err != nil {
			return s, err
		}
	} else if c.Assign, err = sim.ParseAssignment(f.assign); err != nil {
		return s, fmt.Errorf("%v, or column:N", err)
	}
	for _, m := range strings.Split(f.stampede, ",") {
		mode, err := sim.ParseStampede(m)
		if err != nil {
			return s, err
		}
		s.modes = append(s.modes, mode)
	}
	if c.Writes, err = sim.ParseWritePolicy(f.writePolicy); err != nil {
		return s, err
	}
	for name, d := range map[string]time.Duration{"--flush-interval": f.flushInterval, "--invalidation-delay": f.invalidationDelay,
		"--invalidate-every": f.invalidateEvery, "--dip-window": f.dipWindow} {
		if d < 0 {
			return s, fmt.Errorf("%s %s: expected a duration >= 0", name, d)
		}
	}
	if f.flushInterval > 0 && c.Writes != sim.WriteBack {
		return s, fmt.Errorf("--flush-interval applies to --write-policy back only")
	}
	c.FlushInterval, c.InvalidationDelay, c.InvalidateEvery, c.DipWindow = f.flushInterval, f.invalidationDelay, f.invalidateEvery, f.dipWindow
	if c.Warmup, err = sim.ParseWarmup(f.warmup); err != nil {
		return s, err
	}
	if err := f.buildPrewarm(c, t, in, stderr); err != nil {
		return s, err
	}
	m := sim.LatencyModel{MissDesc: f.missLatency}
	if m.PerKiB, err = sim.ParseLatency("--miss-latency-per-kib", f.missPerKiB); err != nil {
		return s, err
	}
	if m.Miss, err = sim.ParseMissLatency(f.missLatency, seed); err != nil {
		return s, err
	}
	c.Latency = m.Latencies(t)
	return s, nil
}

// tracePath returns the trace file named by args ("" for none or a workload spec).
func tracePath(args []string) string {
	if len(args) == 0 || workload.IsSpec(args[0]) {
		return ""
	}
	return args[0]
}

// instanceColumn reads column col (1-based) of the CSV or text trace at path
// as each request's instance: a client id, numbers as they are and other
// text hashed (then taken modulo --instances). It must give as many
// requests as t has.
func instanceColumn(t *traces.Trace, path, col string, in *inputFlags) ([]uint32, error) {
	n, err := strconv.Atoi(col)
	if err != nil || n < 1 {
		return nil, fmt.Errorf("--assign column:%s: expected a 1-based column number", col)
	}
	if path == "" {
		return nil, fmt.Errorf("--assign column:%d needs a trace file", n)
	}
	opt, err := in.options()
	if err != nil {
		return nil, err
	}
	format, err := traces.DetectFormat(path, opt)
	if err != nil {
		return nil, err
	}
	switch format {
	case "twitter":
		opt.Format, opt.Line.Delimiter = "csv", ','
	case "csv", "text":
		opt.Format = format
	default:
		return nil, fmt.Errorf("--assign column:%d needs a CSV or text trace, and %s is %s", n, path, format)
	}
	// The key column alone: a header line is recognised by its lack of numbers.
	opt.Line.Columns, opt.Line.Spec, opt.Line.AutoColumns = traces.Columns{Key: n}, traces.ColumnSpec{}, false
	file, err := traces.Open(path, opt)
	if err != nil {
		return nil, fmt.Errorf("--assign column:%d: %w", n, err)
	}
	defer file.Close()
	ids, err := traces.ReadAll(path, file)
	if err != nil {
		return nil, fmt.Errorf("--assign column:%d: %w", n, err)
	}
	if ids.Len() != t.Len() {
		return nil, fmt.Errorf("--assign column:%d: %s has %d requests read this way and %d read as the trace (skipped records?)", n, path, ids.Len(), t.Len())
	}
	out := make([]uint32, len(ids.Keys))
	for i, k := range ids.Keys {
		out[i] = uint32(k ^ k>>32)
	}
	return out, nil
}

// buildPrewarm fills c.Prewarm from --prewarm.
func (f *systemFlags) buildPrewarm(c *sim.SystemConfig, t *traces.Trace, in *inputFlags, stderr io.Writer) error {
	if f.prewarm == "" {
		if f.prewarmFrom != "" {
			return fmt.Errorf("--prewarm-from needs --prewarm top:K")
		}
		return nil
	}
	k, err := sim.ParsePrewarm(f.prewarm)
	if err != nil {
		return err
	}
	if f.prewarmFrom != "" {
		h, err := in.load([]string{f.prewarmFrom}, stderr)
		if err != nil {
			return fmt.Errorf("--prewarm-from: %w", err)
		}
		c.Prewarm = sim.TopKeys(h, 0, h.Len(), k)
		return nil
	}
	end := sim.WarmupEnd(t, c.Warmup)
	if end == 0 {
		return fmt.Errorf("--prewarm %s needs a history: --prewarm-from TRACE, or --warmup for the first part of this trace", f.prewarm)
	}
	c.Prewarm, c.PrewarmFromWarmup = sim.TopKeys(t, 0, end, k), true
	return nil
}

// newReport starts the report of runs of setup s on t.
func (f *systemFlags) newReport(t *traces.Trace, s systemSetup) *report.SystemReport {
	rep := &report.SystemReport{Workload: t.Name, Hierarchy: sim.FormatLevels(s.cfg.Levels), Instances: s.cfg.Instances,
		Exclusive: s.cfg.Exclusive, Writes: s.cfg.Writes.String(), Vary: f.vary}
	if s.cfg.Instances > 1 {
		rep.Assign = f.assign
	}
	switch {
	case s.cfg.PrewarmFromWarmup:
		rep.Warmup = fmt.Sprintf("prewarmed with the top %d keys of the first %s (not replayed)", len(s.cfg.Prewarm), f.warmup)
	case f.warmup != "":
		rep.Warmup = "warm-up " + f.warmup + " left out"
	}
	return rep
}

// runSystemReplay is cachesim replay --levels.
func runSystemReplay(cmd *cobra.Command, args []string, f *replayFlags) error {
	if cmd.Flags().Changed("policy") || cmd.Flags().Changed("size") {
		return fmt.Errorf("--policy and --size do not apply with --levels: each level names its policy and size")
	}
	window, metric, err := f.timeline()
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	t, s, err := f.sys.load(cmd, args, &f.in, f.ttl, f.seed)
	if err != nil {
		return err
	}
	if f.plot != "" || f.window != "" {
		if s.cfg.Window, err = sim.PlanWindows(t, window); err != nil {
			return err
		}
		if s.cfg.Window.Note != "" {
			fmt.Fprintln(stderr, "note:", s.cfg.Window.Note)
		}
	}
	runs, err := sim.SweepSystem(t, s.cfg, s.modes, -1, sim.Sizes{}, 0, nil)
	if err != nil {
		return err
	}
	rep := f.sys.newReport(t, s)
	for _, r := range runs {
		rep.Runs = append(rep.Runs, report.NewSystemRun(r.Stampede.String(), 0, r.Stats))
	}
	if f.plot != "" {
		st := runs[0].Stats
		title := rep.Hierarchy
		if s.cfg.Instances > 1 {
			title += fmt.Sprintf(" ×%d", s.cfg.Instances)
		}
		if runs[0].Stampede != sim.StampedeOff {
			title += ", stampede " + runs[0].Stampede.String()
		}
		tl := report.Timeline{Title: title,
			Plan: s.cfg.Window, Windows: st.Windows, Overall: metric.Of(st.Stats)}
		if err := tl.TimelineChart(metric).Save(f.plot); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", f.plot)
	}
	return f.out.write(cmd.OutOrStdout(), map[string]func(io.Writer) error{"table": rep.WriteTable, "json": rep.WriteJSON})
}

// runSystemSweep is cachesim sweep --levels: the hierarchy at every size of
// the --vary level (and every --stampede mode).
func runSystemSweep(cmd *cobra.Command, args []string, f *sweepFlags) error {
	if cmd.Flags().Changed("policy") || f.optimal {
		return fmt.Errorf("--policy and --optimal do not apply with --levels: each level names its policy")
	}
	if (f.sizes == "") != (f.sys.vary == "") {
		return fmt.Errorf("a sweep with --levels varies one level's size: give both --vary LEVEL and --sizes")
	}
	if err := f.out.check(); err != nil {
		return err
	}
	sizes, err := sim.ParseSizes(f.sizes)
	if err != nil {
		return err
	}
	sizes.Bytes = sizes.Bytes || f.bytes
	sz, err := f.sizing.check(cmd.Flags(), f.seed)
	if err != nil {
		return err
	}
	f.sys.missLatency, f.sys.missPerKiB = f.sizing.missLatency, f.sizing.missPerKiB
	stderr := cmd.ErrOrStderr()
	t, s, err := f.sys.load(cmd, args, &f.in, f.ttl, f.seed)
	if err != nil {
		return err
	}
	vary, err := sim.LevelIndex(s.cfg.Levels, f.sys.vary)
	if err != nil {
		return fmt.Errorf("--vary: %v", err)
	}
	bar := newProgress(stderr, f.out.quiet, len(s.modes)*len(sizes.Values), int64(t.Len()), "sweep")
	runs, err := sim.SweepSystem(t, s.cfg, s.modes, vary, sizes, f.jobs, bar.Add)
	bar.Finish()
	if err != nil {
		return err
	}
	rep := f.sys.newReport(t, s)
	rep.Unit = report.Unit(sizes.Bytes)
	// The overall hit ratio against the varied size is a curve like a
	// policy's: the sizing rules and charts of sweep apply to it.
	sw := &report.Sweep{Workload: t.Name, Requests: t.Len(), Unit: rep.Unit}
	for _, r := range runs {
		rep.Runs = append(rep.Runs, report.NewSystemRun(r.Stampede.String(), r.Size, r.Stats))
		sw.Points = append(sw.Points, sim.Point{Policy: fmt.Sprintf("%s (stampede %s)", f.sys.vary, r.Stampede), Size: r.Size, Stats: r.Stats.Stats})
	}
	var lat *sim.Latencies
	if sz.model != nil {
		lat = s.cfg.Latency
	}
	if err := f.sizing.finish(sz, t, sw, lat, sizes.Bytes, stderr); err != nil {
		return err
	}
	rep.Recommendations = sw.Recommendations
	return f.out.write(cmd.OutOrStdout(), map[string]func(io.Writer) error{
		"table": rep.WriteTable, "csv": rep.WriteCSV, "json": rep.WriteJSON,
	})
}
