package sim

import (
	"context"
	"runtime"

	"golang.org/x/sync/errgroup"
)

// Parallel runs tasks on at most workers goroutines at once (workers <= 0:
// GOMAXPROCS), starting them in the order given, and returns the first
// error a task returns. Once one has failed, the tasks not yet started are
// skipped. It is the worker pool of the sweeps (Sweep, and the hierarchy
// sweep of sim/system).
func Parallel(workers int, tasks []func() error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(workers)
	for _, task := range tasks {
		if ctx.Err() != nil {
			break // a task failed: Wait returns its error
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil // started after a failure: skipped
			}
			return task()
		})
	}
	return g.Wait()
}
