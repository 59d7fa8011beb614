package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
	"gonum.org/v1/gonum/stat/distuv"
)

// MissLatencyForms documents what ParseMissLatency accepts; errors quote it.
const MissLatencyForms = `accepted forms: a constant duration ("50ms", "1.5ms", "200us");
"lognormal:median=40ms,p99=250ms" (log-normal with that median and 99th percentile);
"exp:mean=30ms" (exponential with that mean);
"column" (each request's own latency, from the trace's latency column)`

// Distribution is a distribution of latencies in seconds.
type Distribution interface {
	// Rand draws one latency.
	Rand() float64
}

// FromTrace is the miss latency that takes each request's latency from the
// trace's latency column (trace.Trace.Latencies) instead of drawing it.
var FromTrace Distribution = fromTrace{}

type fromTrace struct{}

// Rand is never called for FromTrace: Latencies reads the column.
func (fromTrace) Rand() float64 { return 0 }

// constant is a distribution with a single value.
type constant float64

func (c constant) Rand() float64 { return float64(c) }

// LatencyModel is the cost model of the latency report: what a hit and a
// miss cost, in seconds.
type LatencyModel struct {
	// Hit is the latency of a hit.
	Hit float64
	// Miss draws the latency of a miss (the backend's latency), before the per-KiB term.
	Miss Distribution
	// MissDesc describes Miss for reports ("50ms", "lognormal:median=40ms,p99=250ms").
	MissDesc string
	// PerKiB is added to a miss for every KiB of the request's size (transfer time).
	PerKiB float64
	// Batch says how the missed keys of a multi-key request reach the
	// backend, and PerKey is what one call costs per key it fetches
	// (BatchSingle only); see batch.go.
	Batch  BatchBackend
	PerKey float64
}

// z99 is the 0.99 quantile of the standard normal distribution.
var z99 = distuv.UnitNormal.Quantile(0.99)

// ParseMissLatency parses a miss latency (see MissLatencyForms). Random
// distributions draw from a generator seeded with seed, so that the same
// seed gives the same latencies.
func ParseMissLatency(spec string, seed uint64) (Distribution, error) {
	fail := func(format string, a ...any) (Distribution, error) {
		return nil, fmt.Errorf("%q: %s\n%s", spec, fmt.Sprintf(format, a...), MissLatencyForms)
	}
	name, params, found := strings.Cut(strings.TrimSpace(spec), ":")
	if !found && strings.EqualFold(name, "column") {
		return FromTrace, nil
	}
	if !found {
		d, err := parseLatency(name)
		if err != nil {
			return fail("%v", err)
		}
		return constant(d), nil
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if name != "lognormal" && name != "exp" {
		return fail("unknown distribution %q (known: lognormal, exp)", name)
	}
	kv := map[string]float64{}
	for _, p := range strings.Split(params, ",") {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return fail("parameter %q is not name=duration", p)
		}
		d, err := parseLatency(v)
		if err != nil {
			return fail("parameter %s: %v", k, err)
		}
		if d <= 0 {
			return fail("parameter %s must be above 0", k)
		}
		kv[strings.TrimSpace(strings.ToLower(k))] = d
	}
	src := rand.NewPCG(seed, 0x6c6174656e6379) // "latency": a fixed stream per seed
	need := func(names ...string) error {
		if len(kv) != len(names) {
			return fmt.Errorf("%s takes exactly %s", name, strings.Join(names, " and "))
		}
		for _, n := range names {
			if _, ok := kv[n]; !ok {
				return fmt.Errorf("%s needs %s=", name, n)
			}
		}
		return nil
	}
	switch name {
	case "lognormal":
		if err := need("median", "p99"); err != nil {
			return fail("%v", err)
		}
		med, p99 := kv["median"], kv["p99"]
		if p99 <= med {
			return fail("p99 must be above the median")
		}
		return distuv.LogNormal{Mu: math.Log(med), Sigma: math.Log(p99/med) / z99, Src: src}, nil
	case "exp":
		if err := need("mean"); err != nil {
			return fail("%v", err)
		}
		return distuv.Exponential{Rate: 1 / kv["mean"], Src: src}, nil
	}
	return fail("unknown distribution %q (known: lognormal, exp)", name)
}

