package policy

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

const refPrec = 400

// refExp is e^x computed with math/big at 400 bits: e^(x/1024) by its
// series, squared ten times.
func refExp(x float64) *big.Float {
	bx := new(big.Float).SetPrec(refPrec).SetFloat64(x)
	bx.Quo(bx, big.NewFloat(1024))
	sum := new(big.Float).SetPrec(refPrec).SetFloat64(1)
	term := new(big.Float).SetPrec(refPrec).SetFloat64(1)
	for k := int64(1); k < 60; k++ {
		term.Mul(term, bx)
		term.Quo(term, new(big.Float).SetPrec(refPrec).SetInt64(k))
		sum.Add(sum, term)
	}
	for range 10 {
		sum.Mul(sum, sum)
	}
	return sum
}

// refPow is x^n for an integer n >= 0 with math/big at 400 bits.
func refPow(x float64, n uint64) *big.Float {
	base := new(big.Float).SetPrec(refPrec).SetFloat64(x)
	r := new(big.Float).SetPrec(refPrec).SetFloat64(1)
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r.Mul(r, base)
		}
		base.Mul(base, base)
	}
	return r
}

// expCR and powCR round to the nearest float64: each agrees with a
// 400-bit math/big computation rounded once, on arguments of the ranges
// LeCaR and Cacheus use (exponents of −lr, learning rates up to 1; powers
// of a discount rate near 1 to request counts), where math.Exp and
// math.Pow are often an ulp off.
func TestCorrectlyRounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	goOff := 0
	for range 3000 {
		x := -3 * rng.Float64()
		want, _ := refExp(x).Float64()
		if got := expCR(x); got != want {
			t.Fatalf("expCR(%v) = %v, want %v", x, got, want)
		}
		if math.Exp(x) != want {
			goOff++
		}
	}
	t.Logf("math.Exp was an ulp off on %d of 3000", goOff)
	for range 300 {
		x := 1 - rng.Float64()*1e-6
		n := rng.Uint64N(200000)
		want, _ := refPow(x, n).Float64()
		if got := powCR(x, float64(n)); got != want {
			t.Fatalf("powCR(%v, %d) = %v, want %v", x, n, got, want)
		}
	}
}

// Outside the range the double-double path covers, expCR and powCR give
// math.Exp's and math.Pow's answers (infinities, zeros, NaN).
func TestCorrectlyRoundedEdges(t *testing.T) {
	for _, x := range []float64{800, -800, math.Inf(1), math.Inf(-1)} {
		if got, want := expCR(x), math.Exp(x); got != want {
			t.Errorf("expCR(%v) = %v, want %v", x, got, want)
		}
	}
	if !math.IsNaN(expCR(math.NaN())) {
		t.Error("expCR(NaN) is not NaN")
	}
	for _, c := range [][2]float64{{0.005, math.Inf(1)}, {0, 3}, {2, 0}, {1, 1e300}, {2, 2000}, {0.5, 2000}} {
		if got, want := powCR(c[0], c[1]), math.Pow(c[0], c[1]); got != want {
			t.Errorf("powCR(%v, %v) = %v, want %v", c[0], c[1], got, want)
		}
	}
}
