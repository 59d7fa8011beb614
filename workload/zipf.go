// Package workload generates synthetic request streams, deterministically
// from a seed, behind the same trace.Reader interface as trace files.
package workload

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/trace"
)

// ZipfSampler draws ranks 1…n with probability proportional to 1/k^s, for
// any exponent s > 0 (math/rand's Zipf needs s > 1). It uses Hörmann and
// Derflinger's rejection-inversion method ("Rejection-inversion to generate
// variates from monotone discrete distributions", 1996), as Apache Commons
// RNG does: O(1) time per sample and no table, whatever n.
type ZipfSampler struct {
	n, s             float64
	hX1, hN, squeeze float64
	rng              *rand.Rand
}

// NewZipfSampler returns a sampler over ranks 1…n with exponent s.
func NewZipfSampler(n uint64, s float64, rng *rand.Rand) (*ZipfSampler, error) {
	if n < 1 {
		return nil, fmt.Errorf("zipf: need at least one key, got %d", n)
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return nil, fmt.Errorf("zipf: exponent must be a finite number > 0, got %v", s)
	}
	z := &ZipfSampler{n: float64(n), s: s, rng: rng}
	z.hX1 = z.hIntegral(1.5) - 1
	z.hN = z.hIntegral(z.n + 0.5)
	z.squeeze = 2 - z.hIntegralInverse(z.hIntegral(2.5)-z.h(2))
	return z, nil
}

// Next returns a rank in 1…n.
func (z *ZipfSampler) Next() uint64 {
	for {
		u := z.hN + z.rng.Float64()*(z.hX1-z.hN)
		x := z.hIntegralInverse(u)
		k := math.Floor(x + 0.5)
		if k < 1 {
			k = 1
		} else if k > z.n {
			k = z.n
		}
		if k-x <= z.squeeze || u >= z.hIntegral(k+0.5)-z.h(k) {
			return uint64(k)
		}
	}
}

// h is the unnormalised density 1/x^s.
func (z *ZipfSampler) h(x float64) float64 { return math.Exp(-z.s * math.Log(x)) }

// hIntegral is an antiderivative of h: (x^(1-s) - 1)/(1-s), or log x at s = 1.
func (z *ZipfSampler) hIntegral(x float64) float64 {
	lx := math.Log(x)
	return helper2((1-z.s)*lx) * lx
}

func (z *ZipfSampler) hIntegralInverse(x float64) float64 {
	t := x * (1 - z.s)
	if t < -1 {
		t = -1 // numerical safety: the result is then 0 and gets clamped
	}
	return math.Exp(helper1(t) * x)
}

// helper1 is log1p(x)/x, accurate near 0.
func helper1(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Log1p(x) / x
	}
	return 1 - x*(0.5-x*(1.0/3-0.25*x))
}

// helper2 is expm1(x)/x, accurate near 0.
func helper2(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Expm1(x) / x
	}
	return 1 + x*0.5*(1+x/3*(1+0.25*x))
}

// aliasMax is the largest key count sampled from an alias table (8 bytes
// per key, 32 MiB at most); above it the table would fall out of the CPU
// caches and cost more time to build than rejection-inversion costs to run.
const aliasMax = 1 << 22

// rankSampler draws Zipf ranks 1…n.
type rankSampler interface {
	Next() uint64
}

// newRanks returns the fastest sampler for n keys: an alias table when n is
// at most aliasMax, rejection-inversion otherwise. Both are exact (the
// alias probabilities up to 2^-32); they give different streams for the
// same seed.
func newRanks(n uint64, s float64, rng *rand.Rand) (rankSampler, error) {
	if n >= 1 && n <= aliasMax && s > 0 && !math.IsInf(s, 0) {
		return newAliasZipf(n, s, rng), nil
	}
	return NewZipfSampler(n, s, rng)
}

// aliasZipf samples Zipf ranks from Walker's alias table (built with Vose's
// method): one random number and one table read per sample.
type aliasZipf struct {
	// table[i]: high 32 bits, the probability (× 2^32) of keeping rank i+1;
	// low 32 bits, the index of its alias.
	table []uint64
	n     uint64
	rng   *rand.Rand
}

func newAliasZipf(n uint64, s float64, rng *rand.Rand) *aliasZipf {
	q := make([]float64, n)
	sum := 0.0
	for i := range q {
		q[i] = math.Pow(float64(i+1), -s)
	}
	for i := len(q) - 1; i >= 0; i-- { // smallest first, for accuracy
		sum += q[i]
	}
	// Two stacks in one slice: the ranks below the average probability
	// grow from the front, those at or above it from the back. Every rank
	// is on at most one of them, so they never meet.
	work := make([]uint32, n)
	nSmall, large := 0, len(work)
	for i := range q {
		q[i] *= float64(n) / sum
		if q[i] < 1 {
			work[nSmall] = uint32(i)
			nSmall++
		} else {
			large--
			work[large] = uint32(i)
		}
	}
	a := &aliasZipf{table: make([]uint64, n), n: n, rng: rng}
	for nSmall > 0 && large < len(work) {
		nSmall--
		sm, lg := work[nSmall], work[large]
		a.table[sm] = uint64(q[sm]*(1<<32))<<32 | uint64(lg)
		q[lg] -= 1 - q[sm]
		if q[lg] < 1 { // lg moves from the large stack to the small one
			large++
			work[nSmall] = lg
			nSmall++
		}
	}
	// What remains has probability 1 up to rounding: always kept.
	for _, rest := range [][]uint32{work[:nSmall], work[large:]} {
		for _, i := range rest {
			a.table[i] = math.MaxUint32<<32 | uint64(i)
		}
	}
	return a
}

// Next returns a rank in 1…n.
func (a *aliasZipf) Next() uint64 {
	// The high word of r×n is a uniform index; the low word, the position
	// within its bucket, is an independent uniform for the coin.
	i, frac := bits.Mul64(a.rng.Uint64(), a.n)
	e := a.table[i]
	if uint32(frac>>32) < uint32(e>>32) {
		return i + 1
	}
	return uint64(uint32(e)) + 1
}

// Zipf is a request stream whose keys follow a Zipf distribution: key k
// (1…Keys) is requested with probability proportional to 1/k^Alpha.
type Zipf struct {
	Keys     uint64
	Requests int64
	Alpha    float64
	Seed     uint64
}

// Default is the built-in workload used when no trace is given: the classic
// capacity-planning example of 1,000 keys, 10,000 requests, exponent 1.5, seed 42.
var Default = Zipf{Keys: 1000, Requests: 10000, Alpha: 1.5, Seed: 42}

// String describes the workload in the spec syntax.
func (w Zipf) String() string {
	return fmt.Sprintf("zipf:keys=%d,alpha=%g,requests=%d,seed=%d", w.Keys, w.Alpha, w.Requests, w.Seed)
}

// Reader returns a stream of the workload's requests.
func (w Zipf) Reader() (trace.Reader, error) {
	p, err := Parse(w.String())
	if err != nil {
		return nil, err
	}
	return p.Reader()
}
