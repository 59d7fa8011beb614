package sim

import (
	"errors"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// Plan is one sweep (cachesim sweep, and mrc on an input it does not
// stream), decided before any work: the input, the policies, the sizes or
// how to choose them, and what to record besides the counts. Sweep
// carries it out.
type Plan struct {
	// Trace is the input, loaded whole. Or Samples are spatial samples of
	// an input of Total requests (counted: after a warm-up) (SHARDS: the requests of a fraction of the
	// keys; several, with different hash seeds, give error bands).
	Trace   *trace.Trace
	Samples []Sample
	Total   int64
	// Span is the part of Trace replayed, and of that the part counted
	// (see Span): every point, the optimum, the ceiling and the curves
	// replay its window and count after its warm-up. Samples are taken
	// from a span already (see Sample.Warmup), and Total counts its
	// requests after the warm-up.
	Span Span

	// Policies are swept in this order; Optimal adds the offline optimum
	// (see optimalSpec) as an upper bound.
	Policies []policy.Spec
	Optimal  bool

	// Sizes are the capacities to sweep. Without Values they come from the
	// input's footprint, in Sizes.Bytes's unit: Points log-spaced sizes
	// from one object to the footprint, or with Points 0, 12 log-spaced
	// sizes from 1% of it.
	Sizes  Sizes
	Points int

	// TTL is the default time to live for policies with expiry, and Seed
	// seeds randomised policies.
	TTL  time.Duration
	Seed uint64
	// CountWrites, Overhead and DedupBatch say how requests count (see Options).
	CountWrites bool
	Overhead    uint32
	DedupBatch  bool
	// Workers bounds the points replayed at once; 0 means GOMAXPROCS.
	Workers int
	// MaxMemory bounds what the sweep holds: the trace, LRU's stack
	// distances and the caches replayed at once (about 192 bytes per cached
	// object); a sweep that cannot fit returns *ErrMemory before it starts.
	// 0 means no bound beyond Workers.
	MaxMemory int64

	// Latency, when set, gives every point a latency histogram
	// (Stats.Latency) under this model, drawn once for the whole input
	// (Result.Latencies).
	Latency *LatencyModel
	// Prefix says how a prompt trace replays (see Prompts); Durations is
	// decided from the trace: without Pin, a trace that recorded each
	// request's duration pins its blocks for that long.
	Prefix PrefixOptions
	// Partition, when N > 0, splits this budget between the tenants of
	// the trace: each tenant's curve in a cache of its own beside one
	// shared cache of the budget (Result.Tenants).
	Partition Size

	// Progress, when set, is called once the sizes are known with the
	// number of points and the requests each replays; the function it
	// returns is called (from any goroutine, serialised) after each point.
	Progress func(points int, requests int64) func()
}

// defaultPoints is the number of sizes a sweep chooses from the
// footprint when given neither sizes nor Plan.Points.
const defaultPoints = 12

// Sample is a spatial sample of an input: every request of the keys whose
// hash fell below Rate (see traces.Sample).
type Sample struct {
	Trace *trace.Trace
	Rate  float64
	// Warmup is the number of the sample's first requests that fill the
	// cache uncounted (those of the input's warm-up, see Span).
	Warmup int
}

// Result is what Sweep computed, for a report.
type Result struct {
	// Trace is the trace swept (the first sample's, for samples; only its
	// name and columns for an input read as a stream), Total the requests
	// of the whole input and Rate the fraction of its keys sampled (1:
	// every key).
	Trace *trace.Trace
	Total int64
	Rate  float64
	// Extent is where Plan.Span lay in the trace (nil without a span, or
	// for samples): Trace is then its window, and Total counts the
	// requests after its warm-up.
	Extent *Extent
	// Policies are those swept, the optimum included; Optimal names the
	// optimum Plan.Optimal added ("" without).
	Policies []policy.Spec
	Optimal  string
	Sizes    Sizes
	// Points are every policy at every size, ordered by policy, then size;
	// estimates scaled to the whole input when sampled.
	Points []Point
	// Ceiling is what an unlimited cache does on the input.
	Ceiling Ceiling
	// Latencies are the latency model's draws (nil without Plan.Latency).
	Latencies *Latencies
	// Prefix, for a prompt trace, holds the options it replayed with (nil
	// for other traces).
	Prefix *PrefixOptions
	// Tenants are Plan.Partition's curves, one per policy that is not an
	// offline bound.
	Tenants []TenantCurves
	// Notes say what the results depend on that the input lacks, and how
	// the simulation ran (see Note).
	Notes []Note
}

// TenantCurves are one policy's results per tenant for a partition of a
// budget: every tenant's statistics in a cache of its own at each of
// Sizes, and in one cache of the whole budget that they share.
type TenantCurves struct {
	Policy string
	// Sizes are the budget in equal steps: partitionSteps of them for
	// policies computed from LRU's curve, partitionStepsReplayed for those
	// replayed.
	Sizes []int64
	// Own[tenant][size] are the tenant's statistics alone (tenant 0: the
	// requests without one; nil: a tenant without requests).
	Own [][]Stats
	// Shared[tenant] counts the tenant's lookups in the shared cache.
	Shared []TenantStats
}

// Sweep runs plan: it chooses the sizes when none are given, adds the
// optimum, replays every policy at every size in parallel (by LRU's
// one-pass curve where that is exact, by SHARDS estimates or scaled-down
// replays on samples, with the prefix rule on prompt traces), and
// computes the ceiling, the partitions and the notes. A Result comes back
// with an error too, holding the notes written so far.
func Sweep(plan Plan) (Result, error) {
	r := Result{Trace: plan.Trace, Total: plan.Total, Rate: 1, Policies: plan.Policies}
	warm := 0
	if len(plan.Samples) > 0 {
		r.Trace, r.Rate, warm = plan.Samples[0].Trace, plan.Samples[0].Rate, plan.Samples[0].Warmup
	} else {
		if !plan.Span.IsZero() {
			e, err := plan.Span.Resolve(plan.Trace)
			if err != nil {
				return r, err
			}
			r.Trace, r.Extent, warm = e.Cut(plan.Trace), &e, e.Warmup()
		}
		if r.Total == 0 {
			r.Total = int64(r.Trace.Len() - warm)
		}
	}
	t := r.Trace
	if Prompts(t) {
		if warm > 0 {
			return r, errors.New("a prompt trace replays with the prefix rule, which has no warm-up: drop the warm-up (a window applies)")
		}
		return plan.sweepPrompts(r)
	}
	if warm > 0 && plan.Partition.N > 0 {
		return r, errors.New("a partition of the budget counts every request: drop the warm-up (a window applies)")
	}
	r.Sizes = plan.sizes(t, r.Rate)
	if plan.Optimal {
		r.Policies, r.Optimal = addOptimal(r.Policies, r.Sizes.Bytes)
	}
	r.Notes = InputNotes(t, r.Policies, r.Sizes.Bytes)
	if n := curveNote(t, r.Policies, plan.CountWrites); n != nil {
		r.Notes = append(r.Notes, *n)
	}
	cfg := plan.config(r.Policies, r.Sizes, int64(t.Len()))
	cfg.Warmup = warm
	if plan.Latency != nil {
		if err := plan.Latency.Check(t); err != nil {
			return r, err
		}
		r.Latencies = plan.Latency.Latencies(t)
		cfg.Latency = r.Latencies
	}
	var err error
	if len(plan.Samples) > 0 {
		if r.Points, err = sampledSweeps(plan.Samples, r.Total, cfg); err == nil && dropBatches(r.Points) {
			r.Notes = append(r.Notes, Note{SampledBatches, "no batch hit ratios from samples: a spatial sample keeps some keys of a request and not others"})
		}
	} else {
		var ceiling Ceiling
		withCeiling := cfg
		withCeiling.Ceiling = &ceiling
		if r.Points, err = sweepPoints(t, withCeiling); err == nil {
			r.Ceiling = ceiling.Scale(r.Total, r.Rate)
		}
	}
	if err != nil {
		return r, err
	}
	if len(plan.Samples) > 0 {
		r.Ceiling = ceilingOf(t, plan.CountWrites, warm).Scale(r.Total, r.Rate)
	}
	if plan.Partition.N > 0 {
		r.Tenants, err = partition(t, cfg, plan.Partition)
	}
	return r, err
}

// config is the sweep of specs at sizes the plan asks for, each point
// replaying requests.
func (plan *Plan) config(specs []policy.Spec, sizes Sizes, requests int64) sweepConfig {
	cfg := plan.settings(specs, sizes)
	if plan.Progress != nil {
		cfg.Progress = plan.Progress(len(specs)*len(sizes.Values), requests)
	}
	return cfg
}

// settings is the sweep of specs at sizes as the plan says, without its
// progress.
func (plan *Plan) settings(specs []policy.Spec, sizes Sizes) sweepConfig {
	return sweepConfig{Policies: specs, Sizes: sizes, TTL: plan.TTL, Seed: plan.Seed, CountWrites: plan.CountWrites,
		Overhead: plan.Overhead, Workers: plan.Workers, MaxMemory: plan.MaxMemory, DedupBatch: plan.DedupBatch}
}

// sizes are the plan's sizes, or those of the footprint of t, a sample
// at rate of the input (1: all of it).
func (plan *Plan) sizes(t *trace.Trace, rate float64) Sizes {
	if len(plan.Sizes.Values) > 0 {
		return plan.Sizes
	}
	objects, bytes := Footprint(t)
	return plan.footprintSizes(int(float64(objects)/rate), int64(float64(bytes)/rate))
}

// footprintSizes are the sizes of a footprint of objects and bytes when
// the plan gives none.
func (plan *Plan) footprintSizes(objects int, bytes int64) Sizes {
	if plan.Points > 0 {
		return curveSizes(objects, bytes, plan.Sizes.Bytes, plan.Points)
	}
	return defaultSweepSizes(objects, bytes, plan.Sizes.Bytes, defaultPoints)
}

// sweepPrompts is Sweep on a prompt trace: the prefix rule, sizes from
// its distinct blocks, no optimum, latency, samples or partitions (the
// caller refuses them).
func (plan *Plan) sweepPrompts(r Result) (Result, error) {
	t := r.Trace
	opt := plan.Prefix
	opt.Durations = opt.Pin == 0 && t.Latencies != nil
	r.Prefix = &opt
	r.Ceiling = PrefixCeiling(t, opt)
	r.Sizes = plan.Sizes
	if len(r.Sizes.Values) == 0 {
		r.Sizes = plan.footprintSizes(int(r.Ceiling.Objects), int64(r.Ceiling.ObjectBytes))
	}
	cfg := sweepConfig{Policies: r.Policies, Sizes: r.Sizes, TTL: plan.TTL, Seed: plan.Seed, Workers: plan.Workers, Prefix: &opt}
	if plan.Progress != nil {
		cfg.Progress = plan.Progress(len(r.Policies)*len(r.Sizes.Values), int64(t.Len()))
	}
	var err error
	r.Points, err = sweepPoints(t, cfg)
	return r, err
}

// optimalSpec is the offline optimum Plan.Optimal adds: Belady's MIN with
// bypass (the exact optimum) for object counts, belady-size (libCacheSim's
// offline bound; the exact byte optimum is NP-hard) for bytes.
func optimalSpec(bytes bool) policy.Spec {
	if bytes {
		return policy.Spec{Name: "belady-size"}
	}
	return policy.Spec{Name: "belady", Params: policy.Params{"bypass": "true"}}
}

// addOptimal appends the optimum to specs (unless given already) and
// returns the name reports use for it.
func addOptimal(specs []policy.Spec, bytes bool) ([]policy.Spec, string) {
	opt := optimalSpec(bytes)
	for _, s := range specs {
		if s.String() == opt.String() {
			return specs, opt.String()
		}
	}
	return append(specs, opt), opt.String()
}

// dropBatches removes the batch figures of points estimated from
// spatial samples, which keep some keys of a request and not others, and
// reports whether there were any.
func dropBatches(points []Point) bool {
	dropped := false
	for i := range points {
		dropped = dropped || points[i].Batch != nil
		points[i].Batch = nil
	}
	return dropped
}

// The sizes of each tenant's curve in a partition: the budget in that
// many equal steps (fewer for replayed policies).
const (
	partitionSteps         = 100
	partitionStepsReplayed = 25
)

// partition computes, for every policy of cfg that is not an offline
// bound, each tenant's curve in a cache of its own over the budget's steps
// and each tenant's share of one shared cache of the budget.
func partition(t *trace.Trace, cfg sweepConfig, budget Size) ([]TenantCurves, error) {
	var out []TenantCurves
	for _, spec := range cfg.Policies {
		if spec.Traits().Has(policy.Offline) {
			continue // a bound, not a cache to split
		}
		one := cfg
		one.Policies, one.Progress, one.Latency = []policy.Spec{spec}, nil, nil
		steps := partitionStepsReplayed
		if byCurve(t, one, spec) {
			steps = partitionSteps
		}
		one.Sizes = Sizes{Values: partitionGrid(budget.N, steps), Bytes: budget.Bytes()}
		own, err := tenantSweep(t, one)
		if err != nil {
			return nil, err
		}
		c, err := policy.New(spec, policy.Config{Capacity: budget.N, TTL: cfg.TTL, Seed: cfg.Seed, Objects: !budget.Bytes()})
		if err != nil {
			return nil, err
		}
		shared := Replay(t, c, Options{Objects: !budget.Bytes(), CountWrites: cfg.CountWrites, Overhead: cfg.Overhead,
			DedupBatch: cfg.DedupBatch, Tenants: true})
		out = append(out, TenantCurves{Policy: spec.String(), Sizes: one.Sizes.Values, Own: own[0], Shared: shared.Tenants})
	}
	return out, nil
}

// partitionGrid returns the budget in steps equal parts: budget/steps,
// 2·budget/steps, … budget, without repeats (a small budget has fewer).
func partitionGrid(budget int64, steps int) []int64 {
	var out []int64
	for k := 1; k <= steps; k++ {
		v := budget * int64(k) / int64(steps)
		if v > 0 && (len(out) == 0 || v != out[len(out)-1]) {
			out = append(out, v)
		}
	}
	return out
}
