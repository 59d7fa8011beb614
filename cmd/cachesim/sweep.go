package main

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/spf13/cobra"
)

type sweepFlags struct {
	in       inputFlags
	out      outputFlags
	policies string
	sizes    string
	bytes    bool
	sizing   sizingFlags
	ttl      time.Duration
	jobs     int
	seed     uint64
	writes   bool
	optimal  bool
	sample   sampleFlags
	maxMem   string
	points   int // mrc: this many log-spaced sizes from 1 to the footprint when --sizes is not given
	overhead uint32
	server   targetFlags
	sys      systemFlags
}

func newSweepCmd() *cobra.Command {
	var f sweepFlags
	cmd := &cobra.Command{
		Use:   "sweep [TRACE]",
		Short: "Hit ratio per policy and cache size, with a diminishing-returns recommendation",
		Long: `sweep replays the trace once per policy and size (in parallel, the trace
loaded once and shared) and prints, per policy and size, the hit ratio, the
byte hit ratio and the marginal gain over the previous size, then per policy
the recommended sizes, each naming the rule that chose it:

  marginal-gain  the first swept size gaining less than --min-gain percentage points
  kneedle        the knee of the curve (Kneedle, Satopää et al. 2011, sensitivity
                 --knee-sensitivity), on log-size when the sizes span > 2 decades
  target         the smallest size reaching --target-hit-ratio
  cost           the size of least memory + miss cost per month, with --memory-cost
                 (per GiB-month), --miss-cost (per miss) and the request rate

--metric byte makes the rules and the chart use the byte hit ratio.
--interpolate lets the target rule pick a size between swept points.

--plot mrc.png (or .svg) draws the curves with the recommendations marked.
--latency (or --miss-latency, --latency-plot) adds the latency-reduction
report: per point mean, p50, p95 and p99 latency with the cache and without
any, the reduction, the backend requests saved per second and the backend
load, with --hit-latency for hits and --miss-latency for misses (a constant,
or a distribution drawn once per request with --seed, shared by every point).

Sizes are object counts, or bytes when any size carries a unit (B, KiB, MiB,
GiB, TiB; KB/MB/GB/TB and K/M/G/T mean the same binary units, as in
libCacheSim). In object-count mode every object has size 1; the byte hit
ratio still weighs each request by its own size.

Operations: in traces that carry them (VSCSI, Twitter, Redis MONITOR, JSON
lines, CSV with --csv-op), only gets count in the hit ratios; a set writes
the object (inserted, or refreshed like a hit) and a delete removes it, and
both are reported apart. --count-writes counts every request as a lookup, as
libCacheSim does (use it to compare with libCacheSim on block traces).

A synthetic workload spec may stand in for the trace, e.g.
'zipf:keys=1e6,requests=1e7,alpha=0.9' (see cachesim generate --help for the
kinds and parameters). Without a trace, the built-in workload is used (Zipf,
1,000 keys, 10,000 requests, exponent 1.5, seed 42). Without --sizes, 12 log-spaced sizes from
1% of the distinct keys (or bytes, with --bytes) to all of them.

With --target, the live server runs at each of --sizes in turn (its memory
limit; a size alone is bytes) and the table, CSV, JSON and --plot set the real
hit ratio beside the simulated models at each size.
` + systemSweepHelp + systemHelp + `
` + targetHelp,
		Example: `  cachesim sweep --policy lru,lfu --sizes 50:500:50
  cachesim sweep trace.txt --policy lru,fifo,lfu --sizes 100,1000,10000,25000
  cachesim sweep trace.csv --csv-key 5 --csv-size 4 --csv-time 2 --header --policy lru --sizes 1MiB,16MiB,1GiB
  cachesim sweep trace.txt --sizes 1000:1000000:log20 --format csv --out mrc.csv
  cachesim sweep 'zipf:keys=1e6,requests=1e7,alpha=0.9' --policy lru,lfu --sizes 1000:1000000:log
  cachesim sweep --policy lru,lfu,fifo --sizes 10:1000:log12 --plot mrc.png --target-hit-ratio 0.8
  cachesim sweep --policy lru,lfu --sizes 10:1000:log12 --memory-cost 4 --miss-cost 0.0001 --request-rate 2000 --object-bytes 4096
  cachesim sweep --policy lru,lfu --sizes 10:1000:log12 --miss-latency lognormal:median=40ms,p99=250ms --latency-plot latency.svg
  cachesim sweep trace.txt --policy lru,arc,s3fifo --sizes 100,1000,10000 --optimal
  cachesim sweep trace.txt --target redis://127.0.0.1:6379 --sizes 16MiB:1GiB:log --plot real.png
  cachesim sweep trace.txt --target memcached://127.0.0.1:11211 --spawn --sizes 64MiB,128MiB,256MiB
  cachesim sweep trace.csv --csv-key 2 --csv-time 1 --levels 'l1=lru:1000@0.05ms,l2=lru:1GiB@1ms' --instances 8 --vary l2 --sizes 64MiB:4GiB:log8`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runSweep(cmd, args, &f) },
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.policies, "policy", "p", "lru", "comma-separated policies (see: cachesim policies)")
	fs.StringVarP(&f.sizes, "sizes", "s", "", "cache sizes: list 100,1000; range 50:500:50; log range 1MiB:1GiB:log or :logN (default: 12 log-spaced sizes up to the footprint)")
	fs.BoolVar(&f.bytes, "bytes", false, "treat sizes without a unit as bytes (default: object counts)")
	fs.DurationVar(&f.ttl, "ttl", time.Hour, "time to live for the ttl policy when a request carries none (0: never expire)")
	fs.IntVarP(&f.jobs, "jobs", "j", 0, "points replayed in parallel (default: number of CPUs)")
	fs.StringVar(&f.maxMem, "max-memory", "", "bound what the sweep holds, e.g. 8GiB: the loaded trace, LRU's stack distances and the caches simulated at once (about 192 bytes per cached object); a sweep that cannot fit stops before it starts and says what it needs (0: none) (default: half of the machine's memory)")
	fs.Uint64Var(&f.seed, "seed", 42, "seed for randomised policies and for random miss latencies")
	fs.BoolVar(&f.writes, "count-writes", false, countWritesHelp)
	fs.Uint32Var(&f.overhead, "overhead-per-object", 0, overheadHelp)
	f.server.register(fs)
	fs.BoolVar(&f.optimal, "optimal", false, "add the offline optimum as an upper bound (belady(bypass=true) for objects, belady-size for bytes) and report each policy's gap to it")
	f.sizing.register(fs)
	f.sample.register(fs)
	f.in.register(fs)
	f.out.register(fs, true)
	f.sys.register(fs, false)
	return cmd
}

