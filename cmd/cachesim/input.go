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
	latUnit   string
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
	fs.IntVar(&f.cols.Latency, "csv-latency", 0, "1-based column of the backend latency each request cost (0: none), for --miss-latency column")
	fs.StringVar(&f.latUnit, "latency-unit", "ms", "unit of the latency column: s, ms, us or ns (decimals allowed)")
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
	latUnit, ok := units[f.latUnit]
	if !ok {
		return opt, fmt.Errorf("--latency-unit %q: expected s, ms, us or ns", f.latUnit)
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
	for _, name := range []string{"csv-key", "csv-size", "csv-time", "csv-ttl", "csv-op", "csv-latency"} {
		auto = auto && !f.fs.Changed(name)
	}
	opt.Line = traces.LineOptions{Columns: f.cols, Delimiter: d[0], Header: f.header, TimeUnit: unit, LatencyUnit: latUnit, AutoColumns: auto}
	opt.SkipBad, opt.JSON, opt.AccessLog = f.skipBad, f.json, f.access
	return opt, nil
}

// load reads the trace named by args — a trace file, a workload spec, or
// the built-in workload when there is none (saying so on stderr) — into memory.
func (f *inputFlags) load(args []string, stderr io.Writer) (*traces.Trace, error) {
	t, _, err := f.read(args, stderr, nil)
	return t, err
}

// loadFile reads the trace file at path into memory and returns it with the
// open file (which knows the format it was read as).
func (f *inputFlags) loadFile(path string, stderr io.Writer) (*traces.Trace, *traces.File, error) {
	return f.read([]string{path}, stderr, nil)
}

