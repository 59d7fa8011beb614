package main

import (
	"fmt"
	"io"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/cobra"
)

// inspectOptions are the flags and argument of cachesim inspect: the input
// and output flags.
type inspectOptions struct {
	trace string
	in    inputFlags
	out   outputFlags
}

// newInspectCmd is cachesim inspect. runF, when not nil, runs instead of
// the inspection with the options parsed and checked (for tests).
func newInspectCmd(runF func(*inspectOptions) error) *cobra.Command {
	var o inspectOptions
	cmd := &cobra.Command{
		Use:         "inspect TRACE",
		Annotations: pathArgs("input"),
		Short:       "Describe a trace: size, footprint, operation mix, skew, reuse",
		Long: `inspect reads a trace and reports what kind of workload it is: requests,
distinct keys, footprint in objects and bytes, time span and request rate,
operation mix, object-size percentiles, the share of one-hit wonders, the
share of requests taken by the top 1% and 10% of keys, a fitted Zipf exponent
(least squares on the log-log rank/frequency curve, with its R²), and a
summary of reuse (stack) distances: how many distinct keys come between two
requests for the same key, which is the LRU cache size that would hit them.
A prompt trace (LLM prefix caching) is described in its own terms: prompts,
blocks and tokens, the KV footprint in blocks and tokens, and the share of
tokens and blocks an unlimited prefix cache serves.

Compression (gzip, zstd, xz, bzip2) is recognised by the first bytes. The
format is detected from the file name and contents, or given with
--trace-format:
` + traces.FormatHelp(),
		Example: `  cachesim generate zipf --keys 1e4 --requests 1e5 -o trace.txt
  cachesim inspect trace.txt
  cachesim inspect trace.txt --format json
  cachesim inspect trace.txt --key-filter '1*' --key-exclude '10*'
  cachesim inspect - < trace.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.trace, o.in.stdin = args[0], cmd.InOrStdin()
			if err := o.out.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return runInspect(cmd, &o)
		},
	}
	o.in.register(cmd.Flags())
	o.out.register(cmd.Flags(), "table", "json")
	completeFlags(cmd, o.out.formats...)
	startHere(cmd, []helpArg{{"TRACE", "the trace: a file (format detected: see --trace-format), - for standard input, or a workload spec (zipf:keys=10000,…)"}}, "format", "out")
	return cmd
}

// runInspect is cachesim inspect.
func runInspect(cmd *cobra.Command, o *inspectOptions) error {
	sum, file, err := o.in.summarize(o.trace, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	in := &report.Inspection{Format: "workload", Summary: sum}
	if file != nil { // nil: a workload spec, generated rather than read
		in.Format, in.Skipped, in.Filtered = file.Format, file.Skipped(), file.Filtered()
	}
	return o.out.emit(cmd.OutOrStdout(), cmd.ErrOrStderr(), writers{"table": in.WriteTable, "json": in.WriteJSON})
}

// summarize reads the trace at path as a stream and summarizes it, in
// memory bounded by its distinct keys. The footprint is the simulator's
// ceiling (sim.Ceiling): what a cache of unlimited size would store.
func (f *inputFlags) summarize(path string, stderr io.Writer) (*traces.Summary, *traces.File, error) {
	var z *traces.Summarizer
	cc := sim.NewCeilingCounter(sim.Semantics{})
	file, err := f.stream([]string{path}, stderr, func(name string, r trace.Reader) error {
		z = traces.NewSummarizer(name)
		return trace.Each(r, func(r *trace.Request) {
			cc.AddObject(r, z.Add(r))
		})
	})
	if err != nil {
		return nil, nil, err
	}
	sum := z.Summary()
	ceiling := cc.Ceiling()
	sum.FootprintObjects, sum.FootprintBytes = int64(ceiling.Objects), int64(ceiling.ObjectBytes)
	if sum.Requests == 0 {
		if file == nil {
			return nil, nil, fmt.Errorf("%s: the workload generates no requests", path)
		}
		return nil, nil, fmt.Errorf("%s: no requests in the trace (read as %s; see --trace-format)", path, file.Format)
	}
	return sum, file, nil
}
