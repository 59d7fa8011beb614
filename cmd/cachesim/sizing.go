package main

import (
	"fmt"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/pflag"
)

// sizingFlags are the flags of the sizing rules and the charts of a curve.
type sizingFlags struct {
	plot        string
	metric      string
	minGain     float64
	sensitivity float64
	target      float64
	memoryCost  float64
	missCost    float64
	tenantCosts map[string]float64 // --miss-cost NAME=COST,… (partition.go)
	objectBytes float64
	interpolate bool
	xScale      string
	roundTo     string
	fs          *pflag.FlagSet
}

func (f *sizingFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	rules := inSection(fs, sectionRules)
	fs.StringVar(&f.plot, "plot", "", "draw the hit-ratio curves to this file, PNG or SVG by its extension (mrc.png, mrc.svg)")
	markPaths(fs, "output", "plot")
	fs.StringVar(&f.metric, "metric", "request", "hit ratio of the chart and the recommendations: "+report.MetricHelp(report.MetricNames...))
	fs.Float64Var(&f.minGain, "min-gain", 1, "diminishing-returns threshold: recommend the smallest size from which every larger swept size gains less than this many percentage points per doubling of the size (negative: off)")
	fs.Float64Var(&f.sensitivity, "knee-sensitivity", 1, "Kneedle's sensitivity S for the knee recommendation (0: off); on log-size when the size axis is log (see --x-scale)")
	fs.Float64Var(&f.target, "target-hit-ratio", 0, "recommend the smallest size reaching this hit ratio, e.g. 0.9 (0: off)")
	fs.StringVar(&f.xScale, "x-scale", "auto", "size axis of the charts: log, linear, or auto (log when the sizes span more than two decades, or are log-spaced over 4× or more); Kneedle reads the curve on the same axis")
	fs.StringVar(&f.roundTo, "round-to", "", "round recommended sizes up to a multiple of this size, e.g. 64MiB or 1000 (a plain number is in the sweep's unit; 1 keeps the swept sizes) (default: two significant figures in the unit shown, 5.944 MiB → 6 MiB; a whole number of its unit, 512 MiB, stays)")
	fs.BoolVar(&f.interpolate, "interpolate", false, "let the target rule pick sizes between swept points (straight lines between them, in log-size on a log axis)")
	rules()
	defer inSection(fs, sectionLatency)() // the cost rule's
	fs.Float64Var(&f.memoryCost, "memory-cost", 0, "price of a GiB of cache memory per month (730h), for the cost-optimal size (with --miss-cost)")
	fs.Var(&missCostValue{one: &f.missCost, per: &f.tenantCosts}, "miss-cost", "price of one miss, for the cost-optimal size (with --memory-cost); with --partition, tenant=price,… weighs each tenant's misses")
	fs.Float64Var(&f.objectBytes, "object-bytes", 0, "memory per object for the cost rule with object-count sizes (default: the trace's mean object size)")
}

// sizing is what the flags ask for, checked before any work.
type sizing struct {
	metric      report.Metric
	roundTo     sim.Size // 0: two significant figures
	xScale      report.Scale
	useCost     bool
	latencyPlot string // --latency-plot's file ("": none)
}

// check validates the flags; lat says whether a latency report was asked
// for (the request rate serves it and the cost rule) and draws its chart;
// partition says --partition was given (sweep), whose tenants --miss-cost
// may price.
func (f *sizingFlags) check(out *outputFlags, lat *latencyFlags, partition bool) (sizing, error) {
	var s sizing
	var err error
	if s.metric, err = report.ParseMetric(f.metric); err != nil {
		return s, fmt.Errorf("--metric %w", err)
	}
	if s.xScale, err = report.ParseScale(f.xScale); err != nil {
		return s, fmt.Errorf("--x-scale %w", err)
	}
	if f.roundTo != "" {
		if s.roundTo, err = sim.ParseSize(f.roundTo); err != nil || s.roundTo.N <= 0 {
			return s, fmt.Errorf("--round-to %q: expected a positive size, e.g. 64MiB, or a count of objects (1 keeps the swept sizes)", f.roundTo)
		}
	}
	if err := finite(floatFlag{"min-gain", f.minGain}, floatFlag{"knee-sensitivity", f.sensitivity}, floatFlag{"target-hit-ratio", f.target},
		floatFlag{"memory-cost", f.memoryCost}, floatFlag{"object-bytes", f.objectBytes}); err != nil {
		return s, err
	}
	if err := out.checkChart("--plot", f.plot); err != nil {
		return s, err
	}
	s.latencyPlot = lat.plot
	if err := out.checkChart("--latency-plot", s.latencyPlot); err != nil {
		return s, err
	}
	switch {
	case f.target < 0 || f.target > 1:
		return s, fmt.Errorf("--target-hit-ratio %g: expected a ratio in (0, 1], e.g. 0.9", f.target)
	case f.sensitivity < 0:
		return s, fmt.Errorf("--knee-sensitivity %g: expected S >= 0 (1 is Kneedle's default; 0 turns the rule off)", f.sensitivity)
	case f.memoryCost < 0 || f.missCost < 0 || f.objectBytes < 0:
		return s, fmt.Errorf("--memory-cost, --miss-cost and --object-bytes must not be negative")
	case f.interpolate && f.target == 0:
		return s, fmt.Errorf("--interpolate applies to the target rule: give --target-hit-ratio")
	}
	s.useCost = changed(f.fs, "memory-cost") || (changed(f.fs, "miss-cost") && f.tenantCosts == nil)
	if f.tenantCosts != nil && !partition {
		return s, fmt.Errorf("--miss-cost tenant=price,… weighs the tenants of --partition (cachesim sweep); the cost rule takes one price per miss")
	}
	return s, f.checkCost(s.useCost, lat)
}

