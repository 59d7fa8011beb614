package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/target"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// targetFlags are replay's and sweep's flags for a live server (--target).
type targetFlags struct {
	url         string
	maxMemory   string
	policy      string
	samples     int
	logFactor   int
	decayTime   int
	db          int
	flush       bool
	spawn       bool
	concurrency int
	pipeline    int
	fs          *pflag.FlagSet
}

// targetHelp is the Long help of --target, shared by replay and sweep.
const targetHelp = `
With --target redis://HOST:PORT (or memcached://HOST:PORT) the trace is replayed
against a live server instead: a get is a GET (a miss is followed by a SET of a
value of the object's size, with its TTL), a set a SET, a delete a DEL,
pipelined (--pipeline) over --concurrency clients. Redis is configured with
CONFIG SET (--maxmemory, --maxmemory-policy, --maxmemory-samples,
--lfu-log-factor, --lfu-decay-time) and its settings are restored afterwards;
the database (--db, or the URL's /N) must be empty unless --flush, and other
databases must hold no keys (eviction is server-wide). memcached's limit is a
start-up flag: --spawn starts a memcached of its own with -m per size,
otherwise the running server's limit is used. The report sets the real hit
ratio, client-side latency and the server's counters beside the simulated
redis-lru/redis-lfu (memcached) and exact LRU for the same trace, memory and
clock, and the measured memory overhead per key, for --overhead-per-object.`

func (f *targetFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.url, "target", "", "replay against a live server: redis://[user:password@]host:port[/db] or memcached://host:port")
	fs.StringVar(&f.maxMemory, "maxmemory", "", "--target: the server's memory limit (64MiB; a number alone is bytes) (default: the server's)")
	fs.StringVar(&f.policy, "maxmemory-policy", "allkeys-lru", "--target redis: maxmemory-policy")
	fs.IntVar(&f.samples, "maxmemory-samples", 5, "--target redis: maxmemory-samples (set only when given)")
	fs.IntVar(&f.logFactor, "lfu-log-factor", 10, "--target redis: lfu-log-factor (set only when given)")
	fs.IntVar(&f.decayTime, "lfu-decay-time", 1, "--target redis: lfu-decay-time in minutes (set only when given)")
	fs.IntVar(&f.db, "db", -1, "--target redis: database number (default: the URL's /N, else 0)")
	fs.BoolVar(&f.flush, "flush", false, "--target: empty the database (memcached: flush_all) even if it holds keys")
	fs.BoolVar(&f.spawn, "spawn", false, "--target memcached: start a memcached of our own on a free loopback port with -m --maxmemory")
	fs.IntVar(&f.concurrency, "concurrency", 1, "--target: client connections (each takes a share of the keys, in trace order)")
	fs.IntVar(&f.pipeline, "pipeline", 32, "--target: commands sent per round trip (1: no pipelining)")
}