// parseLatency parses a duration ("50ms") into seconds; it must not be negative.
func parseLatency(s string) (float64, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil {
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("%q is not a duration like 50ms", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d.Seconds(), nil
}

// ParseLatency parses a non-negative duration ("0.5ms") into seconds.
func ParseLatency(s string) (float64, error) { return parseLatency(s) }

// ErrNoLatencyColumn says that a miss latency from the trace needs a trace
// with a latency column.
var ErrNoLatencyColumn = errors.New("the trace has no latency column")

// zeroBucket marks a latency <= 0 in Latencies.bucket.
const zeroBucket = math.MinInt32

// Latencies are a model's costs for one trace: each request's latency if it
// misses, drawn once so that every policy and size (and the uncached
// baseline) sees the same backend. They are read-only once made, so any
// number of replays may share them.
type Latencies struct {
	// Hit is the latency of a hit.
	Hit float64
	// Uncached is the latency distribution without any cache: every request a miss.
	Uncached *Histogram
	// Batch and PerKey are the model's (see LatencyModel).
	Batch  BatchBackend
	PerKey float64
	perKiB float64
	miss   []float64
	bucket []int32 // histogram bucket of miss[i], or zeroBucket
	lo, hi int32   // range of the positive buckets
}

// Check reports whether the model can run on t: a miss latency from the
// trace needs the trace's latency column.
func (m LatencyModel) Check(t *trace.Trace) error {
	if m.Miss == FromTrace && t.Latencies == nil {
		return fmt.Errorf("miss latency from the trace: %s: %w", t.Name, ErrNoLatencyColumn)
	}
	return nil
}

// Latencies draws the miss latency of every request of t (or, with
// FromTrace, takes it from t's latency column; see Check).
func (m LatencyModel) Latencies(t *trace.Trace) *Latencies {
	n := t.Len()
	l := &Latencies{Hit: m.Hit, Uncached: &Histogram{}, miss: make([]float64, n), bucket: make([]int32, n),
		lo: math.MaxInt32, hi: math.MinInt32, Batch: m.Batch, PerKey: m.PerKey, perKiB: m.PerKiB}
	column := m.Miss == FromTrace
	for i := 0; i < n; i++ {
		var v float64
		if column {
			v = t.Latencies[i]
		} else {
			v = m.Miss.Rand()
		}
		if t.Sizes != nil {
			v += m.PerKiB * float64(t.Sizes[i]) / 1024
		} else {
			v += m.PerKiB / 1024
		}
		l.miss[i] = v
		b := int32(zeroBucket)
		if v > 0 {
			b = int32(histBucket(v))
			l.lo, l.hi = min(l.lo, b), max(l.hi, b)
		}
		l.bucket[i] = b
		l.Uncached.Add(v)
	}
	return l
}

// NewHistogram returns an empty histogram with room for every miss bucket,
// so that recording a miss never allocates.
func (l *Latencies) NewHistogram() *Histogram {
	h := &Histogram{}
	if l.lo <= l.hi {
		h.grow(int(l.lo))
		h.grow(int(l.hi))
	}
	return h
}

// Miss returns request i's miss latency, in seconds.
func (l *Latencies) Miss(i int) float64 { return l.miss[i] }

// recordMiss counts request i's miss latency in h, which NewHistogram made.
func (l *Latencies) recordMiss(h *Histogram, i int) {
	v, b := l.miss[i], l.bucket[i]
	if b == zeroBucket {
		h.zeros++
		v = 0
	} else {
		h.addAt(int(b)-h.offset, v, 1)
	}
	h.note(v, 1, v)
}

// RequestRate returns the trace's request rate per second from its
// timestamps: the gaps between requests averaged over the trace's span. ok
// is false when the trace has no timestamps or spans no time.
func RequestRate(t *trace.Trace) (perSecond float64, ok bool) {
	lo, hi, ok := timeSpan(t)
	if !ok || hi == lo {
		return 0, false
	}
	return float64(t.Len()-1) / (float64(hi-lo) / 1e9), true
}

// timeSpan returns the earliest and latest timestamps.
func timeSpan(t *trace.Trace) (lo, hi int64, ok bool) {
	if len(t.Times) == 0 {
		return 0, 0, false
	}
	lo, hi = t.Times[0], t.Times[0]
	for _, v := range t.Times {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi, true
}

// Random reports whether d draws its values at random (and so depends on
// the seed), as the lognormal and exponential models do.
func Random(d Distribution) bool {
	switch d.(type) {
	case nil, constant, fromTrace:
		return false
	}
	return true
}
