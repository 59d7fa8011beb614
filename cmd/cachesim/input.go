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
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
	"github.com/spf13/pflag"
)

// inputFlags are the flags that say how to read a trace: the format, and
// those every format shares, here; the flags of some formats only, as
// traces.Flags declares them (registerReaderFlags), kept in fs.
type inputFlags struct {
	format      string
	defaultSize string
	skipBad     bool
	fs          *pflag.FlagSet
	stdin       io.Reader // for the trace "-"; nil: os.Stdin
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.format, "trace-format", "", "trace format: "+strings.Join(traces.Formats, ", ")+" (default: detected from the file name and contents; see cachesim inspect --help)")
	fs.StringVar(&f.defaultSize, "default-size", "1B", "size of a request that carries none (a Redis GET, an HTTP HEAD or 304, a line of a trace without sizes) when its key was never sized before; one that was takes its last known size. A note says how many were sized each way")
	fs.BoolVar(&f.skipBad, "skip-bad", false, "skip malformed records and report how many, instead of failing")
	registerReaderFlags(fs, traces.EveryCommand)
}

// registerReaderFlags adds the reader flags of group (see traces.Flags) to
// fs, which holds their values.
func registerReaderFlags(fs *pflag.FlagSet, group traces.FlagGroup) {
	for _, fl := range traces.Flags {
		if fl.Group != group {
			continue
		}
		switch fl.Kind {
		case traces.BoolFlag:
			fs.Bool(fl.Name, fl.Default == "true", fl.Help)
		case traces.IntFlag:
			n, _ := strconv.Atoi(fl.Default) // "": 0
			fs.Int(fl.Name, n, fl.Help)
		case traces.ListFlag:
			fs.Var(&listValue{}, fl.Name, fl.Help)
		default:
			fs.String(fl.Name, fl.Default, fl.Help)
		}
	}
}

// listValue is the value of a traces.ListFlag: every value given, in
// order (pflag.SliceValue, which onceFlags lets repeat).
type listValue []string

func (v *listValue) String() string           { return strings.Join(*v, ",") }
func (v *listValue) Set(s string) error       { *v = append(*v, s); return nil }
func (v *listValue) Type() string             { return "pattern" } // the one kind of list so far: --key-filter's
func (v *listValue) Append(s string) error    { return v.Set(s) }
func (v *listValue) Replace(s []string) error { *v = s; return nil }
func (v *listValue) GetSlice() []string       { return *v }

// readerFlag reports whether name is one of traces.Flags.
func readerFlag(name string) bool {
	return slices.ContainsFunc(traces.Flags, func(fl traces.Flag) bool { return fl.Name == name })
}

// options returns the reader options the flags ask for.
func (f *inputFlags) options() (traces.Options, error) {
	given := map[string]string{}
	f.fs.Visit(func(fl *pflag.Flag) {
		given[fl.Name] = fl.Value.String()
		if list, ok := fl.Value.(pflag.SliceValue); ok {
			given[fl.Name] = strings.Join(list.GetSlice(), "\n") // as traces.ListFlag wants
		}
	})
	opt, err := traces.ParseFlags(given)
	if err != nil {
		return opt, err
	}
	opt.Format, opt.SkipBad = f.format, f.skipBad
	ds, err := sim.ParseSize(f.defaultSize) // a plain number is bytes too
	size := ds.N
	if err != nil || size < 1 || size > math.MaxUint32 {
		return opt, fmt.Errorf("--default-size %q: expected a size in bytes from 1B to 4GiB-1", f.defaultSize)
	}
	opt.DefaultSize = uint32(size)
	return opt, nil
}

// load reads the trace named by args — a trace file, a workload spec, or
// the built-in workload when there is none (saying so on stderr) — into memory.
func (f *inputFlags) load(args []string, stderr io.Writer) (*trace.Trace, error) {
	t, _, err := f.read(args, stderr, 0, false)
	return t, err
}

