package sim

import (
	"math"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// sampledSweep estimates a sweep of the full trace from a spatially sampled
// one: sample holds every request for the keys kept at rate, total is the
// number of requests in the full trace. Plain LRU (policy.ExactCurve) comes
// from SHARDS-adj (shardsCurve); every other policy is replayed on the sample at sizes
// scaled by rate (the "mini-simulation" of Waldspurger et al., ATC'17),
// which approximates non-stack policies as well. The points carry the
// requested (unscaled) sizes and counts scaled to the full trace; they are
// estimates, and evictions are not estimated (0).
func sampledSweep(sample *trace.Trace, total int64, rate float64, cfg sweepConfig) ([]Point, error) {
	counted := sample.Len() - cfg.Warmup
	ns := len(cfg.Sizes.Values)
	points := make([]Point, len(cfg.Policies)*ns)
	mini := cfg
	mini.Policies = nil
	mini.Sizes = Sizes{Bytes: cfg.Sizes.Bytes, Values: make([]int64, ns)}
	for i, c := range cfg.Sizes.Values {
		mini.Sizes.Values[i] = int64(math.Round(float64(c) * rate))
	}
	var miniAt []int // index in cfg.Policies of each mini-simulated policy
	for p, spec := range cfg.Policies {
		for s, c := range cfg.Sizes.Values {
			points[p*ns+s] = Point{Policy: spec.String(), Size: c}
		}
		if spec.Traits().Has(policy.ExactCurve) && (sample.Ops == nil || cfg.CountWrites) && (cfg.Overhead == 0 || !cfg.Sizes.Bytes) &&
			!sample.HasUnsized() {
			for s, st := range shardsCurve(sample, cfg.Warmup, total, rate, cfg.Sizes) {
				points[p*ns+s].Stats = st
			}
			continue
		}
		mini.Policies = append(mini.Policies, spec)
		miniAt = append(miniAt, p)
	}
	if len(mini.Policies) == 0 {
		return points, nil
	}
	res, err := sweepPoints(sample, mini)
	if err != nil {
		return nil, err
	}
	for i, p := range miniAt {
		for s := 0; s < ns; s++ {
			points[p*ns+s].Stats = scaleStats(res[i*ns+s].Stats, total, counted)
		}
	}
	return points, nil
}

// scaleStats turns a sample's counts into estimates for a trace of total
// requests, keeping its hit and byte hit ratios.
func scaleStats(st Stats, total int64, sampled int) Stats {
	if sampled == 0 || st.Requests == 0 {
		return Stats{Requests: uint64(total)}
	}
	f := float64(total) / float64(sampled)
	return Stats{
		Requests: uint64(total),
		Hits:     uint64(math.Round(st.HitRatio() * float64(total))),
		Bytes:    uint64(math.Round(float64(st.Bytes) * f)),
		ByteHits: uint64(math.Round(st.ByteHitRatio() * float64(st.Bytes) * f)),
	}
}

// sampledSweeps is sampledSweep over several independent samples of the
// same trace (different hash seeds): each point holds the mean of their
// estimates, and with more than one sample, their spread (Point.Band).
func sampledSweeps(samples []Sample, total int64, cfg sweepConfig) ([]Point, error) {
	var points []Point
	curves := make([][]Stats, len(samples))
	for k, sample := range samples {
		cfg.Warmup = sample.Warmup
		est, err := sampledSweep(sample.Trace, total, sample.Rate, cfg)
		if err != nil {
			return nil, err
		}
		points = est
		for _, p := range est {
			curves[k] = append(curves[k], p.Stats)
		}
	}
	if len(samples) < 2 {
		return points, nil
	}
	mean, bands := MergeBands(curves)
	for i := range points {
		points[i].Stats, points[i].Band = mean[i], &bands[i]
	}
	return points, nil
}
