package traces

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
)

// Options says how to read a trace file. Commands set the settings of
// some formats only from the flags Flags declares (see ParseFlags).
type Options struct {
	// Format is the trace format (one of Formats); "" detects it from the
	// file name and contents.
	Format string
	// Line holds the column layout and parsing options of the text and CSV
	// formats; its Delimiter applies to CSV only (default ','), text splits
	// on whitespace. Its TimeUnit also applies to JSON lines.
	Line LineOptions
	// SkipBad counts and skips malformed records instead of failing.
	SkipBad bool
	// JSON names the fields of JSON lines.
	JSON JSONFields
	// AccessLog configures access-log reading.
	AccessLog AccessLogOptions
	// Monitor configures the reading of Redis MONITOR output.
	Monitor MonitorOptions
	// BlockTokens is the tokens a KV-cache block holds in prompt traces
	// (0: DefaultBlockTokens; see PromptReader).
	BlockTokens int
	// DefaultSize is the size in bytes of a request that carries none and
	// whose key was never sized before (0: DefaultSize, 1 byte); in a
	// format without sizes, every request has it.
	DefaultSize uint32
	// TenantFrom, when set, derives each request's tenant from its key
	// (text formats: CSV, text, JSON lines, MONITOR) where no tenant
	// column or field gives it.
	TenantFrom *TenantRule
	// Keys keeps only the requests whose keys it matches (formats whose
	// keys are text; see KeyFilter).
	Keys KeyFilter
}

// format is one trace format: how to recognise it and how to read it.
type format struct {
	name, about string
	// exts are the file name extensions whose usual format it is: they
	// choose it, or, when other formats may hold files of theirs (alsoIn),
	// it is read when none of those fits.
	exts []string
	// alsoIn are the extensions of other formats whose files may hold it:
	// detection tries it there when the contents fit.
	alsoIn []string
	// sniff reports whether the first bytes of the (decompressed) file fit.
	sniff func(head []byte, opt Options) bool
	// byContent says whether a fitting head alone identifies the format in
	// a file whose extension names no format; otherwise only an extension
	// can choose it.
	byContent bool
	open      func(name string, r io.Reader, opt Options) (trace.Reader, error)
	// record is the size in bytes of each of its records, one request
	// each, when they all have the same (0: they vary).
	record int
}

