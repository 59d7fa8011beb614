package main

import (
	"fmt"
	"io"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/spf13/pflag"
)

// sizingFlags are sweep's flags for charts, recommendations and the latency report.
type sizingFlags struct {
	plot, latencyPlot string
	metric            string
	minGain           float64
	sensitivity       float64
	target            float64
	memoryCost        float64
	missCost          float64
	requestRate       float64
	objectBytes       float64
	interpolate       bool
	latency           bool
	hitLatency        string
	missLatency       string
	missPerKiB        string
}

func (f *sizingFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.plot, "plot", "", "draw the hit-ratio curves to this file, PNG or SVG by its extension (mrc.png, mrc.svg)")
	fs.StringVar(&f.metric, "metric", "request", "hit ratio of the chart and the recommendations: request, or byte (byte hit ratio)")
	fs.Float64Var(&f.minGain, "min-gain", 0.1, "diminishing-returns threshold: recommend the first size gaining less than this many percentage points per step (negative: off)")
	fs.Float64Var(&f.sensitivity, "knee-sensitivity", 1, "Kneedle's sensitivity S for the knee recommendation (0: off); on log-size when the sizes span more than two decades")
	fs.Float64Var(&f.target, "target-hit-ratio", 0, "recommend the smallest size reaching this hit ratio, e.g. 0.9 (0: off)")
	fs.Float64Var(&f.memoryCost, "memory-cost", 0, "price of a GiB of cache memory per month (730h), for the cost-optimal size (with --miss-cost)")
	fs.Float64Var(&f.missCost, "miss-cost", 0, "price of one miss, for the cost-optimal size (with --memory-cost)")
	fs.Float64Var(&f.requestRate, "request-rate", 0, "requests per second (default: from the trace's timestamps); needed by the cost rule and backend savings on traces without timestamps")
	fs.Float64Var(&f.objectBytes, "object-bytes", 0, "memory per object for the cost rule with object-count sizes (default: the trace's mean object size)")
	fs.BoolVar(&f.interpolate, "interpolate", false, "let the target rule pick sizes between swept points (straight lines between them, in log-size on a log axis)")
	fs.BoolVar(&f.latency, "latency", false, "add the latency-reduction report (implied by any latency flag)")
	fs.StringVar(&f.hitLatency, "hit-latency", "0.5ms", "latency of a hit")
	fs.StringVar(&f.missLatency, "miss-latency", "50ms", "latency of a miss: a duration (50ms), lognormal:median=40ms,p99=250ms or exp:mean=30ms (seeded by --seed), or column (the trace's own, with --csv-latency)")
	fs.StringVar(&f.missPerKiB, "miss-latency-per-kib", "0", "added to a miss per KiB of the object, for transfer-bound backends (e.g. 0.01ms)")
	fs.StringVar(&f.latencyPlot, "latency-plot", "", "draw mean and p99 latency against size to this file, PNG or SVG")
}

// sizing is what the flags ask for, checked before any work.
type sizing struct {
	metric  report.Metric
	model   *sim.LatencyModel // nil: no latency report
	useCost bool
}

