package main

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// sweepOptions are the flags and arguments of cachesim sweep and cachesim
// mrc. Both have the input, output, latency, batch, sizing, sampling and
// prompt flags, --sizes, --bytes, --jobs and --max-memory; sweep has the
// cache flags (--policy, --ttl, …), --optimal, --partition and the tenant
// flags; mrc has --count-writes alone of the cache flags (its curve is
// LRU's) and --points.
type sweepOptions struct {
	args    []string // [TRACE]
	in      inputFlags
	out     outputFlags
	cache   cacheFlags
	lat     latencyFlags
	sizing  sizingFlags
	sample  sampleFlags
	batch   batchFlags
	sizes   string
	bytes   bool
	jobs    int
	maxMem  string
	optimal bool
	// partition is --partition, the budget to split between tenants (sweep only).
	partition string
	// withPoints says the command has --points (mrc): the curve at that
	// many log-spaced sizes from one object to the footprint, unless --sizes.
	withPoints bool
	points     int
	prefix     prefixFlags
	span       spanFlags
	// peak is the peak report's flags (sweep only; nil for mrc).
	peak *peakFlags
	fs   *pflag.FlagSet
}

// sweepHelp is the Long help of cachesim sweep.
const sweepHelp = `sweep replays the trace once per policy and size (in parallel, the trace
loaded once and shared) and prints, per policy and size, the hit ratio, the
byte hit ratio and the marginal gain over the previous size, then per policy
the recommended sizes, each naming the rule that chose it:

  marginal-gain  the smallest swept size from which every larger swept size gains
                 less than --min-gain percentage points per doubling of the size
  kneedle        the knee of the curve (Kneedle, Satopää et al. 2011, sensitivity
                 --knee-sensitivity), on log-size when the size axis is log
  target         the smallest size reaching --target-hit-ratio
  cost           the size of least memory + miss cost per month, with --memory-cost
                 (per GiB-month), --miss-cost (per miss) and the request rate

The table also gives what an unlimited cache would hit (1 - first requests /
requests: no size does better) and how much holds every object. No rule
recommends a size below a useful hit ratio (1%, or a tenth of the unlimited
cache's), nor any for an offline bound (belady, belady-size, --optimal);
'sweep larger sizes' is said only while the largest size holds less than
every object. Last, one plan line per policy: at the recommended size (of
the cost rule, else the target, else marginal gain, else Kneedle), the hit
ratio, the latency with and without the cache, backend calls saved per
second and the money saved per month, as far as the models given allow.

On a trace with timestamps, the peak report follows: per window of
--interval (default: 1m when the trace spans an hour or more, else about 100
windows), the client requests and backend calls per second without a cache
and at each plan's size (replayed once more), with their mean, p99 and peak
over the windows and how much the cache cuts the peak: capacity is bought
for the busiest window, not the mean. A backend call is one per miss; in a
trace of multi-key requests, one per key fetched, or with --batch-backend
single one per request with any miss. --peak-csv writes the rates of every
window.

--metric byte makes the rules and the chart use the byte hit ratio.
--interpolate lets the target rule pick a size between swept points.

--plot mrc.png (or .svg) draws the curves with the recommendations marked
and the unlimited cache's hit ratio as a dashed line; --x-scale log or
linear overrides the size axis (log when the sizes span > 2 decades or
are log-spaced over 4× or more).
--latency (or --miss-latency, --latency-plot) adds the latency-reduction
report: per point mean, p50, p95 and p99 latency with the cache and without
any, the reduction, the backend calls saved per second and the backend
load, with --hit-latency for hits and --miss-latency for misses (a constant,
or a distribution drawn once per request with --seed, shared by every point).

Sizes are object counts, or bytes when any size carries a unit (B, KiB, MiB,
GiB, TiB; KB/MB/GB/TB and K/M/G/T mean the same binary units, as in
libCacheSim). In object-count mode every object has size 1; the byte hit
ratio still weighs each request by its own size. Without --sizes, 12
log-spaced sizes from 1% of the distinct keys (or bytes, with --bytes) to all
of them.

Operations: in traces that carry them (VSCSI, Twitter, Redis MONITOR, JSON
lines, CSV with --csv-op), only gets count in the hit ratios; a set writes
the object (inserted, or refreshed like a hit) and a delete removes it, and
both are reported apart. --count-writes counts every request as a lookup, as
libCacheSim does (use it to compare with libCacheSim on block traces).

A synthetic workload spec may stand in for the trace, e.g.
'zipf:keys=1e6,requests=1e7,alpha=0.9' (see cachesim generate --help for the
kinds and parameters). Without a trace, the built-in workload is used (Zipf,
1,000 keys, 10,000 requests, exponent 1.5, seed 42).

A hierarchy's levels: cachesim system sweep. A real server's memory limits:
cachesim live sweep.`

