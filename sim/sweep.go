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
}

// SweepConfig says which points a sweep computes and how.
type SweepConfig struct {
	Policies []policy.Spec
	Sizes    Sizes
	// TTL is the default time to live for policies with expiry.
	TTL time.Duration
	// Seed seeds randomised policies.
	Seed uint64
	// Workers bounds the points replayed at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called (from any goroutine, serialised) after each point.
	Progress func()
}

// Sweep replays t once for every policy and size, in parallel; t is shared
// read-only. The points come back ordered by policy (as given), then size.
func Sweep(t *traces.Trace, cfg SweepConfig) ([]Point, error) {
	type job struct{ p, s int }
	np, ns := len(cfg.Policies), len(cfg.Sizes.Values)
	points := make([]Point, np*ns)
	// Build every cache up front so a bad parameter fails before any work.
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
	jobs := make(chan job)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for w := 0; w < min(workers, len(points)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				spec, size := cfg.Policies[j.p], cfg.Sizes.Values[j.s]
				c, err := policy.New(spec, policy.Config{Capacity: size, TTL: cfg.TTL, Seed: cfg.Seed})
				var st Stats
				if err == nil {
					st = Replay(t, c, !cfg.Sizes.Bytes)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("%s at size %d: %w", spec, size, err)
				}
				points[j.p*ns+j.s].Stats = st
				if cfg.Progress != nil {
					cfg.Progress()
				}
				mu.Unlock()
			}
		}()
	}
	// Largest sizes first: they take longest, so the tail of the sweep is short.
	for s := ns - 1; s >= 0; s-- {
		for p := 0; p < np; p++ {
			jobs <- job{p, s}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return points, nil
}
