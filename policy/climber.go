package policy

import "math"

// The climbers W-TinyLFU's climber parameter names.
var climberNames = []string{"simple", "caffeine", "density", "adam", "none"}

// climbSample counts the requests of one sample period of a climber.
type climbSample struct {
	hits, misses  uint64
	windowHits    uint64 // hits on objects in the window
	probationHits uint64 // hits on objects in probation
}

// hit counts a hit on an object in segment seg.
func (s *climbSample) hit(seg int32) {
	s.hits++
	switch seg {
	case wtlWindow:
		s.windowHits++
	case wtlProbation:
		s.probationHits++
	}
}

// requests returns the sample's requests.
func (s climbSample) requests() uint64 { return s.hits + s.misses }

// hitRate returns the sample's hit rate.
func (s climbSample) hitRate() float64 { return float64(s.hits) / float64(s.requests()) }

// climbState is what a climber may read of the cache.
type climbState struct {
	maximum   int64  // the cache's capacity
	window    int64  // the window's current maximum
	protected int64  // the protected segment's current maximum
	sketchLen uint64 // the sketch's sample size: increments between resets
}

// climber decides how W-TinyLFU moves capacity between its window and its
// main space, from the hit rates of successive samples (Caffeine's hill
// climbers).
type climber interface {
	// period returns the requests of a sample.
	period(st climbState) uint64
	// adjust returns how much capacity to move into the window (a negative
	// amount moves it into main) after a sample.
	adjust(s climbSample, st climbState) float64
}

// newClimber returns the climber called name for a cache of capacity maximum.
func newClimber(name string, maximum int64) climber {
	switch name {
	case "simple":
		return &simpleClimber{step: -simpleStepPercent * float64(maximum)}
	case "adam":
		return &adamClimber{}
	case "density":
		return densityClimber{}
	case "caffeine":
		return newCaffeineClimber(maximum)
	}
	return fixedWindow{}
}

// fixedWindow never moves the window: W-TinyLFU as first published, and
// Caffeine simulator's WindowTinyLfuPolicy.
type fixedWindow struct{}

func (fixedWindow) period(climbState) uint64               { return math.MaxUint64 }
func (fixedWindow) adjust(climbSample, climbState) float64 { return 0 }

// The simple climber's constants: Caffeine's cache (BoundedLocalCache's
// HILL_CLIMBER_* up to version 3.2) and otter v2.
const (
	simpleStepPercent = 0.0625 // a step is 6.25% of the capacity
	simpleStepDecay   = 0.98   // each sample takes 98% of the previous step
	simpleRestart     = 0.05   // a hit-rate change of 5 points restarts at a full step
)

// simpleClimber is the hill climber Caffeine's cache and otter use: after
// each sample of ten times the capacity in requests (the sketch's reset
// period) it keeps moving the window the same way if the hit rate did not
// fall, turns back if it did, and shrinks the step by 2% each time; a
// change of 5 points or more in the hit rate restarts with a step of 6.25%
// of the capacity. The first step shrinks the window.
type simpleClimber struct {
	previous float64
	step     float64
}

func (*simpleClimber) period(st climbState) uint64 { return st.sketchLen }

func (c *simpleClimber) adjust(s climbSample, st climbState) float64 {
	rate := s.hitRate()
	change := rate - c.previous
	amount := c.step
	if change < 0 {
		amount = -c.step
	}
	if math.Abs(change) >= simpleRestart {
		c.step = math.Copysign(simpleStepPercent*float64(st.maximum), amount)
	} else {
		c.step = simpleStepDecay * amount
	}
	c.previous = rate
	return amount
}

// Adam's settings in Caffeine's simulator (reference.conf).
const (
	adamStepPercent   = 0.005 // the learning rate, a share of the capacity
	adamSamplePercent = 0.05  // a sample is 5% of the capacity in requests
	adamBeta1         = 0.9
	adamBeta2         = 0.999
	adamEpsilon       = 1e-8
)

// adamClimber is Caffeine simulator's Adam climber (Kingma and Ba, 2014):
// gradient descent on the miss rate as a function of the window size, the
// gradient estimated by finite differences between successive samples,
// with Adam's momentum and per-parameter step size. Its samples are short
// (5% of the capacity in requests) and its steps small (0.5%).
type adamClimber struct {
	started          bool
	t                int
	previousRate     float64
	previousWindow   int64
	moment, velocity float64
}

func (*adamClimber) period(st climbState) uint64 {
	return max(1, uint64(adamSamplePercent*float64(st.maximum)))
}

