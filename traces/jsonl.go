package traces

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/cachesim/cachesim/traces/trace"
)

// JSONFields name the fields of a JSON-lines trace; an empty name takes the
// default ("time", "key", "size", "ttl", "op").
type JSONFields struct {
	Time, Key, Size, TTL, Op string
	// Keys names a list of keys (one request of several keys), Request a
	// request id (consecutive lines with the same id are one request) and
	// Tenant the tenant's name; defaults "keys", "request_id", "tenant".
	Keys, Request, Tenant string
	// Blocks and Tokens name a prompt's list of blocks and its token
	// count in prompt traces (formats prompts and mooncake), whose reader
	// also reads Time; each format has its own defaults (see
	// PromptReader), which withDefaults leaves alone.
	Blocks, Tokens string
}

// withDefaults fills the empty names.
func (f JSONFields) withDefaults() JSONFields {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&f.Time, "time")
	def(&f.Key, "key")
	def(&f.Size, "size")
	def(&f.TTL, "ttl")
	def(&f.Op, "op")
	def(&f.Keys, "keys")
	def(&f.Request, "request_id")
	def(&f.Tenant, "tenant")
	return f
}

// JSONReader reads JSON lines: one object per line, such as
//
//	{"time": 1700000000.25, "key": "user:42", "size": 512, "ttl": 60, "op": "get"}
//
// The key (a string or a number) is required; time (a number in
// LineOptions.TimeUnit, or detected as LineReader does), size (bytes), ttl (seconds) and op
// (get, set, delete, …) are optional. A line without a size takes its key's
// last known size, or the default size for a key not sized before (see
// Options.DefaultSize). Other fields, nested or not, are skipped. Strings
// are not unescaped: a key with escapes is hashed as written.
type JSONReader struct {
	sc                       lineScanner
	time, key, size, ttl, op []byte
	clock                    clock
	sizes                    sizeMemo
	// keysField, requestField and tenantField name the batch fields.
	keysField, requestField, tenantField []byte
	batch                                jsonBatches // batch.go
	// promptTokens says a line had a Mooncake prompt's token count.
	promptTokens bool
	keys         *keyFilter // nil: every line is kept
	badRecords
}

// NewJSONReader returns a reader of JSON lines from r; name is used in error
// messages.
func NewJSONReader(name string, r io.Reader, opt Options) *JSONReader {
	f := opt.JSON.withDefaults()
	j := &JSONReader{
		sc: newLineScanner(name, r), clock: clock{unit: opt.Line.TimeUnit}, sizes: newSizeMemo(opt.DefaultSize), badRecords: badRecords{skip: opt.SkipBad},
		time: []byte(f.Time), key: []byte(f.Key), size: []byte(f.Size), ttl: []byte(f.TTL), op: []byte(f.Op),
		keysField: []byte(f.Keys), requestField: []byte(f.Request), tenantField: []byte(f.Tenant),
	}
	j.batch.tenants.rule = opt.TenantFrom
	j.keys = newKeyFilter(name, opt.Keys)
	return j
}

func (j *JSONReader) keyFilter() *keyFilter { return j.keys }

// Fields reports every optional field: which ones a file has is known only
// once it is read (columns that turn out empty cost nothing after Trace.Shrink).
func (j *JSONReader) Fields() trace.Fields {
	return trace.Fields{Time: true, Size: true, TTL: true, Op: true, Marks: true, Tenant: true}
}

// Notes says how many lines without a size were sized from others,
// which time unit was detected, and, when lines with lists of keys look
// like the prompts of a Mooncake trace, that they were not read as such.
func (j *JSONReader) Notes() []Note {
	notes := append(append(j.clock.notes(), j.sizes.notes()...), j.batch.notes(j.keysField, j.requestField)...)
	if j.promptTokens && j.batch.byList {
		notes = append(notes, Note{Kind: NoteFormat, Text: fmt.Sprintf("lines carry %q besides the %q list, as the prompts of Mooncake traces do: each list is read as a batch of independent keys, without the prefix rule of prompts (format mooncake reads them as prompts)",
			mooncakeDialect.tokens, j.keysField)})
	}
	return notes
}

// Read fills r with the next request.
func (j *JSONReader) Read(r *trace.Request) error {
	if j.batch.pop(r) {
		return nil
	}
	for {
		line, err := j.sc.next()
		if err == nil {
			if err = j.parse(line, r); err == nil {
				return nil
			}
		}
		if err = j.handle(err); err != nil {
			return err
		}
	}
}

// ErrPromptLike is the error (inside a ParseError) of a JSON line without a
// key that has a prompt's list of blocks or token ids.
var ErrPromptLike = errors.New("this may be a prompt trace (format prompts)")

