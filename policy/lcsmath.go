package policy

import "math"

// This file holds exp and pow rounded correctly to the nearest float64,
// which is what glibc's exp and pow return but for a small share of
// arguments (about 0.07% of random ones, for exp). Go's math.Exp and
// math.Pow are one unit in the last place off far more often (some 13%),
// and libCacheSim's learning policies (LeCaR, Cacheus) compare weights
// built from them with random hundredths: one ulp was enough to flip an
// eviction two hundred thousand requests later. The functions work in double-double
// arithmetic (a value as an unevaluated sum hi + lo, about 106 bits) and
// round once at the end; they allocate nothing.

// dd is a double-double number hi + lo, |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

// twoSum returns a + b exactly as a double-double.
func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

// quickSum normalises a + b when |a| >= |b|.
func quickSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

// twoProd returns a × b exactly as a double-double.
func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func (x dd) add(y dd) dd {
	s := twoSum(x.hi, y.hi)
	return quickSum(s.hi, s.lo+x.lo+y.lo)
}

func (x dd) mul(y dd) dd {
	p := twoProd(x.hi, y.hi)
	return quickSum(p.hi, p.lo+x.hi*y.lo+x.lo*y.hi)
}

// div divides x by y.
func (x dd) div(y dd) dd {
	q := x.hi / y.hi
	r := x.add(y.mul(dd{-q, 0}))
	return quickSum(q, r.hi/y.hi)
}

// ln2 is log(2) as a double-double.
var ln2 = dd{0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56}

// invFact[n] is 1/n! as a double-double.
var invFact = func() (f [14]dd) {
	f[0] = dd{1, 0}
	for n := 1; n < len(f); n++ {
		f[n] = f[n-1].div(dd{float64(n), 0})
	}
	return f
}()

// expDD returns e^x for a double-double x of moderate size: x = k log 2 +
// r, e^(r/256) by its series (|r/256| < 0.0014, 13 terms), squared eight
// times, scaled by 2^k.
func expDD(x dd) dd {
	k := math.Round(x.hi / ln2.hi)
	r := x.add(ln2.mul(dd{-k, 0}))
	r = dd{r.hi / 256, r.lo / 256}
	sum := invFact[len(invFact)-1]
	for n := len(invFact) - 2; n >= 0; n-- {
		sum = sum.mul(r).add(invFact[n])
	}
	for range 8 {
		sum = sum.mul(sum)
	}
	return dd{math.Ldexp(sum.hi, int(k)), math.Ldexp(sum.lo, int(k))}
}

// expCR returns e^x rounded to the nearest float64.
func expCR(x float64) float64 {
	if x > 700 || x < -700 || x != x {
		return math.Exp(x)
	}
	return expDD(dd{x, 0}).hi
}

// logDD returns log(x) for x > 0 as a double-double: math.Log refined by
// one Newton step on expDD.
func logDD(x float64) dd {
	y := math.Log(x)
	e := expDD(dd{y, 0})
	return dd{y, 0}.add(dd{x, 0}.add(dd{-e.hi, -e.lo}).div(e))
}

// powCR returns x^y rounded to the nearest float64, for x > 0 and results
// that neither overflow nor underflow.
func powCR(x, y float64) float64 {
	if x <= 0 || y == 0 || x == 1 || math.IsInf(x, 0) || math.IsInf(y, 0) || x != x || y != y {
		return math.Pow(x, y)
	}
	return powLogCR(logDD(x), y, x)
}

// powLogCR is powCR(x, y) given logx = logDD(x), for callers that raise
// the same x often.
func powLogCR(logx dd, y, x float64) float64 {
	l := logx.mul(dd{y, 0})
	if !(l.hi <= 700 && l.hi >= -700) {
		return math.Pow(x, y)
	}
	return expDD(l).hi
}