// maxPoints bounds the sizes of one sweep or curve.
const maxPoints = 10000

// newSweepCmd is cachesim sweep. runF, when not nil, runs instead of the
// sweep with the options parsed and checked (for tests).
func newSweepCmd(runF func(*sweepOptions) error) *cobra.Command {
	var o sweepOptions
	cmd := &cobra.Command{
		Use:         "sweep [TRACE]",
		Annotations: pathArgs("input"),
		Short:       "Hit ratio per policy and cache size, with a diminishing-returns recommendation",
		Long:        sweepHelp + "\n\n" + batchHelp + "\n\n" + partitionHelp + "\n\n" + prefixHelp,
		Example: `  cachesim sweep --policy lru,lfu --sizes 50:500:50
  cachesim generate zipf --keys 1e4 --requests 1e5 --rate 1000 --size lognormal:8:1 -o trace.csv
  cachesim sweep trace.csv --policy lru,fifo,lfu --sizes 100,1000,5000
  cachesim sweep trace.csv --policy lru,lfu,arc --sizes 256KiB:64MiB:log --plot mrc.png --csv mrc.csv
  cachesim sweep trace.csv --sizes 100:10000:log20 --format csv --out mrc.csv
  cachesim sweep trace.csv --policy lru,s3fifo --interval 10s --peak-csv peak.csv
  cachesim sweep 'zipf:keys=1e4,requests=1e5,alpha=0.9' --policy lru,lfu --sizes 100:10000:log
  cachesim sweep --policy lru,lfu,fifo --sizes 10:1000:log12 --plot mrc.svg --target-hit-ratio 0.8
  cachesim sweep --policy lru,lfu --sizes 10:1000:log12 --memory-cost 4 --miss-cost 0.0001 --request-rate 2000 --object-bytes 4096
  cachesim sweep --policy lru,lfu --sizes 10:1000:log12 --miss-latency lognormal:median=40ms,p99=250ms --latency-plot latency.svg
  cachesim sweep trace.csv --policy lru,arc,s3fifo --sizes 100,1000,5000 --optimal
  cachesim generate batch --keys 1e4 --alpha 0.8 --batch 50 --requests 2e5 -o batches.csv
  cachesim sweep batches.csv --sizes 1000:10000:log6 --metric batch --target-hit-ratio 0.5 --miss-latency 20ms --batch-backend single --miss-latency-per-key 0.1ms
  cachesim sweep 'mix:0.7*zipf(keys=1e4,alpha=0.9)+0.3*uniform(keys=5e4),tenants=true,requests=2e5' --policy lru,s3fifo --partition 10000
  cachesim sweep 'prefix:requests=2000' --policy lru,s3fifo,radix --model layers=32,kv-heads=8,head-dim=128,dtype=bf16 --sizes 1GiB:64GiB:log7 --prefill-tokens-per-s 20000
  cachesim generate prefix --requests 2000 -o chat.jsonl
  cachesim sweep chat.jsonl --policy lru,radix --sizes 1000:20000:log5 --pin-time 5s`,
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
			return runSweep(cmd, &o, p)
		},
	}
	fs := cmd.Flags()
	o.cache.register(fs, true)
	done := inSection(fs, sectionPolicies)
	fs.StringVarP(&o.sizes, "sizes", "s", "", "cache sizes: list 100,1000; range 50:500:50; log range 1MiB:1GiB:log or :logN (default: 12 log-spaced sizes up to the footprint)")
	fs.BoolVar(&o.bytes, "bytes", false, "treat sizes without a unit as bytes (default: object counts)")
	fs.BoolVar(&o.optimal, "optimal", false, "add the offline optimum as an upper bound (belady(bypass=true) for objects, belady-size for bytes) and report each policy's gap to it")
	done()
	o.peak = &peakFlags{}
	o.peak.register(fs)
	done = inSection(fs, sectionBatches)
	fs.StringVar(&o.partition, "partition", "", "split this memory budget between the tenants (objects, or bytes with a unit) to maximise the overall hit ratio, beside one shared cache of it (see Tenants above)")
	done()
	o.registerCommon(fs)
	o.in.registerTenants(fs)
	completeFlags(cmd, o.out.formats...)
	startHere(cmd, []helpArg{traceArg}, "policy", "sizes", "plot", "csv", "format", "out")
	return cmd
}