func (c *adamClimber) adjust(s climbSample, st climbState) float64 {
	rate, step := s.hitRate(), float64(int64(adamStepPercent*float64(st.maximum)))
	started, previousRate, dw := c.started, c.previousRate, st.window-c.previousWindow
	c.previousRate, c.previousWindow, c.started = rate, st.window, true
	if !started {
		return step // no gradient yet: probe by growing the window
	}
	c.t++
	var gradient float64
	if dw != 0 {
		gradient = (previousRate - rate) / float64(dw) // ∂(miss rate)/∂(window)
	}
	c.moment = adamBeta1*c.moment + (1-adamBeta1)*gradient
	c.velocity = adamBeta2*c.velocity + (1-adamBeta2)*gradient*gradient
	m := c.moment / (1 - math.Pow(adamBeta1, float64(c.t)))
	v := c.velocity / (1 - math.Pow(adamBeta2, float64(c.t)))
	return -step * m / (math.Sqrt(v) + adamEpsilon)
}

// The density climber's constants (Caffeine's DensityClimber, 2026).
const (
	densityGain      = 0.03 // step per unit of log density ratio, a share of the capacity
	densityMaxStep   = 0.30 // the largest step, a share of the capacity
	densityFloor     = 0.02 // the smallest window, a share of the capacity
	densitySample    = 4    // a sample is 4× the capacity in requests (at most the sketch's period)
	densitySignal    = 10   // a region with fewer than requests>>10 hits (at least 4) is starved
	densityMinSignal = 4
	densityImpute    = 0.125 // a starved region is imputed this share of the starvation bar
)

// densityClimber compares the hits each region earns per unit of its
// capacity within one sample and moves capacity towards the denser one, by
// a step proportional to the log of their ratio: the control law of
// Caffeine's newest climber for large caches, without its probes, audits
// and anchor.
type densityClimber struct{}

func (densityClimber) period(st climbState) uint64 {
	return min(densitySample*uint64(st.maximum), st.sketchLen)
}

func (densityClimber) adjust(s climbSample, st climbState) float64 {
	bar := float64(max(densityMinSignal, s.requests()>>densitySignal))
	window, main := float64(max(1, st.window)), float64(max(1, st.maximum-st.window))
	wd := max(float64(s.windowHits), densityImpute*bar) / window
	md := max(float64(s.hits-s.windowHits), densityImpute*bar) / main
	e := math.Log(wd / md)
	step := math.Copysign(min(densityMaxStep*float64(st.maximum), math.Abs(e)*densityGain*float64(st.maximum)), e)
	floor := densityFloor * float64(st.maximum)
	if w := float64(st.window); w+step < floor {
		step = floor - w
	}
	return step
}

// Caffeine's climber since 2026 (WindowClimber): the hit-rate law at or
// below 4,096 entries, slowed for caches of 512 or fewer, and the density
// law above.
const (
	caffeineDensityAbove = 4096
	caffeineSlowAtMost   = 512
	caffeineSlowDecay    = 0.995 // step decay for slow caches
	caffeineSlowRatioCap = 4     // their sample grows up to 4× as the step decays
	caffeineMinStep      = 2     // a restart moves at least 2 entries
)

// caffeineClimber is the structure of Caffeine's newest climber: small
// caches climb on the hit rate as simpleClimber does, except that a step
// is at least 2 entries and, at 512 entries or fewer, it opens by growing
// the window, decays by 0.5% instead of 2% and lengthens the sample as it
// decays (up to 4×); larger caches than 4,096 entries use the density law
// (densityClimber). The probes, audits and anchor that Caffeine adds to the
// density law for regions too starved to measure are left out.
type caffeineClimber struct {
	simpleClimber
	slow, dense bool
}

func newCaffeineClimber(maximum int64) *caffeineClimber {
	c := &caffeineClimber{slow: maximum <= caffeineSlowAtMost, dense: maximum > caffeineDensityAbove}
	c.step = -caffeineRestart(maximum)
	if c.slow {
		c.step = -c.step
	}
	return c
}

// caffeineRestart is the step a restart takes.
func caffeineRestart(maximum int64) float64 {
	return max(simpleStepPercent*float64(maximum), caffeineMinStep)
}

func (c *caffeineClimber) period(st climbState) uint64 {
	switch {
	case c.dense:
		return densityClimber{}.period(st)
	case !c.slow:
		return st.sketchLen
	}
	initial := simpleStepPercent * float64(st.maximum)
	ratio := max(1, min(caffeineSlowRatioCap, initial/max(math.Abs(c.step), initial/caffeineSlowRatioCap)))
	return uint64(float64(st.sketchLen) * ratio)
}

func (c *caffeineClimber) adjust(s climbSample, st climbState) float64 {
	if c.dense {
		return densityClimber{}.adjust(s, st)
	}
	rate := s.hitRate()
	change := rate - c.previous
	amount := c.step
	if change < 0 {
		amount = -c.step
	}
	decay := simpleStepDecay
	if c.slow {
		decay = caffeineSlowDecay
	}
	if math.Abs(change) >= simpleRestart {
		c.step = math.Copysign(caffeineRestart(st.maximum), amount)
	} else {
		c.step = decay * amount
	}
	c.previous = rate
	return amount
}
