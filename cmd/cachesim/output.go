package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/cachesim/cachesim/report"
	"github.com/spf13/pflag"
)

// outputFlags choose the output format and destinations. Every file a run
// writes (--out, --csv, --json, charts) is staged and committed together at
// the end, so a failed or interrupted run changes none of them.
type outputFlags struct {
	format   string
	out      string
	csvFile  string
	jsonFile string
	quiet    bool
	formats  []string // the formats this command offers
	files    report.Files
	written  []string // the files committed, for the message on stderr
}

// writers render a result in each format the command offers.
type writers map[string]func(io.Writer) error

func (o *outputFlags) register(fs *pflag.FlagSet, formats ...string) {
	defer inSection(fs, sectionOutput)()
	o.formats = formats
	fs.StringVarP(&o.format, "format", "f", "table", "output format: "+joinOr(formats))
	fs.StringVarP(&o.out, "out", "o", "", "write the output to this file instead of stdout")
	if slices.Contains(formats, "csv") {
		fs.StringVar(&o.csvFile, "csv", "", "also write the CSV to this file, whatever --format says")
	}
	if slices.Contains(formats, "json") {
		fs.StringVar(&o.jsonFile, "json", "", "also write the JSON to this file, whatever --format says")
	}
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress bar")
	markPaths(fs, "output", "out", "csv", "json")
}

// check validates the format and every destination before any work, and
// arranges for staged files to be removed if the run is interrupted.
func (o *outputFlags) check() error {
	onInterrupt(o.files.Abort)
	if !slices.Contains(o.formats, o.format) {
		return fmt.Errorf("--format %q: expected %s", o.format, joinOr(o.formats))
	}
	for _, path := range []string{o.out, o.csvFile, o.jsonFile} {
		if path != "" && path != "-" {
			if err := report.Check(path); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkChart validates a chart destination given with flag.
func (o *outputFlags) checkChart(flag, path string) error {
	if path == "" {
		return nil
	}
	if err := report.CheckChartPath(flag, path); err != nil {
		return err
	}
	return report.Check(path)
}

// chart stages a chart; it is written with the other outputs by emit.
func (o *outputFlags) chart(path string, c *report.Chart) error {
	if path == "" {
		return nil
	}
	o.written = append(o.written, path)
	return o.files.Add(path, c.Writer(path))
}

// emit renders the chosen format to stdout or --out, writes --csv and
// --json, and commits every staged file; stderr hears which files were
// written.
func (o *outputFlags) emit(stdout, stderr io.Writer, w writers) error {
	defer o.files.Abort()
	for _, extra := range []struct{ path, format string }{{o.csvFile, "csv"}, {o.jsonFile, "json"}} {
		if extra.path == "" {
			continue
		}
		if err := o.files.Add(extra.path, w[extra.format]); err != nil {
			return err
		}
		o.written = append(o.written, extra.path)
	}
	write := w[o.format]
	if o.out != "" && o.out != "-" {
		if err := o.files.Add(o.out, write); err != nil {
			return err
		}
	}
	if err := o.files.Commit(); err != nil {
		return err
	}
	for _, p := range o.written {
		fmt.Fprintf(stderr, "wrote %s\n", p)
	}
	if o.out == "" || o.out == "-" {
		return write(stdout)
	}
	return nil
}

// writeOutput writes one output file atomically (see report.Files; an
// interrupt removes its temporary), or to stdout if path is "-".
func writeOutput(stdout io.Writer, path string, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	var f report.Files
	release := onInterrupt(f.Abort)
	defer release(true)
	if err := f.Add(path, write); err != nil {
		return err
	}
	return f.Commit()
}

// outputName names an output path in messages.
func outputName(path string) string {
	if path == "-" {
		return "standard output"
	}
	return path
}
