package sim

import (
	"runtime"
	"sync"

	"github.com/cachesim/cachesim/traces"
)

// SystemRun is one configuration of a system sweep and its results.
type SystemRun struct {
	// Size is the varied level's size (0 when no level varies).
	Size int64
	// Stampede is the run's stampede mode.
	Stampede Stampede
	Stats    SystemStats
}

// SweepSystem runs cfg once per stampede mode and, when vary >= 0, once per
// size of level vary (the other levels fixed; sizes in sizes' unit), in
// parallel on at most workers goroutines (0: GOMAXPROCS); t is shared
// read-only. The runs come back ordered by mode, then size. progress, when
// set, is called (serialised) after each run.
func SweepSystem(t *traces.Trace, cfg SystemConfig, modes []Stampede, vary int, sizes Sizes, workers int, progress func()) ([]SystemRun, error) {
	if len(modes) == 0 {
		modes = []Stampede{cfg.Stampede}
	}
	values := sizes.Values
	if vary < 0 || len(values) == 0 {
		vary, values = -1, []int64{0}
	}
	runs := make([]SystemRun, 0, len(modes)*len(values))
	for _, m := range modes {
		for _, v := range values {
			runs = append(runs, SystemRun{Size: v, Stampede: m})
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
			st, err := RunSystem(t, c)
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
