package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// exactQuantile is the nearest-rank q-quantile of sorted values.
func exactQuantile(sorted []float64, q float64) float64 {
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

var testQuantiles = []float64{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1}

// checkQuantiles asserts that h's quantiles are within HistogramError of the exact ones.
func checkQuantiles(t *testing.T, what string, h *Histogram, values []float64) {
	t.Helper()
	sorted := slices.Sorted(slices.Values(values))
	for _, q := range testQuantiles {
		want, got := exactQuantile(sorted, q), h.Quantile(q)
		if math.Abs(got-want) > HistogramError*want*(1+1e-9) {
			t.Errorf("%s: quantile %g = %g, exact %g: relative error %.4f%% > %g%%",
				what, q, got, want, 100*math.Abs(got-want)/want, 100*HistogramError)
		}
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	if h.Count() != uint64(len(values)) || math.Abs(h.Mean()-sum/float64(len(values))) > 1e-12*sum {
		t.Errorf("%s: count %d mean %g, want %d and %g", what, h.Count(), h.Mean(), len(values), sum/float64(len(values)))
	}
}

func TestHistogramQuantilesWithinStatedError(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func() float64{
		"lognormal":   func() float64 { return math.Exp(math.Log(0.04) + 1.2*rng.NormFloat64()) },
		"exponential": func() float64 { return 0.03 * rng.ExpFloat64() },
		"uniform 1us..10s": func() float64 {
			return math.Pow(10, -6+7*rng.Float64())
		},
		"few distinct": func() float64 { return []float64{0.0005, 0.05, 0.25}[rng.IntN(3)] },
	}
	for name, gen := range gens {
		values := make([]float64, 50_000)
		var whole, a, b Histogram
		for i := range values {
			values[i] = gen()
			whole.Add(values[i])
			if i%2 == 0 {
				a.Add(values[i])
			} else {
				b.Add(values[i])
			}
		}
		checkQuantiles(t, name, &whole, values)
		a.Merge(&b)
		checkQuantiles(t, name+" (merged halves)", &a, values)
	}
}

func TestHistogramFewValuesAreExact(t *testing.T) {
	var h Histogram
	h.AddN(0.0005, 3)
	h.AddN(0.05, 2)
	h.Add(0)
	// sorted: 0, .0005, .0005, .0005, .05, .05
	for q, want := range map[float64]float64{0.1: 0, 0.17: 0.0005, 0.5: 0.0005, 0.67: 0.05, 0.99: 0.05, 1: 0.05} {
		if got := h.Quantile(q); got != want {
			t.Errorf("quantile %g = %g, want exactly %g", q, got, want)
		}
	}
	if h.Min() != 0 || h.Max() != 0.05 || math.Abs(h.Sum()-0.1015) > 1e-15 {
		t.Errorf("min %g max %g sum %g, want 0, 0.05, 0.1015", h.Min(), h.Max(), h.Sum())
	}
	var empty Histogram
	if empty.Quantile(0.5) != 0 || empty.Mean() != 0 {
		t.Errorf("empty histogram: quantile %g mean %g, want 0", empty.Quantile(0.5), empty.Mean())
	}
	empty.Merge(&h)
	if empty.Quantile(0.5) != 0.0005 || empty.Count() != 6 || empty.Min() != 0 {
		t.Errorf("merge into empty: median %g count %d min %g", empty.Quantile(0.5), empty.Count(), empty.Min())
	}
}
