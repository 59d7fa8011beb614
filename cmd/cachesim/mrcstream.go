package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/cobra"
)

// errLoad says that the input needs the loaded path after all.
var errLoad = errors.New("load the trace")

// mrcStream computes the curve from the input as a stream, in memory
// bounded by the distinct keys (or the sample): the exact curve in one
// pass for object sizes; for byte sizes a first pass for the footprint
// (unless --sizes), then the curve, then one pass replaying together the
// sizes the curve cannot give exactly. ok is false when something needs
// the loaded trace instead: a latency report or the cost rule, operations
// without --count-writes, sampled byte sizes, or byte sizes on an input
// that cannot be read twice.
func (o *sweepOptions) mrcStream(cmd *cobra.Command, args []string, p sweepPlan) (ok bool, err error) {
	if p.model != nil || p.sizing.useCost || o.batch.given() || p.sizing.metric == report.BatchHitRatio {
		return false, nil
	}
	sizes := p.sizes
	if len(sizes.Values) == 0 {
		sizes.Bytes = o.bytes
	}
	switch {
	case o.sample.on() && !sizes.Bytes:
		return o.mrcSampled(cmd, args, p, sizes)
	case o.sample.on() || (sizes.Bytes && !rereadable(args)):
		return false, nil
	case sizes.Bytes && len(sizes.Values) == 0:
		if sizes.Values, err = o.byteSizes(args, p.span); err != nil {
			return true, err
		}
	}
	return o.mrcExact(cmd, args, p, sizes)
}

// mrcExact streams the input through the stack distances and reports the
// curve (ok is false for a trace with operations, which needs replays).
func (o *sweepOptions) mrcExact(cmd *cobra.Command, args []string, p sweepPlan, sizes sim.Sizes) (ok bool, err error) {
	var (
		d    sim.StackDistances
		info sim.StreamInfo
		name string
	)
	_, err = o.in.stream(args, cmd.ErrOrStderr(), func(n string, r trace.Reader) (err error) {
		if (sim.DeclaresOps(r) && !o.cache.writes) || declaresPrompts(r) {
			return errLoad // prompts: the prefix rule's curve, loaded
		}
		name = n
		if o.cache.writes {
			r = noChanges{r, n}
		}
		d, info, err = sim.StreamDistances(r, sizes, p.span)
		return err
	})
	if err == errLoad || (err == nil && (info.Unsized > 0 || info.Fields.Tokens)) {
		return false, nil // operations, or unsized requests: LRU's curve is not exact, replay instead
	} else if err != nil {
		return true, spanError(err)
	}
	noteSpan(cmd.ErrOrStderr(), info.Extent)
	if info.Requests == 0 {
		return true, fmt.Errorf("%s: no requests (see --trace-format)", name)
	}
	if len(sizes.Values) == 0 {
		sizes.Values = sim.LogSizes(1, int64(info.Distinct), o.points)
	}
	stats, exact := d.Curve(sizes)
	if err := o.replayInexact(args, sizes, stats, exact, p.span); err != nil {
		return true, err
	}
	points := make([]sim.Point, len(stats))
	for i, st := range stats {
		points[i] = sim.Point{Policy: "lru", Size: sizes.Values[i], Stats: st}
	}
	t := trace.NewTrace(name, info.Fields) // for the notes, which look at the columns
	warnInputs(cmd.ErrOrStderr(), t, p.specs, sizes.Bytes)
	ceiling := d.Ceiling()
	return true, o.publish(cmd, p, sim.Result{Trace: t, Total: int64(ceiling.Requests), Rate: 1, Extent: info.Extent, Policies: p.specs,
		Sizes: sizes, Points: points, Ceiling: ceiling})
}

// byteSizes counts the input's footprint in a first pass and returns the
// --points log-spaced byte sizes from the mean object size to it.
func (o *sweepOptions) byteSizes(args []string, span sim.Span) ([]int64, error) {
	var count trace.Counter
	if _, err := o.in.stream(args, io.Discard, func(n string, r trace.Reader) error { return countAll(windowOf(r, span, n), &count) }); err != nil {
		return nil, spanError(err)
	}
	lo := max(count.Bytes/int64(max(count.Distinct, 1)), 1)
	return sim.LogSizes(lo, count.Bytes, o.points), nil
}