func runSweep(cmd *cobra.Command, args []string, f *sweepFlags) error {
	if err := f.out.check(); err != nil {
		return err
	}
	if f.server.url != "" {
		return runTargetSweep(cmd, args, f)
	}
	if on, err := f.sys.active(); on || err != nil {
		if err != nil {
			return err
		}
		return runSystemSweep(cmd, args, f)
	}
	specs, err := parsePolicies(f.policies)
	if err != nil {
		return err
	}
	var sizes sim.Sizes
	if f.sizes != "" {
		if sizes, err = sim.ParseSizes(f.sizes); err != nil {
			return err
		}
		sizes.Bytes = sizes.Bytes || f.bytes
	}
	sz, err := f.sizing.check(cmd.Flags(), f.seed)
	if err != nil {
		return err
	}
	if err := f.sample.check(); err != nil {
		return err
	}
	maxMem, err := maxMemory(f.maxMem)
	if err != nil {
		return err
	}
	if maxMem > 0 { // the collector keeps the heap near what the sweep holds
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(maxMem))
	}
	if f.sample.on() && sz.model != nil {
		return fmt.Errorf("the latency report needs every request: drop --sample-rate/--sample-size or the latency flags")
	}
	stderr := cmd.ErrOrStderr()
	var (
		t     *traces.Trace
		total int64 // requests in the whole input
		rate  = 1.0 // sampling rate
	)
	var samples []*traces.Trace
	var rates []float64
	if f.sample.on() {
		if samples, total, rates, err = f.in.loadSamples(args, stderr, f.sample); err == nil {
			t, rate = samples[0], rates[0]
		}
	} else {
		t, err = f.in.load(args, stderr)
		if t != nil {
			total = int64(t.Len())
		}
	}
	if err != nil {
		return err
	}
	if f.sizes == "" {
		objects, bytes := t.Footprint()
		fp := int64(float64(objects) / rate)
		if f.bytes {
			fp = int64(float64(bytes) / rate)
		}
		sizes = sim.Sizes{Values: sim.LogSizes(fp/100, fp, 12), Bytes: f.bytes}
		if f.points > 0 {
			// From one object (of the mean size, for bytes) to the footprint.
			lo := int64(1)
			if f.bytes {
				lo = max(bytes/int64(max(objects, 1)), 1)
			}
			sizes.Values = sim.LogSizes(lo, fp, f.points)
		}
	}
	if err := checkOverhead(f.overhead, sizes.Bytes); err != nil {
		return err
	}
	optimal := ""
	if f.optimal {
		specs, optimal = addOptimal(specs, sizes.Bytes)
	}
	warnTTL(stderr, t, specs)
	warnNoSizes(stderr, t, sizes.Bytes)
	warnClock(stderr, t, specs)
	bar := newProgress(stderr, f.out.quiet, len(specs)*len(sizes.Values), int64(t.Len()), "sweep")
	var lat *sim.Latencies
	if sz.model != nil {
		if err := sz.model.Check(t); err != nil {
			return err
		}
		lat = sz.model.Latencies(t)
	}
	cfg := sim.SweepConfig{Policies: specs, Sizes: sizes, TTL: f.ttl, Seed: f.seed, Workers: f.jobs, MaxMemory: maxMem,
		CountWrites: f.writes, Overhead: f.overhead, Latency: lat, Progress: bar.Add}
	var points []sim.Point
	if f.sample.on() {
		points, err = sim.SampledSweeps(samples, total, rates, cfg)
	} else {
		points, err = sim.Sweep(t, cfg)
	}
	bar.Finish()
	if me := (*sim.ErrMemory)(nil); errors.As(err, &me) {
		return fmt.Errorf("%w: raise --max-memory, drop the largest sizes, or sample (--sample-rate 0.01)", err)
	}
	if err != nil {
		return err
	}
	rep := &report.Sweep{Workload: t.Name, Requests: int(total), Unit: report.Unit(sizes.Bytes), Points: points, Optimal: optimal}
	if f.sample.on() {
		rep.Workload += fmt.Sprintf(" (approximate: SHARDS sample at rate %.4g)", rate)
		if f.sizing.requestRate == 0 {
			if r, _ := sim.RequestRate(t); r > 0 {
				f.sizing.requestRate = r / rate // the sample's rate, scaled back
			}
		}
	}
	if optimal != "" {
		rep.Gaps = report.OptimalGaps(points, optimal)
	}
	return f.finish(cmd, sz, t, rep, lat, sizes.Bytes)
}