// config is the target configuration the flags ask for.
func (f *targetFlags) config() target.Config {
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

// check validates the flags that need no server.
func (f *targetFlags) check() error {
	if f.concurrency < 1 || f.pipeline < 1 {
		return errors.New("--concurrency and --pipeline must be at least 1")
	}
	return nil
}

// open connects to the target, checking it touches nothing it should not.
func (f *targetFlags) open() (target.Target, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	tg, err := target.Open(f.url, f.config())
	return tg, f.hint(err)
}

// hint adds to a target error the flags that fix it.
func (f *targetFlags) hint(err error) error {
	switch {
	case errors.Is(err, target.ErrNotEmpty) && strings.HasPrefix(f.url, "redis"):
		return fmt.Errorf("%w (give --flush to empty it first, or choose an empty database with --db)", err)
	case errors.Is(err, target.ErrNotEmpty):
		return fmt.Errorf("%w (give --flush to empty it first, or --spawn to start a server of our own)", err)
	case errors.Is(err, target.ErrSpawnNeedsLimit):
		return fmt.Errorf("--spawn: %w (--maxmemory 64MiB)", err)
	case errors.Is(err, target.ErrFixedLimit):
		return fmt.Errorf("%w (leave out --maxmemory, or give --spawn to start a memcached of our own)", err)
	}
	return err
}

// parseMaxMemory reads --maxmemory: a size with a unit, or bytes.
func parseMaxMemory(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	v, _, err := sim.ParseSize(s)
	if err != nil {
		return 0, fmt.Errorf("bad --maxmemory: %v", err)
	}
	return v, nil
}

// targetRun is what a command needs to replay against a server.
type targetRun struct {
	flags    *targetFlags
	in       *inputFlags
	out      *outputFlags
	overhead float64 // < 0: measured
	seed     uint64
}

// run opens the target, loads the trace and replays it at every memory
// limit in turn, each run beside its simulation.
func (r targetRun) run(cmd *cobra.Command, args []string, sizes []int64) (report.ServerSweep, error) {
	tg, err := r.flags.open()
	if err != nil {
		return nil, err
	}
	defer tg.Close()
	t, err := r.in.load(args, cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	bar := newBar(cmd.ErrOrStderr(), r.out.quiet, len(sizes)*t.Len(), "replay against "+tg.String())
	opt := target.Options{Concurrency: r.flags.concurrency, Pipeline: r.flags.pipeline, Progress: bar.AddN}
	var runs report.ServerSweep
	for _, size := range sizes {
		res, err := target.Replay(tg, t, size, opt)
		if err != nil {
			return nil, r.flags.hint(err)
		}
		pred, err := target.Predict(t, res, target.PredictOptions{Kind: tg.Kind(), Overhead: r.overhead, Seed: r.seed})
		if err != nil {
			return nil, err
		}
		runs = append(runs, serverRun(t.Name, tg.String(), opt, res, pred))
	}
	bar.Finish()
	return runs, tg.Close()
}

// serverRun lays out a real run and its prediction for the report.
func serverRun(workload, server string, opt target.Options, res *target.Result, pred target.Prediction) report.ServerRun {
	return report.ServerRun{
		Workload: workload, Target: server, MaxMemory: res.After.MemoryLimit, Policy: res.After.Policy,
		Clients: opt.Concurrency, Pipeline: opt.Pipeline,
		Requests: res.Requests, Hits: res.Hits, HitRatio: res.HitRatio(), ByteHitRatio: res.ByteHitRatio(),
		Sets: res.Sets, Deletes: res.Deletes, Fills: res.Fills, Refused: res.Refused,
		Latency: report.NewServerLatency(&res.Latency), Seconds: res.Elapsed.Seconds(), RequestsPerS: res.Throughput(),
		// The same fields, so a conversion: it stops compiling if they part.
		Server:     report.ServerCounters(res.After),
		ServerHits: res.After.Hits - res.Before.Hits, ServerMisses: res.After.Misses - res.Before.Misses,
		Evictions: res.After.Evictions - res.Before.Evictions, EmptyMemory: res.Before.UsedMemory,
		OverheadPerKey: res.OverheadPerKey(), SimCapacity: pred.Capacity, SimOverhead: pred.Overhead,
		Simulated: report.NewPredicted(pred.Points, res.HitRatio()),
	}
}

// runTargetReplay is replay --target.
func runTargetReplay(cmd *cobra.Command, args []string, f *replayFlags) error {
	if f.size != "" {
		return errors.New("--size is the simulated cache's; with --target give the server's memory as --maxmemory")
	}
	size, err := parseMaxMemory(f.server.maxMemory)
	if err != nil {
		return err
	}
	runs, err := newTargetRun(cmd, f.server, f.in, f.out, f.overhead, f.seed).run(cmd, args, []int64{size})
	if err != nil {
		return err
	}
	return f.out.write(cmd.OutOrStdout(), map[string]func(io.Writer) error{
		"table": runs[0].WriteTable, "json": runs[0].WriteJSON,
	})
}

// newTargetRun gathers the flags of a replay or sweep with --target.
func newTargetRun(cmd *cobra.Command, server targetFlags, in inputFlags, out outputFlags, overhead uint32, seed uint64) targetRun {
	r := targetRun{flags: &server, in: &in, out: &out, overhead: -1, seed: seed}
	if cmd.Flags().Changed("overhead-per-object") {
		r.overhead = float64(overhead)
	}
	return r
}

// runTargetSweep is sweep --target: the server at each of --sizes in turn.
func runTargetSweep(cmd *cobra.Command, args []string, f *sweepFlags) error {
	if f.sizes == "" {
		return errors.New("sweep --target needs --sizes, the server's memory limits (16MiB:1GiB:log)")
	}
	sizes, err := sim.ParseSizes(f.sizes)
	if err != nil {
		return err
	}
	if f.sizing.plot != "" {
		if err := report.CheckChartPath("--plot", f.sizing.plot); err != nil {
			return err
		}
	}
	runs, err := newTargetRun(cmd, f.server, f.in, f.out, f.overhead, f.seed).run(cmd, args, sizes.Values)
	if err != nil {
		return err
	}
	if f.sizing.plot != "" {
		if err := runs.Chart().Save(f.sizing.plot); err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", f.sizing.plot)
	}
	return f.out.write(cmd.OutOrStdout(), map[string]func(io.Writer) error{
		"table": runs.WriteTable, "csv": runs.WriteCSV, "json": runs.WriteJSON,
	})
}
