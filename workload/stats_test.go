package workload

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// load generates a workload spec into memory.
func load(t testing.TB, spec string) *trace.Trace {
	t.Helper()
	w, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Reader()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := traces.ReadAll(spec, r)
	if err != nil {
		t.Fatal(err)
	}
	// A stream of multi-key requests completes its last request.
	if n := int64(tr.Len()); n != w.Requests() && !(n > w.Requests() && tr.HasBatches()) {
		t.Fatalf("%s: %d requests, want %d", spec, tr.Len(), w.Requests())
	}
	return tr
}

// counts returns how often each key occurs.
func counts(keys []uint64) map[uint64]int {
	c := map[uint64]int{}
	for _, k := range keys {
		c[k]++
	}
	return c
}

// fittedExponent fits log(frequency) = c - s log(rank) to the rank/frequency
// curve of the samples (ranks by observed frequency) over the ranks seen at
// least minCount times, and returns s.
func fittedExponent(keys []uint64, minCount int) (s float64, points int) {
	var freq []float64
	for _, c := range counts(keys) {
		if c >= minCount {
			freq = append(freq, float64(c))
		}
	}
	slices.Sort(freq)
	slices.Reverse(freq)
	x, y := make([]float64, len(freq)), make([]float64, len(freq))
	for i, f := range freq {
		x[i], y[i] = math.Log(float64(i+1)), math.Log(f)
	}
	_, slope := stat.LinearRegression(x, y, nil, false)
	return -slope, len(freq)
}

