package sim

import (
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// Point is the result of one policy at one size.
type Point struct {
	Policy string `json:"policy"`
	Size   int64  `json:"size"`
	Stats
	// Band, for estimates from several samples, is their spread (Stats
	// holds their mean).
	Band *Band `json:"band,omitempty"`
}

// sweepConfig says which points a sweep computes and how.
type sweepConfig struct {
	Policies []policy.Spec
	Sizes    Sizes
	// TTL is the default time to live for policies with expiry.
	TTL time.Duration
	// Seed seeds randomised policies.
	Seed uint64
	// CountWrites counts every request as a lookup (see Options).
	CountWrites bool
	// Overhead is added to every object's size in byte-capacity sweeps (see Options).
	Overhead uint32
	// Workers bounds the points replayed at once; 0 means GOMAXPROCS.
	Workers int
	// MaxMemory bounds what the sweep holds: the trace, LRU's stack
	// distances and the caches replayed at once (about 192 bytes per cached
	// object); a sweep that cannot fit returns *ErrMemory before it starts.
	// 0 means no bound beyond Workers.
	MaxMemory int64
	// Latency, when set, gives every point a latency histogram (Stats.Latency).
	Latency *Latencies
	// DedupBatch skips repeated keys within a multi-key request (see Options).
	DedupBatch bool
	// Progress, when set, is called (from any goroutine, serialised) after each point.
	Progress func()
	// Prefix, when set, replays a prompt trace with the prefix rule (see
	// Options.Prefix); MaxMemory and Latency do not apply.
	Prefix *PrefixOptions
	// Warmup is the number of the trace's first requests that fill the
	// cache uncounted (see Span).
	Warmup int
	// Ceiling, when set, receives the trace's ceiling (see CeilingOf,
	// after the warm-up), computed by the sweep's workers beside its
	// points when the trace's keys are numbered, else after them.
	Ceiling *Ceiling
}

// sweepPoints computes every policy at every size, in parallel; t is shared
// read-only. Plain LRU (the policy.ExactCurve trait) is computed for all
// sizes at once from stack distances (LRUCurve), with replays only for the sizes that method cannot
// give exactly; every other point is one replay. The points come back
// ordered by policy (as given), then size.
func sweepPoints(t *trace.Trace, cfg sweepConfig) ([]Point, error) {
	ceiling := func() error {
		if cfg.Ceiling != nil {
			*cfg.Ceiling = ceilingOf(t, cfg.CountWrites, cfg.Warmup)
		}
		return nil
	}
	if cfg.Prefix != nil {
		ceiling()
		return prefixSweep(t, cfg)
	}
	np, ns := len(cfg.Policies), len(cfg.Sizes.Values)
	points := make([]Point, np*ns)
	// Build every cache once up front so a bad parameter fails before any work.
	for p, spec := range cfg.Policies {
		c, err := policy.New(spec, policy.Config{Capacity: 1, TTL: cfg.TTL, Seed: cfg.Seed})
		if err != nil {
			return nil, err
		}
		PrepareFuture(t, c)
		for s, size := range cfg.Sizes.Values {
			points[p*ns+s] = Point{Policy: spec.String(), Size: size}
		}
	}
	var (
		mu       sync.Mutex // serialises Progress and guards inexact
		mem      *budget
		meanSize float64
		inexact  []func() error // replays of the sizes an LRU curve cannot give exactly
	)
	var plan MemoryPlan
	if cfg.MaxMemory > 0 {
		if plan = planMemory(t, cfg, curves(t, cfg)); plan.Total() > cfg.MaxMemory {
			return nil, &ErrMemory{Plan: plan, Bound: cfg.MaxMemory}
		}
		mem = newBudget(cfg.MaxMemory - plan.Trace) // the caches and curves share what the trace leaves
		if cfg.Sizes.Bytes {
			meanSize = meanRequestSize(t)
		}
	}
	if numbers(t, cfg) {
		// Drop what loading (and numbering) the trace left first: the
		// numbers and their table, if still to make, then the caches
		// reuse it, instead of raising the peak memory.
		runtime.GC()
		t.NumberKeys()
	}
	done := func(i int, st Stats) {
		points[i].Stats = st
		if cfg.Progress != nil {
			mu.Lock()
			cfg.Progress()
			mu.Unlock()
		}
	}
	replay := func(p, s int) func() error {
		return func() error {
			held := mem.acquire(pointMemory(t, cfg.Sizes.Values[s], cfg.Sizes.Bytes, meanSize, t.KeyRefs.Len()))
			defer mem.release(held)
			c, err := cfg.newCache(t, cfg.Policies[p], s)
			if err != nil {
				return fmt.Errorf("%s at size %d: %w", points[p*ns+s].Policy, points[p*ns+s].Size, err)
			}
			done(p*ns+s, Replay(t, c, cfg.options()))
			return nil
		}
	}
	curve := func(p int) func() error {
		return func() error {
			held := mem.acquire(plan.Curve / int64(max(curves(t, cfg), 1)))
			defer mem.release(held)
			lookups := t
			if cfg.CountWrites {
				// Every request is a lookup: the curve may ignore the operations.
				view := *t
				view.Ops = nil
				lookups = &view
			}
			stats, exact := lruCurveWith(lookups, cfg.Sizes, cfg.DedupBatch, cfg.Warmup)
			for s := range stats {
				if exact[s] {
					done(p*ns+s, stats[s])
				} else {
					mu.Lock()
					inexact = append(inexact, replay(p, s))
					mu.Unlock()
				}
			}
			return nil
		}
	}
	// The LRU curves first, then one replay per point of the other
	// policies, largest sizes first; then the points the curves left.
	var curveTasks, replays []func() error
	for p, spec := range cfg.Policies {
		if byCurve(t, cfg, spec) {
			curveTasks = append(curveTasks, curve(p))
			continue
		}
		for s := ns - 1; s >= 0; s-- {
			replays = append(replays, replay(p, s))
		}
	}
	tasks := curveTasks
	if cfg.Ceiling != nil && t.KeyRefs != nil { // its table is an object a key
		tasks = append(tasks, func() error {
			held := mem.acquire(int64(t.KeyRefs.Len()) * int64(unsafe.Sizeof(ceilingObject{})))
			defer mem.release(held)
			return ceiling()
		})
	} else {
		defer ceiling()
	}
	if err := Parallel(cfg.Workers, append(tasks, replays...)); err != nil {
		return nil, err
	}
	if err := Parallel(cfg.Workers, inexact); err != nil {
		return nil, err
	}
	return points, nil
}

// byCurve reports whether the sweep computes spec from the one-pass LRU
// curve (LRUCurve): a policy with the ExactCurve trait, with nothing
// recorded per request that the curve does not compute.
func byCurve(t *trace.Trace, cfg sweepConfig, spec policy.Spec) bool {
	return spec.Traits().Has(policy.ExactCurve) && (t.Ops == nil || cfg.CountWrites) && cfg.Latency == nil &&
		(cfg.Overhead == 0 || !cfg.Sizes.Bytes) && !t.HasUnsized()
}

// NumbersKeys reports whether a sweep of specs at sizes sizes (0: the
// sizes it chooses) will number its trace's keys, whatever the trace: it
// replays more than one point of the policies that LRU's curve cannot
// give. A loader can then number them as it reads (traces.ReadAllNumbered).
// On some traces the sweep replays curve policies too, and numbers the
// keys itself when they are not.
func NumbersKeys(specs []policy.Spec, sizes int) bool {
	if sizes == 0 {
		sizes = defaultPoints
	}
	replayed := 0
	for _, spec := range specs {
		if !spec.Traits().Has(policy.ExactCurve) {
			replayed++
		}
	}
	return replayed*sizes > 1
}

// numbers reports whether the sweep numbers t's keys (trace.NumberKeys)
// for its caches to find their entries by number instead of hashing, with
// the same results: when it replays more than once.
func numbers(t *trace.Trace, cfg sweepConfig) bool {
	return cfg.Prefix == nil && (len(cfg.Policies)-curves(t, cfg))*len(cfg.Sizes.Values) > 1
}

// curves returns the number of policies the sweep computes by LRU curve.
func curves(t *trace.Trace, cfg sweepConfig) int {
	n := 0
	for _, spec := range cfg.Policies {
		if byCurve(t, cfg, spec) {
			n++
		}
	}
	return n
}

// newCache returns a new cache of spec at the s-th size, as every point
// of the sweep (and Plan.Rerun) gets it.
func (cfg *sweepConfig) newCache(t *trace.Trace, spec policy.Spec, s int) (policy.Cache, error) {
	return policy.New(spec, policy.Config{Capacity: cfg.Sizes.Values[s], TTL: cfg.TTL, Seed: cfg.Seed,
		Objects: !cfg.Sizes.Bytes, SizeHint: sizeHint(t, cfg.Sizes, s), Keys: t.KeyRefs})
}

// options returns how every point of the sweep replays.
func (cfg *sweepConfig) options() Options {
	return Options{Objects: !cfg.Sizes.Bytes, CountWrites: cfg.CountWrites, Overhead: cfg.Overhead,
		Latency: cfg.Latency, DedupBatch: cfg.DedupBatch, Span: Span{Warmup: Warmup{Requests: cfg.Warmup}}}
}

// sizeHint is the most objects a cache of size s can hold on t, when the
// sizes are object counts (0, unknown, for bytes).
func sizeHint(t *trace.Trace, sizes Sizes, s int) int {
	if sizes.Bytes {
		return 0
	}
	return int(min(sizes.Values[s], int64(t.Len())))
}
