package sim

import (
	"errors"
	"sync/atomic"
	"testing"
)

// One worker runs the tasks one after the other: the third fails, so the
// seven after it never run and its error comes back.
func TestParallelStopsAtFirstError(t *testing.T) {
	fail := errors.New("task 2 failed")
	var ran atomic.Int32
	tasks := make([]func() error, 10)
	for i := range tasks {
		tasks[i] = func() error {
			ran.Add(1)
			if i == 2 {
				return fail
			}
			return nil
		}
	}
	if err := Parallel(1, tasks); err != fail {
		t.Errorf("error %v; want %v", err, fail)
	}
	if n := ran.Load(); n != 3 {
		t.Errorf("%d tasks ran; want 3 (those up to the failure)", n)
	}
}

// No more than the given number of tasks run at once, and every task runs.
func TestParallelBoundsWorkers(t *testing.T) {
	var running, most, ran atomic.Int32
	tasks := make([]func() error, 50)
	for i := range tasks {
		tasks[i] = func() error {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			for range 1000 { // some work, so that tasks overlap
				ran.Add(0)
			}
			running.Add(-1)
			ran.Add(1)
			return nil
		}
	}
	if err := Parallel(3, tasks); err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 50 || most.Load() > 3 {
		t.Errorf("%d of 50 tasks ran, at most %d at once; want 50, at most 3", ran.Load(), most.Load())
	}
}
