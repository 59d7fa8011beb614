package sim

import (
	"math"
	"slices"
)

// HistogramError is the largest relative error of a Histogram quantile: a
// reported quantile q' of a true quantile q > 0 has |q'-q| <= HistogramError*q.
const HistogramError = 0.01

// Bucket i of a Histogram holds the values in (gamma^(i-1), gamma^i]; its
// representative value 2*gamma^i/(gamma+1) is within HistogramError of every
// value in it (the log-bucketed scheme of DDSketch, Masson et al., VLDB 2019).
var (
	histGamma    = (1 + HistogramError) / (1 - HistogramError)
	histLogGamma = math.Log(histGamma)
)

// Histogram counts non-negative values (latencies, in seconds) in
// logarithmic buckets, so that its quantiles are within HistogramError of
// the exact ones, relative to the value. It keeps the count, a compensated sum, the min
// and max; a bucket that only ever saw one distinct value reports that value
// exactly, so quantiles of a few distinct values (constant latencies) are
// exact. The zero value is an empty histogram ready to use. Histograms merge.
type Histogram struct {
	// counts[j] counts bucket offset+j; exact[j] is the one value that bucket
	// has seen, or NaN once it has seen two different values.
	counts []uint64
	exact  []float64
	offset int
	zeros  uint64 // values <= 0
	n      uint64
	sum    float64 // with comp, a Neumaier compensated sum: exact means over millions of values
	comp   float64
	min    float64
	max    float64
}

// histBucket returns the bucket of a value > 0.
func histBucket(v float64) int { return int(math.Ceil(math.Log(v) / histLogGamma)) }

// histValue returns the representative value of bucket i.
func histValue(i int) float64 { return 2 * math.Exp(float64(i)*histLogGamma) / (histGamma + 1) }

// Add counts one value.
func (h *Histogram) Add(v float64) { h.AddN(v, 1) }

// AddN counts the value v n times.
func (h *Histogram) AddN(v float64, n uint64) {
	if n == 0 {
		return
	}
	if v <= 0 {
		h.zeros += n
		v = 0
	} else {
		h.addBucket(histBucket(v), v, n)
	}
	h.note(v, n, v*float64(n))
}

// note updates the count, sum and range.
func (h *Histogram) note(v float64, n uint64, sum float64) {
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if h.n == 0 || v > h.max {
		h.max = v
	}
	h.n += n
	h.addSum(sum)
}

// addSum adds v to the compensated sum.
func (h *Histogram) addSum(v float64) {
	t := h.sum + v
	if math.Abs(h.sum) >= math.Abs(v) {
		h.comp += (h.sum - t) + v
	} else {
		h.comp += (v - t) + h.sum
	}
	h.sum = t
}

// addBucket adds n to bucket i, which v belongs to, growing the store as needed.
func (h *Histogram) addBucket(i int, v float64, n uint64) {
	h.grow(i)
	j := i - h.offset
	h.mark(j, v, h.counts[j] == 0)
	h.counts[j] += n
}

// mark records that bucket j saw v; fresh says it had seen nothing before.
func (h *Histogram) mark(j int, v float64, fresh bool) {
	if fresh {
		h.exact[j] = v
	} else if h.exact[j] != v {
		h.exact[j] = math.NaN()
	}
}

// grow makes room for bucket i.
func (h *Histogram) grow(i int) {
	if len(h.counts) == 0 {
		h.offset = i
		h.counts, h.exact = make([]uint64, 1, 64), make([]float64, 1, 64)
		return
	}
	if i < h.offset {
		k := h.offset - i
		h.counts = slices.Insert(h.counts, 0, make([]uint64, k)...)
		h.exact = slices.Insert(h.exact, 0, make([]float64, k)...)
		h.offset = i
	}
	if j := i - h.offset; j >= len(h.counts) {
		k := j + 1 - len(h.counts)
		h.counts = append(h.counts, make([]uint64, k)...)
		h.exact = append(h.exact, make([]float64, k)...)
	}
}

// Merge adds o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.n == 0 {
		return
	}
	for j, c := range o.counts {
		if c > 0 {
			i := j + o.offset
			h.grow(i)
			k := i - h.offset
			h.mark(k, o.exact[j], h.counts[k] == 0)
			h.counts[k] += c
		}
	}
	h.zeros += o.zeros
	if h.n == 0 {
		h.min, h.max = o.min, o.max
	} else {
		h.min, h.max = min(h.min, o.min), max(h.max, o.max)
	}
	h.n += o.n
	h.addSum(o.sum)
	h.addSum(o.comp)
}

// Clone returns an independent copy of h.
func (h *Histogram) Clone() *Histogram {
	c := *h
	c.counts = slices.Clone(h.counts)
	c.exact = slices.Clone(h.exact)
	return &c
}

// Count returns the number of values.
func (h *Histogram) Count() uint64 { return h.n }

// Sum returns the exact sum of the values.
func (h *Histogram) Sum() float64 { return h.sum + h.comp }

// Mean returns the exact mean (0 when empty).
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return h.Sum() / float64(h.n)
}

// Min returns the smallest value (0 when empty).
func (h *Histogram) Min() float64 { return h.min }

// Max returns the largest value (0 when empty).
func (h *Histogram) Max() float64 { return h.max }

// Quantile returns the q-quantile (0 <= q <= 1) by the nearest-rank rule:
// the smallest value v such that at least ceil(q*n) values are <= v,
// within HistogramError of it (exact when its bucket saw a single value).
// It returns 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	if rank <= h.zeros {
		return 0
	}
	seen := h.zeros
	for j, c := range h.counts {
		seen += c
		if seen >= rank {
			v := h.exact[j]
			if math.IsNaN(v) {
				v = histValue(j + h.offset)
			}
			return math.Min(math.Max(v, h.min), h.max)
		}
	}
	return h.max
}
