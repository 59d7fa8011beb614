package traces

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cespare/xxhash/v2"
)

// Columns says where each field is in a line-based trace: 1-based column
// numbers, as libCacheSim's -t "obj-id-col=…" options; 0 means absent.
type Columns struct {
	Key, Size, Time, TTL, Op int
	// Latency is the column of the backend latency each request cost, in
	// LineOptions.LatencyUnit.
	Latency int
	// Request is the column of a request id: consecutive lines with the
	// same id are the keys of one multi-key request (see batch.go).
	Request int
	// Tenant is the column of the tenant's name.
	Tenant int
	// Tokens is the column of the tokens a KV-cache block holds, and
	// Block the column of a block's index in its prompt: a CSV of
	// (request id, block index, block hash[, tokens]) is a prompt trace
	// (see PromptReader), its rows in block order.
	Tokens, Block int
}

// ColumnSpec locates the fields of a CSV or text trace by header name or
// by 1-based column number written out ("4"); Key may list several,
// separated by commas, whose values together make a composite key. A field
// left "" takes its place from Columns.
type ColumnSpec struct {
	Key, Size, Time, TTL, Op, Latency string
	// Request and Tenant locate a request id and a tenant (see Columns).
	Request, Tenant string
	// Tokens and Block locate a block's tokens and index (see Columns).
	Tokens, Block string
}

// LineOptions configures the text and CSV readers.
type LineOptions struct {
	// Columns locate the fields; the zero value means a key in column 1 only.
	Columns Columns
	// Spec locates fields by name or number, over Columns; a name makes the
	// first line a header.
	Spec ColumnSpec
	// Delimiter separates columns in CSV; 0 splits on runs of spaces and tabs (text).
	Delimiter byte
	// Header says the first line is a header.
	//
	// Without it, a first line none of whose fields is a number and some of
	// whose fields are column names recognised (see AutoColumns) is taken as
	// a header, and a note says so; one that recognises none but has words
	// where the second line has numbers is an error asking to declare the
	// header or name the columns.
	Header bool
	// TimeUnit is the length of one time unit in nanoseconds; 0 detects it
	// from the magnitude of the first timestamp (epoch seconds,
	// milliseconds, microseconds or nanoseconds; small values are seconds)
	// and says so in a note when it is not seconds.
	TimeUnit int64
	// SkipBad counts and skips malformed lines instead of failing.
	SkipBad bool
	// SkipStars skips lines that are "*" (the LIRS trace convention).
	SkipStars bool
	// AutoColumns takes the fields that Columns and Spec do not locate by
	// number from the names in a header line: key
	// (key, id, obj_id, lbn, … or the first *_id), size (size, bytes,
	// obj_size, … or the first *_bytes), time (time, ts, timestamp), ttl,
	// op and latency (latency, latency_ms, …); the other columns are
	// ignored, and a note lists both.
	AutoColumns bool
	// LatencyUnit is the length of one unit of the latency column in
	// nanoseconds; 0 takes it from the column's name (latency_us: µs) or
	// else milliseconds.
	LatencyUnit int64
	// DefaultSize is the size of every request when there is no size
	// column (0: DefaultSize, 1 byte).
	DefaultSize uint32
	// BlockTokens is the tokens of a prompt block whose row has no tokens
	// column (0: DefaultBlockTokens; see Columns.Block).
	BlockTokens int
	// TenantFrom, when set, derives each request's tenant from its key
	// (the first key column), unless a tenant column gives it.
	TenantFrom *TenantRule
	// Keys keeps the lines whose key it matches (a composite key's
	// columns joined by ','), before anything else reads them.
	Keys KeyFilter
}

// ErrHeaderLike is the error (inside a ParseError) of a first line that
// looks like a header nobody declared.
var ErrHeaderLike = errors.New("line 1 looks like a header")

// MaxColumns is the highest column number a CSV or text trace may use.
const MaxColumns = 1024

// checkColumn reports whether n is a column number: 1 to MaxColumns.
func checkColumn(n int) error {
	if n < 1 || n > MaxColumns {
		return fmt.Errorf("column %d: columns are numbered from 1 to %d", n, MaxColumns)
	}
	return nil
}

// colRef is one column of a ColumnSpec: a number, or a name to find in the header.
type colRef struct {
	num  int
	name string
}