// read streams the requests args name through wrap (when set) into memory.
// The file is nil for workloads.
func (f *inputFlags) read(args []string, stderr io.Writer, wrap func(traces.Reader) traces.Reader) (*traces.Trace, *traces.File, error) {
	if wrap == nil {
		wrap = func(r traces.Reader) traces.Reader { return r }
	}
	var t *traces.Trace
	start := time.Now()
	file, err := f.stream(args, stderr, func(name string, r traces.Reader) (err error) {
		t, err = traces.ReadAll(name, wrap(r))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if t.Len() == 0 {
		if file == nil {
			return nil, nil, fmt.Errorf("%s: no requests", t.Name)
		}
		return nil, nil, fmt.Errorf("%s: no requests in the trace (read as %s; see --trace-format)", args[0], file.Format)
	}
	if el := time.Since(start); el > 2*time.Second {
		fmt.Fprintf(stderr, "loaded %d requests from %s in %s\n", t.Len(), t.Name, el.Round(time.Millisecond))
	}
	return t, file, nil
}

// stream opens the requests args name — a trace file, a workload spec, or
// the built-in workload when there is none (said on stderr) — and hands
// them to use with their name. It returns the file, closed by then (nil for
// workloads), and reports skipped and dropped records on stderr.
func (f *inputFlags) stream(args []string, stderr io.Writer, use func(name string, r traces.Reader) error) (*traces.File, error) {
	opt, err := f.options() // bad flags fail even without a trace
	if err != nil {
		return nil, err
	}
	var w interface {
		Reader() (traces.Reader, error)
		String() string
	}
	switch {
	case len(args) == 0:
		fmt.Fprintf(stderr, "no trace given: using the built-in workload %s\n", workload.Default)
		w = workload.Default
	case isSpec(args[0]):
		spec, err := workload.Parse(args[0])
		if err != nil {
			return nil, err
		}
		w = spec
	}
	if w != nil {
		r, err := w.Reader()
		if err != nil {
			return nil, err
		}
		return nil, use(w.String(), r)
	}
	path := args[0]
	file, err := traces.Open(path, opt)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	if err := use(filepath.Base(path), file); err != nil {
		return nil, err
	}
	if n := file.Skipped(); n > 0 {
		fmt.Fprintf(stderr, "%s: skipped %d malformed records (--skip-bad)\n", path, n)
	}
	if n := file.Filtered(); n > 0 {
		fmt.Fprintf(stderr, "%s: dropped %d well-formed records that are no cache operations (e.g. failed or non-GET requests; --log-all keeps them)\n", path, n)
	}
	return file, nil
}

// sampleFlags choose spatial sampling (SHARDS) for traces too large to replay.
type sampleFlags struct {
	rate  float64
	keys  int
	bands int
}

func (s *sampleFlags) register(fs *pflag.FlagSet) {
	fs.Float64Var(&s.rate, "sample-rate", 0, "approximate from the requests of this fraction of the keys, e.g. 0.01 (SHARDS; 0: no sampling)")
	fs.IntVar(&s.keys, "sample-size", 0, "approximate from at most this many keys, those with the smallest hashes (fixed-memory SHARDS, one pass; 0: no sampling)")
	fs.IntVar(&s.bands, "bands", 1, "with sampling, draw this many independent samples (different hash seeds) in the same pass and report their mean with the lowest and highest estimate per size (error bands; 8 is a good start)")
}

// count returns the number of samples to draw.
func (s *sampleFlags) count() int { return max(s.bands, 1) }

func (s *sampleFlags) on() bool { return s.rate > 0 || s.keys > 0 }

func (s *sampleFlags) check() error {
	switch {
	case s.rate < 0 || s.rate > 1:
		return fmt.Errorf("--sample-rate %g: expected a fraction in (0, 1]", s.rate)
	case s.keys < 0:
		return fmt.Errorf("--sample-size %d: expected a positive number of keys", s.keys)
	case s.rate > 0 && s.keys > 0:
		return fmt.Errorf("give --sample-rate or --sample-size, not both")
	case s.bands < 1 || s.bands > 64:
		return fmt.Errorf("--bands %d: expected 1 to 64 samples", s.bands)
	case s.bands > 1 && !s.on():
		return fmt.Errorf("--bands needs sampling: add --sample-rate (e.g. 0.01) or --sample-size")
	}
	return nil
}

// loadSamples reads the samples the flags ask for (--bands of them, hash
// seeds 0, 1, …) in one pass, so that memory is bounded by the samples:
// it returns them, the number of requests in the whole input and each
// sample's rate.
func (f *inputFlags) loadSamples(args []string, stderr io.Writer, s sampleFlags) ([]*traces.Trace, int64, []float64, error) {
	var samples []*traces.Sample
	var name string
	_, err := f.stream(args, stderr, func(n string, r traces.Reader) error {
		name = n
		fields := traces.Fields{Time: true, Size: true, TTL: true, Op: true}
		if d, ok := r.(traces.Describer); ok {
			fields = d.Fields()
		}
		for seed := range uint64(s.count()) {
			if s.keys > 0 {
				samples = append(samples, traces.NewSizeSample(n, fields, s.keys, seed))
			} else {
				samples = append(samples, traces.NewRateSample(n, fields, s.rate, seed))
			}
		}
		return traces.Each(r, func(req *traces.Request) {
			for _, sm := range samples {
				sm.Add(req)
			}
		})
	})
	if err != nil {
		return nil, 0, nil, err
	}
	total := samples[0].Seen
	if total == 0 {
		return nil, 0, nil, fmt.Errorf("%s: no requests (see --trace-format)", name)
	}
	ts, rates := make([]*traces.Trace, len(samples)), make([]float64, len(samples))
	for i, sm := range samples {
		ts[i], rates[i] = sm.Trace(), sm.Rate()
	}
	fmt.Fprintf(stderr, "approximate: SHARDS spatial sampling at rate %.4g (%d of %d requests)%s\n", rates[0], ts[0].Len(), total, bandsNote(len(samples)))
	return ts, total, rates, nil
}

// bandsNote says how many samples a result averages.
func bandsNote(n int) string {
	if n < 2 {
		return ""
	}
	return fmt.Sprintf(", %d samples with different hash seeds", n)
}

// isSpec reports whether arg is a workload spec ("zipf:keys=1e6,alpha=0.9":
// a known kind and a colon) rather than a file: a file of that name wins.
func isSpec(arg string) bool {
	if !workload.IsSpec(arg) {
		return false
	}
	_, err := os.Stat(arg)
	return errors.Is(err, fs.ErrNotExist)
}
