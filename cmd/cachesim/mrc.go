package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/spf13/cobra"
)

func newMRCCmd() *cobra.Command {
	f := sweepFlags{policies: "lru"}
	cmd := &cobra.Command{
		Use:   "mrc [TRACE]",
		Short: "The whole exact LRU hit-ratio curve in one pass (or a SHARDS estimate of it)",
		Long: `mrc prints LRU's hit ratio at --points log-spaced sizes from 1 to the
trace's footprint (objects, or bytes with --bytes), computed exactly from
Mattson's stack distances in a single pass over the trace, whatever the
number of sizes: identical to replaying every size, at the cost of about
one replay.

For traces too large for that, --sample-rate 0.01 (or --sample-size 32768)
estimates the curve from the requests of a sample of the keys (SHARDS,
Waldspurger et al., FAST'15, with the SHARDS-adj correction), reading the
trace as a stream, in memory bounded by the sample.

The recommendation, chart and cost options are those of sweep.`,
		Example: `  cachesim mrc trace.txt
  cachesim mrc trace.oracleGeneral.zst --bytes --points 50 --plot mrc.png
  cachesim mrc big.trace.gz --sample-rate 0.01 --format csv --out mrc.csv
  cachesim mrc 'zipf:keys=1e6,requests=1e8,alpha=0.9' --sample-size 65536`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.points < 2 {
				return fmt.Errorf("--points %d: need at least 2", f.points)
			}
			if ok, err := mrcStream(cmd, args, &f); ok || err != nil {
				return err
			}
			return runSweep(cmd, args, &f)
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&f.points, "points", 100, "number of log-spaced sizes from 1 to the footprint")
	fs.StringVarP(&f.sizes, "sizes", "s", "", "explicit sizes instead of --points (same forms as sweep)")
	fs.BoolVar(&f.bytes, "bytes", false, "byte capacities (the footprint in bytes; sizes without a unit are bytes)")
	fs.BoolVar(&f.writes, "count-writes", false, countWritesHelp)
	f.sizing.register(fs)
	f.sample.register(fs)
	f.in.register(fs)
	f.out.register(fs, true)
	return cmd
}

// errLoad says that the input needs the loaded path after all.
var errLoad = errors.New("load the trace")

// mrcStream computes the exact curve from the input as a stream, in memory
// bounded by the distinct keys: one pass for object sizes; for byte sizes a
// first pass for the footprint (unless --sizes), then the curve, then one
// pass replaying together the sizes the curve cannot give exactly. ok is
// false when something needs the loaded trace instead: sampling, a latency
// report or the cost rule, operations without --count-writes, or byte sizes
// on an input that cannot be read twice.
func mrcStream(cmd *cobra.Command, args []string, f *sweepFlags) (ok bool, err error) {
	sz, err := f.sizing.check(cmd.Flags(), f.seed)
	if err != nil || sz.model != nil || sz.useCost {
		return false, err
	}
	if err := f.sample.check(); err != nil {
		return false, err
	}
	sizes := sim.Sizes{Bytes: f.bytes}
	if f.sizes != "" {
		if sizes, err = sim.ParseSizes(f.sizes); err != nil {
			return false, err
		}
		sizes.Bytes = sizes.Bytes || f.bytes
	}
	switch {
	case f.sample.on() && !sizes.Bytes:
		return true, mrcSampled(cmd, args, f, sz, sizes)
	case f.sample.on() || (sizes.Bytes && !rereadable(args)):
		return false, nil
	case sizes.Bytes && f.sizes == "":
		if sizes.Values, err = f.byteSizes(args); err != nil {
			return true, err
		}
	}
	return mrcExact(cmd, args, f, sz, sizes)
}