// registerCommon registers the flags sweep and mrc share.
func (o *sweepOptions) registerCommon(fs *pflag.FlagSet) {
	o.fs = fs
	done := inSection(fs, sectionSpeed)
	fs.IntVarP(&o.jobs, "jobs", "j", 0, "points replayed in parallel (default: number of CPUs)")
	fs.StringVar(&o.maxMem, "max-memory", "", "bound what the sweep holds, e.g. 8GiB: the loaded trace, LRU's stack distances and the caches simulated at once (about 192 bytes per cached object); a sweep that cannot fit stops before it starts and says what it needs, and a trace that alone passes it stops loading there (0: none) (default: half of the machine's memory)")
	done()
	o.lat.register(fs, latencyParts{hit: true, rate: true, plot: true})
	o.batch.register(fs, true)
	o.sizing.register(fs)
	o.span.register(fs, true, sectionSpan)
	o.sample.register(fs)
	o.prefix.register(fs)
	o.in.register(fs)
	o.in.registerRequests(fs)
	o.out.register(fs, "table", "csv", "json")
}

// sweepPlan is a checked sweep: what to run, decided before any work.
type sweepPlan struct {
	specs  []policy.Spec
	sizes  sim.Sizes // empty: from the footprint
	sizing sizing
	model  *sim.LatencyModel
	maxMem int64
	// budget is --partition's (0: none), in bytes when budgetBytes.
	budget      int64
	budgetBytes bool
	// Checked against the loaded input (checkInput): the tenants' names
	// and miss costs by tenant number, for --partition; and for a prompt
	// trace, its options and what the report adds.
	tenantNames []string
	tenantCosts []float64
	prefix      *sim.PrefixOptions
	prefixModel *report.Prefix
	// span is --window and --warmup.
	span sim.Span
	// interval is --interval; peakWindows the peak report's windows on the
	// loaded trace (nil: no peak report), and rerun the sweep that replays
	// the plans' sizes in them.
	interval    sim.Window
	peakWindows *sim.WindowPlan
	rerun       *sim.Plan
}

// plan checks every flag before any work.
func (o *sweepOptions) plan() (p sweepPlan, err error) {
	if err := o.out.check(); err != nil {
		return p, err
	}
	if o.cache.withPolicy {
		if p.specs, err = o.cache.specs(true); err != nil {
			return p, err
		}
	} else {
		p.specs = []policy.Spec{{Name: "lru"}}
	}
	if o.sizes != "" {
		if p.sizes, err = parseSizes(o.sizes, o.bytes); err != nil {
			return p, err
		}
	}
	if err := o.checkCounts(); err != nil {
		return p, err
	}
	if p.span, err = o.span.check(); err != nil {
		return p, err
	}
	if err := o.sample.check(); err != nil {
		return p, err
	}
	if o.lat.asked() {
		if o.sample.on() {
			return p, fmt.Errorf("the latency report needs every request: drop --sample-rate/--sample-size or the latency flags")
		}
		if p.model, err = o.lat.model(o.cache.seed); err != nil {
			return p, err
		}
	}
	if err := o.batch.check(p.model != nil); err != nil {
		return p, err
	}
	o.batch.apply(p.model)
	if p.sizing, err = o.sizing.check(&o.out, &o.lat, o.fs.Changed("partition")); err != nil {
		return p, err
	}
	if _, err := p.sizing.roundStep(p.sizes.Bytes); o.sizes != "" && err != nil {
		return p, err
	}
	if p.sizing.metric == report.BatchHitRatio && o.sample.on() {
		return p, fmt.Errorf("--metric batch needs every key of every request: a spatial sample keeps some keys of a request and not others; drop --sample-rate/--sample-size")
	}
	if p.maxMem, err = maxMemory(o.maxMem); err != nil {
		return p, err
	}
	if p.budget, p.budgetBytes, err = o.parsePartition(p.sizes); err != nil {
		return p, err
	}
	if p.budget > 0 && !p.span.Warmup.IsZero() {
		return p, fmt.Errorf("--warmup: not with --partition, whose tenants' curves count every request (--window applies)")
	}
	if o.peak != nil {
		if p.interval, err = o.peak.check(); err != nil {
			return p, err
		}
	}
	return p, o.cache.check(p.specs, p.sizes.Bytes || o.bytes, p.model)
}