// zipfPMF returns the exact Zipf probabilities of ranks 1…n.
func zipfPMF(n int, s float64) []float64 {
	p := make([]float64, n)
	sum := 0.0
	for k := n; k >= 1; k-- {
		p[k-1] = 1 / math.Pow(float64(k), s)
		sum += p[k-1]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// chiSquare returns Pearson's statistic of rank samples 1…n against pmf.
func chiSquare(ranks []uint64, pmf []float64) float64 {
	obs := make([]float64, len(pmf))
	for _, r := range ranks {
		obs[r-1]++
	}
	x := 0.0
	for i, p := range pmf {
		e := p * float64(len(ranks))
		x += (obs[i] - e) * (obs[i] - e) / e
	}
	return x
}

// samplers are the two Zipf samplers under test: the alias table (used up
// to aliasMax keys) and rejection-inversion (used above).
var samplers = []struct {
	name string
	new  func(n uint64, s float64, rng *rand.Rand) rankSampler
}{
	{"alias", func(n uint64, s float64, rng *rand.Rand) rankSampler { return newAliasZipf(n, s, rng) }},
	{"rejection-inversion", func(n uint64, s float64, rng *rand.Rand) rankSampler {
		z, err := NewZipfSampler(n, s, rng)
		if err != nil {
			panic(err)
		}
		return z
	}},
}

func draw(r rankSampler, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.Next()
	}
	return out
}

// TestZipfFittedExponent: over 10^6 requests, the exponent fitted to the
// rank/frequency curve is within ±0.05 of the requested one, for s = 0.7,
// 1.0 and 1.5, through the workload spec (alias table) and with
// rejection-inversion. The fit uses the ranks seen at least 100 times,
// where the counting noise is at most 10%.
func TestZipfFittedExponent(t *testing.T) {
	const requests, tol = 1_000_000, 0.05
	for _, s := range []float64{0.7, 1.0, 1.5} {
		for _, sm := range samplers {
			keys := draw(sm.new(10_000, s, newRand(7, streamKeys)), requests)
			got, points := fittedExponent(keys, 100)
			t.Logf("%s s=%g: fitted %.4f over %d ranks", sm.name, s, got, points)
			if math.Abs(got-s) > tol || points < 50 {
				t.Errorf("%s s=%g: fitted exponent %.4f over %d ranks, want %g ± %g", sm.name, s, got, points, s, tol)
			}
		}
	}
	// The spec path gives the same law.
	tr := load(t, "zipf:keys=1e4,alpha=0.7,requests=1e6,seed=3")
	if got, _ := fittedExponent(tr.Keys, 100); math.Abs(got-0.7) > tol {
		t.Errorf("zipf spec alpha=0.7: fitted exponent %.4f", got)
	}
}

// TestZipfChiSquare: the probabilities of each rank match the exact Zipf pmf:
// Pearson's chi-square over 1,000 ranks and 10^6 samples stays below the
// 0.999 quantile of the chi-square distribution with 999 degrees of freedom
// (every expected count is at least 12). A sampler off by 0.02 in the
// exponent is rejected, so the test has power.
func TestZipfChiSquare(t *testing.T) {
	const n, requests = 1000, 1_000_000
	crit := distuv.ChiSquared{K: n - 1}.Quantile(0.999)
	for _, s := range []float64{0.7, 1.0, 1.5} {
		pmf := zipfPMF(n, s)
		for _, sm := range samplers {
			ranks := draw(sm.new(n, s, newRand(11, streamKeys)), requests)
			x := chiSquare(ranks, pmf)
			t.Logf("%s s=%g: chi-square %.1f (critical %.1f)", sm.name, s, x, crit)
			if x > crit {
				t.Errorf("%s s=%g: chi-square %.1f > %.1f (0.999 quantile, %d df)", sm.name, s, x, crit, n-1)
			}
			if x := chiSquare(ranks, zipfPMF(n, s+0.02)); x < crit {
				t.Errorf("%s s=%g: chi-square against s+0.02 is %.1f < %.1f: the test cannot tell them apart", sm.name, s, x, crit)
			}
		}
	}
}

// topKeys returns the k most requested keys of keys.
func topKeys(keys []uint64, k int) map[uint64]bool {
	c := counts(keys)
	all := make([]uint64, 0, len(c))
	for key := range c {
		all = append(all, key)
	}
	slices.SortFunc(all, func(a, b uint64) int { return c[b] - c[a] })
	top := map[uint64]bool{}
	for _, key := range all[:min(k, len(all))] {
		top[key] = true
	}
	return top
}

// TestDriftingTopOverlap: the top-100 keys of the first and last tenth of
// the stream overlap by less than 50% with drift and by more than 90%
// without. Without drift, 3×10^6 requests give each tenth 3×10^5, so that
// the count at rank 100 (about 250) is known to 6% and the top 100 is
// stable (seeds 1, 5 and 7 all gave 95–97%).
func TestDriftingTopOverlap(t *testing.T) {
	for _, tc := range []struct {
		spec     string
		min, max float64
	}{
		{"drifting:keys=1e5,alpha=1,requests=1e6,drift=0.01", 0, 0.5},
		{"drifting:keys=1e5,alpha=1,requests=3e6,drift=0", 0.9, 1},
	} {
		tr := load(t, tc.spec)
		tenth := tr.Len() / 10
		first, last := topKeys(tr.Keys[:tenth], 100), topKeys(tr.Keys[tr.Len()-tenth:], 100)
		common := 0
		for k := range first {
			if last[k] {
				common++
			}
		}
		o := float64(common) / 100
		t.Logf("%s: top-100 overlap %.2f", tc.spec, o)
		if o < tc.min || o > tc.max {
			t.Errorf("%s: top-100 overlap %.2f, want within [%g, %g]", tc.spec, o, tc.min, tc.max)
		}
	}
}

// TestLFUvsLRU: at the same size, LFU's long memory makes it fall behind
// LRU on a drifting workload and beat it on a static Zipf one.
func TestLFUvsLRU(t *testing.T) {
	const size = 1000
	hit := func(spec string, c policy.Cache) float64 {
		return sim.Replay(load(t, spec), c, sim.Options{Objects: true}).HitRatio()
	}
	for _, tc := range []struct {
		spec      string
		lfuBetter bool
	}{
		{"drifting:keys=1e5,alpha=1,drift=0.01,requests=5e5", false},
		{"zipf:keys=1e5,alpha=1,requests=5e5", true},
	} {
		lfuCache, err := policy.New(policy.Spec{Name: "lfu"}, policy.Config{Capacity: size})
		if err != nil {
			t.Fatal(err)
		}
		lru, lfu := hit(tc.spec, policy.NewLRU(size)), hit(tc.spec, lfuCache)
		t.Logf("%s at %d: LRU %.4f, LFU %.4f", tc.spec, size, lru, lfu)
		if (lfu > lru) != tc.lfuBetter {
			t.Errorf("%s at %d: LRU %.4f, LFU %.4f; want LFU better: %v", tc.spec, size, lru, lfu, tc.lfuBetter)
		}
	}
}

// dispersion returns the variance-to-mean ratio of the request counts per
// window of the given length (ns), over the whole windows of the trace.
func dispersion(times []int64, window int64) float64 {
	n := int(times[len(times)-1] / window)
	c := make([]float64, n)
	for _, t := range times {
		if i := int(t / window); i < n {
			c[i]++
		}
	}
	mean, variance := stat.MeanVariance(c, nil)
	return variance / mean
}

// TestBurstyDispersion: the index of dispersion of the request counts per
// second is well above 1 (>10) for the bursty workload and, for a Poisson
// workload at the same mean rate, within 0.2 of 1 (its standard error
// over ~1,000 windows is about 0.045).
func TestBurstyDispersion(t *testing.T) {
	bursty := load(t, "bursty:keys=1e5,requests=1e6")
	d := dispersion(bursty.Times, 1e9)
	t.Logf("bursty: index of dispersion %.1f", d)
	if !(d > 10) {
		t.Errorf("bursty: index of dispersion %.2f, want > 10", d)
	}
	poisson := load(t, "zipf:keys=1e5,requests=1e6,rate=1000")
	d = dispersion(poisson.Times, 1e9)
	t.Logf("poisson: index of dispersion %.3f", d)
	if math.Abs(d-1) > 0.2 {
		t.Errorf("poisson: index of dispersion %.3f, want 1 ± 0.2", d)
	}
	// The mean gap of the Poisson process is 1/rate (±0.5%; its standard
	// error over 10^6 gaps is 0.1%).
	if gap := float64(poisson.Times[poisson.Len()-1]) / float64(poisson.Len()-1); math.Abs(gap/1e6-1) > 0.005 {
		t.Errorf("poisson: mean gap %.0f ns, want 1e6 ns ± 0.5%%", gap)
	}
}

// busiestTopShare returns the share of the requests of the busiest second
// that go to its 100 most requested keys.
func busiestTopShare(tr *trace.Trace) float64 {
	second := map[int64][]uint64{}
	busiest := int64(0)
	for i, ts := range tr.Times {
		s := ts / 1e9
		second[s] = append(second[s], tr.Keys[i])
		if len(second[s]) > len(second[busiest]) {
			busiest = s
		}
	}
	keys := second[busiest]
	top, inTop := topKeys(keys, 100), 0
	for _, k := range keys {
		if top[k] {
			inTop++
		}
	}
	return float64(inTop) / float64(len(keys))
}

// TestBurstyHotSet: in the busiest second of the bursty workload (a burst,
// hot-share 0.9), the 100 most requested keys take over 80% of the
// requests; in the busiest second of plain Zipf at the same base rate they
// take under 70%.
func TestBurstyHotSet(t *testing.T) {
	s := busiestTopShare(load(t, "bursty:keys=1e5,requests=1e6"))
	t.Logf("bursty: top-100 share of the busiest second %.3f", s)
	if s < 0.8 {
		t.Errorf("bursty: top-100 share of the busiest second %.2f, want > 0.8", s)
	}
	s = busiestTopShare(load(t, "zipf:keys=1e5,requests=1e6,rate=1000"))
	t.Logf("zipf: top-100 share of the busiest second %.3f", s)
	if s > 0.7 {
		t.Errorf("zipf: top-100 share of the busiest second %.2f, want < 0.7", s)
	}
}