// formats in the order detection tries them: specific formats first, text
// last. Adding one takes its reader, in a file of its own; a row here (and
// its flags, if any, in Flags); a sample, testdata/formats/NAME.EXT; and a
// fuzz target calling fuzzFormat(f, NAME) in fuzz_test.go.
// TestFormatRecipe checks the last two.
var formats = []format{
	{name: "vscsi", about: "VMware VSCSI block traces, v1 (32-byte) and v2 (40-byte) records", exts: []string{".vscsi"},
		byContent: true, sniff: sniffVSCSI, open: opener(NewVSCSIReader)},
	{name: "oracleGeneral", about: "libCacheSim's binary: 24-byte records time, id, size, next access", exts: []string{".oraclegeneral"},
		byContent: true, sniff: sniffOracle, open: opener(NewOracleReader), record: oracleRecord},
	{name: "cache2k", about: "big-endian int32 keys", exts: []string{".cache2k"}, alsoIn: []string{".trace"},
		sniff: func(h []byte, _ Options) bool { return !isText(h) }, open: opener(NewCache2kReader)},
	// A .txt or .log file may hold any text log: one saved from redis-cli monitor, say.
	{name: "monitor", about: "Redis MONITOR output", exts: []string{".monitor"}, alsoIn: []string{".log", ".txt"},
		byContent: true, sniff: sniffReader(NewMonitorReader), open: opener(NewMonitorReader)},
	{name: "accesslog", about: "nginx/Apache common or combined access logs", exts: []string{".log"}, alsoIn: []string{".txt"},
		byContent: true, sniff: sniffReader(NewAccessLogReader), open: opener(NewAccessLogReader)},
	{name: "mooncake", about: "Mooncake (FAST'25) LLM prompt traces: JSON lines of timestamp (ms), input_length and hash_ids (blocks of 512 tokens), for prefix caching", alsoIn: []string{".jsonl", ".ndjson", ".json"},
		byContent: true, sniff: sniffPrompts(mooncakeDialect), open: opener(NewMooncakeReader)},
	{name: "prompts", about: "LLM prompts as JSON lines: block hashes or token ids per request, for prefix caching", alsoIn: []string{".jsonl", ".ndjson", ".json"},
		byContent: true, sniff: sniffPrompts(promptsDialect), open: opener(NewPromptReader)},
	{name: "jsonl", about: "JSON lines, one object per request", exts: []string{".jsonl", ".ndjson", ".json"}, alsoIn: []string{".txt"},
		byContent: true, sniff: sniffReader(NewJSONReader), open: opener(NewJSONReader)},
	{name: "twitter", about: "Twitter cache traces: timestamp,key,key_size,value_size,client_id,op,ttl", exts: []string{".twitter"}, alsoIn: []string{".txt"},
		byContent: true, sniff: sniffReader(NewTwitterReader), open: opener(NewTwitterReader)},
	{name: "arc", about: "ARC paper traces: start count ignore ignore", exts: []string{".arc"}, alsoIn: []string{".txt"},
		byContent: true, sniff: sniffWith(func(Options) lineParser { return arcLine }), open: opener(NewARCReader)},
	{name: "csv", about: "CSV with columns chosen by flags", exts: []string{".csv"}, alsoIn: []string{".txt"},
		byContent: true, sniff: sniffCSV, open: openLines("csv")},
	{name: "lirs", about: "LIRS traces: one integer per line, '*' lines skipped", exts: []string{".trace", ".lirs"},
		sniff: sniffWith(func(Options) lineParser { return lirsLine }), open: openLines("lirs")},
	{name: "text", about: "one key per line (more columns with flags)", exts: []string{".txt"},
		byContent: true, sniff: func(h []byte, _ Options) bool { return isText(h) }, open: openLines("text")},
}

// byExtension lists the formats each known file name extension may mean,
// from the exts and alsoIn of formats: the usual one first, then the others
// in the order of formats. A single one decides the format whatever the
// contents; between several, the contents choose among the others in order,
// and the usual one is read when none fits (so that its reader says what is
// wrong). A name containing "oracleGeneral" (libCacheSim's convention)
// counts as .oraclegeneral.
var byExtension = func() map[string][]string {
	m := map[string][]string{}
	for _, f := range formats {
		for _, ext := range f.exts {
			m[ext] = []string{f.name}
		}
	}
	for _, f := range formats {
		for _, ext := range f.alsoIn {
			m[ext] = append(m[ext], f.name)
		}
	}
	return m
}()

// opener adapts a reader constructor to format.open.
func opener[R trace.Reader](newReader func(string, io.Reader, Options) R) func(string, io.Reader, Options) (trace.Reader, error) {
	return func(name string, r io.Reader, opt Options) (trace.Reader, error) { return newReader(name, r, opt), nil }
}

// lineChecker is implemented by the readers of text logs: check parses one
// line, for detection.
type lineChecker interface {
	check(line []byte) error
}

// sniffReader is sniffWith the check of a reader made by newReader.
func sniffReader[R lineChecker](newReader func(string, io.Reader, Options) R) func([]byte, Options) bool {
	return sniffWith(func(opt Options) lineParser { return newReader("", nil, opt).check })
}

// Formats lists the trace formats Open understands.
var Formats = func() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}()

// FormatHelp describes every format, one per line with the file name
// extensions that choose it, for command help.
func FormatHelp() string {
	var b strings.Builder
	for _, f := range formats {
		exts := slices.Sorted(slices.Values(f.exts))
		about := f.about
		if len(exts) > 0 {
			about += " [" + strings.Join(exts, " ") + "]"
		}
		fmt.Fprintf(&b, "  %-14s %s\n", f.name, about)
	}
	return b.String()
}

func lookupFormat(name string) (*format, error) {
	for i := range formats {
		if strings.EqualFold(formats[i].name, name) {
			return &formats[i], nil
		}
	}
	return nil, fmt.Errorf("unknown trace format %q (known: %s)", name, strings.Join(Formats, ", "))
}