// parseColumnList reads a ColumnSpec field: comma-separated numbers or names.
func parseColumnList(s string) ([]colRef, error) {
	var refs []colRef
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("%q: empty column name", s)
		}
		if strings.Trim(part, "-+0123456789") == "" {
			n, err := strconv.Atoi(part)
			if err != nil {
				return nil, fmt.Errorf("column %s: columns are numbered from 1 to %d", part, MaxColumns)
			}
			if err := checkColumn(n); err != nil {
				return nil, err
			}
			refs = append(refs, colRef{num: n})
			continue
		}
		refs = append(refs, colRef{name: part})
	}
	return refs, nil
}

// CheckColumns reports whether s is a valid ColumnSpec field: 1-based
// column numbers up to MaxColumns or names, separated by commas.
func CheckColumns(s string) error {
	_, err := parseColumnList(s)
	return err
}

// fieldKind is one field a column may hold.
type fieldKind int

const (
	fieldKey fieldKind = iota
	fieldSize
	fieldTime
	fieldTTL
	fieldOp
	fieldLatency
	fieldRequest
	fieldTenant
	fieldTokens
	fieldBlock
	numFields
)

var fieldNames = [numFields]string{"key", "size", "time", "ttl", "op", "latency", "request", "tenant", "tokens", "block index"}

// col returns the Columns entry of field k.
func (c *Columns) col(k fieldKind) *int {
	return [numFields]*int{&c.Key, &c.Size, &c.Time, &c.TTL, &c.Op, &c.Latency, &c.Request, &c.Tenant, &c.Tokens, &c.Block}[k]
}

// spec returns the ColumnSpec entry of field k.
func (s *ColumnSpec) spec(k fieldKind) string {
	return [numFields]string{s.Key, s.Size, s.Time, s.TTL, s.Op, s.Latency, s.Request, s.Tenant, s.Tokens, s.Block}[k]
}

// headerNames are the column names AutoColumns recognises (in any case);
// headerSuffixes recognise a kind of name when no exact name is there.
var (
	headerNames = map[string]fieldKind{
		"key": fieldKey, "id": fieldKey, "obj_id": fieldKey, "object_id": fieldKey, "objid": fieldKey, "obj": fieldKey,
		"lbn": fieldKey, "lba": fieldKey, "block": fieldKey, "url": fieldKey, "path": fieldKey,
		"time": fieldTime, "timestamp": fieldTime, "ts": fieldTime, "clock_time": fieldTime,
		"size": fieldSize, "obj_size": fieldSize, "object_size": fieldSize, "bytes": fieldSize, "len": fieldSize, "length": fieldSize,
		"ttl": fieldTTL, "op": fieldOp, "operation": fieldOp, "cmd": fieldOp, "type": fieldOp,
		"latency": fieldLatency, "latency_s": fieldLatency, "latency_ms": fieldLatency, "latency_us": fieldLatency, "latency_ns": fieldLatency,
		"request_id": fieldRequest, "request": fieldRequest, "req_id": fieldRequest, "batch_id": fieldRequest,
		"tenant": fieldTenant, "tenant_id": fieldTenant, "model": fieldTenant, "model_id": fieldTenant, "namespace": fieldTenant,
		"block_hash": fieldKey, "hash": fieldKey, "tokens": fieldTokens, "block_tokens": fieldTokens, "num_tokens": fieldTokens,
		"block_index": fieldBlock, "block_idx": fieldBlock,
	}
	headerSuffixes = []struct {
		suffix string
		kind   fieldKind
	}{{"_id", fieldKey}, {"_bytes", fieldSize}}
)

// LineReader reads one request per line from text or CSV. It allocates
// nothing per line.
type LineReader struct {
	sc      lineScanner
	opt     LineOptions
	keyCols []int // the key's columns: one, or several for a composite key
	maxCol  int
	fields  [][]byte // fields[i] is column i+1
	digest  *xxhash.Digest
	clock   clock
	size    uint32 // the size of every request when there is no size column
	// named are the fields the Spec locates by name, found in the header.
	named    [numFields][]colRef
	first    bool     // the first non-blank line is still to come
	keyGiven bool     // the options locate the key
	held     [][]byte // lines read ahead, still to be parsed, in order
	primeErr error    // an error of the first line read for Fields, for Read
	notes    []Note
	batch    lineBatches // request ids and tenants (batch.go)
	keys     *keyFilter  // nil: every line is kept
	keyText  []byte      // a composite key's columns joined by ',', for keys
	// ids are the header's columns that may name an object beside the
	// key column chosen alone, to look at on the first row (nil: none
	// to look at); keyNote says what that row showed.
	ids     *idColumns
	keyNote []Note
	// open is the column of a quoted field the line split last leaves
	// open (0: none); inQuote says the lines after it, up to the one that
	// closes it, belong to that bad record and are dropped with it.
	open    int
	inQuote bool
	badRecords
}

