package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/cachesim/cachesim/traces"
	"github.com/spf13/cobra"
)

// convertOptions are the flags and arguments of cachesim convert: the input
// flags (with multi-key requests) and --to.
type convertOptions struct {
	inPath, outPath string // the IN and OUT arguments
	in              inputFlags
	to              string
}

// newConvertCmd is cachesim convert. runF, when not nil, runs instead of
// the conversion with the options parsed (for tests).
func newConvertCmd(runF func(*convertOptions) error) *cobra.Command {
	var o convertOptions
	cmd := &cobra.Command{
		Use:         "convert IN OUT",
		Annotations: pathArgs("input", "output"),
		Short:       "Convert a trace to text, CSV or libCacheSim's oracleGeneral",
		Long: `convert reads a trace in any format cachesim understands and writes it as
  text           one decimal key per line
  csv            a header, then key and whichever of size, time (seconds
                 since the start), ttl and op the trace has (cachesim reads
                 the columns back from the header)
  oracleGeneral  libCacheSim's binary, with next_access_vtime computed (so
                 libCacheSim's Belady and other oracle policies can use it)

OUT is written atomically (- writes to standard output); an OUT ending in .zst is zstd-compressed (.gz:
gzip). String keys (logs, JSON) become their 64-bit hashes.`,
		Example: `  cachesim generate zipf --keys 1e4 --requests 1e5 --size lognormal:8:1 -o trace.csv
  cachesim convert trace.csv trace.txt --to text
  cachesim convert trace.csv trace.oracleGeneral.zst --to oracleGeneral
  cachesim convert trace.oracleGeneral.zst back.csv --to csv`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.inPath, o.outPath, o.in.stdin = args[0], args[1], cmd.InOrStdin()
			if runF != nil {
				return runF(&o)
			}
			return runConvert(cmd, &o)
		},
	}
	o.in.register(cmd.Flags())
	o.in.registerRequests(cmd.Flags())
	cmd.Flags().StringVar(&o.to, "to", "text", "output format: "+strings.Join(traces.OutputFormats, ", "))
	completeFlags(cmd)
	startHere(cmd, []helpArg{
		{"IN", "the trace to read: a file (format detected: see --trace-format), - for standard input, or a synthetic workload"},
		{"OUT", "the file to write, compressed if it ends in .zst or .gz (- for standard output)"},
	}, "to")
	return cmd
}

// runConvert is cachesim convert.
func runConvert(cmd *cobra.Command, o *convertOptions) error {
	t, _, err := o.in.loadFile(o.inPath, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	err = writeOutput(cmd.OutOrStdout(), o.outPath, func(w io.Writer) error {
		cw, err := traces.NewCompressor(w, o.outPath)
		if err != nil {
			return err
		}
		if err := traces.Write(cw, o.to, t); err != nil {
			return err
		}
		return cw.Close()
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d requests to %s as %s\n", t.Len(), outputName(o.outPath), o.to)
	return nil
}
