package policy

import (
	"math"
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	registerFilter(FilterInfo{
		Name: "adaptsize",
		Summary: "AdaptSize (Berger, Sitaraman and Harchol-Balter, NSDI'17): admits a miss of size s with probability " +
			"e^(−s/c), and every interval requests re-tunes c to the value a Markov model of the cache predicts to " +
			"maximise the object hit ratio, from the request rates and sizes seen (libCacheSim lists it but its " +
			"version is unimplemented; this follows the paper and its reference simulator)",
		Traits: SizeAware | Randomised,
		Params: []Param{
			IntParam("interval", 500_000, 1000, 1<<40, "requests between re-tunings of c"),
			BytesParam("c", 1<<15, 1, 1<<50, "the size parameter c before the first tuning"),
		},
		Main: "interval",
		newFilter: func(c Config) (filter, error) {
			return &adaptSize{
				capacity: float64(c.Capacity), interval: uint64(c.Values.Int("interval")), c: float64(c.Values.Int("c")),
				next: uint64(c.Values.Int("interval")), window: map[uint64]adaptStat{}, history: map[uint64]adaptStat{},
				rng: rand.New(rand.NewPCG(c.Seed, 0x6164617074)),
			}, nil
		},
	})
}

// AdaptSize's model constants (the paper's reference simulator).
const (
	adaptDecay      = 0.3  // an interval's weight against the history's
	adaptForget     = 0.1  // objects rarer than this per interval are dropped
	adaptRounds     = 15   // golden-section steps
	adaptBisections = 32   // halvings of the characteristic time's range (e^±40)
	adaptPostpone   = 1e4  // requests to wait when too little has been seen
	adaptSeen       = 3.0  // ... i.e. less than this many times the capacity in bytes
	adaptExpLimit   = 150  // λT beyond which an object is surely cached
	adaptTolerance  = 1e-4 // golden-section stop, relative
	adaptGolden     = 0.61803399
)

// adaptStat is an object's request rate (requests per interval) and size.
type adaptStat struct {
	rate float64
	size float64
}

// adaptSize is the AdaptSize admission filter.
type adaptSize struct {
	capacity, c    float64
	interval, next uint64
	bytesSeen      float64              // sizes of the distinct objects tracked
	window         map[uint64]adaptStat // this interval's counts
	history        map[uint64]adaptStat // smoothed rates
	rates, sizes   []float64            // the history, flat, for the model
	probs          []float64            // admission probabilities at the c being modelled
	rng            *rand.Rand
}

// Record counts r in the interval's statistics and re-tunes c when due.
func (f *adaptSize) Record(r *trace.Request) {
	s, ok := f.window[r.Key]
	if _, old := f.history[r.Key]; !ok && !old {
		f.bytesSeen += float64(r.Size)
	}
	f.window[r.Key] = adaptStat{rate: s.rate + 1, size: float64(r.Size)}
	if f.next--; f.next == 0 {
		f.retune()
	}
}

// Admit admits a miss of size s with probability e^(−s/c).
func (f *adaptSize) Admit(r *trace.Request, _ uint64, _ bool) bool {
	return f.rng.Float64() < math.Exp(-float64(r.Size)/f.c)
}

// retune folds the interval into the history and picks the c the model
// favours, unless fewer bytes than three capacities have been seen.
func (f *adaptSize) retune() {
	if f.bytesSeen <= adaptSeen*f.capacity {
		f.next = adaptPostpone
		return
	}
	f.next = f.interval
	f.fold()
	if len(f.rates) == 0 {
		return
	}
	f.c = math.Exp2(f.search())
}

