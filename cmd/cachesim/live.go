package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/target"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// liveHelp is the Long help the live commands share.
const liveHelp = `
TARGET is redis://[user:password@]host:port[/db] or memcached://host:port.
A get is a GET (a miss is followed by a SET of a value of the object's size,
with its TTL), a set a SET, a delete a DEL, pipelined (--pipeline) over
--concurrency clients. Redis is configured with CONFIG SET (--maxmemory,
--maxmemory-policy, --maxmemory-samples, --lfu-log-factor, --lfu-decay-time)
and its settings are restored afterwards, also when the run is interrupted;
the database (--db, or the URL's /N) must be empty unless --flush, and other
databases must hold no keys (eviction is server-wide). memcached's limit is a
start-up flag: --spawn starts a memcached of its own with -m per size (and
stops it afterwards), otherwise the running server's limit is used. The
report sets the real hit ratio, client-side latency and the server's
counters beside the simulated redis-lru/redis-lfu (memcached) and exact LRU
for the same trace, memory and clock, and the measured memory overhead per
key, for --overhead-per-object.`

func newLiveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "live",
		Short: "Replay a trace against a real Redis or memcached, beside the simulation",
		Long: `live replays a trace against a running server (or one it starts) and
reports what really happened beside what the simulated models predict for
the same trace, memory and clock.
` + liveHelp,
		Example: `  cachesim generate zipf --keys 5000 --requests 2e4 --rate 10000 --size 100 -o trace.csv
  cachesim live replay memcached://127.0.0.1 trace.csv --spawn --maxmemory 2MiB
  cachesim live sweep memcached://127.0.0.1 trace.csv --spawn --sizes 2MiB,4MiB`,
	}
	cmd.AddCommand(newLiveReplayCmd(nil), newLiveSweepCmd(nil))
	return cmd
}

// targetArg is the server of the live commands.
var targetArg = helpArg{"TARGET", "the server: redis://[user:password@]host:port[/db] or memcached://host:port"}

// liveFlags are the flags and arguments the live commands share: the
// server's settings, the clients', the simulated models' and the input
// and output flags.
type liveFlags struct {
	args        []string // TARGET [TRACE]
	in          inputFlags
	out         outputFlags
	policy      string
	samples     int
	logFactor   int
	decayTime   int
	db          int
	flush       bool
	spawn       bool
	concurrency int
	pipeline    int
	overhead    uint32
	seed        uint64
	// raise says how to raise the memory limit, for a limit below the
	// server's baseline: its flag differs per command.
	raise string
	fs    *pflag.FlagSet
}

func (f *liveFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	done := inSection(fs, sectionServer)
	fs.StringVar(&f.policy, "maxmemory-policy", "allkeys-lru", "redis: maxmemory-policy")
	fs.IntVar(&f.samples, "maxmemory-samples", 5, "redis: maxmemory-samples (set only when given)")
	fs.IntVar(&f.logFactor, "lfu-log-factor", 10, "redis: lfu-log-factor (set only when given)")
	fs.IntVar(&f.decayTime, "lfu-decay-time", 1, "redis: lfu-decay-time in minutes (set only when given)")
	fs.IntVar(&f.db, "db", -1, "redis: database number (default: the URL's /N, else 0)")
	fs.BoolVar(&f.flush, "flush", false, "empty the database (memcached: flush_all) even if it holds keys")
	fs.BoolVar(&f.spawn, "spawn", false, "memcached: start a memcached of our own on a free loopback port with -m set to the memory limit")
	done()
	done = inSection(fs, sectionClients)
	fs.IntVar(&f.concurrency, "concurrency", 1, "client connections (each takes a share of the keys, in trace order)")
	fs.IntVar(&f.pipeline, "pipeline", 32, "commands sent per round trip (1: no pipelining)")
	fs.Uint32Var(&f.overhead, "overhead-per-object", 0, "bytes per object the simulated models add to each size (default: measured on the server)")
	fs.Uint64Var(&f.seed, "seed", 42, "seed for the simulated models")
	done()
	f.in.register(fs)
}