// NewLineReader returns a reader of text or CSV requests from r; name is
// used in error messages.
func NewLineReader(name string, r io.Reader, opt LineOptions) (*LineReader, error) {
	l := &LineReader{
		sc:         newLineScanner(name, r),
		opt:        opt,
		first:      true,
		size:       defaultSize(opt.DefaultSize),
		digest:     xxhash.New(),
		clock:      clock{unit: opt.TimeUnit},
		badRecords: badRecords{skip: opt.SkipBad},
		keys:       newKeyFilter(name, opt.Keys),
	}
	l.sc.skipStars = opt.SkipStars
	l.keyGiven = opt.Columns.Key != 0 || opt.Spec.Key != ""
	c := opt.Columns
	for k := fieldKind(0); k < numFields; k++ {
		if v := *c.col(k); v != 0 {
			if err := checkColumn(v); err != nil {
				return nil, err
			}
		}
		s := opt.Spec.spec(k)
		if s == "" {
			continue
		}
		refs, err := parseColumnList(s)
		if err != nil {
			return nil, fmt.Errorf("%s column: %w", fieldNames[k], err)
		}
		if len(refs) > 1 && k != fieldKey {
			return nil, fmt.Errorf("%s column %q: only the key may have several columns", fieldNames[k], s)
		}
		*c.col(k) = refs[0].num
		if k == fieldKey {
			l.keyCols = l.keyCols[:0]
			for _, ref := range refs {
				l.keyCols = append(l.keyCols, ref.num)
			}
		}
		for _, ref := range refs {
			if ref.name != "" {
				l.named[k] = refs
				l.opt.Header = true // names are found in the header
				break
			}
		}
	}
	if c.Key == 0 && l.named[fieldKey] == nil {
		c.Key = 1
	}
	if len(l.keyCols) == 0 {
		l.keyCols = []int{c.Key}
	}
	l.setColumns(c)
	return l, nil
}

// setColumns makes c (and l.keyCols) the columns read.
func (l *LineReader) setColumns(c Columns) {
	c.Key = l.keyCols[0]
	l.opt.Columns = c
	l.maxCol = max(c.Size, c.Time, c.TTL, c.Op, c.Latency, c.Request, c.Tenant, c.Tokens, c.Block)
	for _, k := range l.keyCols {
		l.maxCol = max(l.maxCol, k)
	}
	l.fields = make([][]byte, l.maxCol)
}

// Fields reports the optional fields this reader fills; with AutoColumns,
// before the header is read, all of them.
func (l *LineReader) Fields() trace.Fields {
	if l.opt.AutoColumns && l.first && l.primeErr == nil {
		// Read the first line now: a header decides the columns, and a
		// stream that would have to assume every field (operations
		// among them) can take only those it has.
		l.primeErr = l.prime()
	}
	if l.opt.AutoColumns && l.first {
		// Tokens only when a flag names a block column: a header naming
		// one is seen later, and the caller checks what it read.
		return trace.Fields{Time: true, Size: true, TTL: true, Op: true, Latency: true, Marks: true, Tenant: true,
			Tokens: l.opt.Spec.Tokens != "" || l.opt.Spec.Block != ""}
	}
	c := l.opt.Columns
	return trace.Fields{Time: c.Time > 0, Size: c.Size > 0 || l.size != 1, TTL: c.TTL > 0, Op: c.Op > 0, Latency: c.Latency > 0,
		Marks: c.Request > 0, Tenant: c.Tenant > 0 || l.opt.TenantFrom != nil, Tokens: c.Tokens > 0 || c.Block > 0}
}

// Notes returns what the reader inferred: the header's columns, the time
// unit, a default size.
func (l *LineReader) Notes() []Note {
	notes := append(l.notes[:len(l.notes):len(l.notes)], l.clock.notes()...)
	notes = append(notes, l.batch.notes(l.opt.Columns.Request > 0)...)
	if l.opt.Columns.Size == 0 {
		notes = append(notes, unsizedNotes(l.size)...)
	}
	return append(notes, l.keyNote...)
}

