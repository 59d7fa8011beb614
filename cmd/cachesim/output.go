package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cachesim/cachesim/report"
	"github.com/spf13/pflag"
)

// outputFlags choose the output format and destination.
type outputFlags struct {
	format  string
	out     string
	csvFile string // also write the CSV here (sweeps)
	jsonOut string // also write the JSON here
	quiet   bool
	csv     bool // whether csv is offered
}

func (o *outputFlags) register(fs *pflag.FlagSet, csv bool) {
	o.csv = csv
	forms := "table or json"
	if csv {
		forms = "table, csv or json"
	}
	fs.StringVarP(&o.format, "format", "f", "table", "output format: "+forms)
	fs.StringVarP(&o.out, "out", "o", "", "write the output to this file (atomically) instead of stdout")
	if csv {
		fs.StringVar(&o.csvFile, "csv", "", "also write the CSV to this file (atomically), whatever --format says")
	}
	fs.StringVar(&o.jsonOut, "json", "", "also write the JSON to this file (atomically), whatever --format says")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress bar")
}

func (o *outputFlags) check() error {
	switch o.format {
	case "table", "json":
		return nil
	case "csv":
		if o.csv {
			return nil
		}
	}
	return fmt.Errorf("--format %q: expected %s", o.format, map[bool]string{true: "table, csv or json", false: "table or json"}[o.csv])
}

// write renders the chosen format to stdout or, atomically, to --out.
func (o *outputFlags) write(stdout io.Writer, writers map[string]func(io.Writer) error) error {
	w, ok := writers[o.format]
	if !ok {
		names := make([]string, 0, len(writers))
		for k := range writers {
			names = append(names, k)
		}
		sort.Strings(names)
		return fmt.Errorf("--format %q: expected one of %s", o.format, strings.Join(names, ", "))
	}
	for _, extra := range []struct{ path, format string }{{o.csvFile, "csv"}, {o.jsonOut, "json"}} {
		if extra.path == "" {
			continue
		}
		ew, ok := writers[extra.format]
		if !ok {
			return fmt.Errorf("--%s: this command has no %s output", extra.format, extra.format)
		}
		if err := report.WriteFile(extra.path, ew); err != nil {
			return err
		}
	}
	if o.out == "" {
		return w(stdout)
	}
	return report.WriteFile(o.out, w)
}
