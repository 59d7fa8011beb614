package system

import (
	"runtime"
	"sync"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
)

// Point is one configuration of a system sweep and its results.
type Point struct {
	// Size is the varied level's size (0 when no level varies).
	Size int64
	// Stampede is the run's stampede mode.
	Stampede Stampede
	Stats    Stats
}

// Sweep runs cfg once per stampede mode and, when vary >= 0, once per
// size of level vary (the other levels fixed; sizes in sizes' unit), in
// parallel on at most workers goroutines (0: GOMAXPROCS); t is shared
// read-only. The runs come back ordered by mode, then size. progress, when
// set, is called (serialised) after each run.
func Sweep(t *traces.Trace, cfg Config, modes []Stampede, vary int, sizes sim.Sizes, workers int, progress func()) ([]Point, error) {
	if len(modes) == 0 {
		modes = []Stampede{cfg.Stampede}
	}
	values := sizes.Values
	if vary < 0 || len(values) == 0 {
		vary, values = -1, []int64{0}
	}
	runs := make([]Point, 0, len(modes)*len(values))
	for _, m := range modes {
		for _, v := range values {
			runs = append(runs, Point{Size: v, Stampede: m})
		}
	}
	// Offline policies need the next-access column: fill it before sharing t.
	if _, err := newSystem(t, &cfg); err != nil {
		return nil, err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		slots    = make(chan struct{}, workers)
	)
	for k := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			c := cfg
			c.Stampede = runs[k].Stampede
			if vary >= 0 {
				c.Levels = append([]Level(nil), cfg.Levels...)
				c.Levels[vary].Capacity, c.Levels[vary].Bytes = runs[k].Size, sizes.Bytes
			}
			st, err := Run(t, c)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			runs[k].Stats = st
			if progress != nil {
				progress()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return runs, nil
}
