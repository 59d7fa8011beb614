package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/workload"
	"github.com/spf13/pflag"
)

// inputFlags are the flags that say how to read a trace.
type inputFlags struct {
	format    string
	cols      traces.Columns
	header    bool
	delimiter string
	timeUnit  string
	skipBad   bool
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.format, "trace-format", "", "trace format: "+strings.Join(traces.Formats, ", ")+" (default: from the file name; .csv is CSV, .trace is LIRS, else text)")
	fs.IntVar(&f.cols.Key, "csv-key", 1, "1-based column of the key (CSV and whitespace-separated text)")
	fs.IntVar(&f.cols.Size, "csv-size", 0, "1-based column of the object size in bytes (0: none, every size is 1)")
	fs.IntVar(&f.cols.Time, "csv-time", 0, "1-based column of the timestamp (0: none)")
	fs.IntVar(&f.cols.TTL, "csv-ttl", 0, "1-based column of the TTL in seconds (0: none)")
	fs.IntVar(&f.cols.Op, "csv-op", 0, "1-based column of the operation, get/set/delete (0: none); recorded, every request is replayed as a lookup")
	fs.BoolVar(&f.header, "header", false, "the first line is a header (a CSV header is also detected when the size/time columns hold no numbers)")
	fs.StringVar(&f.delimiter, "delimiter", ",", "CSV column delimiter (one character; \\t for tab)")
	fs.StringVar(&f.timeUnit, "time-unit", "s", "unit of trace timestamps: s, ms, us or ns (decimals allowed)")
	fs.BoolVar(&f.skipBad, "skip-bad", false, "skip malformed lines and report how many, instead of failing")
}

func (f *inputFlags) options() (traces.Options, error) {
	var opt traces.Options
	opt.Format = f.format
	units := map[string]int64{"s": 1e9, "ms": 1e6, "us": 1e3, "µs": 1e3, "ns": 1}
	unit, ok := units[f.timeUnit]
	if !ok {
		return opt, fmt.Errorf("--time-unit %q: expected s, ms, us or ns", f.timeUnit)
	}
	d := f.delimiter
	if d == `\t` || d == "tab" {
		d = "\t"
	}
	if len(d) != 1 {
		return opt, fmt.Errorf("--delimiter %q: expected one character", f.delimiter)
	}
	opt.Line = traces.LineOptions{Columns: f.cols, Delimiter: d[0], Header: f.header, TimeUnit: unit, SkipBad: f.skipBad}
	return opt, nil
}

// load reads the trace named by args, or the default workload when there is
// none (saying so on stderr).
func (f *inputFlags) load(args []string, stderr io.Writer) (*traces.Trace, error) {
	opt, err := f.options()
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		fmt.Fprintf(stderr, "no trace given: using the built-in workload %s\n", workload.Default)
		r, err := workload.Default.Reader()
		if err != nil {
			return nil, err
		}
		return traces.ReadAll(workload.Default.String(), r)
	}
	if t, ok, err := loadSpec(args[0]); ok {
		return t, err
	}
	start := time.Now()
	t, skipped, err := traces.Load(args[0], opt)
	if err != nil {
		return nil, err
	}
	if skipped > 0 {
		fmt.Fprintf(stderr, "%s: skipped %d malformed lines (--skip-bad)\n", args[0], skipped)
	}
	if t.Len() == 0 {
		return nil, fmt.Errorf("%s: no requests in the trace", args[0])
	}
	if el := time.Since(start); el > 2*time.Second {
		fmt.Fprintf(stderr, "loaded %d requests from %s in %s\n", t.Len(), args[0], el.Round(time.Millisecond))
	}
	return t, nil
}

// loadSpec generates the workload named by arg when arg is a workload spec
// ("zipf:keys=1e6,alpha=0.9": a known kind and a colon) and no file of that
// name exists; ok says whether it was one.
func loadSpec(arg string) (t *traces.Trace, ok bool, err error) {
	if !workload.IsSpec(arg) {
		return nil, false, nil
	}
	if _, err := os.Stat(arg); !errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	w, err := workload.Parse(arg)
	if err != nil {
		return nil, true, err
	}
	r, err := w.Reader()
	if err != nil {
		return nil, true, err
	}
	if t, err = traces.ReadAll(w.String(), r); err != nil {
		return nil, true, err
	}
	if t.Len() == 0 {
		return nil, true, fmt.Errorf("%s: no requests (requests=0)", w)
	}
	return t, true, nil
}