// mrcExact streams the input through the stack distances and reports the
// curve (ok is false for a trace with operations, which needs replays).
func mrcExact(cmd *cobra.Command, args []string, f *sweepFlags, sz sizing, sizes sim.Sizes) (ok bool, err error) {
	var (
		d    sim.StackDistances
		info sim.StreamInfo
		name string
	)
	_, err = f.in.stream(args, cmd.ErrOrStderr(), func(n string, r traces.Reader) (err error) {
		if sim.DeclaresOps(r) && !f.writes {
			return errLoad
		}
		name = n
		d, info, err = sim.StreamDistances(r, sizes)
		return err
	})
	if err == errLoad {
		return false, nil
	} else if err != nil {
		return true, err
	}
	if info.Requests == 0 {
		return true, fmt.Errorf("%s: no requests (see --trace-format)", name)
	}
	if len(sizes.Values) == 0 {
		sizes.Values = sim.LogSizes(1, int64(info.Distinct), f.points)
	}
	stats, exact := d.Curve(sizes)
	if err := replayInexact(args, f, sizes, stats, exact); err != nil {
		return true, err
	}
	points := make([]sim.Point, len(stats))
	for i, st := range stats {
		points[i] = sim.Point{Policy: "lru", Size: sizes.Values[i], Stats: st}
	}
	fields := traces.NewTrace(name, info.Fields) // for the notes, which look at the columns
	warnNoSizes(cmd.ErrOrStderr(), fields, sizes.Bytes)
	rep := &report.Sweep{Workload: name, Requests: int(info.Requests), Unit: report.Unit(sizes.Bytes), Points: points}
	return true, f.finish(cmd, sz, fields, rep, nil, sizes.Bytes)
}

// byteSizes counts the input's footprint in a first pass and returns the
// --points log-spaced byte sizes from the mean object size to it.
func (f *sweepFlags) byteSizes(args []string) ([]int64, error) {
	var count traces.Counter
	if _, err := f.in.stream(args, io.Discard, func(_ string, r traces.Reader) error { return countAll(r, &count) }); err != nil {
		return nil, err
	}
	lo := max(count.Bytes/int64(max(count.Distinct, 1)), 1)
	return sim.LogSizes(lo, count.Bytes, f.points), nil
}

// replayInexact replays LRU at the sizes the stack distances cannot give
// exactly (byte sizes below the largest object, or objects whose size
// changes), all in one more pass over the input, and puts their statistics
// in stats.
func replayInexact(args []string, f *sweepFlags, sizes sim.Sizes, stats []sim.Stats, exact []bool) error {
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
		return fmt.Errorf("the LRU curve at sizes below 1 object needs a second pass, and %s cannot be read twice", args[0])
	}
	_, err := f.in.stream(args, io.Discard, func(_ string, r traces.Reader) error {
		st, _, err := sim.ReplayStreams(r, caches, sim.Options{Objects: !sizes.Bytes, CountWrites: f.writes})
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
func mrcSampled(cmd *cobra.Command, args []string, f *sweepFlags, sz sizing, sizes sim.Sizes) error {
	es := make([]*sim.ShardsEstimator, f.sample.count())
	for seed := range es {
		if f.sample.keys > 0 {
			es[seed] = sim.NewShardsSize(f.sample.keys, uint64(seed))
		} else {
			es[seed] = sim.NewShardsRate(f.sample.rate, uint64(seed))
		}
	}
	var (
		info sim.StreamInfo
		name string
	)
	stderr := cmd.ErrOrStderr()
	if _, err := f.in.stream(args, stderr, func(n string, r traces.Reader) (err error) {
		name = n
		info, err = sim.SHARDSStream(r, es)
		return err
	}); err != nil {
		return err
	}
	if info.Requests == 0 {
		return fmt.Errorf("%s: no requests (see --trace-format)", name)
	}
	rate := es[0].Rate()
	fmt.Fprintf(stderr, "approximate: SHARDS spatial sampling at rate %.4g (%d requests)%s\n", rate, info.Requests, bandsNote(len(es)))
	if len(sizes.Values) == 0 {
		sizes.Values = sim.LogSizes(1, es[0].Distinct(), f.points)
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
	fields := traces.NewTrace(name, info.Fields)
	rep := &report.Sweep{Workload: fmt.Sprintf("%s (approximate: SHARDS sample at rate %.4g)", name, rate),
		Requests: int(info.Requests), Unit: report.Unit(false), Points: points}
	return f.finish(cmd, sz, fields, rep, nil, false)
}
