package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
	json      traces.JSONFields
	access    traces.AccessLogOptions
	fs        *pflag.FlagSet
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.format, "trace-format", "", "trace format: "+strings.Join(traces.Formats, ", ")+" (default: detected from the file name and contents; see `cachesim inspect --help`)")
	fs.IntVar(&f.cols.Key, "csv-key", 1, "1-based column of the key (CSV and whitespace-separated text)")
	fs.IntVar(&f.cols.Size, "csv-size", 0, "1-based column of the object size in bytes (0: none, every size is 1)")
	fs.IntVar(&f.cols.Time, "csv-time", 0, "1-based column of the timestamp (0: none)")
	fs.IntVar(&f.cols.TTL, "csv-ttl", 0, "1-based column of the TTL in seconds (0: none)")
	fs.IntVar(&f.cols.Op, "csv-op", 0, "1-based column of the operation, get/set/delete (0: none; see --count-writes)")
	fs.BoolVar(&f.header, "header", false, "the first line is a header (detected anyway when it has no numbers where numbers belong); without --csv-* flags, a header naming key/id/lbn, time/timestamp, size/bytes, ttl and op columns sets the columns")
	fs.StringVar(&f.delimiter, "delimiter", ",", "CSV column delimiter (one character; \\t for tab)")
	fs.StringVar(&f.timeUnit, "time-unit", "s", "unit of trace timestamps: s, ms, us or ns (decimals allowed)")
	fs.BoolVar(&f.skipBad, "skip-bad", false, "skip malformed records and report how many, instead of failing")
	fs.StringVar(&f.json.Key, "json-key", "key", "JSON lines: name of the key field")
	fs.StringVar(&f.json.Time, "json-time", "time", "JSON lines: name of the time field (a number in --time-unit)")
	fs.StringVar(&f.json.Size, "json-size", "size", "JSON lines: name of the size field (bytes)")
	fs.StringVar(&f.json.TTL, "json-ttl", "ttl", "JSON lines: name of the TTL field (seconds)")
	fs.StringVar(&f.json.Op, "json-op", "op", "JSON lines: name of the operation field (get, set, delete, …)")
	fs.BoolVar(&f.access.WithHost, "log-host", false, "access logs: key = virtual host + path (vhost_combined logs)")
	fs.BoolVar(&f.access.AllRequests, "log-all", false, "access logs: keep every request, not only successful GETs and HEADs (2xx, 304)")
}

// countWritesHelp documents --count-writes, on the commands that replay.
const countWritesHelp = "count every request as a lookup whatever its operation, as libCacheSim does " +
	"(default: only gets count in hit ratios; sets write the object, deletes remove it)"

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
	// Without column flags, a header line naming the columns sets them.
	auto := true
	for _, name := range []string{"csv-key", "csv-size", "csv-time", "csv-ttl", "csv-op"} {
		auto = auto && !f.fs.Changed(name)
	}
	opt.Line = traces.LineOptions{Columns: f.cols, Delimiter: d[0], Header: f.header, TimeUnit: unit, AutoColumns: auto}
	opt.SkipBad, opt.JSON, opt.AccessLog = f.skipBad, f.json, f.access
	return opt, nil
}

// load reads the trace named by args, or the default workload when there is
// none (saying so on stderr).
func (f *inputFlags) load(args []string, stderr io.Writer) (*traces.Trace, error) {
	if _, err := f.options(); err != nil { // bad flags fail even without a trace
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
	t, _, err := f.loadFile(args[0], stderr)
	return t, err
}

// loadFile reads the trace at path into memory and returns it with the
// format it was read as; it reports skipped records on stderr.
func (f *inputFlags) loadFile(path string, stderr io.Writer) (*traces.Trace, *traces.File, error) {
	opt, err := f.options()
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	file, err := traces.Open(path, opt)
	if err != nil {
		return nil, nil, err
	}
	defer file.Close()
	t, err := traces.ReadAll(filepath.Base(path), file)
	if err != nil {
		return nil, nil, err
	}
	if n := file.Skipped(); n > 0 {
		fmt.Fprintf(stderr, "%s: skipped %d malformed records (--skip-bad)\n", path, n)
	}
	if n := file.Filtered(); n > 0 {
		fmt.Fprintf(stderr, "%s: dropped %d well-formed records that are no cache operations (e.g. failed or non-GET requests; --log-all keeps them)\n", path, n)
	}
	if t.Len() == 0 {
		return nil, nil, fmt.Errorf("%s: no requests in the trace (read as %s; see --trace-format)", path, file.Format)
	}
	if el := time.Since(start); el > 2*time.Second {
		fmt.Fprintf(stderr, "loaded %d requests from %s in %s\n", t.Len(), path, el.Round(time.Millisecond))
	}
	return t, file, nil
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
