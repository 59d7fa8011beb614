package target

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
)

// Model is a simulated policy to set beside a real run.
type Model struct {
	Spec policy.Spec
	// Overhead is added to every object's size (sim.Options.Overhead).
	Overhead uint32
}

// Simulate replays t through every model at capacity bytes on the clock of
// a real run (times: when each request was sent, as Result.Times), so that
// time-driven parts of a policy (Redis's LRU clock and LFU decay, TTLs) see
// what the server saw.
func Simulate(t *traces.Trace, times []int64, capacity int64, models []Model, seed uint64) ([]sim.Point, error) {
	view := *t
	view.Times, view.Next = times, nil
	out := make([]sim.Point, len(models))
	for i, m := range models {
		c, err := policy.New(m.Spec, policy.Config{Capacity: max(capacity, 1), Seed: seed})
		if err != nil {
			return nil, err
		}
		out[i] = sim.Point{Policy: m.Spec.String(), Size: capacity,
			Stats: sim.ReplayWith(&view, c, sim.Options{Overhead: m.Overhead})}
	}
	return out, nil
}