// check validates the flags; fs says which were given.
func (f *sizingFlags) check(fs *pflag.FlagSet, seed uint64) (sizing, error) {
	var s sizing
	var err error
	if s.metric, err = report.ParseMetric(f.metric); err != nil {
		return s, err
	}
	for flag, path := range map[string]string{"--plot": f.plot, "--latency-plot": f.latencyPlot} {
		if path != "" {
			if err := report.CheckChartPath(flag, path); err != nil {
				return s, err
			}
		}
	}
	if f.target < 0 || f.target > 1 {
		return s, fmt.Errorf("--target-hit-ratio %g: expected a ratio in (0, 1], e.g. 0.9", f.target)
	}
	if f.sensitivity < 0 {
		return s, fmt.Errorf("--knee-sensitivity %g: expected S >= 0 (1 is Kneedle's default; 0 turns the rule off)", f.sensitivity)
	}
	if f.memoryCost < 0 || f.missCost < 0 || f.requestRate < 0 || f.objectBytes < 0 {
		return s, fmt.Errorf("--memory-cost, --miss-cost, --request-rate and --object-bytes must not be negative")
	}
	s.useCost = fs.Changed("memory-cost") || fs.Changed("miss-cost")
	if s.useCost && !(fs.Changed("memory-cost") && fs.Changed("miss-cost")) {
		return s, fmt.Errorf("the cost-optimal size needs both --memory-cost (per GiB-month) and --miss-cost (per miss)")
	}
	if f.latency || f.latencyPlot != "" || fs.Changed("miss-latency") || fs.Changed("miss-latency-per-kib") || fs.Changed("hit-latency") {
		m := sim.LatencyModel{MissDesc: f.missLatency}
		if m.Hit, err = sim.ParseLatency("--hit-latency", f.hitLatency); err != nil {
			return s, err
		}
		if m.PerKiB, err = sim.ParseLatency("--miss-latency-per-kib", f.missPerKiB); err != nil {
			return s, err
		}
		if m.Miss, err = sim.ParseMissLatency(f.missLatency, seed); err != nil {
			return s, err
		}
		s.model = &m
	}
	return s, nil
}

// recommendConfig builds the rules' configuration for a sweep of t.
func (f *sizingFlags) recommendConfig(s sizing, t *traces.Trace, rep *report.Sweep, bytes bool) (report.RecommendConfig, error) {
	cfg := report.RecommendConfig{Metric: s.metric, Bytes: bytes, MinGain: f.minGain, Sensitivity: f.sensitivity,
		LogX: rep.LogX(), Target: f.target, Interpolate: f.interpolate}
	if !s.useCost {
		return cfg, nil
	}
	rate := requestRate(f.requestRate, t)
	if rate == 0 {
		return cfg, fmt.Errorf("the cost-optimal size needs the request rate: %s has no timestamps, so give --request-rate", t.Name)
	}
	m := &report.CostModel{MemoryPerGiBMonth: f.memoryCost, MissCost: f.missCost, RequestRate: rate}
	if !bytes {
		m.ObjectBytes = f.objectBytes
		if m.ObjectBytes == 0 {
			objects, total := t.Footprint()
			if t.Sizes == nil || objects == 0 {
				return cfg, fmt.Errorf("the cost-optimal size in objects needs the memory of an object: %s has no sizes, so give --object-bytes", t.Name)
			}
			m.ObjectBytes = float64(total) / float64(objects)
		}
	}
	cfg.Cost = m
	rep.Cost = m
	return cfg, nil
}

// requestRate is the flag's rate, else the trace's, else 0.
func requestRate(flag float64, t *traces.Trace) float64 {
	if flag > 0 {
		return flag
	}
	r, _ := sim.RequestRate(t)
	return r
}

// finish adds the recommendations and latency report to rep and draws the charts.
func (f *sizingFlags) finish(s sizing, t *traces.Trace, rep *report.Sweep, lat *sim.Latencies, bytes bool, stderr io.Writer) error {
	cfg, err := f.recommendConfig(s, t, rep, bytes)
	if err != nil {
		return err
	}
	for _, c := range report.Curves(rep.Points) {
		rep.Recommendations = append(rep.Recommendations, report.Recommend(c, cfg)...)
	}
	if lat != nil {
		lr := report.NewLatencyReport(rep.Points, lat.Uncached, requestRate(f.requestRate, t))
		lr.HitLatencyMS, lr.MissLatency, lr.MissPerKiBMS = 1e3*s.model.Hit, s.model.MissDesc, 1e3*s.model.PerKiB
		rep.Latency = lr
	}
	if f.plot != "" {
		if err := rep.MRCChart(s.metric).Save(f.plot); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", f.plot)
	}
	if f.latencyPlot != "" {
		if err := rep.LatencyChart().Save(f.latencyPlot); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", f.latencyPlot)
	}
	return nil
}