// replayInexact replays LRU at the sizes the stack distances cannot give
// exactly (byte sizes below the largest object, or objects whose size
// changes), all in one more pass over the input, and puts their statistics
// in stats.
func (o *sweepOptions) replayInexact(args []string, sizes sim.Sizes, stats []sim.Stats, exact []bool, span sim.Span) error {
	var at []int
	var caches []policy.Cache
	for i, ok := range exact {
		if !ok {
			at = append(at, i)
			caches = append(caches, policy.NewLRU(sizes.Values[i]))
		}
	}
	if len(at) == 0 {
		return nil
	}
	if !rereadable(args) {
		return fmt.Errorf("the LRU curve at sizes below the largest object needs a second pass, and %s cannot be read twice", args[0])
	}
	_, err := o.in.stream(args, io.Discard, func(_ string, r trace.Reader) error {
		st, _, err := sim.ReplayStream(r, caches, sim.Options{Objects: !sizes.Bytes, CountWrites: o.cache.writes, Span: span})
		for k, i := range at {
			stats[i] = st[k]
		}
		return err
	})
	return err
}

// mrcSampled estimates the curve (object sizes) from spatial samples of the
// input read as a stream (sim.ShardsEstimator), in memory bounded by the
// sampled keys, or by --sample-size whatever the length of the input; with
// --bands, several samples with different hash seeds in the same pass.
// ok is false, after that pass, when the input has unsized requests, for
// which SHARDS's stack distances do not hold: the loaded sweep replays
// the sample instead.
func (o *sweepOptions) mrcSampled(cmd *cobra.Command, args []string, p sweepPlan, sizes sim.Sizes) (ok bool, err error) {
	es := make([]*sim.ShardsEstimator, o.sample.count())
	for seed := range es {
		if o.sample.keys > 0 {
			es[seed] = sim.NewShardsSize(o.sample.keys, uint64(seed))
		} else {
			es[seed] = sim.NewShardsRate(o.sample.rate, uint64(seed))
		}
	}
	var (
		info sim.StreamInfo
		name string
	)
	stderr := cmd.ErrOrStderr()
	if _, err := o.in.stream(args, stderr, func(n string, r trace.Reader) (err error) {
		name = n
		info, err = sim.SHARDSStream(r, es, p.span)
		return err
	}); err != nil {
		return true, spanError(err)
	}
	noteSpan(stderr, info.Extent)
	if info.Unsized > 0 && rereadable(args) {
		return false, nil
	}
	if info.Requests == 0 {
		return true, fmt.Errorf("%s: no requests (see --trace-format)", name)
	}
	for _, e := range es {
		if err := o.sample.checkSampled(e.Sampled()); err != nil {
			return true, err
		}
	}
	rate := es[0].Rate()
	fmt.Fprintf(stderr, "approximate: SHARDS spatial sampling at rate %s (%s requests)%s\n", report.Sig(rate, 4), report.Count(info.Requests), bandsNote(len(es)))
	if len(sizes.Values) == 0 {
		sizes.Values = sim.LogSizes(1, es[0].Distinct(), o.points)
	}
	curves := make([][]sim.Stats, len(es))
	for k, e := range es {
		curves[k] = e.Curve(sizes.Values)
	}
	points := make([]sim.Point, len(sizes.Values))
	for i, c := range sizes.Values {
		points[i] = sim.Point{Policy: "lru", Size: c, Stats: curves[0][i]}
	}
	if len(es) > 1 {
		mean, bands := sim.MergeBands(curves)
		for i := range points {
			points[i].Stats, points[i].Band = mean[i], &bands[i]
		}
	}
	return true, o.publish(cmd, p, sim.Result{Trace: trace.NewTrace(name, info.Fields), Total: es[0].Requests(), Rate: rate, Extent: info.Extent,
		Policies: p.specs, Sizes: sizes, Points: points, Ceiling: sim.EstimatedCeiling(points[0].Stats, es[0].Distinct(), es[0].Unavoidable())})
}

// noChanges reads a stream that --count-writes counts whole, refusing its
// change rows, which are no requests (see cacheFlags.checkTrace).
type noChanges struct {
	r    trace.Reader
	name string
}

// Read reads the next request, or refuses a change row.
func (n noChanges) Read(r *trace.Request) error {
	if err := n.r.Read(r); err != nil {
		return err
	}
	if r.Op == trace.OpChange {
		return errCountChanges(n.name)
	}
	return nil
}

// Origin passes on the clock time of the stream's first request (see
// traces.Originer), for a --window of clock times.
func (n noChanges) Origin() (time.Time, bool) {
	if o, ok := n.r.(traces.Originer); ok {
		return o.Origin()
	}
	return time.Time{}, false
}

// Fields says which fields the stream carries.
func (n noChanges) Fields() trace.Fields {
	if d, ok := n.r.(trace.Describer); ok {
		return d.Fields()
	}
	return trace.Fields{}
}