// checkCounts checks --points (mrc) and --jobs.
func (o *sweepOptions) checkCounts() error {
	if o.withPoints {
		if o.points < 2 || o.points > maxPoints {
			return fmt.Errorf("--points %d: expected 2 to %d", o.points, maxPoints)
		}
		if o.sizes != "" && o.fs.Changed("points") {
			return fmt.Errorf("give --points or --sizes, not both")
		}
	}
	return checkJobs(o.fs, o.jobs)
}

// checkJobs checks --jobs: at least 1 when given.
func checkJobs(fs *pflag.FlagSet, jobs int) error {
	if jobs < 0 || (fs.Changed("jobs") && jobs == 0) {
		return fmt.Errorf("--jobs %d: expected at least 1 (default: the number of CPUs)", jobs)
	}
	return nil
}

// parseSizes parses --sizes; bytes is --bytes, which makes sizes without a
// unit bytes (and is an error when they carry units).
func parseSizes(spec string, bytes bool) (sim.Sizes, error) {
	sizes, err := sim.ParseSizes(spec)
	if err != nil {
		return sizes, fmt.Errorf("bad --sizes %w", err)
	}
	if sizes.Bytes && bytes {
		return sizes, fmt.Errorf("--bytes has no effect: --sizes %s carries units", spec)
	}
	sizes.Bytes = sizes.Bytes || bytes
	if len(sizes.Values) > maxPoints {
		return sizes, fmt.Errorf("--sizes %s gives %d sizes: at most %d", spec, len(sizes.Values), maxPoints)
	}
	return sizes, nil
}

// sweepInput is the trace a sweep runs on, whole or sampled.
type sweepInput struct {
	t       *trace.Trace // the trace, or the first sample
	total   int64        // samples: requests of the whole input counted (after the --warmup)
	samples []*trace.Trace
	rates   []float64 // each sample's rate (--bands draws several)
	warm    []int     // each sample's requests of the --warmup
}

// load reads the trace, or the samples the flags ask for; a whole trace
// whose columns pass maxMem bytes (0: no bound) stops loading there.
func (o *sweepOptions) load(args []string, stderr io.Writer, maxMem int64, p sweepPlan) (in sweepInput, err error) {
	if o.sample.on() {
		if in.samples, in.warm, in.total, in.rates, err = o.in.loadSamples(args, stderr, o.sample, p.span); err == nil {
			in.t = in.samples[0]
		}
		return in, err
	}
	sizes := len(p.sizes.Values)
	if sizes == 0 {
		sizes = o.points // 0 without --points: the sweep's own count
	}
	in.t, err = o.in.loadWithin(args, stderr, maxMem, sim.NumbersKeys(p.specs, sizes))
	return in, err
}

// runSweep is cachesim sweep, and cachesim mrc on a trace it does not
// stream, as plan p says: the flags make one sim.Plan, sim.Sweep runs it,
// and the report renders the result.
func runSweep(cmd *cobra.Command, o *sweepOptions, p sweepPlan) error {
	if p.maxMem > 0 { // the collector keeps the heap near what the sweep holds
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(p.maxMem))
	}
	stderr := cmd.ErrOrStderr()
	in, err := o.load(o.args, stderr, p.maxMem, p)
	if err != nil {
		return err
	}
	if err := o.checkInput(&p, in); err != nil {
		return err
	}
	if o.peak != nil {
		if p.peakWindows, err = o.peak.plan(peakInput(in, p.span), p.interval, len(in.samples) > 0, stderr); err != nil {
			return err
		}
	}
	if err := o.batch.checkCalls(in.t, p.model != nil, in.t.Times != nil || o.lat.rateGiven()); err != nil {
		return err
	}
	var bar progress
	splan := o.simPlan(p, in, func(points int, requests int64) func() {
		bar = newProgress(stderr, o.out.quiet, points, requests, "sweep")
		return bar.Add
	})
	p.rerun = &splan
	res, err := sim.Sweep(splan)
	bar.Finish()
	noteSpan(stderr, res.Extent)
	if res.Prefix != nil {
		prefixNote(stderr, res.Trace, res.Prefix)
		o.prefix.modelNote(stderr, res.Prefix)
	}
	writeNotes(stderr, res.Notes)
	if err != nil {
		return sweepError(spanError(err))
	}
	return o.publish(cmd, p, res)
}

