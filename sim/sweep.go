package sim

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
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

// SweepConfig says which points a sweep computes and how.
type SweepConfig struct {
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
	// Progress, when set, is called (from any goroutine, serialised) after each point.
	Progress func()
}

// Sweep computes every policy at every size, in parallel; t is shared
// read-only. Plain LRU is computed for all sizes at once from stack
// distances (LRUCurve), with replays only for the sizes that method cannot
// give exactly; every other point is one replay. The points come back
// ordered by policy (as given), then size.
func Sweep(t *traces.Trace, cfg SweepConfig) ([]Point, error) {
	np, ns := len(cfg.Policies), len(cfg.Sizes.Values)
	points := make([]Point, np*ns)
	// Build every cache once up front so a bad parameter fails before any work.
	for p, spec := range cfg.Policies {
		c, err := policy.New(spec, policy.Config{Capacity: 1, TTL: cfg.TTL, Seed: cfg.Seed})
		if err != nil {
			return nil, err
		}
		prepareFuture(t, c)
		for s, size := range cfg.Sizes.Values {
			points[p*ns+s] = Point{Policy: spec.String(), Size: size}
		}
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		slots    = make(chan struct{}, workers)
		mem      *budget
		meanSize float64
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
	done := func(i int, st Stats, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s at size %d: %w", points[i].Policy, points[i].Size, err)
		}
		points[i].Stats = st
		if cfg.Progress != nil {
			cfg.Progress()
		}
	}
	replay := func(p, s int) {
		defer wg.Done()
		held := mem.acquire(pointMemory(t, cfg.Sizes.Values[s], cfg.Sizes.Bytes, meanSize))
		defer mem.release(held)
		slots <- struct{}{}
		defer func() { <-slots }()
		c, err := policy.New(cfg.Policies[p], policy.Config{Capacity: cfg.Sizes.Values[s], TTL: cfg.TTL, Seed: cfg.Seed,
			SizeHint: sizeHint(t, cfg.Sizes, s)})
		var st Stats
		if err == nil {
			st = ReplayWith(t, c, Options{Objects: !cfg.Sizes.Bytes, CountWrites: cfg.CountWrites, Overhead: cfg.Overhead, Latency: cfg.Latency})
		}
		done(p*ns+s, st, err)
	}
	curve := func(p int) {
		defer wg.Done()
		held := mem.acquire(plan.Curve / int64(max(curves(t, cfg), 1)))
		defer mem.release(held)
		slots <- struct{}{}
		lookups := t
		if cfg.CountWrites {
			// Every request is a lookup: the curve may ignore the operations.
			view := *t
			view.Ops = nil
			lookups = &view
		}
		stats, exact := LRUCurve(lookups, cfg.Sizes)
		<-slots
		for s := range stats {
			if exact[s] {
				done(p*ns+s, stats[s], nil)
			} else {
				wg.Add(1)
				go replay(p, s)
			}
		}
	}
	for p, spec := range cfg.Policies {
		if byCurve(t, cfg, spec) {
			wg.Add(1)
			go curve(p)
			continue
		}
		for s := ns - 1; s >= 0; s-- {
			wg.Add(1)
			go replay(p, s)
		}
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return points, nil
}

// byCurve reports whether the sweep computes spec from the one-pass LRU curve.
func byCurve(t *traces.Trace, cfg SweepConfig, spec policy.Spec) bool {
	return spec.Name == "lru" && len(spec.Params) == 0 && (t.Ops == nil || cfg.CountWrites) && cfg.Latency == nil &&
		(cfg.Overhead == 0 || !cfg.Sizes.Bytes)
}

// curves returns the number of policies the sweep computes by LRU curve.
func curves(t *traces.Trace, cfg SweepConfig) int {
	n := 0
	for _, spec := range cfg.Policies {
		if byCurve(t, cfg, spec) {
			n++
		}
	}
	return n
}

// sizeHint is the most objects a cache of size s can hold on t, when the
// sizes are object counts (0, unknown, for bytes).
func sizeHint(t *traces.Trace, sizes Sizes, s int) int {
	if sizes.Bytes {
		return 0
	}
	return int(min(sizes.Values[s], int64(t.Len())))
}
