package policy

import (
	"math"
	"testing"
)

// sampleAt returns a sample of 10,000 requests with this hit rate.
func sampleAt(rate float64) climbSample {
	hits := uint64(rate * 10_000)
	return climbSample{hits: hits, misses: 10_000 - hits}
}

// The simple climber, worked by hand for 1,000 entries: the first step
// shrinks the window by 6.25% (62.5); a 50-point rise keeps the direction
// and restarts at a full step; a 1-point fall turns back and decays the
// step by 2% (61.25 next); a 1-point rise keeps going (61.25, then 60.025).
func TestSimpleClimberSteps(t *testing.T) {
	c := newClimber("simple", 1000)
	st := climbState{maximum: 1000, sketchLen: 10_000}
	if p := c.period(st); p != 10_000 {
		t.Errorf("period %d, want the sketch's 10,000", p)
	}
	for i, tc := range []struct{ rate, want float64 }{{0.5, -62.5}, {0.49, 62.5}, {0.5, 61.25}, {0.51, 60.025}} {
		if got := c.adjust(sampleAt(tc.rate), st); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("sample %d (hit rate %g): step %g, want %g", i, tc.rate, got, tc.want)
		}
	}
}

// The density law, worked by hand: a window of 100 of 1,000 entries earned
// 300 of 600 hits, so its density is 3 against main's 300/900; the window
// grows by ln 9 × 3% of the capacity = 65.92 entries. Mirrored, it shrinks,
// but never below 2% of the capacity (20 entries).
func TestDensityClimberSteps(t *testing.T) {
	c := newClimber("density", 1000)
	st := climbState{maximum: 1000, window: 100, sketchLen: 10_000}
	if p := c.period(st); p != 4000 {
		t.Errorf("period %d, want 4 × the capacity", p)
	}
	s := climbSample{hits: 600, misses: 3400, windowHits: 300}
	if got, want := c.adjust(s, st), math.Log(9)*30; math.Abs(got-want) > 1e-9 {
		t.Errorf("step %g, want %g", got, want)
	}
	st.window = 900 // main of 100 earns 300: the window shrinks by the same
	if got, want := c.adjust(s, st), -math.Log(9)*30; math.Abs(got-want) > 1e-9 {
		t.Errorf("mirrored step %g, want %g", got, want)
	}
	st.window = 40 // 300 hits in 40 vs 300 in 960: grow; 0 hits in the window: shrink to the floor
	if got := c.adjust(climbSample{hits: 600, misses: 3400}, st); got != -20 {
		t.Errorf("starved window of 40: step %g, want -20 (to the 2%% floor)", got)
	}
}

// Caffeine's newest climber uses the hit-rate law up to 4,096 entries
// (opening by growing the window at 512 or fewer, with a slower decay) and
// the density law above.
func TestCaffeineClimberRegimes(t *testing.T) {
	small := newClimber("caffeine", 500)
	st := climbState{maximum: 500, sketchLen: 5000}
	if got := small.adjust(sampleAt(0.5), st); got != 31.25 {
		t.Errorf("500 entries: first step %g, want +31.25 (grow first)", got)
	}
	if got := small.adjust(sampleAt(0.51), st); got != 31.25 {
		t.Errorf("500 entries: second step %g, want +31.25 (restarted)", got)
	}
	if got := small.adjust(sampleAt(0.515), st); math.Abs(got-0.995*31.25) > 1e-9 {
		t.Errorf("500 entries: third step %g, want 0.995 × 31.25", got)
	}
	large := newClimber("caffeine", 10_000)
	st = climbState{maximum: 10_000, window: 1000, sketchLen: 100_000}
	if p := large.period(st); p != 40_000 {
		t.Errorf("10,000 entries: period %d, want the density law's 40,000", p)
	}
	s := climbSample{hits: 6000, misses: 34_000, windowHits: 3000}
	if got, want := large.adjust(s, st), math.Log(9)*300; math.Abs(got-want) > 1e-9 {
		t.Errorf("10,000 entries: step %g, want the density law's %g", got, want)
	}
}
