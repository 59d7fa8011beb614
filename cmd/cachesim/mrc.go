package main

import (
	"fmt"

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