// checkMetric refuses --metric token on a trace without prompts: the token
// hit ratio would be 0 at every size.
func checkMetric(t *trace.Trace, metric report.Metric) error {
	if metric == report.TokenHitRatio && !sim.Prompts(t) {
		return fmt.Errorf("--metric token has no effect: %s is not a prompt trace (the token hit ratio is prefix caching's); give request or byte", t.Name)
	}
	return nil
}

// roundStep returns --round-to in the sizes' unit (0: not given), or an
// error when it carries a byte unit and the sizes count objects.
func (s sizing) roundStep(bytes bool) (int64, error) {
	if s.roundTo.Bytes() && !bytes {
		return 0, fmt.Errorf("--round-to %s is bytes, and the sizes count objects: give a count, e.g. --round-to 1000", s.roundTo)
	}
	return s.roundTo.N, nil
}

// checkCost checks the cost rule's flags.
func (f *sizingFlags) checkCost(useCost bool, lat *latencyFlags) error {
	if useCost && !(changed(f.fs, "memory-cost") && changed(f.fs, "miss-cost")) {
		return fmt.Errorf("the cost-optimal size needs both --memory-cost (per GiB-month) and --miss-cost (per miss)")
	}
	if !useCost && changed(f.fs, "object-bytes") {
		return fmt.Errorf("--object-bytes applies to the cost rule: give --memory-cost and --miss-cost")
	}
	if !useCost && !lat.asked() && lat.rateGiven() {
		return fmt.Errorf("--request-rate serves the cost rule and the latency report: give --memory-cost and --miss-cost, or --miss-latency")
	}
	return nil
}

// costModel builds the cost rule's model for a sweep of t.
func (f *sizingFlags) costModel(t *trace.Trace, rate float64, bytes bool) (*report.CostModel, error) {
	if rate == 0 {
		return nil, fmt.Errorf("the cost-optimal size needs the request rate: %s has no timestamps, so give --request-rate", t.Name)
	}
	m := &report.CostModel{MemoryPerGiBMonth: f.memoryCost, MissCost: f.missCost, RequestRate: rate}
	if bytes {
		if changed(f.fs, "object-bytes") {
			return nil, fmt.Errorf("--object-bytes applies to object-count sizes; these sizes are bytes")
		}
		return m, nil
	}
	m.ObjectBytes = f.objectBytes
	if m.ObjectBytes == 0 {
		objects, total := sim.Footprint(t)
		if t.Sizes == nil || objects == 0 {
			return nil, fmt.Errorf("the cost-optimal size in objects needs the memory of an object: %s has no sizes, so give --object-bytes", t.Name)
		}
		m.ObjectBytes = float64(total) / float64(objects)
	}
	return m, nil
}

// requestRate is the flag's rate, else the trace's, else 0.
func requestRate(flag float64, t *trace.Trace) float64 {
	if flag > 0 {
		return flag
	}
	r, _ := sim.RequestRate(t)
	return r
}

// finish adds the recommendations, the plans and the latency report to rep
// (whose Ceiling, Footprint and Bounds the caller has set) and stages the
// charts with the outputs.
func (f *sizingFlags) finish(s sizing, t *trace.Trace, rep *report.Sweep, model *sim.LatencyModel, lat *sim.Latencies,
	rate float64, bytes bool, out *outputFlags) error {
	rep.XScale = s.xScale
	step, err := s.roundStep(bytes)
	if err != nil {
		return err
	}
	cfg := report.RecommendConfig{Metric: s.metric, Bytes: bytes, MinGain: f.minGain, Sensitivity: f.sensitivity,
		LogX: rep.LogX(), Target: f.target, Interpolate: f.interpolate, RoundTo: step}
	if s.useCost {
		m, err := f.costModel(t, rate, bytes)
		if err != nil {
			return err
		}
		cfg.Cost, rep.Cost = m, m
	}
	rep.RequestRate = rate
	if lat != nil {
		lr := report.NewLatencyReport(rep.Points, lat.Uncached, report.Load{Rate: rate, Rows: int64(rep.Requests), Backend: model.Batch})
		lr.SetModel(model)
		rep.Latency = lr
	}
	rep.Recommend(cfg) // after the latency report: the plans read it
	if err := out.chart(f.plot, rep.MRCChart(s.metric)); err != nil {
		return err
	}
	if s.latencyPlot != "" {
		return out.chart(s.latencyPlot, rep.LatencyChartOf(s.metric))
	}
	return nil
}