// Read fills r with the next request.
func (l *LineReader) Read(r *trace.Request) error {
	if err := l.primeErr; err != nil {
		l.primeErr = nil
		if err = l.handle(err); err != nil {
			return err
		}
	}
	for l.first {
		if err := l.prime(); err != nil {
			if err = l.handle(err); err != nil {
				return err
			}
		}
	}
	for {
		var line []byte
		var err error
		if len(l.held) > 0 {
			line, l.held = l.held[0], l.held[1:]
		} else {
			line, err = l.sc.next()
		}
		if err == nil && l.inQuote {
			if bytes.Count(line, []byte{'"'})%2 == 1 {
				l.inQuote = false // the line that closes the quoted field
			}
			continue
		}
		if err == nil {
			if err = l.parse(line, r); err == nil {
				return nil
			}
		}
		if err = l.handle(err); err != nil {
			return err
		}
	}
}

// prime reads the first non-blank line: a header is read (its columns
// taken), a request line kept for Read. It returns the error of that line
// (the first line stays to come when the error is reading one).
func (l *LineReader) prime() error {
	line, err := l.sc.next()
	if err == io.EOF {
		l.first = false
		return nil
	}
	if err != nil {
		return err
	}
	l.first = false
	line = append([]byte(nil), line...) // firstLine may read the next line
	header, err := l.firstLine(line)
	if l.opt.LatencyUnit == 0 {
		l.opt.LatencyUnit = 1e6
	}
	if err == nil && !header {
		l.held = append([][]byte{line}, l.held...)
	}
	return err
}

// split splits line into dst (fields in order) and returns how many it found,
// at most len(dst): at the delimiter for CSV (with double quotes around
// fields that hold it), at runs of spaces and tabs for text. For CSV it
// sets l.open to the column of a quoted field that the line does not close
// (in any column, not only those split), else 0.
func (l *LineReader) split(line []byte, dst [][]byte) int {
	if l.opt.Delimiter == 0 {
		return splitSpace(line, dst)
	}
	d := l.opt.Delimiter
	n := 0
	l.open = 0
	for n < len(dst) {
		n++
		if len(line) > 0 && line[0] == '"' {
			end := closingQuote(line)
			if end == len(line) {
				l.open = n
			}
			dst[n-1] = line[1:min(end, len(line))]
			line = line[min(end+1, len(line)):]
			if len(line) > 0 && line[0] == d {
				line = line[1:]
			} else if len(line) == 0 {
				break
			}
			continue
		}
		i := bytes.IndexByte(line, d)
		if i < 0 {
			dst[n-1] = bytes.TrimSpace(line)
			line = nil
			break
		}
		dst[n-1] = bytes.TrimSpace(line[:i])
		line = line[i+1:]
	}
	if l.open == 0 && len(line) > 0 && bytes.IndexByte(line, '"') >= 0 {
		l.open = openQuote(line, d, n+1)
	}
	return n
}

// closingQuote returns the index of the quote that closes the quoted field
// at the start of line ("" is an escaped quote), or len(line) when none does.
func closingQuote(line []byte) int {
	for end := 1; end < len(line); end++ {
		if line[end] == '"' {
			if end+1 < len(line) && line[end+1] == '"' {
				end++
				continue
			}
			return end
		}
	}
	return len(line)
}

// openQuote returns the column of a quoted field that line (the fields
// from column col on) does not close, or 0.
func openQuote(line []byte, d byte, col int) int {
	for ; len(line) > 0; col++ {
		if line[0] == '"' {
			end := closingQuote(line)
			if end == len(line) {
				return col
			}
			line = line[end+1:]
		}
		i := bytes.IndexByte(line, d)
		if i < 0 {
			return 0
		}
		line = line[i+1:]
	}
	return 0
}

