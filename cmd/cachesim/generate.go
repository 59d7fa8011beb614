package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// generateOptions are the flags and argument of cachesim generate: --out,
// --format and a flag per workload parameter.
type generateOptions struct {
	workload string // the KIND|SPEC argument
	out      string
	format   string
	params   map[string]*string // a flag per workload parameter
	set      []string           // the parameters given as flags, as name=value
}

// newGenerateCmd is cachesim generate. runF, when not nil, runs instead of
// the generation with the options parsed and checked (for tests).
func newGenerateCmd(runF func(*generateOptions) error) *cobra.Command {
	o := generateOptions{params: map[string]*string{}}
	var help bytes.Buffer
	workload.Help(&help)
	cmd := &cobra.Command{
		Use:   "generate KIND|SPEC [flags] -o FILE",
		Short: "Write a synthetic workload (Zipf, uniform, bursty, drifting, scan, loop, mix, batch) as a trace file",
		Long: `generate writes the requests of a synthetic workload to a trace file, the
same stream that giving the workload spec in place of a trace path replays
(e.g. cachesim sweep 'zipf:keys=1e6,alpha=0.9'). The same seed gives a
byte-identical file.

The workload is a kind and parameters, given as flags (--keys 1e6) or as a
spec "KIND:key=value,…" (flags override the spec). Numbers accept exponents
(1e6). The file is written atomically; its format comes from --format or
the name (.csv is CSV with a header, anything else whitespace-separated
text; a .gz suffix compresses it). Columns: key, then time (seconds, with
nanosecond decimals), size, ttl, op, request_id (the batch kind: rows of one
request share it) and tenant (a mix with tenants=true), only those the
workload has; the command prints the flags that read the file back. The
prefix workload's LLM prompts are written as prompt JSON lines (format
prompts, one request a line: its block hashes and tokens), which every
command reads back.

` + help.String(),
		Example: `  cachesim generate zipf --keys 1e4 --alpha 0.9 --requests 1e5 -o zipf.txt
  cachesim generate 'zipf:keys=1e4,alpha=0.7,requests=1e5' --rate 5000 --size lognormal:8:1.5 --write 0.1 -o zipf.csv
  cachesim generate bursty --hot 50 --burst-every 30 --requests 1e5 -o bursty.csv.gz
  cachesim generate 'mix:0.8*zipf(alpha=0.9)+0.2*scan(length=10000)' --requests 1e5 -o mix.txt
  cachesim sweep 'drifting:keys=1e4,drift=0.05,requests=1e5' --policy lru,lfu`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.workload = args[0]
			cmd.Flags().Visit(func(fl *pflag.Flag) {
				if _, ok := o.params[fl.Name]; ok {
					o.set = append(o.set, fl.Name+"="+fl.Value.String())
				}
			})
			w, format, err := o.plan()
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return runGenerate(cmd, &o, w, format)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.out, "out", "o", "", "file to write (required; - for standard output)")
	markPaths(fs, "output", "out")
	fs.StringVarP(&o.format, "format", "f", "", "trace format: "+strings.Join(traces.WriteFormats, ", ")+" (default: csv for a .csv name, else text; prompts, JSON lines, for the prefix workload)")
	cmd.MarkFlagRequired("out")
	_ = cmd.RegisterFlagCompletionFunc("format", completeOne(traces.WriteFormats...))
	done := inSection(fs, sectionWorkload)
	registerParamFlags(fs, o.params)
	done()
	startHere(cmd, []helpArg{{"KIND|SPEC", "the workload: a kind (" + strings.Join(workload.KindNames(), ", ") + ") with its parameters as flags, or a spec KIND:key=value,…"}},
		"out", "format", "requests", "keys")
	return cmd
}

// registerParamFlags adds a flag per workload parameter; its help gives the
// default per kind.
func registerParamFlags(fs *pflag.FlagSet, params map[string]*string) {
	for _, name := range workload.ParamNames() {
		help, defs := "", map[string][]string{}
		var order []string
		add := func(kind string, p workload.Param) {
			if help == "" {
				help = p.Help
			}
			d := p.Default
			if d == "" {
				d = "required"
			}
			if _, seen := defs[d]; !seen {
				order = append(order, d)
			}
			defs[d] = append(defs[d], kind)
		}
		for _, p := range workload.Common {
			if p.Name == name {
				add("", p)
			}
		}
		for _, k := range workload.Kinds() {
			for _, p := range k.Params {
				if p.Name == name {
					add(k.Name, p)
				}
			}
		}
		var parts []string
		for _, d := range order {
			kinds := strings.TrimSpace(strings.Join(defs[d], " "))
			switch {
			case d == "required":
				parts = append(parts, "required by "+kinds)
			case kinds == "" || len(order) == 1:
				parts = append(parts, "default "+d)
			default:
				parts = append(parts, kinds+": default "+d)
			}
		}
		params[name] = fs.String(name, "", fmt.Sprintf("%s (%s)", help, strings.Join(parts, "; ")))
	}
}

// plan parses the workload, its parameters given as flags overriding the
// spec's, and chooses the format.
func (o *generateOptions) plan() (w *workload.Workload, format string, err error) {
	spec := o.workload
	if len(o.set) > 0 {
		spec = workload.Override(o.workload, o.set)
	}
	if w, err = workload.Parse(spec); err != nil {
		return nil, "", err
	}
	format = o.format
	if format == "" {
		format = "text"
		switch {
		case w.Fields().Tokens:
			format = "prompts"
		case strings.EqualFold(filepath.Ext(strings.TrimSuffix(o.out, ".gz")), ".csv"):
			format = "csv"
		}
	}
	if _, err := traces.NewWriter(format, io.Discard, w.Fields()); err != nil {
		return nil, "", err
	}
	return w, format, nil
}

// runGenerate is cachesim generate: writes w's requests in format.
func runGenerate(cmd *cobra.Command, o *generateOptions, w *workload.Workload, format string) error {
	name := strings.TrimSuffix(o.out, ".gz")
	var n int64
	err := writeOutput(cmd.OutOrStdout(), o.out, func(out io.Writer) error {
		var gz *gzip.Writer
		if name != o.out {
			gz = gzip.NewWriter(out)
			out = gz
		}
		tw, _ := traces.NewWriter(format, out, w.Fields())
		r, err := w.Reader()
		if err != nil {
			return err
		}
		if n, err = traces.Copy(tw, r); err != nil {
			return err
		}
		if gz != nil {
			return gz.Close()
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d requests of %s to %s\n", n, w, outputName(o.out))
	if hint := readBackFlags(format, w.Fields()); hint != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "read it back with: %s\n", hint)
	}
	return nil
}

// readBackFlags returns the input flags that read a generated file back.
func readBackFlags(format string, f trace.Fields) string {
	if format == "prompts" {
		return "" // detected from a .jsonl name or the contents
	}
	c := traces.WriteColumns(f)
	var flags []string
	if format == "csv" {
		flags = append(flags, "--header")
	}
	for _, col := range []struct {
		n    int
		flag string
	}{{c.Time, "--csv-time"}, {c.Size, "--csv-size"}, {c.TTL, "--csv-ttl"}, {c.Op, "--csv-op"}, {c.Request, "--csv-request"}, {c.Tenant, "--csv-tenant"}} {
		if col.n > 0 {
			flags = append(flags, fmt.Sprintf("%s %d", col.flag, col.n))
		}
	}
	return strings.Join(flags, " ")
}