// check validates the flags that need no server; url is the target.
func (f *liveFlags) check(url string) error {
	if err := f.out.check(); err != nil {
		return err
	}
	if f.concurrency < 1 || f.pipeline < 1 {
		return errors.New("--concurrency and --pipeline must be at least 1")
	}
	if f.fs.Changed("db") && f.db < 0 {
		return fmt.Errorf("--db %d: expected a database number, 0 or more (leave it out to take the URL's /N, else 0)", f.db)
	}
	kind, err := target.Kind(url)
	if err != nil {
		return err
	}
	only := map[string][]string{
		"redis":     {"maxmemory-policy", "maxmemory-samples", "lfu-log-factor", "lfu-decay-time", "db"},
		"memcached": {"spawn"},
	}
	for k, names := range only {
		for _, n := range names {
			if k != kind && f.fs.Changed(n) {
				return fmt.Errorf("--%s applies to %s targets, and %s is %s", n, k, url, kind)
			}
		}
	}
	return nil
}

// config is the target configuration the flags ask for.
func (f *liveFlags) config() target.Config {
	cfg := target.Config{Policy: f.policy, DB: f.db, Flush: f.flush, Spawn: f.spawn}
	if f.fs.Changed("maxmemory-samples") {
		cfg.Samples = &f.samples
	}
	if f.fs.Changed("lfu-log-factor") {
		cfg.LogFactor = &f.logFactor
	}
	if f.fs.Changed("lfu-decay-time") {
		cfg.DecayTime = &f.decayTime
	}
	return cfg
}

// run opens the target, loads the trace and replays it at every memory
// limit in turn, each run beside its simulation.
func (f *liveFlags) run(cmd *cobra.Command, url string, args []string, sizes []int64) (report.ServerSweep, error) {
	f.in.stdin = cmd.InOrStdin()
	tg, err := target.Open(url, f.config())
	if err != nil {
		return nil, f.hint(url, err)
	}
	// Restore the server's settings and stop a spawned server, also when
	// the run is interrupted.
	release := onInterrupt(func() { tg.Close() })
	defer release(true)
	t, err := f.in.load(args, cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	if err := refusePrompts(t, "a Redis or memcached server is no prefix cache"); err != nil {
		return nil, err
	}
	overhead := -1.0 // measured
	if f.fs.Changed("overhead-per-object") {
		overhead = float64(f.overhead)
	}
	bar := newBar(cmd.ErrOrStderr(), f.out.quiet, len(sizes)*t.Len(), "replay against "+tg.String())
	opt := target.Options{Concurrency: f.concurrency, Pipeline: f.pipeline, Progress: bar.AddN}
	var runs report.ServerSweep
	for _, size := range sizes {
		res, err := target.Replay(tg, t, size, opt)
		if err != nil {
			return nil, f.hint(url, err)
		}
		if writes := res.Sets + res.Fills; writes > 0 && res.Refused == writes {
			fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s refused every one of the %d writes at a limit of %s (its used memory with the database empty: %s): raise the limit\n",
				tg, writes, sim.FormatSize(res.After.MemoryLimit, true), sim.FormatSize(res.Before.UsedMemory, true))
		}
		pred, err := target.Predict(t, res, target.PredictOptions{Kind: tg.Kind(), Overhead: overhead, Seed: f.seed})
		if err != nil {
			return nil, err
		}
		run := serverRun(t.Name, tg.String(), opt, res, pred)
		run.TraceHasSizes, run.TraceHasTimes, run.ClockModels = t.Sizes != nil, t.Times != nil, clockModels(pred)
		if objects, bytes := sim.Footprint(t); objects > 0 {
			run.MeanObjectBytes = float64(bytes) / float64(objects)
		}
		run.CheckMismatch()
		runs = append(runs, run)
	}
	bar.Finish()
	return runs, tg.Close()
}

// clockModels reports whether any of the prediction's models runs on a
// clock (the TraceTime trait: idle times, decay, bump intervals).
func clockModels(pred target.Prediction) bool {
	for _, p := range pred.Points {
		if spec, err := policy.ParseSpec(p.Policy); err == nil && spec.Traits().Has(policy.TraceTime) {
			return true
		}
	}
	return false
}

