package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
	"github.com/spf13/pflag"
)

// inputFlags are the flags that say how to read a trace.
type inputFlags struct {
	format      string
	cols        traces.ColumnSpec
	header      bool
	defaultSize string
	monitorKey  string
	delimiter   string
	timeUnit    string
	latUnit     string
	skipBad     bool
	json        traces.JSONFields
	blockTokens int
	access      traces.AccessLogOptions
	tenantFrom  string // --tenant-from, on the commands that use tenants (batch.go)
	fs          *pflag.FlagSet
	stdin       io.Reader // for the trace "-"; nil: os.Stdin
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.format, "trace-format", "", "trace format: "+strings.Join(traces.Formats, ", ")+" (default: detected from the file name and contents; see cachesim inspect --help)")
	colHelp := "column of the %s: a 1-based number (at most 1024) or a header name%s"
	fs.StringVar(&f.cols.Key, "csv-key", "", fmt.Sprintf(colHelp, "key", "; a comma list (entity_id,feature_group) makes a composite key (default: the header's key column, else 1)"))
	fs.StringVar(&f.cols.Size, "csv-size", "", fmt.Sprintf(colHelp, "object size in bytes", " (default: none, every size is --default-size)"))
	fs.StringVar(&f.cols.Time, "csv-time", "", fmt.Sprintf(colHelp, "timestamp", " (default: none)"))
	fs.StringVar(&f.cols.TTL, "csv-ttl", "", fmt.Sprintf(colHelp, "TTL in seconds", " (default: none)"))
	fs.StringVar(&f.cols.Op, "csv-op", "", fmt.Sprintf(colHelp, "operation, get/set/delete", " (default: none; see --count-writes)"))
	fs.BoolVar(&f.header, "header", false, "the first line is a header. Without it, a first line with no number that names columns (key, id, *_id, lbn; size, bytes, *_bytes; time, ts, timestamp; ttl; op; latency) is taken as one, and one that names none but has words where the next line has numbers is an error. Without --csv-* flags, the recognised columns are used and the others ignored (a note lists them)")
	fs.StringVar(&f.delimiter, "delimiter", ",", "CSV column delimiter (one character; \\t for tab). Not given: a comma, or a semicolon or tab when the first 20 lines hold no comma and each the same number of one of them (a note says so)")
	fs.StringVar(&f.timeUnit, "time-unit", "", "unit of trace timestamps: s, ms, us or ns (decimals allowed; default: from the magnitude of the first timestamp, epoch seconds, ms, µs or ns, with a note; small values are seconds)")
	fs.StringVar(&f.cols.Latency, "csv-latency", "", fmt.Sprintf(colHelp, "backend latency each request cost", " (default: none), for --miss-latency column"))
	fs.StringVar(&f.latUnit, "latency-unit", "", "unit of the latency column: s, ms, us or ns (decimals allowed; default: from a header name such as latency_us, else ms)")
	fs.StringVar(&f.defaultSize, "default-size", "1B", "size of a request that carries none (a Redis GET, an HTTP HEAD or 304, a line of a trace without sizes) when its key was never sized before; one that was takes its last known size. A note says how many were sized each way")
	fs.StringVar(&f.monitorKey, "monitor-key", "key", "Redis MONITOR: the cached object is the Redis key (key: a hash whole) or each field of a hash (field: key+field)")
	fs.BoolVar(&f.skipBad, "skip-bad", false, "skip malformed records and report how many, instead of failing")
	fs.StringVar(&f.json.Key, "json-key", "key", "JSON lines: name of the key field")
	fs.StringVar(&f.json.Time, "json-time", "time", "JSON lines: name of the time field (a number in --time-unit)")
	fs.StringVar(&f.json.Size, "json-size", "size", "JSON lines: name of the size field (bytes)")
	fs.StringVar(&f.json.TTL, "json-ttl", "ttl", "JSON lines: name of the TTL field (seconds)")
	fs.StringVar(&f.json.Op, "json-op", "op", "JSON lines: name of the operation field (get, set, delete, …)")
	fs.IntVar(&f.blockTokens, "block-tokens", 0, fmt.Sprintf("prompt traces: tokens a KV-cache block holds (token_ids are hashed per full block; blocks without a token count hold this many) (default %d, vLLM's)", traces.DefaultBlockTokens))
	fs.StringVar(&f.json.Keys, "json-keys", "keys", "JSON lines: name of a list of keys (one request of several keys) given instead of the key field")
	fs.BoolVar(&f.access.WithHost, "log-host", false, "access logs: key = virtual host + path (vhost_combined logs)")
	fs.BoolVar(&f.access.AllRequests, "log-all", false, "access logs: keep every request, not only successful GETs and HEADs (2xx, 304)")
}