// finish adds the recommendations, charts and latency report to rep and writes it.
func (f *sweepFlags) finish(cmd *cobra.Command, sz sizing, t *traces.Trace, rep *report.Sweep, lat *sim.Latencies, bytes bool) error {
	if err := f.sizing.finish(sz, t, rep, lat, bytes, cmd.ErrOrStderr()); err != nil {
		return err
	}
	return f.out.write(cmd.OutOrStdout(), map[string]func(io.Writer) error{
		"table": func(w io.Writer) error {
			if err := rep.WriteTable(w); err != nil {
				return err
			}
			return rep.WriteGapTable(w)
		},
		"csv": rep.WriteCSV, "json": rep.WriteJSON,
	})
}

func parsePolicies(list string) ([]policy.Spec, error) {
	var specs []policy.Spec
	for _, s := range policy.SplitSpecs(list) {
		spec, err := policy.ParseSpec(s)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("--policy is empty (valid: %s)", strings.Join(policy.Names(), ", "))
	}
	return specs, nil
}

// warnTTL says when an expiry policy runs on a trace without timestamps.
func warnTTL(w io.Writer, t *traces.Trace, specs []policy.Spec) {
	if t.Times != nil {
		return
	}
	for _, s := range specs {
		if s.Name == "ttl" {
			fmt.Fprintf(w, "note: %s has no timestamps, so ttl entries never expire (give --csv-time)\n", t.Name)
			return
		}
	}
}

// warnNoSizes says when byte capacities meet a trace without object sizes.
func warnNoSizes(w io.Writer, t *traces.Trace, bytes bool) {
	if bytes && t.Sizes == nil {
		fmt.Fprintf(w, "note: %s carries no object sizes, so every object counts 1 byte against the byte capacities (give --csv-size, or sizes without a unit)\n", t.Name)
	}
}
