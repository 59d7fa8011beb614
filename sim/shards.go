package sim

import (
	"math"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

// shardsCurve estimates the LRU curve from a spatially sampled trace
// (Waldspurger et al., "Efficient MRC Construction with SHARDS", FAST'15):
// sample holds every request for the keys whose hash fell below rate·2⁶⁴,
// total is the number of requests in the full trace. Stack distances in the
// sample, scaled by 1/rate, estimate those in the full trace, so the sample
// is measured at capacities scaled by rate. With SHARDS-adj, the difference
// between the expected sample size (total·rate) and the actual one is
// credited to the smallest distances, which removes most of the bias that a
// few very popular keys falling in or out of the sample cause.
//
// The result is scaled back to the full trace: Requests = total, hit counts
// estimated (rounded). The sample's first warm requests are a warm-up's
// (see Sample.Warmup), and total counts the trace's requests after it.
func shardsCurve(sample *trace.Trace, warm int, total int64, rate float64, sizes Sizes) []Stats {
	// LRUCurve needs ascending sizes; rounding keeps the order.
	stats, _ := lruCurveWith(sample, scaleSizes(sizes, rate), false, warm)
	return shardsScale(stats, int64(sample.Len()-warm), total, rate)
}

// shardsScale turns the LRU statistics of a sample, taken at the sizes
// scaled by rate, into estimates for the full trace of total requests
// (SHARDS-adj: the difference between the expected sample, total·rate
// requests, and the actual one, sampled, is credited to the smallest
// distances).
func shardsScale(stats []Stats, sampled, total int64, rate float64) []Stats {
	expected := float64(total) * rate
	adj := expected - float64(sampled)
	out := make([]Stats, len(stats))
	for i, st := range stats {
		hr := 0.0
		if expected > 0 {
			hr = (float64(st.Hits) + adj) / expected
		}
		hr = min(max(hr, 0), 1)
		bhr := st.ByteHitRatio()
		out[i] = Stats{
			Requests: uint64(total),
			Hits:     uint64(math.Round(hr * float64(total))),
			Bytes:    uint64(math.Round(float64(st.Bytes) / rate)),
			ByteHits: uint64(math.Round(bhr * float64(st.Bytes) / rate)),
		}
	}
	return out
}

// scaleSizes returns the sizes times rate, rounded (still ascending).
func scaleSizes(sizes Sizes, rate float64) Sizes {
	scaled := Sizes{Bytes: sizes.Bytes, Values: make([]int64, len(sizes.Values))}
	for i, c := range sizes.Values {
		scaled.Values[i] = int64(math.Round(float64(c) * rate))
	}
	return scaled
}

// ShardsEstimator estimates the LRU curve of a stream (object capacities)
// online, from the requests of a spatial sample of its keys, holding
// nothing per request: the stack distances of the sampled keys only.
//
// At a fixed rate it gives what shardsCurve gives on the sampled trace.
// With a fixed number of keys (SHARDS's fixed-size variant, FAST'15 §4.2)
// the threshold drops as the sample fills: a key that leaves the sample
// leaves the stack, each sampled request's distance is scaled by 1/rate at
// its time and counts with weight 1/rate, and the curve is read from a
// histogram of those scaled distances (exact below 4096, then bins 0.54%
// wide), so its memory is fixed by the number of keys.
type ShardsEstimator struct {
	seed      uint64
	threshold uint64            // fixed rate
	keys      *traces.KeySample // fixed size; nil at a fixed rate
	d         *stackDistances[int32]
	seen      int64
	// Fixed size: weighted hits and bytes per scaled-distance bin, the
	// weight of every sampled request, and the current request's weight.
	hits, byteHits     []float64
	weight, byteWeight float64
	w                  float64
	// After a warm-up (restarted): the first requests of keys since, each
	// with its weight (the sampled ones, at a fixed rate).
	restarted bool
	cold      float64
}

// NewShardsRate samples a fraction rate of the keys, by the hash of seed.
func NewShardsRate(rate float64, seed uint64) *ShardsEstimator {
	return &ShardsEstimator{seed: seed, threshold: traces.SampleThreshold(rate), d: newStackDistances[int32](Sizes{})}
}

// NewShardsSize samples at most n keys, those of smallest hash of seed.
func NewShardsSize(n int, seed uint64) *ShardsEstimator {
	e := &ShardsEstimator{seed: seed, keys: traces.NewKeySample(n, seed), d: newStackDistances[int32](Sizes{})}
	e.keys.Dropped = e.d.forget // the stack is keyed by hash
	e.d.observe = e.observe
	return e
}

// Add offers one request of the stream.
func (e *ShardsEstimator) Add(r *trace.Request) {
	e.seen++
	if e.keys == nil {
		if x := traces.SampleHash(r.Key, e.seed); x < e.threshold {
			if e.d.add(x, 0, r.Size) == math.MaxInt64 { // x: a bijection of the key
				e.cold++
			}
		}
		return
	}
	x, in := e.keys.Keep(r.Key)
	if !in {
		return
	}
	e.w = 1 / e.Rate()
	e.weight += e.w
	e.byteWeight += e.w * float64(r.Size)
	if e.d.add(x, 0, r.Size) == math.MaxInt64 {
		e.cold += e.w
	}
}

// restart ends a warm-up: the sample's stack stays, the counts start
// again.
func (e *ShardsEstimator) restart() {
	e.seen, e.weight, e.byteWeight, e.cold, e.restarted = 0, 0, 0, 0, true
	clear(e.hits)
	clear(e.byteHits)
	e.d.restart()
}

// Unavoidable estimates the requests counted that are the first of their
// key: the distinct keys, or after a warm-up those first seen since.
func (e *ShardsEstimator) Unavoidable() int64 {
	switch {
	case !e.restarted:
		return e.Distinct()
	case e.keys == nil:
		return int64(math.Round(e.cold / e.Rate()))
	}
	return int64(math.Round(e.cold))
}

// observe records a reuse distance of the sample (fixed size).
func (e *ShardsEstimator) observe(dist int64, size uint32) {
	b := distBin(float64(dist) * e.w)
	if b >= len(e.hits) {
		e.hits = append(e.hits, make([]float64, b+1-len(e.hits))...)
		e.byteHits = append(e.byteHits, make([]float64, b+1-len(e.byteHits))...)
	}
	e.hits[b] += e.w
	e.byteHits[b] += e.w * float64(size)
}

// exactBins are the distances binned one by one; beyond, binsPerOctave
// bins per doubling.
const (
	exactBins     = 4096
	binsPerOctave = 128
)

// distBin returns the bin of a scaled distance d >= 1: ceil(d) up to
// exactBins, so that d <= C for an integer C exactly when the bin is, and
// logarithmic bins beyond.
func distBin(d float64) int {
	if d <= exactBins {
		return int(math.Ceil(d))
	}
	return exactBins + int(math.Log2(d/exactBins)*binsPerOctave)
}

// binEdge returns the smallest distance of bin b.
func binEdge(b int) float64 {
	if b <= exactBins {
		return float64(b)
	}
	return exactBins * math.Exp2(float64(b-exactBins)/binsPerOctave)
}

// Rate returns the fraction of the keys sampled (so far, for a fixed size).
func (e *ShardsEstimator) Rate() float64 {
	if e.keys != nil {
		return traces.Rate(e.keys.Threshold())
	}
	return traces.Rate(e.threshold)
}

// Requests returns the number of requests offered.
func (e *ShardsEstimator) Requests() int64 { return e.seen }

// Sampled returns the number of distinct keys in the sample.
func (e *ShardsEstimator) Sampled() int64 { return int64(len(e.d.objs) - len(e.d.free)) }

// Distinct estimates the distinct keys of the stream: the sampled keys
// scaled by the rate.
func (e *ShardsEstimator) Distinct() int64 {
	return int64(math.Round(float64(e.Sampled()) / e.Rate()))
}

// Curve returns the estimated statistics of LRU at each object capacity
// (ascending), scaled to the whole stream.
func (e *ShardsEstimator) Curve(sizes []int64) []Stats {
	if e.keys == nil {
		scaled := scaleSizes(Sizes{Values: sizes}, e.Rate())
		stats, _ := e.d.Curve(scaled)
		return shardsScale(stats, int64(e.d.requests), e.seen, e.Rate())
	}
	n := float64(e.seen)
	out := make([]Stats, len(sizes))
	var hits, byteHits float64
	b := 0
	for i, c := range sizes {
		for ; b < len(e.hits) && binEdge(b) <= float64(c); b++ {
			hits += e.hits[b]
			byteHits += e.byteHits[b]
		}
		hr := 0.0
		if n > 0 {
			hr = min(max((hits+n-e.weight)/n, 0), 1) // SHARDS-adj
		}
		out[i] = Stats{Requests: uint64(e.seen), Hits: uint64(math.Round(hr * n)),
			Bytes: uint64(math.Round(e.byteWeight)), ByteHits: uint64(math.Round(byteHits))}
	}
	return out
}

// Band is the spread of an estimate over independent samples of the keys
// (SHARDS with different hash seeds), at one size.
type Band struct {
	Samples         int     `json:"samples"`
	HitRatioMin     float64 `json:"hit_ratio_min"`
	HitRatioMax     float64 `json:"hit_ratio_max"`
	ByteHitRatioMin float64 `json:"byte_hit_ratio_min"`
	ByteHitRatioMax float64 `json:"byte_hit_ratio_max"`
}

// Contains reports whether a hit ratio lies within the band.
func (b *Band) Contains(hitRatio float64) bool {
	return hitRatio >= b.HitRatioMin && hitRatio <= b.HitRatioMax
}

// MergeBands combines the estimates of several samples at the same sizes
// (curves[k][i]: sample k, size i): the mean counts, and the band of each
// size.
func MergeBands(curves [][]Stats) ([]Stats, []Band) {
	if len(curves) == 0 {
		return nil, nil
	}
	k := float64(len(curves))
	mean := make([]Stats, len(curves[0]))
	bands := make([]Band, len(mean))
	for i := range mean {
		b := Band{Samples: len(curves), HitRatioMin: 1, ByteHitRatioMin: 1}
		var hits, bytes, byteHits float64
		for _, c := range curves {
			st := c[i]
			hits += float64(st.Hits)
			bytes += float64(st.Bytes)
			byteHits += float64(st.ByteHits)
			b.HitRatioMin, b.HitRatioMax = min(b.HitRatioMin, st.HitRatio()), max(b.HitRatioMax, st.HitRatio())
			b.ByteHitRatioMin, b.ByteHitRatioMax = min(b.ByteHitRatioMin, st.ByteHitRatio()), max(b.ByteHitRatioMax, st.ByteHitRatio())
		}
		mean[i] = Stats{Requests: curves[0][i].Requests, Hits: uint64(math.Round(hits / k)),
			Bytes: uint64(math.Round(bytes / k)), ByteHits: uint64(math.Round(byteHits / k))}
		bands[i] = b
	}
	return mean, bands
}