func (j *JSONReader) parse(line []byte, r *trace.Request) error {
	*r = trace.Request{}
	p := jsonScanner{b: line}
	if !p.consume('{') {
		return j.sc.errorf(0, "expected a JSON object starting with '{'")
	}
	haveKey, haveSize := false, false
	var keyText, promptList, timeText []byte
	timeCol := 0
	j.batch.keys, j.batch.id, j.batch.tenant = nil, nil, nil
	for first := true; ; first = false {
		if p.consume('}') {
			break
		}
		if !first && !p.consume(',') {
			return j.sc.errorf(p.col(), "expected ',' or '}'")
		}
		name, ok := p.str()
		if !ok {
			return j.sc.errorf(p.col(), "expected a quoted field name")
		}
		if !p.consume(':') {
			return j.sc.errorf(p.col(), "expected ':' after field %q", name)
		}
		p.skipSpace()
		col := p.col() // the value's first character
		val, isStr, ok := p.value()
		if !ok {
			return j.sc.errorf(col, "field %q: malformed value", name)
		}
		if !isStr && bytes.Equal(val, []byte("null")) {
			continue // an absent value
		}
		var err error
		switch {
		case bytes.Equal(name, j.key):
			if len(val) == 0 {
				return j.sc.errorf(col, "empty key")
			}
			if err := checkJSONKey(val, isStr); err != nil {
				return j.sc.errorf(col, "field %q: %v", name, err)
			}
			haveKey, keyText = true, val
		case bytes.Equal(name, j.time):
			timeText, timeCol = val, col // read once the line is kept
		case bytes.Equal(name, j.size):
			r.Size, err = parseSize(val)
			haveSize = true
		case bytes.Equal(name, j.ttl):
			r.TTL, err = parseTTL(val)
		case bytes.Equal(name, j.op):
			if !isStr {
				err = fmt.Errorf("op: expected a string such as \"get\", got %s", val)
			} else {
				r.Op, err = ParseOp(val)
			}
		case j.take(name, val):
		case bytes.Equal(name, []byte("blocks")) || bytes.Equal(name, []byte("token_ids")):
			promptList = name
		case bytes.Equal(name, []byte(mooncakeDialect.tokens)):
			j.promptTokens = true
		}
		if err != nil {
			return j.sc.wrap(col, err)
		}
	}
	if p.skipSpace(); p.i != len(p.b) {
		return j.sc.errorf(p.col(), "unexpected text after the object")
	}
	if !haveKey && j.batch.keys == nil && promptList != nil {
		return j.sc.wrap(0, fmt.Errorf("no %q field (nor a %q list), but a %q list as an LLM prompt has: %w",
			j.key, j.keysField, promptList, ErrPromptLike))
	}
	if err := j.finish(r, keyText, haveKey, haveSize); err != nil {
		return err
	}
	if timeText != nil {
		t, err := j.clock.since(timeText)
		if err != nil {
			j.batch.pending, j.batch.next = j.batch.pending[:0], 0 // the line's other keys go with it
			return j.sc.wrap(timeCol, err)
		}
		j.batch.setTime(r, t)
	}
	return nil
}

// finish completes the request(s) of a line whose fields are read: the
// key or list of keys, and the sizes (see batch.go for the list). It
// returns errDropped when the key filter keeps none of the keys.
func (j *JSONReader) finish(r *trace.Request, keyText []byte, haveKey, haveSize bool) error {
	switch {
	case !haveKey && j.batch.keys == nil:
		return j.sc.errorf(0, "no %q field (nor a %q list)", j.key, j.keysField)
	case haveKey && j.batch.keys != nil:
		return j.sc.errorf(0, "both a %q field and a %q list: give one", j.key, j.keysField)
	}
	settle := func(r *trace.Request) {
		if haveSize {
			j.sizes.learn(r.Key, r.Size)
		} else {
			var known bool
			r.Size, known = j.sizes.recall(r.Key)
			r.Unsized = !known
		}
	}
	if err := j.expand(r, keyText, settle); err != nil {
		if err == errDropped {
			return err
		}
		return j.sc.errorf(0, "%v", err)
	}
	return nil
}

// checkJSONKey accepts a key's value: a string (isStr) or a JSON number;
// a bare word (abc, NaN, true), an object or a list is no key.
func checkJSONKey(v []byte, isStr bool) error {
	if isStr || isJSONNumber(v) {
		return nil
	}
	what := "a bare word"
	switch v[0] {
	case '{':
		what = "an object"
	case '[':
		what = "a list"
	}
	if len(v) > 40 {
		v = append(v[:37:37], "..."...)
	}
	return fmt.Errorf("expected a string or a number, got %s: %s", what, v)
}

// isJSONNumber reports whether b is a number as JSON writes them:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; NaN and Infinity are not.
func isJSONNumber(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && b[start] == '0') {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// jsonScanner walks one JSON object without allocating.
type jsonScanner struct {
	b []byte
	i int
}

func (p *jsonScanner) col() int { return p.i + 1 }

func (p *jsonScanner) skipSpace() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\r' || p.b[p.i] == '\n') {
		p.i++
	}
}

// consume skips spaces and c, reporting whether c was there.
func (p *jsonScanner) consume(c byte) bool {
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a quoted string and returns its raw contents.
func (p *jsonScanner) str() ([]byte, bool) {
	p.skipSpace()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, false
	}
	s, rest, ok := quoted(p.b[p.i:])
	if ok {
		p.i = len(p.b) - len(rest)
	}
	return s, ok
}

// value reads any value: a string's raw contents (isStr), a scalar's text,
// or a whole nested object or array.
func (p *jsonScanner) value() (v []byte, isStr, ok bool) {
	p.skipSpace()
	if p.i >= len(p.b) {
		return nil, false, false
	}
	switch p.b[p.i] {
	case '"':
		v, ok = p.str()
		return v, true, ok
	case '{', '[':
		start, depth := p.i, 0
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case '"':
				if _, ok := p.str(); !ok {
					return nil, false, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			p.i++
			if depth == 0 {
				return p.b[start:p.i], false, true
			}
		}
		return nil, false, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		p.i++
	}
	return p.b[start:p.i], false, p.i > start
}

// check parses one line, for format detection.
func (j *JSONReader) check(line []byte) error {
	var r trace.Request
	return j.parse(line, &r)
}
