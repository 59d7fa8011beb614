package system

import (
	"sync"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// Point is one configuration of a system sweep and its results.
type Point struct {
	// Size is the varied level's size (0 when no level varies).
	Size int64
	// Stampede is the run's stampede mode.
	Stampede Stampede
	Stats    Stats
}

// SweepOptions say which configurations Sweep runs besides the base one, and how.
type SweepOptions struct {
	// Modes are the stampede modes to compare; none means the Config's own.
	Modes []Stampede
	// Vary names the level whose size takes every value of Sizes (the
	// other levels keep theirs); "" varies none.
	Vary string
	// Sizes are the varied level's sizes, in their unit (Sizes.Bytes).
	Sizes sim.Sizes
	// Workers bounds the runs at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called (serialised) after each run.
	Progress func()
}

// Sweep runs cfg once per stampede mode and, with opt.Vary, once per size
// of that level, in parallel; t is shared read-only. The points come back
// ordered by mode, then size.
func Sweep(t *trace.Trace, cfg Config, opt SweepOptions) ([]Point, error) {
	modes := opt.Modes
	if len(modes) == 0 {
		modes = []Stampede{cfg.Stampede}
	}
	vary, values := -1, []int64{0}
	if opt.Vary != "" {
		var err error
		if vary, err = LevelIndex(cfg.Levels, opt.Vary); err != nil {
			return nil, &ConfigError{Setting: SettingVary, Problem: err.Error()}
		}
		values = opt.Sizes.Values
	}
	// Offline policies need the next-access column: fill it before sharing
	// t (and fail on a bad configuration before any work).
	if _, err := newSystem(t, &cfg); err != nil {
		return nil, err
	}
	points := make([]Point, 0, len(modes)*len(values))
	for _, m := range modes {
		for _, v := range values {
			points = append(points, Point{Size: v, Stampede: m})
		}
	}
	var mu sync.Mutex // serialises Progress
	tasks := make([]func() error, len(points))
	for k := range points {
		tasks[k] = func() error {
			c := cfg
			c.Stampede = points[k].Stampede
			if vary >= 0 {
				c.Levels = append([]Level(nil), cfg.Levels...)
				c.Levels[vary].Size = sim.Size{N: points[k].Size, Unit: sim.UnitOf(opt.Sizes.Bytes)}
			}
			st, err := Run(t, c)
			if err != nil {
				return err
			}
			points[k].Stats = st
			if opt.Progress != nil {
				mu.Lock()
				opt.Progress()
				mu.Unlock()
			}
			return nil
		}
	}
	if err := sim.Parallel(opt.Workers, tasks); err != nil {
		return nil, err
	}
	return points, nil
}