func (f *inputFlags) options() (traces.Options, error) {
	var opt traces.Options
	opt.Format = f.format
	units := map[string]int64{"": 0, "s": 1e9, "ms": 1e6, "us": 1e3, "µs": 1e3, "ns": 1}
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
	c := f.cols
	for _, col := range []struct{ name, value string }{
		{"csv-key", c.Key}, {"csv-size", c.Size}, {"csv-time", c.Time}, {"csv-ttl", c.TTL}, {"csv-op", c.Op}, {"csv-latency", c.Latency},
		{"csv-request", c.Request}, {"csv-tenant", c.Tenant}, {"csv-block", c.Block}, {"csv-tokens", c.Tokens},
	} {
		if f.fs.Changed(col.name) {
			if err := traces.CheckColumns(col.value); err != nil {
				return opt, fmt.Errorf("--%s %q: %w", col.name, col.value, err)
			}
			// Numbers locate exactly the columns given, as in libCacheSim;
			// names leave the header's other columns recognised.
			auto = auto && strings.Trim(col.value, "0123456789, ") != ""
		}
	}
	ds, err := sim.ParseSize(f.defaultSize) // a plain number is bytes too
	size := ds.N
	if err != nil || size < 1 || size > math.MaxUint32 {
		return opt, fmt.Errorf("--default-size %q: expected a size in bytes from 1B to 4GiB-1", f.defaultSize)
	}
	switch f.monitorKey {
	case "key":
	case "field":
		opt.Monitor.Fields = true
	default:
		return opt, fmt.Errorf("--monitor-key %q: expected key or field", f.monitorKey)
	}
	opt.DefaultSize = uint32(size)
	if opt.TenantFrom, err = f.tenantRule(); err != nil {
		return opt, err
	}
	delim := d[0]
	if !f.fs.Changed("delimiter") {
		delim = 0 // CSV: a comma, or what the file's first lines show
	}
	opt.Line = traces.LineOptions{Spec: f.cols, Delimiter: delim, Header: f.header, TimeUnit: unit, LatencyUnit: latUnit, AutoColumns: auto}
	opt.SkipBad, opt.JSON, opt.AccessLog = f.skipBad, f.json, f.access
	if f.blockTokens < 0 || f.blockTokens > 1<<20 {
		return opt, fmt.Errorf("--block-tokens %d: expected 1 to 1048576 tokens", f.blockTokens)
	}
	opt.BlockTokens = f.blockTokens
	return opt, nil
}

// load reads the trace named by args — a trace file, a workload spec, or
// the built-in workload when there is none (saying so on stderr) — into memory.
func (f *inputFlags) load(args []string, stderr io.Writer) (*trace.Trace, error) {
	t, _, err := f.read(args, stderr, 0)
	return t, err
}

// loadWithin is load stopping as soon as the trace's columns pass bound
// bytes (0: no bound), with an error naming --max-memory: a trace too
// large for the bound is refused while it loads, not after.
func (f *inputFlags) loadWithin(args []string, stderr io.Writer, bound int64) (*trace.Trace, error) {
	t, _, err := f.read(args, stderr, bound)
	if tm := (*traces.ErrTraceMemory)(nil); errors.As(err, &tm) {
		return nil, fmt.Errorf("%s: loading stopped at request %d: the trace alone takes %s there, past --max-memory %s: raise --max-memory, or sample (--sample-rate 0.01 or --sample-size 100000)",
			args[0], tm.Requests, sim.FormatSize(tm.Bytes, true), sim.FormatSize(tm.Bound, true))
	}
	return t, err
}