func (l *LineReader) parse(line []byte, r *trace.Request) error {
	if l.ids != nil {
		l.keyNote, l.ids = l.ids.note(l, line), nil
	}
	n := l.split(line, l.fields)
	if l.open > 0 {
		l.inQuote = true
		return l.sc.errorf(l.open, "a quoted field has no closing quote on this line: a line break inside quotes "+
			"(an RFC 4180 multi-line field) is not supported; take the line breaks out of quoted fields")
	}
	if n < l.maxCol {
		return l.sc.errorf(0, "expected at least %d columns, found %d (check the column options and the delimiter)", l.maxCol, n)
	}
	c := l.opt.Columns
	keep, continues := l.admit()
	if !keep {
		return errDropped
	}
	if err := l.parseKey(r); err != nil {
		return err
	}
	r.Size, r.TTL, r.Time, r.Op, r.Latency, r.Next, r.Continues = l.size, 0, 0, trace.OpGet, 0, 0, continues
	var err error
	if c.Size > 0 {
		if r.Size, err = parseSize(l.fields[c.Size-1]); err != nil {
			return l.sc.wrap(c.Size, err)
		}
	}
	if c.TTL > 0 {
		if r.TTL, err = parseTTL(l.fields[c.TTL-1]); err != nil {
			return l.sc.wrap(c.TTL, err)
		}
	}
	if c.Op > 0 {
		if r.Op, err = ParseOp(l.fields[c.Op-1]); err != nil {
			return l.sc.wrap(c.Op, err)
		}
	}
	if c.Latency > 0 {
		ns, err := parseTime(l.fields[c.Latency-1], l.opt.LatencyUnit)
		if err != nil || ns < 0 {
			return l.sc.errorf(c.Latency, "latency: expected a non-negative decimal number, got %q", l.fields[c.Latency-1])
		}
		r.Latency = float64(ns) / 1e9
	}
	if c.Time > 0 {
		if r.Time, err = l.clock.since(l.fields[c.Time-1]); err != nil {
			return l.sc.wrap(c.Time, err)
		}
	}
	l.batchAndTenant(r)
	return l.blockOf(r)
}

// admit reports whether the key filter keeps the line, and whether it
// continues the request of the line kept before it (by the request id
// column).
func (l *LineReader) admit() (keep, continues bool) {
	continues = l.batch.continues(l.fields, l.opt.Columns.Request)
	if l.keys == nil {
		return true, continues
	}
	key := l.fields[l.keyCols[0]-1]
	if len(l.keyCols) > 1 {
		l.keyText = l.keyText[:0]
		for i, c := range l.keyCols {
			if i > 0 {
				l.keyText = append(l.keyText, ',')
			}
			l.keyText = append(l.keyText, l.fields[c-1]...)
		}
		key = l.keyText
	}
	return l.keys.admit(key, continues)
}

func (l *LineReader) keyFilter() *keyFilter { return l.keys }

// parseKey sets r.Key from the key column, or hashes the key columns
// together (separated by a zero byte) for a composite key.
func (l *LineReader) parseKey(r *trace.Request) error {
	if len(l.keyCols) == 1 {
		key := l.fields[l.keyCols[0]-1]
		if len(key) == 0 {
			return l.sc.errorf(l.keyCols[0], "empty key")
		}
		r.Key = ParseKey(key)
		return nil
	}
	l.digest.Reset()
	empty := true
	for i, c := range l.keyCols {
		if i > 0 {
			l.digest.Write([]byte{0})
		}
		l.digest.Write(l.fields[c-1])
		empty = empty && len(l.fields[c-1]) == 0
	}
	if empty {
		return l.sc.errorf(l.keyCols[0], "empty key")
	}
	r.Key = l.digest.Sum64()
	return nil
}

// firstLine looks at the first line of the trace and reports whether it is
// a header, which it then reads.
func (l *LineReader) firstLine(line []byte) (bool, error) {
	names := make([][]byte, MaxColumns)
	names = names[:l.split(line, names)]
	for i, n := range names {
		names[i] = bytes.Trim(n, `"`)
	}
	if l.opt.Header {
		return true, l.readHeader(names, "")
	}
	numbers := 0
	recognised := false
	for _, n := range names {
		if isNumber(n) {
			numbers++
		}
		_, ok := recognise(n)
		recognised = recognised || ok
	}
	switch {
	case numbers == 0 && recognised:
		return true, l.readHeader(names, "line 1 is taken as a header, as it names columns and holds no number: ")
	case numbers == 0 && len(names) > 1:
		return false, l.headerLike(line)
	}
	return false, nil
}