// openLines opens the text-like formats served by LineReader.
func openLines(kind string) func(string, io.Reader, Options) (trace.Reader, error) {
	return func(name string, r io.Reader, opt Options) (trace.Reader, error) {
		lo := opt.Line
		lo.SkipBad = lo.SkipBad || opt.SkipBad
		lo.DefaultSize = opt.DefaultSize
		lo.TenantFrom = opt.TenantFrom
		lo.Keys = opt.Keys
		lo.BlockTokens = opt.BlockTokens
		switch kind {
		case "text":
			lo.Delimiter = 0
		case "lirs":
			lo.Delimiter, lo.SkipStars = 0, true
		case "csv":
			if lo.Delimiter == 0 {
				br, ok := r.(*bufio.Reader)
				if !ok || br.Size() < maxLine {
					br = bufio.NewReaderSize(r, maxLine)
				}
				r = br
				head, err := br.Peek(sniffSize)
				if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
					return nil, readError(name, err)
				}
				d, note, err := csvDelimiter(head)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				lo.Delimiter = d
				l, err := NewLineReader(name, r, lo)
				if err == nil && note != "" {
					l.notes = append(l.notes, Note{Kind: NoteDelimiter, Text: note})
				}
				return l, err
			}
		}
		return NewLineReader(name, r, lo)
	}
}

// ErrDelimiter is the error of a CSV file whose column delimiter cannot be
// told from its first lines.
var ErrDelimiter = errors.New("cannot tell the column delimiter")

// csvDelimiter chooses the column delimiter of a CSV file from head, its
// first bytes: a comma when any of its first 20 lines holds one (or none
// holds a semicolon or tab either); else a semicolon or a tab when every
// one of those lines holds the same number of it, and a note says so.
// Lines holding no comma, the first of them a semicolon or tab, but not
// consistently, are an ErrDelimiter: read with commas, each line would be
// one column, its header a request.
func csvDelimiter(head []byte) (byte, string, error) {
	head = bytes.TrimPrefix(head, utf8BOM)
	if len(head) == sniffSize {
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i] // drop a line cut short
		}
	}
	candidates := []struct {
		d    byte
		name string
	}{{';', "semicolon"}, {'\t', "tab"}}
	var first, count [2]int
	consistent := [2]bool{true, true}
	lines := 0
	for len(head) > 0 && lines < 20 {
		var line []byte
		line, head, _ = bytes.Cut(head, []byte{'\n'})
		if line = bytes.TrimSpace(line); len(line) == 0 {
			continue
		}
		if countUnquoted(line, ',') > 0 {
			return ',', "", nil
		}
		for i, c := range candidates {
			count[i] = countUnquoted(line, c.d)
			if lines == 0 {
				first[i] = count[i]
			}
			consistent[i] = consistent[i] && count[i] == first[i] && count[i] > 0
		}
		lines++
	}
	switch {
	case lines == 0 || first == [2]int{}:
		return ',', "", nil
	case consistent[0] && consistent[1]:
		return 0, "", fmt.Errorf("%w: its first %d lines hold no comma but %d semicolons and %d tabs each; name the delimiter", ErrDelimiter, lines, first[0], first[1])
	}
	for i, c := range candidates {
		if consistent[i] {
			return c.d, fmt.Sprintf("columns are separated by %ss, as each of its first %d lines holds %d of them and no comma", c.name, lines, first[i]), nil
		}
	}
	i := 0
	if first[0] == 0 {
		i = 1
	}
	return 0, "", fmt.Errorf("%w: line 1 holds no comma but %d %ss, and the lines after it do not all hold as many; name the delimiter (a comma reads each line as one column)",
		ErrDelimiter, first[i], candidates[i].name)
}

// countUnquoted counts the bytes d in line outside double-quoted fields.
func countUnquoted(line []byte, d byte) int {
	n := 0
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case c == d && !quoted:
			n++
		}
	}
	return n
}

