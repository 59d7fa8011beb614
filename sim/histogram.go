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
// the exact ones, relative to the value. It keeps the count, a compensated
// sum, the min and max. Each bucket also keeps one value exactly, with its
// count (see histBin): a latency most of a bucket's values share, such as a
// constant hit latency among a few misses that happen to fall near it, is
// reported as itself, not as the bucket's representative value, and the
// quantiles of a few distinct values (constant latencies) are exact. The
// zero value is an empty histogram ready to use. Histograms merge.
type Histogram struct {
	// bins[j] is bucket offset+j.
	bins   []histBin
	offset int
	zeros  uint64 // values <= 0
	n      uint64
	sum    float64 // with comp, a Neumaier compensated sum: exact means over millions of values
	comp   float64
	min    float64
	max    float64
}

// histBin is one bucket: its count n, and one value it holds exactly, the
// atom, with the number of values equal to it (atomN), below it (below),
// and on an unknown side of it (unsure: values of a merged bucket whose
// order against this atom was not recorded); the rest are above it. The
// atom is the first value the bucket saw, replaced by a value added (or
// merged) more times at once than the atom has been: the hit latency, which
// a replay adds with the count of hits, wins a bucket it shares with misses.
type histBin struct {
	n, atomN, below, unsure uint64
	atom                    float64
}

// add merges o, a bin of the same bucket, into b.
func (b *histBin) add(o histBin) {
	switch {
	case o.n == 0:
		return
	case b.n == 0:
		*b = o
		return
	case o.atom == b.atom:
		b.n, b.atomN, b.below, b.unsure = b.n+o.n, b.atomN+o.atomN, b.below+o.below, b.unsure+o.unsure
		return
	}
	keep, lose := *b, o // the atom with the larger count stays
	if o.atomN > b.atomN {
		keep, lose = o, *b
	}
	loseAbove := lose.n - lose.atomN - lose.below - lose.unsure
	keep.unsure += lose.unsure
	if lose.atom < keep.atom { // the loser's atom and what was below it are below
		keep.below += lose.atomN + lose.below
		keep.unsure += loseAbove
	} else { // its atom and what was above it are above
		keep.unsure += lose.below
	}
	keep.n += lose.n
	*b = keep
}

// quantile returns the value of rank r (1 <= r <= n) in the bin of bucket i.
// The rank falls on the atom when it does whatever side the unsure values
// are on; otherwise the bucket's representative value is moved no further
// than the atom (the values below it are below it), which only brings it
// closer to the value of that rank.
func (b histBin) quantile(i int, r uint64) float64 {
	v := histValue(i)
	switch {
	case r <= b.below:
		return math.Min(v, b.atom)
	case r > b.below+b.unsure && r <= b.below+b.atomN:
		return b.atom
	case r > b.below+b.unsure+b.atomN:
		return math.Max(v, b.atom)
	}
	return v
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
		i := histBucket(v)
		h.grow(i)
		h.addAt(i-h.offset, v, n)
	}
	h.note(v, n, v*float64(n))
}

// addAt adds n values v to bin j, which grow made room for.
func (h *Histogram) addAt(j int, v float64, n uint64) {
	b := &h.bins[j]
	switch {
	case b.n == 0 || n > b.atomN && v != b.atom:
		b.add(histBin{n: n, atomN: n, atom: v})
	case v == b.atom:
		b.n, b.atomN = b.n+n, b.atomN+n
	case v < b.atom:
		b.n, b.below = b.n+n, b.below+n
	default:
		b.n += n
	}
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

// grow makes room for bucket i.
func (h *Histogram) grow(i int) {
	if len(h.bins) == 0 {
		h.offset = i
		h.bins = make([]histBin, 1, 64)
		return
	}
	if i < h.offset {
		h.bins = slices.Insert(h.bins, 0, make([]histBin, h.offset-i)...)
		h.offset = i
	}
	if j := i - h.offset; j >= len(h.bins) {
		h.bins = append(h.bins, make([]histBin, j+1-len(h.bins))...)
	}
}

// Merge adds o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.n == 0 {
		return
	}
	for j, b := range o.bins {
		if b.n > 0 {
			i := j + o.offset
			h.grow(i)
			h.bins[i-h.offset].add(b)
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
	c.bins = slices.Clone(h.bins)
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
// within HistogramError of it, and exact when it is the value its bucket
// keeps exactly (see Histogram).
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
	for j, b := range h.bins {
		if seen+b.n >= rank {
			v := b.quantile(j+h.offset, rank-seen)
			return math.Min(math.Max(v, h.min), h.max)
		}
		seen += b.n
	}
	return h.max
}