// headerLike fails when the first line, none of whose fields is a number,
// has a word where the second line has a number: it looks like a header no
// one declared. It keeps the second line for Read.
func (l *LineReader) headerLike(line []byte) error {
	first := make([][]byte, MaxColumns)
	first = first[:l.split(line, first)] // line is a copy (prime): next does not overwrite it
	next, err := l.sc.next()
	if err != nil {
		if err == io.EOF {
			return nil
		}
		return err
	}
	held := append([]byte(nil), next...)
	l.held = append(l.held, held)
	second := make([][]byte, len(first))
	second = second[:l.split(held, second)]
	for i := range second {
		if isNumber(second[i]) {
			return &ParseError{File: l.sc.name, Line: l.sc.line - 1, Column: i + 1, Err: fmt.Errorf(
				"%q where line %d has the number %s: %w; declare the header, or name the columns (recognised names: %s)",
				first[i], l.sc.line, second[i], ErrHeaderLike, recognisedNames)}
		}
	}
	return nil
}

// recognisedNames lists the header names AutoColumns knows, for messages.
const recognisedNames = "key, id, *_id, obj_id, lbn, url, path; size, bytes, *_bytes, obj_size; time, ts, timestamp; ttl; op; latency, latency_ms; request_id, batch_id; tenant, model, model_id, namespace"

// isNumber reports whether b is a decimal number (a sign and a fraction allowed).
func isNumber(b []byte) bool {
	_, err := parseTime(b, 1)
	return err == nil
}

// recognise returns the field an AutoColumns header name stands for; exact
// names come before suffixes (see resolveAuto).
func recognise(name []byte) (fieldKind, bool) {
	lower := strings.ToLower(string(bytes.TrimSpace(name)))
	if k, ok := headerNames[lower]; ok {
		return k, true
	}
	for _, s := range headerSuffixes {
		if len(lower) > len(s.suffix) && strings.HasSuffix(lower, s.suffix) {
			return s.kind, true
		}
	}
	return 0, false
}

// readHeader takes the columns named in a header line: the Spec's names,
// and, with AutoColumns, every recognised name; a note lists them, after why.
func (l *LineReader) readHeader(names [][]byte, why string) error {
	c := l.opt.Columns
	find := func(name string) int {
		for i, n := range names {
			if strings.EqualFold(string(bytes.TrimSpace(n)), name) {
				return i + 1
			}
		}
		return 0
	}
	for k := fieldKind(0); k < numFields; k++ {
		refs := l.named[k]
		if refs == nil {
			continue
		}
		cols := make([]int, len(refs))
		for i, ref := range refs {
			if cols[i] = ref.num; ref.name != "" {
				if cols[i] = find(ref.name); cols[i] == 0 {
					return l.headerError("%s column %q is not in the header (its columns: %s)", fieldNames[k], ref.name, bytes.Join(names, []byte(", ")))
				}
			}
		}
		*c.col(k) = cols[0]
		if k == fieldKey {
			l.keyCols = cols
		}
	}
	if l.opt.AutoColumns {
		if err := l.resolveAuto(names, &c); err != nil {
			return err
		}
	}
	l.setColumns(c)
	if l.opt.AutoColumns && !l.keyGiven {
		l.ids = l.unusedColumns(names)
	}
	if c.Latency > 0 && l.opt.LatencyUnit == 0 {
		l.opt.LatencyUnit = latencyUnit(names[c.Latency-1])
	}
	l.notes = append(l.notes, Note{Kind: NoteColumns, Text: why + l.describeColumns(names)})
	return nil
}

// headerError is the error of a header that does not locate the columns:
// not a ParseError, as skipping the line would leave them unknown.
func (l *LineReader) headerError(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", l.sc.name, l.sc.line, fmt.Sprintf(format, args...))
}

// resolveAuto fills the fields c does not have from the recognised names
// of a header: the first exact name of each field, else the first name with
// its suffix.
func (l *LineReader) resolveAuto(names [][]byte, c *Columns) error {
	var exact, bySuffix [numFields]int
	for i, n := range names {
		k, ok := recognise(n)
		if !ok {
			continue
		}
		_, isExact := headerNames[strings.ToLower(string(bytes.TrimSpace(n)))]
		if isExact && exact[k] == 0 {
			exact[k] = i + 1
		} else if !isExact && bySuffix[k] == 0 {
			bySuffix[k] = i + 1
		}
	}
	keyGiven := l.keyGiven
	for k := fieldKind(0); k < numFields; k++ {
		if p := c.col(k); (*p == 0 && k != fieldKey) || (k == fieldKey && !keyGiven) {
			*p = exact[k]
			if *p == 0 {
				*p = bySuffix[k]
			}
		}
	}
	if !keyGiven {
		if c.Key == 0 {
			return l.headerError("the header names no key column (recognised names: %s); name the key column", recognisedNames)
		}
		l.keyCols = []int{c.Key}
	}
	return nil
}