// hint adds to a target error the flags that fix it.
func (f *liveFlags) hint(url string, err error) error {
	switch {
	case errors.Is(err, target.ErrNotEmpty) && strings.HasPrefix(url, "redis"):
		return fmt.Errorf("%w (give --flush to empty it first, or choose an empty database with --db)", err)
	case errors.Is(err, target.ErrNotEmpty):
		return fmt.Errorf("%w (give --flush to empty it first, or --spawn to start a server of our own)", err)
	case errors.Is(err, target.ErrSpawnNeedsLimit):
		return fmt.Errorf("--spawn: %w (--maxmemory 64MiB)", err)
	case errors.Is(err, target.ErrBelowBaseline):
		return fmt.Errorf("%w (%s)", err, f.raise)
	case errors.Is(err, target.ErrFixedLimit):
		return fmt.Errorf("%w (leave out --maxmemory, or give --spawn to start a memcached of our own)", err)
	}
	return err
}

// serverRun lays out a real run and its prediction for the report.
func serverRun(workload, server string, opt target.Options, res *target.Result, pred target.Prediction) report.ServerRun {
	return report.ServerRun{
		Workload: workload, Target: server, MaxMemory: res.After.MemoryLimit, Policy: res.After.Policy,
		Clients: opt.Concurrency, Pipeline: opt.Pipeline,
		Requests: res.Requests, Hits: res.Hits, HitRatio: res.HitRatio(), ByteHitRatio: res.ByteHitRatio(),
		Sets: res.Sets, Deletes: res.Deletes, Fills: res.Fills, Refused: res.Refused,
		Latency: report.NewServerLatency(&res.Latency), Seconds: res.Elapsed.Seconds(), RequestsPerS: res.Throughput(),
		Server:     res.After,
		ServerHits: res.After.Hits - res.Before.Hits, ServerMisses: res.After.Misses - res.Before.Misses,
		Evictions: res.After.Evictions - res.Before.Evictions, EmptyMemory: res.Before.UsedMemory,
		OverheadPerKey: res.OverheadPerKey(), SimCapacity: pred.Capacity, SimOverhead: pred.Overhead,
		Simulated: report.NewPredicted(pred.Points, res.HitRatio()),
	}
}

// liveReplayOptions are the flags of cachesim live replay: the live flags
// and --maxmemory.
type liveReplayOptions struct {
	liveFlags
	maxMemory string
}

