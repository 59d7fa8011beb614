package target

import (
	"fmt"
	"math"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
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
func Simulate(t *trace.Trace, times []int64, capacity int64, models []Model, seed uint64) ([]sim.Point, error) {
	view := *t
	view.Times, view.Next = times, nil
	out := make([]sim.Point, len(models))
	for i, m := range models {
		c, err := policy.New(m.Spec, policy.Config{Capacity: max(capacity, 1), Seed: seed})
		if err != nil {
			return nil, err
		}
		out[i] = sim.Point{Policy: m.Spec.String(), Size: capacity,
			Stats: sim.Replay(&view, c, sim.Options{Overhead: m.Overhead})}
	}
	return out, nil
}

// Prediction is the simulator's forecast for one real run.
type Prediction struct {
	// Capacity is the simulated byte capacity: the memory limit less what
	// the empty Redis used (memcached: its limit); unlimited when the
	// server had no limit.
	Capacity int64
	// Overhead is the per-object overhead the models used, in bytes.
	Overhead uint32
	// Points are the models' results: for Redis redis-lru and redis-lfu
	// with the server's parameters, then exact LRU; for memcached the
	// memcached model with the server's settings, then exact LRU.
	Points []sim.Point
}

// PredictOptions say how Predict simulates a real run.
type PredictOptions struct {
	// Kind is the server's kind, "redis" or "memcached" (Target.Kind).
	Kind string
	// Overhead is the memory per object beyond its value, in bytes; below
	// 0, the run's measured OverheadPerKey.
	Overhead float64
	// Seed seeds the randomised models (Redis's sampling).
	Seed uint64
}

// Predict simulates the run res on t as opt says.
func Predict(t *trace.Trace, res *Result, opt PredictOptions) (Prediction, error) {
	kind, overhead, seed := opt.Kind, opt.Overhead, opt.Seed
	if overhead < 0 {
		overhead = max(res.OverheadPerKey(), 0)
	}
	p := Prediction{Overhead: uint32(overhead + 0.5), Capacity: res.After.MemoryLimit}
	var specs []string
	o := p.Overhead
	if kind == "redis" {
		if p.Capacity > 0 {
			p.Capacity -= res.Before.UsedMemory
		}
		c := res.After
		specs = []string{
			// the payload model: the overhead per key stands for Redis's memory
			fmt.Sprintf("redis-lru(memory=payload,samples=%d)", max(c.Samples, 1)),
			fmt.Sprintf("redis-lfu(decay-time=%d,log-factor=%d,memory=payload,samples=%d)", c.DecayTime, c.LogFactor, max(c.Samples, 1)),
		}
	} else {
		model := res.After.Model
		if model == "" {
			model = "memcached"
		}
		specs = []string{model}
	}
	switch {
	case res.After.MemoryLimit == 0:
		p.Capacity = math.MaxInt64 / 4
	case p.Capacity <= 0:
		p.Capacity = 1 // a limit the empty server already used: no room, not no limit
	}
	var models []Model
	for _, s := range specs {
		spec, err := policy.ParseSpec(s)
		if err != nil {
			return p, err
		}
		m := Model{Spec: spec, Overhead: o}
		if kind != "redis" {
			m.Overhead = 0 // the memcached model counts its items' headers and keys itself
		}
		models = append(models, m)
	}
	models = append(models, Model{Spec: policy.Spec{Name: "lru"}, Overhead: o})
	var err error
	p.Points, err = Simulate(t, res.Times, p.Capacity, models, seed)
	return p, err
}
