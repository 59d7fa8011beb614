package traces

import (
	"math"
	"slices"
)

// Summary describes a trace at a glance: how big, how skewed, how much reuse.
type Summary struct {
	Name     string `json:"name"`
	Requests int    `json:"requests"`
	// DistinctKeys is the footprint in objects; FootprintBytes sums each
	// object's first-seen size.
	DistinctKeys   int   `json:"distinct_keys"`
	FootprintBytes int64 `json:"footprint_bytes"`
	RequestedBytes int64 `json:"requested_bytes"`
	// HasTime says whether the trace carries timestamps; the span and rate are 0 otherwise.
	HasTime     bool    `json:"has_time"`
	SpanSeconds float64 `json:"span_seconds"`
	RatePerSec  float64 `json:"requests_per_second"`
	Gets        int     `json:"gets"`
	Sets        int     `json:"sets"`
	Deletes     int     `json:"deletes"`
	// ObjectSize has percentiles of the objects' first-seen sizes.
	ObjectSize Percentiles `json:"object_size"`
	// OneHitWonders is the share of keys requested exactly once.
	OneHitWonders float64 `json:"one_hit_wonder_share"`
	// Top1Share and Top10Share are the shares of requests going to the most
	// popular 1% and 10% of keys.
	Top1Share  float64 `json:"top1pct_key_request_share"`
	Top10Share float64 `json:"top10pct_key_request_share"`
	// ZipfAlpha is the exponent of a Zipf law fitted by least squares to the
	// log-log rank/frequency curve (all ranks), with its R².
	ZipfAlpha float64 `json:"zipf_alpha"`
	ZipfR2    float64 `json:"zipf_r2"`
	// ColdShare is the share of requests that are first accesses; ReuseDistance
	// has percentiles of the stack (reuse) distance of the others: the number
	// of distinct keys requested since the previous request for the same key.
	ColdShare     float64     `json:"cold_share"`
	ReuseDistance Percentiles `json:"reuse_distance"`
}

// Percentiles of a distribution.
type Percentiles struct {
	Min  float64 `json:"min"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// percentilesOf sorts v and summarises it (nearest-rank percentiles).
func percentilesOf(v []uint32) Percentiles {
	if len(v) == 0 {
		return Percentiles{}
	}
	slices.Sort(v)
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(v)))) - 1
		return float64(v[max(i, 0)])
	}
	var sum float64
	for _, x := range v {
		sum += float64(x)
	}
	return Percentiles{Min: float64(v[0]), P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: float64(v[len(v)-1]), Mean: sum / float64(len(v))}
}

// Summarize computes the Summary of t in O(N log N) time.
func Summarize(t *Trace) *Summary {
	n := t.Len()
	s := &Summary{Name: t.Name, Requests: n, HasTime: t.Times != nil}
	var r Request
	id := make(map[uint64]int32, n/4) // key -> dense object number
	var counts []int64
	var sizes []uint32
	last := make([]int32, 0) // object -> position of its last request
	fw := newFenwick(n)      // 1 at the position of each object's last request
	reuse := make([]uint32, 0, n/2)
	for i := 0; i < n; i++ {
		t.At(i, &r)
		s.RequestedBytes += int64(r.Size)
		switch r.Op {
		case OpGet:
			s.Gets++
		case OpSet:
			s.Sets++
		case OpDelete:
			s.Deletes++
		}
		o, seen := id[r.Key]
		if !seen {
			o = int32(len(counts))
			id[r.Key] = o
			counts = append(counts, 0)
			sizes = append(sizes, r.Size)
			last = append(last, int32(i))
			s.FootprintBytes += int64(r.Size)
		} else {
			p := int(last[o])
			reuse = append(reuse, uint32(fw.sum(i)-fw.sum(p+1)))
			fw.add(p, -1)
			last[o] = int32(i)
		}
		fw.add(i, 1)
		counts[o]++
	}
	s.DistinctKeys = len(counts)
	if n == 0 {
		return s
	}
	if t.Times != nil {
		lo, hi := slices.Min(t.Times), slices.Max(t.Times)
		s.SpanSeconds = float64(hi-lo) / 1e9
		if s.SpanSeconds > 0 {
			s.RatePerSec = float64(n) / s.SpanSeconds
		}
	}
	s.ObjectSize = percentilesOf(sizes)
	s.ColdShare = float64(s.DistinctKeys) / float64(n)
	s.ReuseDistance = percentilesOf(reuse)
	slices.SortFunc(counts, func(a, b int64) int { return int(b - a) })
	ones := 0
	for _, c := range counts {
		if c == 1 {
			ones++
		}
	}
	s.OneHitWonders = float64(ones) / float64(len(counts))
	s.Top1Share = topShare(counts, 0.01, n)
	s.Top10Share = topShare(counts, 0.10, n)
	s.ZipfAlpha, s.ZipfR2 = fitZipf(counts)
	return s
}

// topShare is the share of n requests going to the top q of keys (at least one key).
func topShare(desc []int64, q float64, n int) float64 {
	k := max(int(math.Ceil(q*float64(len(desc)))), 1)
	var sum int64
	for _, c := range desc[:k] {
		sum += c
	}
	return float64(sum) / float64(n)
}

// fitZipf fits log(count) = c - alpha*log(rank) by least squares over every
// rank of the descending counts and returns alpha and R².
func fitZipf(desc []int64) (alpha, r2 float64) {
	if len(desc) < 2 {
		return 0, 0
	}
	var sx, sy, sxx, sxy, syy float64
	m := float64(len(desc))
	for i, c := range desc {
		x, y := math.Log(float64(i+1)), math.Log(float64(c))
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
		syy += y * y
	}
	vx, vy, cov := sxx-sx*sx/m, syy-sy*sy/m, sxy-sx*sy/m
	if vx == 0 {
		return 0, 0
	}
	slope := cov / vx
	if vy == 0 {
		return -slope, 1 // a flat curve is fitted exactly
	}
	return -slope, cov * cov / (vx * vy)
}

// fenwick is a binary indexed tree of counts over positions 0..n-1.
type fenwick []int32

func newFenwick(n int) fenwick { return make(fenwick, n+1) }

// add adds d at position i.
func (f fenwick) add(i int, d int32) {
	for i++; i < len(f); i += i & -i {
		f[i] += d
	}
}

// sum returns the total of positions 0..i-1.
func (f fenwick) sum(i int) int32 {
	var s int32
	for ; i > 0; i -= i & -i {
		s += f[i]
	}
	return s
}
