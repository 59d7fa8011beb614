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

// TestHistogramKeepsTheCommonValue: a constant 1 ms among values that fall
// in its bucket (0.995 and 1.005 ms are within 1% of it, so the log buckets
// alone would report their representative, 0.997 ms) is reported as 1 ms
// exactly, whatever the order of the adds and merges. Nearest rank over
// 1000 values: 10 at 0.995 ms, 980 at 1 ms, 10 at 1.005 ms, so p50 is
// 1 ms; p0.5 and p99.5 (ranks 5 and 995) are 0.995 and 1.005 ms, reported
// within 1%.
func TestHistogramKeepsTheCommonValue(t *testing.T) {
	const ms = 0.001
	lo, hi := 0.995*ms, 1.005*ms
	if histBucket(lo) != histBucket(ms) || histBucket(hi) != histBucket(ms) {
		t.Fatalf("0.995, 1 and 1.005 ms are not one bucket: the test needs them to be")
	}
	orders := map[string]func() *Histogram{
		"misses first, hits at once (a replay)": func() *Histogram {
			var h Histogram
			h.AddN(lo, 10)
			h.AddN(hi, 10)
			h.AddN(ms, 980)
			return &h
		},
		"one at a time, the constant first": func() *Histogram {
			var h Histogram
			for i := 0; i < 1000; i++ {
				switch {
				case i < 980:
					h.Add(ms)
				case i%2 == 0:
					h.Add(lo)
				default:
					h.Add(hi)
				}
			}
			return &h
		},
		"merged: misses alone into the hits": func() *Histogram {
			var misses, hits Histogram
			for i := 0; i < 10; i++ {
				misses.Add(hi)
				misses.Add(lo)
			}
			hits.AddN(ms, 980)
			misses.Merge(&hits)
			return &misses
		},
	}
	for name, make := range orders {
		h := make()
		if got := h.Quantile(0.5); got != ms {
			t.Errorf("%s: p50 %g, want exactly %g", name, got, ms)
		}
		for q, want := range map[float64]float64{0.005: lo, 0.995: hi} { // ranks 5 and 995
			if got := h.Quantile(q); math.Abs(got-want) > HistogramError*want {
				t.Errorf("%s: p%g %g, want within 1%% of %g", name, 100*q, got, want)
			}
		}
	}
}

// TestHistogramTwoPoints: 90% at 1 ms and 10% at 50 ms (1000 values): p50
// and p90 are 1 ms, p91 and p99 are 50 ms, the mean 5.9 ms, all exact.
func TestHistogramTwoPoints(t *testing.T) {
	var h Histogram
	h.AddN(0.05, 100)
	h.AddN(0.001, 900)
	for q, want := range map[float64]float64{0.5: 0.001, 0.9: 0.001, 0.91: 0.05, 0.99: 0.05} {
		if got := h.Quantile(q); got != want {
			t.Errorf("p%g = %g, want exactly %g", 100*q, got, want)
		}
	}
	if math.Abs(h.Mean()-0.0059) > 1e-15 {
		t.Errorf("mean %g, want 0.0059", h.Mean())
	}
	var c Histogram
	c.AddN(0.001, 5000)
	for _, q := range []float64{0, 0.5, 0.99, 1} {
		if got := c.Quantile(q); got != 0.001 {
			t.Errorf("constant 1 ms: p%g = %g", 100*q, got)
		}
	}
}
