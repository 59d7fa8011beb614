package workload

import (
	"math"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
	"gonum.org/v1/gonum/stat/distuv"
)

// sizer gives every key a size that stays the same for the whole stream.
// The size is the dist quantile of a uniform number hashed from the key and
// the seed, so no per-key table is needed.
type sizer struct {
	c    uint32    // the size when dist is nil
	dist quantiler // nil: every size is c
	salt uint64
}

type quantiler interface {
	Quantile(p float64) float64
}

// of returns the size of key.
func (z *sizer) of(key uint64) uint32 {
	if z.dist == nil {
		return z.c
	}
	u := (float64(trace.SpatialHash(key^z.salt)>>11) + 0.5) * 0x1p-53 // in (0, 1)
	v := math.Floor(z.dist.Quantile(u))
	switch {
	case !(v >= 1): // also NaN
		return 1
	case v > math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(v)
}

// size reads a size distribution: N, constant:N, uniform:MIN:MAX,
// lognormal:MU:SIGMA or pareto:XM:ALPHA. The salt is set by seed later.
func (p *params) size(name string) sizer {
	v := p.raw(name)
	const want = "N, constant:N, uniform:MIN:MAX, lognormal:MU:SIGMA or pareto:XM:ALPHA"
	parts := strings.Split(strings.ToLower(v), ":")
	nums := make([]float64, len(parts)-1)
	for i, s := range parts[1:] {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			p.fail(name, v, want+" with numbers")
			return sizer{c: 1}
		}
		nums[i] = f
	}
	if len(parts) == 1 {
		parts, nums = []string{"constant", parts[0]}, []float64{0}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			p.fail(name, v, want)
			return sizer{c: 1}
		}
		nums[0] = f
	}
	arity := map[string]int{"constant": 1, "uniform": 2, "lognormal": 2, "pareto": 2}
	n, ok := arity[parts[0]]
	if !ok || len(nums) != n {
		p.fail(name, v, want)
		return sizer{c: 1}
	}
	a := nums[0]
	b := 0.0
	if n == 2 {
		b = nums[1]
	}
	switch parts[0] {
	case "constant":
		if a != math.Trunc(a) || a < 1 || a > math.MaxUint32 {
			p.fail(name, v, "a whole number of bytes from 1 to 4294967295")
			return sizer{c: 1}
		}
		return sizer{c: uint32(a)}
	case "uniform":
		if a < 1 || b < a || b >= math.MaxUint32 {
			p.fail(name, v, "uniform:MIN:MAX with 1 <= MIN <= MAX < 2^32")
			return sizer{c: 1}
		}
		// Floor of a continuous uniform on [MIN, MAX+1): each whole size equally likely.
		return sizer{dist: distuv.Uniform{Min: math.Floor(a), Max: math.Floor(b) + 1}}
	case "lognormal":
		if !(b > 0) {
			p.fail(name, v, "lognormal:MU:SIGMA with SIGMA > 0")
			return sizer{c: 1}
		}
		return sizer{dist: distuv.LogNormal{Mu: a, Sigma: b}}
	default: // pareto
		if !(a > 0 && b > 0) {
			p.fail(name, v, "pareto:XM:ALPHA with XM > 0 and ALPHA > 0")
			return sizer{c: 1}
		}
		return sizer{dist: distuv.Pareto{Xm: a, Alpha: b}}
	}
}