// loadWithin is load stopping as soon as the trace's columns pass bound
// bytes (0: no bound), with an error naming --max-memory: a trace too
// large for the bound is refused while it loads, not after. With
// numbered, it numbers the keys as it reads them where it can (see
// traces.ReadAllNumbered), for a sweep that will.
func (f *inputFlags) loadWithin(args []string, stderr io.Writer, bound int64, numbered bool) (*trace.Trace, error) {
	t, _, err := f.read(args, stderr, bound, numbered)
	if tm := (*traces.ErrTraceMemory)(nil); errors.As(err, &tm) {
		return nil, fmt.Errorf("%s: loading stopped at request %d: the trace alone takes %s there, past --max-memory %s: raise --max-memory, or sample (--sample-rate 0.01 or --sample-size 100000)",
			args[0], tm.Requests, sim.FormatSize(tm.Bytes, true), sim.FormatSize(tm.Bound, true))
	}
	return t, err
}

// loadFile reads the trace file at path into memory and returns it with the
// open file (which knows the format it was read as).
func (f *inputFlags) loadFile(path string, stderr io.Writer) (*trace.Trace, *traces.File, error) {
	return f.read([]string{path}, stderr, 0, false)
}

// read streams the requests args name into memory, stopping with a
// *traces.ErrTraceMemory once they pass bound bytes (0: no bound), and
// numbering their keys as it goes where it can when numbered. The file
// is nil for workloads.
func (f *inputFlags) read(args []string, stderr io.Writer, bound int64, numbered bool) (*trace.Trace, *traces.File, error) {
	var t *trace.Trace
	start := time.Now()
	readAll := traces.ReadAllWithin
	if numbered {
		readAll = traces.ReadAllNumbered
	}
	file, err := f.stream(args, stderr, func(name string, r trace.Reader) (err error) {
		t, err = readAll(name, r, bound)
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

// checkFormat rejects reader flags that do not apply to the format a
// trace is read as: they would have no effect.
func (f *inputFlags) checkFormat(path string, file *traces.File) error {
	format := file.Format
	if err := f.checkKeyFilter(path, file); err != nil {
		return err
	}
	for _, fl := range traces.Flags {
		if changed(f.fs, fl.Name) && !slices.Contains(fl.Formats, format) {
			if fl.Name == "json-keys" && declaresPrompts(file) {
				// --json-keys on a prompt trace would read its blocks as independent keys.
				return fmt.Errorf("--%s applies to jsonl traces, and %s is read as %s, a prompt trace: each line's list is a prompt's blocks, simulated with the prefix rule (hits up to the first missing block); drop --%s, or give --trace-format jsonl to read the lists as batches of independent keys without that rule",
					fl.Name, path, format, fl.Name)
			}
			return fmt.Errorf("--%s applies to %s traces, and %s is read as %s (give --trace-format if that is wrong)",
				fl.Name, joinOr(fl.Formats), path, format)
		}
	}
	return nil
}

// checkKeyFilter rejects --key-filter and --key-exclude on a trace whose
// keys are no text to match: numbers, or the block hashes of prompts.
func (f *inputFlags) checkKeyFilter(path string, file *traces.File) error {
	var given []string
	for _, name := range []string{"key-filter", "key-exclude"} {
		if changed(f.fs, name) {
			given = append(given, "--"+name)
		}
	}
	what := traces.KeysOf(file.Format)
	if what == "" && declaresPrompts(file) {
		what = traces.KeysOf("prompts")
	}
	if len(given) == 0 || what == "" {
		return nil
	}
	verb := "matches"
	if len(given) > 1 {
		verb = "match"
	}
	return fmt.Errorf("%s %s keys as text, and the keys of %s (read as %s) are %s: there is no text to match",
		strings.Join(given, " and "), verb, path, file.Format, what)
}

// checkWorkload rejects input flags given with a synthetic workload.
func (f *inputFlags) checkWorkload(what string) error {
	var given []string
	f.fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Changed && (fl.Name == "trace-format" || fl.Name == "skip-bad" || readerFlag(fl.Name)) {
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
	if err := f.checkFormat(path, file); err != nil {
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
	case errors.Is(err, traces.ErrNothingKept):
		return fmt.Errorf("%w (--key-filter, --key-exclude)", err)
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
		if n.Warning {
			fmt.Fprintf(stderr, "warning: %s: %s%s\n", path, n.Text, warnFix(n))
			continue
		}
		fmt.Fprintf(stderr, "note: %s: %s%s\n", path, n.Text, noteHint(n))
	}
}

// warnFlags name the flag that fixes what each kind of warning describes.
var warnFlags = map[traces.NoteKind]string{
	traces.NoteBlockTokens: "--block-tokens",
	traces.NoteTimeUnit:    "--time-unit",
}

// warnFix says how to fix what warning n describes: the flag, with the
// value the note suggests when it does.
func warnFix(n traces.Note) string {
	fl, ok := warnFlags[n.Kind]
	switch {
	case !ok:
		return ""
	case n.Suggest == "":
		return fmt.Sprintf(" (%s sets it)", fl)
	case n.Kind == traces.NoteTimeUnit:
		return fmt.Sprintf(": give %s %s (or %s s to keep seconds)", fl, n.Suggest, fl)
	}
	return fmt.Sprintf(": give %s %s", fl, n.Suggest)
}

// firstRecord reports whether err is about a trace's first line or record,
// where a wrong format shows.
func firstRecord(err error) bool {
	var pe *traces.ParseError
	return errors.As(err, &pe) && (pe.Line == 1 || (pe.Line == 0 && pe.Offset == 0))
}

// noteHint names the flag that changes what note n describes, with the
// value it suggests.
func noteHint(n traces.Note) string {
	if n.Kind == traces.NoteKeyColumns {
		return fmt.Sprintf(" (--csv-key %s; or --csv-key %s to keep it alone)", n.Suggest, strings.SplitN(n.Suggest, ",", 2)[0])
	}
	return noteHints[n.Kind]
}

// noteHints name the flags that change what each kind of note describes.
var noteHints = map[traces.NoteKind]string{
	traces.NoteFormat:      " (--trace-format chooses)",
	traces.NoteColumns:     " (--csv-key, --csv-size, --csv-time, … choose)",
	traces.NoteTimeUnit:    " (--time-unit sets it)",
	traces.NoteSizes:       " (--default-size sets the default)",
	traces.NoteTenants:     " (--tenant-from, --csv-tenant, --json-tenant choose)",
	traces.NoteDelimiter:   " (--delimiter sets it)",
	traces.NoteBlockTokens: " (--block-tokens sets it)",
	traces.NoteKeyFilter:   " (--key-filter, --key-exclude)",
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
// seeds 0, 1, …) of span's window in one pass, so that memory is bounded by
// the samples: it returns them, how many of each one's first requests are
// the warm-up's, the number of requests of the input counted (after the
// warm-up) and each sample's rate.
func (f *inputFlags) loadSamples(args []string, stderr io.Writer, s sampleFlags, span sim.Span) ([]*trace.Trace, []int, int64, []float64, error) {
	var samples []*traces.Sample
	var name string
	var extent *sim.Extent
	var warmSeen int64 // requests of the warm-up
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
		add := func(req *trace.Request) {
			for _, sm := range samples {
				sm.Add(req)
			}
		}
		if span.IsZero() {
			return trace.Each(r, add)
		}
		sr := sim.NewSpanReader(r, span, n)
		var req trace.Request
		for {
			switch err := sr.Read(&req); err {
			case nil:
				add(&req)
				continue
			case sim.ErrCounted:
				warmSeen = samples[0].Seen
				for _, sm := range samples {
					sm.EndWarmup()
				}
				continue
			case io.EOF:
			default:
				return err
			}
			e, err := sr.Extent()
			extent = &e
			return err
		}
	})
	if err != nil {
		return nil, nil, 0, nil, spanError(err)
	}
	noteSpan(stderr, extent)
	total := samples[0].Seen - warmSeen
	if samples[0].Seen == 0 {
		return nil, nil, 0, nil, fmt.Errorf("%s: no requests (see --trace-format)", name)
	}
	ts, warm, rates := make([]*trace.Trace, len(samples)), make([]int, len(samples)), make([]float64, len(samples))
	for i, sm := range samples {
		ts[i], rates[i] = sm.Trace(), sm.Rate()
		warm[i] = sm.Warmup()
	}
	fmt.Fprintf(stderr, "approximate: SHARDS spatial sampling at rate %s (%s of %s requests)%s\n", report.Sig(rates[0], 4), report.Count(ts[0].Len()), report.Count(samples[0].Seen), bandsNote(len(samples)))
	return ts, warm, total, rates, nil
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
