package main

import (
	"github.com/spf13/cobra"
)

// newMRCCmd is cachesim mrc. runF, when not nil, runs instead of the curve
// with the options parsed and checked (for tests).
func newMRCCmd(runF func(*sweepOptions) error) *cobra.Command {
	var o sweepOptions
	cmd := &cobra.Command{
		Use:         "mrc [TRACE]",
		Annotations: pathArgs("input"),
		Short:       "The whole exact LRU hit-ratio curve in one pass (or a SHARDS estimate of it)",
		Long: `mrc prints LRU's hit ratio at --points log-spaced sizes from 1 to the
trace's footprint (objects, or bytes with --bytes), computed exactly from
Mattson's stack distances in a single pass over the trace, whatever the
number of sizes: identical to replaying every size, at the cost of about
one replay.

For traces too large for that, --sample-rate 0.01 (or --sample-size 32768)
estimates the curve from the requests of a sample of the keys (SHARDS,
Waldspurger et al., FAST'15, with the SHARDS-adj correction), reading the
trace as a stream, in memory bounded by the sample.

The recommendation, chart, latency and cost options are those of sweep.

On a prompt trace (see cachesim sweep --help) the curve is LRU's with the
prefix rule, exact in one pass too (the token hit ratio at every size).`,
		Example: `  cachesim generate zipf --keys 1e4 --requests 1e5 --size lognormal:8:1 -o trace.csv
  cachesim mrc trace.csv
  cachesim mrc trace.csv --bytes --points 50 --plot mrc.png
  cachesim mrc trace.csv --sample-rate 0.1 --format csv --out mrc.csv
  cachesim mrc 'zipf:keys=1e5,requests=1e6,alpha=0.9' --sample-rate 0.01
  cachesim mrc 'prefix:requests=2000' --points 20`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args, o.in.stdin = args, cmd.InOrStdin()
			p, err := o.plan()
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return runMRC(cmd, &o, p)
		},
	}
	fs := cmd.Flags()
	done := inSection(fs, sectionPolicies)
	o.withPoints = true
	fs.IntVar(&o.points, "points", 100, "number of log-spaced sizes from 1 to the footprint")
	fs.StringVarP(&o.sizes, "sizes", "s", "", "explicit sizes instead of --points (same forms as sweep)")
	fs.BoolVar(&o.bytes, "bytes", false, "byte capacities (the footprint in bytes; sizes without a unit are bytes)")
	done()
	o.cache.registerWrites(fs)
	o.registerCommon(fs)
	completeFlags(cmd, o.out.formats...)
	startHere(cmd, []helpArg{traceArg}, "points", "sizes", "bytes", "sample-rate", "plot", "format", "out")
	return cmd
}

// runMRC is cachesim mrc: streamed, unless something needs the loaded
// trace (see mrcStream); then as a sweep of LRU.
func runMRC(cmd *cobra.Command, o *sweepOptions, p sweepPlan) error {
	if ok, err := o.mrcStream(cmd, o.args, p); ok || err != nil {
		return err
	}
	return runSweep(cmd, o, p)
}