// fold ages the history, adds the interval's counts and drops rare objects.
func (f *adaptSize) fold() {
	for k, s := range f.history {
		s.rate *= adaptDecay
		f.history[k] = s
	}
	for k, w := range f.window {
		if s, ok := f.history[k]; ok {
			w.rate = s.rate + (1-adaptDecay)*w.rate
		}
		f.history[k] = w
	}
	clear(f.window)
	f.rates, f.sizes = f.rates[:0], f.sizes[:0]
	for k, s := range f.history {
		if s.rate < adaptForget {
			f.bytesSeen -= s.size
			delete(f.history, k)
			continue
		}
		f.rates = append(f.rates, s.rate)
		f.sizes = append(f.sizes, s.size)
	}
}

// search returns the log2 c with the best modelled hit ratio: a grid over
// log2 c = 2, 6, 10, … below log2 of the capacity, then a golden-section
// search in the larger of the two intervals around the best point.
func (f *adaptSize) search() float64 {
	lo, top := 0.0, math.Log2(f.capacity)
	best, bestRate := top, 0.0
	for x := 2.0; x < top; x += 4 {
		if h := f.hitRatio(x); h > bestRate {
			best, bestRate = x, h
		}
	}
	x1, h1, x2, h2 := best, bestRate, 0.0, 0.0
	if top-x1 > x1-lo {
		x2 = x1 + (1-adaptGolden)*(top-x1)
		h2 = f.hitRatio(x2)
	} else {
		x2, h2 = x1, h1
		x1 = lo + (1-adaptGolden)*(x1-lo)
		h1 = f.hitRatio(x1)
	}
	x0, x3 := lo, top
	for i := 0; i < adaptRounds && math.Abs(x3-x0) > adaptTolerance*(math.Abs(x1)+math.Abs(x2)); i++ {
		if h2 > h1 {
			x0, x1 = x1, x2
			x2 = adaptGolden*x1 + (1-adaptGolden)*x3
			h1, h2 = h2, f.hitRatio(x2)
		} else {
			x3, x2 = x2, x1
			x1 = adaptGolden*x2 + (1-adaptGolden)*x0
			h2, h1 = h1, f.hitRatio(x1)
		}
	}
	if h1 > h2 {
		return x1
	}
	return x2
}

// hitRatio is the object hit ratio the model predicts for c = 2^log2c: an
// LRU cache under Poisson requests with rates λᵢ, each admitted with
// probability aᵢ = e^(−sᵢ/c), holds object i with probability
// hᵢ = aᵢ(e^(λᵢT) − 1) / (1 + aᵢ(e^(λᵢT) − 1)), where the characteristic
// time T makes Σ sᵢhᵢ the capacity. The paper's simulator finds T by
// fixed-point iteration, which oscillates when few large objects share the
// cache; T is found here by bisection on log T, Σ sᵢhᵢ growing with T.
func (f *adaptSize) hitRatio(log2c float64) float64 {
	c := math.Exp2(log2c)
	var total, all float64
	f.probs = f.probs[:0]
	for i, r := range f.rates {
		total += r
		all += f.sizes[i]
		f.probs = append(f.probs, math.Exp(-f.sizes[i]/c))
	}
	if total == 0 || all <= f.capacity {
		return 1 // everything fits
	}
	lo, hi := -40.0, 40.0 // log T
	for range adaptBisections {
		mid := (lo + hi) / 2
		if f.used(math.Exp(mid)) > f.capacity {
			hi = mid
		} else {
			lo = mid
		}
	}
	t := math.Exp((lo + hi) / 2)
	var hits float64
	for i, r := range f.rates {
		hits += r * inCache(r*t, f.probs[i])
	}
	return hits / total
}

// used is the expected bytes cached at characteristic time t: Σ sᵢhᵢ.
func (f *adaptSize) used(t float64) float64 {
	var u float64
	for i, r := range f.rates {
		u += f.sizes[i] * inCache(r*t, f.probs[i])
	}
	return u
}

// inCache is the probability hᵢ that an object admitted with probability
// a, with λT = lt, is cached.
func inCache(lt, a float64) float64 {
	if lt > adaptExpLimit {
		return 1
	}
	x := a * (math.Exp(lt) - 1)
	return x / (1 + x)
}