// newLiveReplayCmd is cachesim live replay. runF, when not nil, runs instead
// of the replay with the options parsed and checked (for tests).
func newLiveReplayCmd(runF func(*liveReplayOptions) error) *cobra.Command {
	o := liveReplayOptions{liveFlags: liveFlags{raise: "raise --maxmemory, or leave it out to replay at the server's own limit"}}
	cmd := &cobra.Command{
		Use:         "replay TARGET [TRACE]",
		Annotations: pathArgs("-", "input"),
		Short:       "Replay a trace against a live Redis or memcached and set the simulation beside it",
		Long: `live replay replays the trace once against the server at --maxmemory (or
the limit it has) and prints the real hit ratio, client-side latency
(mean/p50/p90/p99/p99.9/max), throughput and the server's own counters
beside the simulated models for the same trace, memory and clock, and the
measured memory overhead per key.
` + liveHelp,
		Example: `  cachesim generate zipf --keys 5000 --requests 2e4 --rate 10000 --size 100 -o trace.csv
  cachesim live replay memcached://127.0.0.1 trace.csv --spawn --maxmemory 2MiB
  cachesim live replay redis://127.0.0.1:6379 trace.csv --flush --maxmemory 2MiB --maxmemory-policy allkeys-lfu
  cachesim live replay redis://127.0.0.1:6379/0 trace.csv --flush --maxmemory 4MiB --concurrency 4 --format json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			size, err := o.plan()
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return runLiveReplay(cmd, &o, size)
		},
	}
	fs := cmd.Flags()
	done := inSection(fs, sectionServer)
	fs.StringVar(&o.maxMemory, "maxmemory", "", "the server's memory limit (64MiB; a number alone is bytes) (default: the server's)")
	done()
	o.register(fs)
	o.out.register(fs, "table", "json")
	completeFlags(cmd, o.out.formats...)
	startHere(cmd, []helpArg{targetArg, traceArg}, "maxmemory", "flush", "spawn", "format")
	return cmd
}

// plan checks the flags before any work and returns the memory limit (0:
// the server's own).
func (o *liveReplayOptions) plan() (size int64, err error) {
	if err := o.check(o.args[0]); err != nil {
		return 0, err
	}
	if size, err = parseMaxMemory(o.maxMemory); err != nil {
		return 0, err
	}
	if size == 0 && o.spawn {
		return 0, fmt.Errorf("--spawn starts memcached with -m: give --maxmemory")
	}
	return size, nil
}

// runLiveReplay is cachesim live replay at memory limit size.
func runLiveReplay(cmd *cobra.Command, o *liveReplayOptions, size int64) error {
	runs, err := o.run(cmd, o.args[0], o.args[1:], []int64{size})
	if err != nil {
		return err
	}
	return o.out.emit(cmd.OutOrStdout(), cmd.ErrOrStderr(), writers{"table": runs[0].WriteTable, "json": runs[0].WriteJSON})
}

// parseMaxMemory reads --maxmemory: a size with a unit, or bytes.
func parseMaxMemory(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := sim.ParseSize(s) // a plain number is bytes too
	if err != nil {
		return 0, fmt.Errorf("bad --maxmemory: %v", err)
	}
	return v.N, nil
}

// liveSweepOptions are the flags of cachesim live sweep: the live flags,
// --sizes and --plot.
type liveSweepOptions struct {
	liveFlags
	sizes string
	plot  string
}

// newLiveSweepCmd is cachesim live sweep. runF, when not nil, runs instead
// of the sweep with the options parsed and checked (for tests).
func newLiveSweepCmd(runF func(*liveSweepOptions) error) *cobra.Command {
	o := liveSweepOptions{liveFlags: liveFlags{raise: "raise the smallest of --sizes"}}
	cmd := &cobra.Command{
		Use:         "sweep TARGET [TRACE]",
		Annotations: pathArgs("-", "input"),
		Short:       "Run a live server at each of several memory limits, real beside simulated",
		Long: `live sweep replays the trace against the server at each of --sizes in turn
(its memory limit; a size alone is bytes) and the table, CSV, JSON and
--plot set the real hit ratio beside the simulated models at each size.
` + liveHelp,
		Example: `  cachesim generate zipf --keys 5000 --requests 2e4 --rate 10000 --size 100 -o trace.csv
  cachesim live sweep memcached://127.0.0.1 trace.csv --spawn --sizes 2MiB,4MiB --plot real.png
  cachesim live sweep redis://127.0.0.1:6379 trace.csv --flush --sizes 2MiB:8MiB:log3 --format csv`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			sizes, err := o.plan()
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return runLiveSweep(cmd, &o, sizes)
		},
	}
	fs := cmd.Flags()
	done := inSection(fs, sectionServer)
	fs.StringVarP(&o.sizes, "sizes", "s", "", "the server's memory limits: list 16MiB,64MiB or log range 16MiB:1GiB:log (required)")
	done()
	done = inSection(fs, sectionOutput)
	fs.StringVar(&o.plot, "plot", "", "draw the real and simulated hit ratios against the memory limit to this file, PNG or SVG")
	markPaths(fs, "output", "plot")
	done()
	o.register(fs)
	o.out.register(fs, "table", "csv", "json")
	completeFlags(cmd, o.out.formats...)
	startHere(cmd, []helpArg{targetArg, traceArg}, "sizes", "flush", "spawn", "plot", "format")
	return cmd
}

// plan checks the flags before any work and returns the memory limits.
func (o *liveSweepOptions) plan() ([]int64, error) {
	if err := o.check(o.args[0]); err != nil {
		return nil, err
	}
	if o.sizes == "" {
		return nil, errors.New("live sweep needs --sizes, the server's memory limits (16MiB:1GiB:log)")
	}
	sizes, err := parseSizes(o.sizes, false)
	if err != nil {
		return nil, err
	}
	return sizes.Values, o.out.checkChart("--plot", o.plot)
}

// runLiveSweep is cachesim live sweep at memory limits sizes.
func runLiveSweep(cmd *cobra.Command, o *liveSweepOptions, sizes []int64) error {
	runs, err := o.run(cmd, o.args[0], o.args[1:], sizes)
	if err != nil {
		return err
	}
	if err := o.out.chart(o.plot, runs.Chart()); err != nil {
		return err
	}
	return o.out.emit(cmd.OutOrStdout(), cmd.ErrOrStderr(), writers{"table": runs.WriteTable, "csv": runs.WriteCSV, "json": runs.WriteJSON})
}