// idColumns are the columns of a header read neither as the key nor as
// anything else: named as keys are (a second *_id), or of other names.
type idColumns struct {
	names          []string // the header's
	byName, others []int    // 1-based
}

// unusedColumns returns the columns of the header names that are read as
// nothing, nil when there are none.
func (l *LineReader) unusedColumns(names [][]byte) *idColumns {
	used := map[int]bool{}
	for _, k := range l.keyCols {
		used[k] = true
	}
	for k := fieldSize; k < numFields; k++ {
		used[*l.opt.Columns.col(k)] = true
	}
	ids := &idColumns{}
	for i, n := range names {
		ids.names = append(ids.names, string(n))
		if used[i+1] {
			continue
		}
		if k, ok := recognise(n); !ok {
			ids.others = append(ids.others, i+1)
		} else if k == fieldKey {
			ids.byName = append(ids.byName, i+1)
		}
	}
	if len(ids.byName)+len(ids.others) == 0 {
		return nil
	}
	return ids
}

// note says, at the first row (line), that the key column was chosen
// alone among columns that may name the object too: those named as keys
// are, and those that hold text on that row (a number is more likely a
// measure). Its Suggest is the composite key of all of them.
func (ids *idColumns) note(l *LineReader, line []byte) []Note {
	fields := make([][]byte, len(ids.names))
	fields = fields[:l.split(line, fields)]
	var parts []string
	key := []string{ids.names[l.keyCols[0]-1]}
	for col := 1; col <= len(ids.names); col++ {
		why := ""
		switch {
		case slices.Contains(ids.byName, col):
			why = "named as an id"
		case slices.Contains(ids.others, col) && col <= len(fields) && len(fields[col-1]) > 0 && !isNumber(fields[col-1]):
			why = fmt.Sprintf("text on the first row: %q", fields[col-1])
		default:
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (column %d, %s)", ids.names[col-1], col, why))
		key = append(key, ids.names[col-1])
	}
	if len(parts) == 0 {
		return nil
	}
	return []Note{{Kind: NoteKeyColumns, Suggest: strings.Join(key, ","), Text: fmt.Sprintf(
		"the key is %s (column %d) alone, and %s may name the object too: a composite key takes them all",
		key[0], l.keyCols[0], strings.Join(parts, ", "))}}
}

// describeColumns says which columns of the header are read as what, and
// which are ignored.
func (l *LineReader) describeColumns(names [][]byte) string {
	c := l.opt.Columns
	used := make([]bool, len(names)+1)
	var parts []string
	name := func(col int) string {
		if col <= len(names) {
			used[col] = true
			return fmt.Sprintf("%s (column %d)", names[col-1], col)
		}
		return fmt.Sprintf("column %d", col)
	}
	var key []string
	for _, k := range l.keyCols {
		key = append(key, name(k))
	}
	parts = append(parts, "key = "+strings.Join(key, " + "))
	for k := fieldSize; k < numFields; k++ {
		if col := *c.col(k); col > 0 {
			parts = append(parts, fieldNames[k]+" = "+name(col))
		}
	}
	var ignored []string
	for i, n := range names {
		if !used[i+1] {
			ignored = append(ignored, string(n))
		}
	}
	s := strings.Join(parts, ", ")
	if len(ignored) > 0 {
		s += "; ignored: " + strings.Join(ignored, ", ")
	}
	return s
}

// latencyUnit reads the unit of a latency column from its name's suffix
// (latency_us: microseconds), milliseconds by default.
func latencyUnit(name []byte) int64 {
	lower := strings.ToLower(string(name))
	for _, u := range []struct {
		suffix string
		ns     int64
	}{{"_ns", 1}, {"_us", 1e3}, {"_ms", 1e6}, {"_s", 1e9}} {
		if strings.HasSuffix(lower, u.suffix) {
			return u.ns
		}
	}
	return 1e6
}

// splitSpace splits line at runs of spaces and tabs into dst, at most
// len(dst) fields (the last one is cut at the next space), and returns how
// many it found.
func splitSpace(line []byte, dst [][]byte) int {
	n := 0
	for len(line) > 0 && n < len(dst) {
		i := 0
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			i++
		}
		dst[n] = line[:i]
		n++
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		line = line[i:]
	}
	return n
}