// File is an open trace: a Reader plus the file to close.
type File struct {
	trace.Reader
	// Format is the format the file is read as.
	Format  string
	notes   []Note // from detection
	closers []io.Closer
	record  int // the format's record size, if fixed, in an uncompressed file; else 0
	bound   int // see RequestBound
}

// RequestBound returns at most how many requests the file holds, from its
// size, when its format has records of one size and it is neither
// compressed nor key-filtered; 0 when unknown. Loading presizes the
// trace's columns with it (traces.ReadAllWithin).
func (f *File) RequestBound() int { return f.bound }

// Notes returns what detection and the reader inferred or left out (see
// Note); call it after the last request.
func (f *File) Notes() []Note {
	notes := f.notes
	if k, ok := f.Reader.(keyFiltered); ok {
		notes = append(notes[:len(notes):len(notes)], k.keyFilter().notes()...)
	}
	if n, ok := f.Reader.(Noter); ok {
		notes = append(notes[:len(notes):len(notes)], n.Notes()...)
	}
	return notes
}

// Read fills r with the next request. At the end of a file of which a key
// filter (Options.Keys) kept no request, it returns an error wrapping
// ErrNothingKept rather than io.EOF.
func (f *File) Read(r *trace.Request) error {
	err := f.Reader.Read(r)
	if err == io.EOF {
		if k, ok := f.Reader.(keyFiltered); ok {
			return k.keyFilter().end()
		}
	}
	return err
}

// ReadBatch fills b with the next requests (see trace.BatchReader), many
// at a time from a reader that can, else one.
func (f *File) ReadBatch(b []trace.Request) (int, error) {
	n, err := trace.ReadSome(f.Reader, b)
	if err == io.EOF {
		if k, ok := f.Reader.(keyFiltered); ok {
			return 0, k.keyFilter().end()
		}
	}
	return n, err
}

// Close closes the decompressor and the file.
func (f *File) Close() error {
	var first error
	for i := len(f.closers) - 1; i >= 0; i-- {
		if err := f.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Fields reports the optional fields the underlying reader fills.
func (f *File) Fields() trace.Fields {
	if d, ok := f.Reader.(trace.Describer); ok {
		return d.Fields()
	}
	return trace.Fields{Time: true, Size: true, TTL: true, Op: true}
}

// Skipped returns how many malformed records were skipped.
func (f *File) Skipped() int {
	if s, ok := f.Reader.(Skipper); ok {
		return s.Skipped()
	}
	return 0
}

// Filtered returns how many well-formed records were dropped as no cache operations.
func (f *File) Filtered() int {
	if s, ok := f.Reader.(Filterer); ok {
		return s.Filtered()
	}
	return 0
}

// sniffSize is how much of the decompressed file detection looks at.
const sniffSize = 64 << 10

// Open opens a trace file, decompressing it when its first bytes say it is
// compressed (gzip, zstd, xz, bzip2), and returns a streaming reader for its
// format: opt.Format, or else the one its name and first bytes suggest.
func Open(path string, opt Options) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open trace: %w", err)
	}
	f, err := NewFile(path, fh, opt)
	if err != nil {
		fh.Close()
		return nil, err
	}
	f.closers = append([]io.Closer{fh}, f.closers...)
	if st, err := fh.Stat(); err == nil && f.record > 0 && st.Mode().IsRegular() && !opt.Keys.On() {
		f.bound = int(st.Size() / int64(f.record))
	}
	return f, nil
}