// checkInput checks the flags against the loaded input before any work:
// those a prompt trace refuses, the samples, and the tenants of --partition.
func (o *sweepOptions) checkInput(p *sweepPlan, in sweepInput) error {
	t := in.t
	if err := o.prefix.check(t); err != nil {
		return err
	}
	if sim.Prompts(t) {
		if !p.span.Warmup.IsZero() {
			return fmt.Errorf("--warmup: not for prompt traces: the prefix rule's replay counts from its first request (--window applies)")
		}
		return o.checkPrompts(p, t)
	}
	for _, s := range in.samples {
		if err := o.sample.checkSampled(int64(s.DistinctKeys())); err != nil {
			return err
		}
	}
	if err := o.cache.checkTrace(t); err != nil {
		return err
	}
	if err := checkMetric(t, p.sizing.metric); err != nil {
		return err
	}
	if err := o.batch.checkTrace(t, p.sizing.metric); err != nil {
		return err
	}
	if p.budget > 0 {
		var err error
		if p.tenantNames, p.tenantCosts, err = o.checkPartition(t); err != nil {
			return err
		}
	}
	return nil
}

// simPlan is the sweep the flags ask for of the input; progress makes the
// progress bar once the sweep knows its size.
func (o *sweepOptions) simPlan(p sweepPlan, in sweepInput, progress func(points int, requests int64) func()) sim.Plan {
	plan := sim.Plan{Policies: p.specs, Optimal: o.optimal, Sizes: p.sizes, Points: o.points,
		TTL: o.cache.ttl, Seed: o.cache.seed, CountWrites: o.cache.writes, Overhead: o.cache.overhead, DedupBatch: o.batch.dedup,
		Workers: o.jobs, MaxMemory: p.maxMem, Latency: p.model, Progress: progress}
	if len(plan.Sizes.Values) == 0 {
		plan.Sizes.Bytes = o.bytes
	}
	if p.prefix != nil {
		plan.Prefix = *p.prefix
		plan.Sizes.Bytes = plan.Sizes.Bytes || p.prefix.BytesPerToken > 0
	}
	if len(in.samples) == 0 {
		plan.Trace, plan.Span = in.t, p.span
	}
	for i, s := range in.samples {
		plan.Samples = append(plan.Samples, sim.Sample{Trace: s, Rate: in.rates[i], Warmup: in.warm[i]})
		plan.Total = in.total
	}
	if p.budget > 0 {
		plan.Partition = sim.Size{N: p.budget, Unit: sim.UnitOf(p.budgetBytes)}
	}
	return plan
}

// sweepError names the flags that may fix a sweep's error.
func sweepError(err error) error {
	if me := (*sim.ErrMemory)(nil); errors.As(err, &me) {
		return fmt.Errorf("%w: raise --max-memory, drop the largest sizes, or sample (--sample-rate 0.01)", err)
	}
	return wrapPins(modelError(err))
}

// publish turns a sweep's result into the report, with the
// recommendations, plan, latency report and charts, and writes it.
func (o *sweepOptions) publish(cmd *cobra.Command, p sweepPlan, r sim.Result) error {
	stderr := cmd.ErrOrStderr()
	for _, f := range report.HeldFloors(r.Points) {
		fmt.Fprintf(stderr, "note: %s\n", f)
	}
	rep := report.NewSweep(r, o.cache.overhead)
	rep.Prefix, rep.Backend = p.prefixModel, o.batch.mode()
	reqRate := requestRate(o.lat.requestRate, r.Trace)
	if r.Rate < 1 && o.lat.requestRate == 0 {
		reqRate /= r.Rate // the sample's rate, scaled back
	}
	parts := report.NewPartitions(r, p.budget, p.tenantNames, p.tenantCosts, o.sizing.tenantCosts != nil)
	rep.SetPartitions(parts)
	if err := o.sizing.finish(p.sizing, r.Trace, rep, p.model, r.Latencies, reqRate, r.Sizes.Bytes, &o.out); err != nil {
		return err
	}
	if o.peak != nil {
		if err := o.peak.peaks(rep, r, p.rerun, p.peakWindows, o.batch.mode(), o.jobs, &o.out); err != nil {
			return err
		}
	}
	noteRate(stderr, p.model != nil && reqRate == 0)
	return o.out.emit(cmd.OutOrStdout(), stderr, writers{
		"table": func(w io.Writer) error {
			if err := rep.WriteTable(w); err != nil {
				return err
			}
			if err := rep.WriteGapTable(w); err != nil {
				return err
			}
			return writePartitions(w, parts, p.budgetBytes)
		},
		"csv": rep.WriteCSV, "json": rep.WriteJSON,
	})
}