// loadFile reads the trace file at path into memory and returns it with the
// open file (which knows the format it was read as).
func (f *inputFlags) loadFile(path string, stderr io.Writer) (*trace.Trace, *traces.File, error) {
	return f.read([]string{path}, stderr, 0)
}

// read streams the requests args name into memory, stopping with a
// *traces.ErrTraceMemory once they pass bound bytes (0: no bound). The
// file is nil for workloads.
func (f *inputFlags) read(args []string, stderr io.Writer, bound int64) (*trace.Trace, *traces.File, error) {
	var t *trace.Trace
	start := time.Now()
	file, err := f.stream(args, stderr, func(name string, r trace.Reader) (err error) {
		t, err = traces.ReadAllWithin(name, r, bound)
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

// formatFlags are the input flags that apply to some trace formats only.
var formatFlags = map[string][]string{
	"csv-key": {"csv", "text"}, "csv-size": {"csv", "text"}, "csv-time": {"csv", "text"}, "csv-ttl": {"csv", "text"},
	"csv-op": {"csv", "text"}, "csv-latency": {"csv", "text"}, "latency-unit": {"csv", "text"},
	"header": {"csv", "text"}, "delimiter": {"csv"}, "time-unit": {"csv", "text", "jsonl", "prompts"},
	"json-key": {"jsonl"}, "json-time": {"jsonl"}, "json-size": {"jsonl"}, "json-ttl": {"jsonl"}, "json-op": {"jsonl"},
	"csv-request": {"csv", "text"}, "csv-tenant": {"csv", "text"}, "csv-block": {"csv", "text"}, "csv-tokens": {"csv", "text"}, "json-request": {"jsonl"}, "json-keys": {"jsonl"}, "json-tenant": {"jsonl"},
	"tenant-from": {"csv", "text", "jsonl", "monitor"},
	"log-host":    {"accesslog"}, "log-all": {"accesslog"}, "block-tokens": {"prompts", "csv", "text"},
}

// checkFormat rejects input flags that do not apply to the format a trace
// is read as.
func (f *inputFlags) checkFormat(path, format string) error {
	for name, formats := range formatFlags {
		if f.fs.Changed(name) && !slices.Contains(formats, format) {
			return fmt.Errorf("--%s applies to %s traces, and %s is read as %s (give --trace-format if that is wrong)",
				name, joinOr(formats), path, format)
		}
	}
	return nil
}

// checkWorkload rejects input flags given with a synthetic workload.
func (f *inputFlags) checkWorkload(what string) error {
	var given []string
	f.fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Changed && (fl.Name == "trace-format" || fl.Name == "skip-bad" || formatFlags[fl.Name] != nil) {
			given = append(given, "--"+fl.Name)
		}
	})
	if len(given) > 0 {
		return fmt.Errorf("%s reads trace files, and %s is a synthetic workload", strings.Join(given, ", "), what)
	}
	return nil
}

// stream opens the requests args name — a trace file, "-" for standard
// input, a workload spec, or the built-in workload when there is none (said
// on stderr) — and hands them to use with their name. It returns the file,
// closed by then (nil for workloads), and reports skipped and dropped
// records on stderr.
func (f *inputFlags) stream(args []string, stderr io.Writer, use func(name string, r trace.Reader) error) (*traces.File, error) {
	opt, err := f.options() // bad flags fail even without a trace
	if err != nil {
		return nil, err
	}
	if len(args) == 0 || isSpec(args[0]) {
		return nil, f.streamWorkload(args, stderr, use)
	}
	path := args[0]
	var file *traces.File
	if path == "-" {
		path = "standard input"
		stdin := f.stdin
		if stdin == nil {
			stdin = os.Stdin
		}
		file, err = traces.NewFile(path, stdin, opt)
	} else {
		file, err = traces.Open(path, opt)
	}
	if errors.Is(err, traces.ErrDelimiter) {
		return nil, fmt.Errorf("%w (--delimiter ';', --delimiter tab or --delimiter ,)", err)
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	if err := f.checkFormat(path, file.Format); err != nil {
		return nil, err
	}
	if err := use(filepath.Base(path), file); err != nil {
		return nil, readError(err, file)
	}
	f.report(path, file, stderr)
	return file, nil
}

// streamWorkload hands use the requests of the workload args name (the
// built-in one when there is none, said on stderr).
func (f *inputFlags) streamWorkload(args []string, stderr io.Writer, use func(name string, r trace.Reader) error) error {
	var w interface {
		Reader() (trace.Reader, error)
		String() string
	}
	if len(args) == 0 {
		fmt.Fprintf(stderr, "no trace given: using the built-in workload %s\n", workload.Default)
		w = workload.Default
	} else {
		spec, err := workload.Parse(args[0])
		if err != nil {
			return err
		}
		w = spec
	}
	if err := f.checkWorkload(w.String()); err != nil {
		return err
	}
	r, err := w.Reader()
	if err != nil {
		return err
	}
	return use(w.String(), r)
}

// readError adds to an error reading file the flags that may fix it.
func readError(err error, file *traces.File) error {
	switch {
	case errors.Is(err, traces.ErrHeaderLike):
		return fmt.Errorf("%w (--header, or the columns by name: --csv-key NAME, --csv-size NAME, …)", err)
	case errors.Is(err, traces.ErrPromptLike):
		return fmt.Errorf("%w: read it with --trace-format prompts", err)
	case errors.Is(err, traces.ErrTimeUnit):
		return fmt.Errorf("%w (--time-unit)", err)
	case firstRecord(err):
		return fmt.Errorf("%w (read as %s; --trace-format chooses another format)", err, file.Format)
	}
	return err
}

// report says on stderr what reading path skipped, dropped and inferred.
func (f *inputFlags) report(path string, file *traces.File, stderr io.Writer) {
	if n := file.Skipped(); n > 0 {
		fmt.Fprintf(stderr, "%s: skipped %d malformed records (--skip-bad)\n", path, n)
	}
	if n := file.Filtered(); n > 0 {
		fmt.Fprintf(stderr, "%s: dropped %d well-formed records that are no cache operations (e.g. failed or non-GET requests; --log-all keeps them)\n", path, n)
	}
	for _, n := range file.Notes() {
		fmt.Fprintf(stderr, "note: %s: %s%s\n", path, n.Text, noteHints[n.Kind])
	}
}

// firstRecord reports whether err is about a trace's first line or record,
// where a wrong format shows.
func firstRecord(err error) bool {
	var pe *traces.ParseError
	return errors.As(err, &pe) && (pe.Line == 1 || (pe.Line == 0 && pe.Offset == 0))
}

// noteHints name the flags that change what each kind of note describes.
var noteHints = map[traces.NoteKind]string{
	traces.NoteFormat:    " (--trace-format chooses)",
	traces.NoteColumns:   " (--csv-key, --csv-size, --csv-time, … choose)",
	traces.NoteTimeUnit:  " (--time-unit sets it)",
	traces.NoteSizes:     " (--default-size sets the default)",
	traces.NoteTenants:   " (--tenant-from, --csv-tenant, --json-tenant choose)",
	traces.NoteDelimiter: " (--delimiter sets it)",
}

// sampleFlags choose spatial sampling (SHARDS) for traces too large to replay.
type sampleFlags struct {
	rate  float64
	keys  int
	bands int
}

func (s *sampleFlags) register(fs *pflag.FlagSet) {
	defer inSection(fs, sectionSpeed)()
	fs.Float64Var(&s.rate, "sample-rate", 0, "approximate from the requests of this fraction of the keys, e.g. 0.01 (SHARDS; 0: no sampling)")
	fs.IntVar(&s.keys, "sample-size", 0, "approximate from at most this many keys, those with the smallest hashes (fixed-memory SHARDS, one pass; 0: no sampling)")
	fs.IntVar(&s.bands, "bands", 1, "with sampling, draw this many independent samples (different hash seeds) in the same pass and report their mean with the lowest and highest estimate per size (error bands; 8 is a good start)")
}

// count returns the number of samples to draw.
func (s *sampleFlags) count() int { return max(s.bands, 1) }

func (s *sampleFlags) on() bool { return s.rate > 0 || s.keys > 0 }

// minSampleKeys is the fewest keys a sample may hold: from fewer, a SHARDS
// estimate is noise (hit ratios far outside [0, 1] once scaled). Good
// estimates take thousands (SHARDS's fixed-size samples hold 8K).
const minSampleKeys = 100

// sampleAdvice says what to give instead of too small a sample.
const sampleAdvice = "--sample-size 8192 samples a fixed number of keys whatever the trace"

func (s *sampleFlags) check() error {
	switch {
	case math.IsNaN(s.rate) || s.rate < 0 || s.rate > 1:
		return fmt.Errorf("--sample-rate %g: expected a fraction in (0, 1]", s.rate)
	case s.rate > 0 && traces.SampleThreshold(s.rate) == 0:
		return fmt.Errorf("--sample-rate %g samples no key at all: give a fraction such as 0.01 (%s)", s.rate, sampleAdvice)
	case s.keys < 0:
		return fmt.Errorf("--sample-size %d: expected a positive number of keys", s.keys)
	case s.rate > 0 && s.keys > 0:
		return fmt.Errorf("give --sample-rate or --sample-size, not both")
	case s.keys > 0 && s.keys < minSampleKeys:
		return fmt.Errorf("--sample-size %d: too few keys for an estimate: give at least %d (8192 is a good size)", s.keys, minSampleKeys)
	case s.bands < 1 || s.bands > 64:
		return fmt.Errorf("--bands %d: expected 1 to 64 samples", s.bands)
	case s.bands > 1 && !s.on():
		return fmt.Errorf("--bands needs sampling: add --sample-rate (e.g. 0.01) or --sample-size")
	}
	return nil
}

// checkSampled fails if a sample at --sample-rate holds fewer than
// minSampleKeys keys (a --sample-size sample smaller than asked holds
// every key of the trace: it is exact); keys is the number it holds.
func (s *sampleFlags) checkSampled(keys int64) error {
	if s.rate == 0 || keys >= minSampleKeys {
		return nil
	}
	if keys == 0 {
		return fmt.Errorf("--sample-rate %g sampled none of the trace's keys: nothing to estimate from; give a larger rate (%s)", s.rate, sampleAdvice)
	}
	distinct := float64(keys) / s.rate
	if distinct <= 2*minSampleKeys {
		return fmt.Errorf("--sample-rate %g sampled %d keys, of about %.0f: too few for an estimate, and the trace is small enough to replay exactly: drop --sample-rate", s.rate, keys, distinct)
	}
	return fmt.Errorf("--sample-rate %g sampled %d keys, of about %.0f: too few for an estimate; give --sample-rate %.2g or more (%s)", s.rate, keys, distinct, min(1, s.rate*minSampleKeys/float64(keys)*2), sampleAdvice)
}

// loadSamples reads the samples the flags ask for (--bands of them, hash
// seeds 0, 1, …) in one pass, so that memory is bounded by the samples:
// it returns them, the number of requests in the whole input and each
// sample's rate.
func (f *inputFlags) loadSamples(args []string, stderr io.Writer, s sampleFlags) ([]*trace.Trace, int64, []float64, error) {
	var samples []*traces.Sample
	var name string
	_, err := f.stream(args, stderr, func(n string, r trace.Reader) error {
		name = n
		fields := trace.Fields{Time: true, Size: true, TTL: true, Op: true}
		if d, ok := r.(trace.Describer); ok {
			fields = d.Fields()
		}
		for seed := range uint64(s.count()) {
			if s.keys > 0 {
				samples = append(samples, traces.NewSizeSample(n, fields, s.keys, seed))
			} else {
				samples = append(samples, traces.NewRateSample(n, fields, s.rate, seed))
			}
		}
		return trace.Each(r, func(req *trace.Request) {
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
	ts, rates := make([]*trace.Trace, len(samples)), make([]float64, len(samples))
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

// rereadable reports whether the input args name can be read twice: a
// workload, or a regular file (not a pipe or standard input).
func rereadable(args []string) bool {
	if len(args) == 0 || isSpec(args[0]) {
		return true
	}
	st, err := os.Stat(args[0])
	return args[0] != "-" && err == nil && st.Mode().IsRegular()
}

// countAll counts every request of r.
func countAll(r trace.Reader, c *trace.Counter) error { return trace.Each(r, c.Add) }