// NewFile is Open for an already open stream; name (a file name) is used for
// detection and in error messages. Close closes the decompressor, not r.
func NewFile(name string, r io.Reader, opt Options) (*File, error) {
	rc, plain, compressed, err := decompress(name, bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(rc, maxLine)
	var fm *format
	var notes []Note
	if opt.Format != "" {
		fm, err = lookupFormat(opt.Format)
	} else {
		head, perr := br.Peek(sniffSize)
		if perr != nil && perr != io.EOF && perr != bufio.ErrBufferFull {
			err = readError(name, perr)
		} else {
			if fm, notes, err = detect(plain, head, opt); err != nil {
				err = fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	if err != nil {
		rc.Close()
		return nil, err
	}
	rd, err := fm.open(name, br, opt)
	if err != nil {
		rc.Close()
		return nil, err
	}
	f := &File{Reader: rd, Format: fm.name, notes: notes, closers: []io.Closer{rc}}
	if !compressed {
		f.record = fm.record
	}
	return f, nil
}

// DetectFormat names the format of a trace file from its name and contents
// (after decompression).
func DetectFormat(path string, opt Options) (string, error) {
	opt.Format = ""
	f, err := Open(path, opt)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return f.Format, nil
}

// detect chooses the format of a file from plain (its name without any
// compression extension) and head (its first bytes, decompressed): the
// format its extension names; between the formats an extension may mean,
// the first other than the usual one whose sniff accepts head, else the
// usual one; for a name that names none, the first format whose sniff
// accepts head. The note says when the contents chose.
func detect(plain string, head []byte, opt Options) (*format, []Note, error) {
	head = bytes.TrimPrefix(head, utf8BOM)
	ext := strings.ToLower(filepath.Ext(plain))
	if strings.Contains(strings.ToLower(plain), "oraclegeneral") {
		ext = ".oraclegeneral"
	}
	if names, ok := byExtension[ext]; ok {
		for _, n := range names[1:] {
			if f, _ := lookupFormat(n); f.sniff(head, opt) {
				return f, []Note{{Kind: NoteFormat, Text: fmt.Sprintf("read as %s, which its contents fit, of the formats a %s file may hold (%s)",
					f.name, ext, strings.Join(names, ", "))}}, nil
			}
		}
		f, _ := lookupFormat(names[0])
		return f, nil, nil
	}
	for i := range formats {
		f := &formats[i]
		if f.byContent && f.sniff(head, opt) {
			why := "its name has no extension"
			if ext != "" {
				why = fmt.Sprintf("%s names no format", ext)
			}
			return f, []Note{{Kind: NoteFormat, Text: fmt.Sprintf("read as %s, chosen from its contents (%s)", f.name, why)}}, nil
		}
	}
	return nil, nil, fmt.Errorf("matches no trace format (tried %s; binary-looking data may need the format named)", strings.Join(Formats, ", "))
}

// utf8BOM is the byte order mark some tools put at the start of UTF-8 text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// lineParser parses one line of a text format.
type lineParser func(line []byte) error

// sniffWith returns a sniff that parses up to 20 whole lines of head with
// the parser newParser makes, and accepts when at most one in ten fails (a
// stray malformed line should not send a log to the text reader).
func sniffWith(newParser func(Options) lineParser) func([]byte, Options) bool {
	return func(head []byte, opt Options) bool {
		opt.Keys = KeyFilter{} // a line of any key fits
		if !isText(head) {
			return false
		}
		if len(head) == sniffSize {
			if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
				head = head[:i] // drop a line cut short
			}
		}
		parse := newParser(opt)
		n, bad := 0, 0
		for len(head) > 0 && n < 20 {
			var line []byte
			line, head, _ = bytes.Cut(head, []byte{'\n'})
			if line = bytes.TrimSpace(line); len(line) == 0 {
				continue
			}
			if parse(line) != nil {
				bad++
			}
			n++
		}
		return n > bad && bad*10 <= n
	}
}

// sniffPrompts accepts what sniffWith accepts of the reader of prompt
// format d, and two heads that rule turns away although they are prompt
// traces: a first prompt longer than the head (the blocks or token ids of
// a long prompt), which leaves no whole line to parse, when it opens as a
// prompt of d does; and a malformed line among a few (one in fewer than
// ten is too many for sniffWith), when some line reads as a prompt and
// none as a JSON-lines request.
func sniffPrompts(d promptDialect) func([]byte, Options) bool {
	newReader := func(name string, r io.Reader, opt Options) *PromptReader { return newPromptReader(name, r, opt, d) }
	return func(head []byte, opt Options) bool {
		opt.Keys = KeyFilter{} // a line of any key fits
		if sniffReader(newReader)(head, opt) {
			return true
		}
		if !isText(head) {
			return false
		}
		if len(head) == sniffSize && bytes.IndexByte(head, '\n') < 0 {
			return opensPrompt(head, newReader("", nil, opt).d)
		}
		prompt, request := newReader("", nil, opt).check, NewJSONReader("", nil, opt).check
		if len(head) == sniffSize {
			head = head[:bytes.LastIndexByte(head, '\n')] // drop a line cut short
		}
		prompts := 0
		for n := 0; len(head) > 0 && n < 20; n++ {
			var line []byte
			line, head, _ = bytes.Cut(head, []byte{'\n'})
			if line = bytes.TrimSpace(line); len(line) == 0 {
				continue
			}
			if request(line) == nil {
				return false
			}
			if prompt(line) == nil {
				prompts++
			}
		}
		return prompts > 0
	}
}

// opensPrompt reports whether line (maybe cut short) is a JSON object
// with a list of blocks or token ids among its fields as d names them,
// after its tokens field if d needs one.
func opensPrompt(line []byte, d promptDialect) bool {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return false
	}
	field := func(name string, open byte) bool {
		quoted := []byte(strconv.Quote(name))
		for rest := line; ; {
			i := bytes.Index(rest, quoted)
			if i < 0 {
				return false
			}
			rest = bytes.TrimLeft(rest[i+len(quoted):], " \t")
			if len(rest) > 0 && rest[0] == ':' {
				if rest = bytes.TrimLeft(rest[1:], " \t"); len(rest) > 0 && (open == 0 || rest[0] == open) {
					return true
				}
			}
		}
	}
	if d.needTokens && !field(d.tokens, 0) {
		return false
	}
	return field(d.blocks, '[') || (d.ids != "" && field(d.ids, '['))
}

// arcLine accepts ARC trace lines: four non-negative integers.
func arcLine(line []byte) error {
	var f [5][]byte
	if splitSpace(line, f[:]) != 4 {
		return errNotFormat
	}
	for _, v := range f[:4] {
		if _, ok := parseUint(v); !ok {
			return errNotFormat
		}
	}
	return nil
}

// lirsLine accepts LIRS trace lines: an integer or "*".
func lirsLine(line []byte) error {
	if _, ok := parseUint(line); ok || string(line) == "*" {
		return nil
	}
	return errNotFormat
}

var errNotFormat = fmt.Errorf("not this format")

// isText reports whether b looks like text: no NUL and few control bytes.
func isText(b []byte) bool {
	ctl := 0
	for _, c := range b {
		if c == 0 {
			return false
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			ctl++
		}
	}
	return ctl*100 <= len(b)
}

// sniffCSV accepts text whose first line has a comma.
func sniffCSV(h []byte, _ Options) bool {
	line, _, _ := bytes.Cut(h, []byte{'\n'})
	return isText(h) && bytes.IndexByte(line, ',') >= 0
}

// sniffVSCSI accepts a head whose first records carry VSCSI version bytes.
func sniffVSCSI(h []byte, _ Options) bool {
	if len(h) < vscsi1Record {
		return false
	}
	v := vscsiVersion(h)
	n := vscsi1Record
	if v == 2 {
		n = vscsi2Record
	}
	if v == 0 || len(h) < n {
		return false
	}
	for off := 0; off+n <= len(h) && off < 64*n; off += n {
		if vscsiVersion(h[off:]) != v {
			return false
		}
	}
	return true
}

// sniffOracle accepts a head of whole oracleGeneral records whose
// next_access_vtime fields are -1 or point past their own record, and not
// absurdly far (2^40 requests).
func sniffOracle(h []byte, _ Options) bool {
	n := min(len(h)/oracleRecord, 1000)
	if n == 0 || (len(h) < sniffSize && len(h)%oracleRecord != 0) {
		return false
	}
	for i := 0; i < n; i++ {
		next := int64(le.Uint64(h[i*oracleRecord+16:]))
		if next != -1 && (next <= int64(i+1) || next > 1<<40) {
			return false
		}
	}
	return true
}

// Load reads a whole trace file into memory.
func Load(path string, opt Options) (t *trace.Trace, skipped int, err error) {
	f, err := Open(path, opt)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	t, err = ReadAll(filepath.Base(path), f)
	if err != nil {
		return nil, 0, err
	}
	return t, f.Skipped(), nil
}
