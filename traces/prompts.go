package traces

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cespare/xxhash/v2"
)

// DefaultBlockTokens is the tokens a KV-cache block holds when a prompt
// trace needs it and Options.BlockTokens is 0 (vLLM's default block size).
const DefaultBlockTokens = 16

// MooncakeBlockTokens is the tokens a block of a Mooncake trace holds
// unless a line's "block_size" or Options.BlockTokens says otherwise (the
// block size of the FAST'25 release's traces).
const MooncakeBlockTokens = 512

// promptDialect is what a format of prompt JSON lines calls its fields
// and what it leaves unsaid: its block size and time unit.
type promptDialect struct {
	format string
	// time, blocks, tokens, ids and block name the fields of a line (""
	// for ids: the format has no token ids).
	time, blocks, tokens, ids, block string
	// blockTokens is the block size a line that gives none has, and why.
	blockTokens uint32
	blockWhy    string
	// unit is the length of the format's time unit in nanoseconds (0:
	// unsaid, detected from the magnitude of the first timestamp).
	unit     int64
	unitName string
	// needTokens says whether every line must give its tokens (a field
	// that, with the blocks, identifies the format).
	needTokens bool
	// alwaysNote says whether the block size is noted whatever decided it.
	alwaysNote bool
}

// promptsDialect is format prompts: the fields the prompts writer writes.
var promptsDialect = promptDialect{format: "prompts", time: "time", blocks: "blocks", tokens: "tokens", ids: "token_ids", block: "block_tokens",
	blockTokens: DefaultBlockTokens, blockWhy: "vLLM's default block size"}

// mooncakeDialect is format mooncake, the traces of the Mooncake FAST'25
// release: {"timestamp": ms, "input_length": tokens, "output_length":
// tokens, "hash_ids": [block ids]}.
var mooncakeDialect = promptDialect{format: "mooncake", time: "timestamp", blocks: "hash_ids", tokens: "input_length", block: "block_size",
	blockTokens: MooncakeBlockTokens, blockWhy: "the Mooncake traces' block size", unit: 1e6, unitName: "milliseconds", needTokens: true, alwaysNote: true}

// PromptReader reads LLM prompts as JSON lines, one request per line, for
// the prefix-caching simulation: either the block hashes a server logged,
//
//	{"time": 12.5, "blocks": [8812, 1290, 77], "tokens": 40, "duration": 1.5}
//
// (numbers are used as keys, strings are hashed; "tokens" defaults to the
// blocks times the block size), or the token ids themselves,
//
//	{"time": 12.5, "token_ids": [101, 2023, 2003, …]}
//
// whose full blocks of Options.BlockTokens tokens get chained hashes, the
// key of a block the hash of every token up to and including it (vLLM's
// scheme), so that equal prefixes give equal keys. Each block is one
// request (the second and later marked Request.Continues) carrying the
// tokens it holds (Request.Tokens). Tokens that fill no block — a token_ids
// tail, or "tokens" past what the blocks hold — are never cached, as vLLM
// does: they come as a last, unsized request (Request.Unsized) that
// carries their count. With "tokens" below the blocks' capacity, the last
// block holds the rest. "time" is in LineOptions.TimeUnit (detected as
// for JSON lines when unset); "duration" is how long the request ran, in
// seconds, kept as the first block's Request.Latency; "block_tokens"
// overrides Options.BlockTokens for the line (the prompts writer, format
// "prompts", writes it). Other fields are skipped. Options.JSON names the
// time, blocks and tokens fields when its Time, Blocks and Tokens are set.
//
// Its notes warn (Note.Warning) when the block size or the time unit
// looks wrong: when most prompts that give their tokens give more than
// twice what their blocks hold (the block size is too small, and most of
// each prompt would be an uncached tail), and when timestamps read as
// seconds since the first, all whole numbers, span more than a day at
// less than one prompt a minute (see timeCheck: they are likely
// milliseconds).
type PromptReader struct {
	sc          lineScanner
	clock       clock
	d           promptDialect
	timeField   []byte
	blocksField []byte
	tokensField []byte
	blockTokens uint32
	defaulted   bool // BlockTokens was 0
	used        bool // the block size decided something
	lineBlock   bool // the line gives its own block size
	durations   bool
	formatUnit  bool // the timestamps are in the format's unit, given by no option
	badRecords
	sizes blockSizes // what decided the block sizes, and whether they fit
	times timeCheck  // whether the timestamps look like the unit they are read in
	// the current prompt, handed out one block at a time
	keys   []uint64
	tokens []uint32
	tail   uint32 // tokens in no block
	time   int64
	dur    float64
	next   int
	ids    []uint64 // scratch: token ids
	buf    []byte   // scratch: bytes hashed for a block
}

// NewPromptReader returns a reader of prompt JSON lines from r; name is
// used in error messages.
func NewPromptReader(name string, r io.Reader, opt Options) *PromptReader {
	return newPromptReader(name, r, opt, promptsDialect)
}

// NewMooncakeReader returns a reader of the Mooncake traces (format
// mooncake) from r: prompt JSON lines whose "hash_ids" are the blocks,
// "input_length" the tokens and "timestamp" the time in milliseconds
// (unless Options say otherwise), in blocks of MooncakeBlockTokens tokens
// unless a line's "block_size" or Options.BlockTokens says otherwise,
// the last block holding the rest (input_length − 512 × (blocks − 1)).
// A note always says which block size was used and why.
func NewMooncakeReader(name string, r io.Reader, opt Options) *PromptReader {
	return newPromptReader(name, r, opt, mooncakeDialect)
}

func newPromptReader(name string, r io.Reader, opt Options, d promptDialect) *PromptReader {
	if opt.JSON.Time != "" {
		d.time = opt.JSON.Time
	}
	if opt.JSON.Blocks != "" {
		d.blocks = opt.JSON.Blocks
	}
	if opt.JSON.Tokens != "" {
		d.tokens = opt.JSON.Tokens
	}
	unit := opt.Line.TimeUnit
	if unit == 0 {
		unit = d.unit
	}
	p := &PromptReader{sc: newLineScanner(name, r), clock: clock{unit: unit}, badRecords: badRecords{skip: opt.SkipBad}, d: d,
		timeField: []byte(d.time), blocksField: []byte(d.blocks), tokensField: []byte(d.tokens),
		blockTokens: uint32(opt.BlockTokens), times: timeCheck{on: unit == 0, whole: true}, formatUnit: opt.Line.TimeUnit == 0 && d.unit != 0}
	if p.blockTokens == 0 {
		p.blockTokens, p.defaulted = d.blockTokens, true
	}
	p.sizes.lo, p.sizes.hi = 1, math.MaxUint32
	return p
}

// Fields reports the fields prompts carry.
func (p *PromptReader) Fields() trace.Fields {
	return trace.Fields{Time: true, Marks: true, Tokens: true, Latency: true}
}

// Notes says which block size decided the blocks (when the default did,
// or always for a format whose block size is its own), which time unit
// was detected or is the format's, and warns when either looks wrong.
func (p *PromptReader) Notes() []Note {
	notes := p.clock.notes()
	if p.formatUnit && p.times.timed {
		notes = append(notes, Note{Kind: NoteTimeUnit, Text: fmt.Sprintf("timestamps are %s since the first, the %s format's unit", p.d.unitName, p.d.format)})
	}
	for _, f := range []func() (Note, bool){p.sizeNote, p.sizeWarning, p.timeWarning} {
		if n, ok := f(); ok {
			notes = append(notes, n)
		}
	}
	return notes
}

// Read fills r with the next block.
func (p *PromptReader) Read(r *trace.Request) error {
	for p.next >= len(p.keys)+boolInt(p.tail > 0) {
		line, err := p.sc.next()
		if err == nil {
			err = p.parse(line)
		}
		if err = p.handle(err); err != nil {
			return err
		}
	}
	k := p.next
	p.next++
	*r = trace.Request{Time: p.time, Size: 1, Continues: k > 0}
	if k == 0 {
		r.Latency = p.dur
	}
	if k < len(p.keys) {
		r.Key, r.Tokens = p.keys[k], p.tokens[k]
		return nil
	}
	// The tail: a key no full block has (its chained hash with a marker).
	var prev uint64
	if n := len(p.keys); n > 0 {
		prev = p.keys[n-1]
	}
	r.Key, r.Tokens, r.Unsized = xxhash.Sum64(binary.LittleEndian.AppendUint64(append(p.buf[:0], 't'), prev)), p.tail, true
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// promptLine holds the fields of one prompt line as found.
type promptLine struct {
	blocks, ids       []byte
	blocksCol, idsCol int
	tokens            int64 // -1: not given
	tokensCol         int
	block             uint32 // the line's block size (0: none)
	time              []byte // the timestamp as written (nil: none)
	mooncake          bool   // the line has a Mooncake trace's list of blocks
}

// parse reads one prompt into the reader's current prompt; a malformed
// one leaves it empty, none of its blocks to read.
func (p *PromptReader) parse(line []byte) (err error) {
	p.keys, p.tokens, p.tail, p.time, p.dur, p.next = p.keys[:0], p.tokens[:0], 0, 0, 0, 0
	defer func() {
		if err != nil {
			p.keys, p.tokens, p.tail = p.keys[:0], p.tokens[:0], 0
		}
	}()
	s := jsonScanner{b: line}
	if !s.consume('{') {
		return p.sc.errorf(0, "expected a JSON object starting with '{'")
	}
	l := promptLine{tokens: -1}
	for first := true; ; first = false {
		if s.consume('}') {
			break
		}
		if !first && !s.consume(',') {
			return p.sc.errorf(s.col(), "expected ',' or '}'")
		}
		name, ok := s.str()
		if !ok {
			return p.sc.errorf(s.col(), "expected a quoted field name")
		}
		if !s.consume(':') {
			return p.sc.errorf(s.col(), "expected ':' after field %q", name)
		}
		col := s.col()
		val, isStr, ok := s.value()
		if !ok {
			return p.sc.errorf(col, "field %q: malformed value", name)
		}
		if !isStr && bytes.Equal(val, []byte("null")) {
			continue
		}
		if err := p.field(name, val, col, &l); err != nil {
			return p.sc.wrap(col, err)
		}
	}
	size := p.blockTokens
	if l.block > 0 {
		p.blockTokens, p.lineBlock = l.block, true
		defer func() { p.blockTokens, p.lineBlock = size, false }()
	}
	d := &p.d
	switch {
	case l.blocks != nil && l.ids != nil:
		return p.sc.errorf(l.idsCol, "give %q or %q, not both", d.blocks, d.ids)
	case l.blocks != nil:
		if l.tokens < 0 && d.needTokens {
			return p.sc.errorf(0, "no %q field (the prompt's tokens)", d.tokens)
		}
		err = p.readBlocks(l.blocks, l.blocksCol, l.tokens, l.tokensCol)
	case l.ids != nil:
		if l.tokensCol > 0 {
			return p.sc.errorf(l.tokensCol, "%q goes with %q: with %q the count is theirs", d.tokens, d.blocks, d.ids)
		}
		err = p.readTokenIDs(l.ids, l.idsCol)
	case d.ids == "":
		return p.sc.errorf(0, "no %q field (block ids)", d.blocks)
	case l.mooncake:
		return p.sc.errorf(0, "no %q (block hashes) or %q field, but a %q list as Mooncake traces have (format mooncake reads them)", d.blocks, d.ids, mooncakeDialect.blocks)
	default:
		return p.sc.errorf(0, "no %q (block hashes) or %q field", d.blocks, d.ids)
	}
	if err == nil {
		p.count(&l)
	}
	return err
}

// field reads one field of a prompt line; others are skipped.
func (p *PromptReader) field(name, val []byte, col int, l *promptLine) error {
	var err error
	switch {
	case bytes.Equal(name, p.timeField):
		p.time, err = p.clock.since(val)
		l.time = val
	case bytes.Equal(name, p.blocksField):
		l.blocks, l.blocksCol = val, col
	case p.d.ids != "" && string(name) == p.d.ids:
		l.ids, l.idsCol = val, col
	case bytes.Equal(name, p.tokensField):
		v, ok := parseUint(val)
		if !ok || v > math.MaxUint32 {
			err = fmt.Errorf("%s: expected a whole number of tokens, got %s", name, val)
		}
		l.tokens, l.tokensCol = int64(v), col
	case string(name) == p.d.block:
		v, ok := parseUint(val)
		if !ok || v < 1 || v > 1<<20 {
			err = fmt.Errorf("%s: expected 1 to 1048576 tokens, got %s", name, val)
		}
		l.block = uint32(v)
	case string(name) == "duration":
		p.dur, err = strconv.ParseFloat(string(val), 64)
		if err != nil || p.dur < 0 || math.IsInf(p.dur, 0) || math.IsNaN(p.dur) {
			err = fmt.Errorf("duration: expected seconds >= 0, got %s", val)
		}
		p.durations = p.durations || p.dur > 0
	case string(name) == mooncakeDialect.blocks:
		l.mooncake = true
	}
	return err
}

// blockSizes is what decided the block sizes of a prompt trace, and
// whether the prompts' token counts fit them.
type blockSizes struct {
	// reader counts the prompts in the reader's block size (the
	// option's, else the format's), line those in their own (from lineLo
	// to lineHi tokens).
	reader, line   int
	lineLo, lineHi uint32
	// declared counts the prompts in the reader's block size that give
	// their tokens, over those that give more than twice what their blocks
	// hold; tokens and tail sum their tokens and the tokens of their tails.
	declared, over int
	tokens, tail   uint64
	// lo and hi bound the block sizes that every declared prompt's token
	// count fits: (blocks − 1) × size < tokens <= blocks × size.
	lo, hi uint64
}

// count adds what the prompt just read says about the block size and the
// time unit.
func (p *PromptReader) count(l *promptLine) {
	z := &p.sizes
	if l.block > 0 {
		if z.line == 0 || l.block < z.lineLo {
			z.lineLo = l.block
		}
		z.lineHi = max(z.lineHi, l.block)
		z.line++
	} else {
		z.reader++
		if l.blocks != nil && l.tokens >= 0 {
			n, b, t := uint64(len(p.keys)), uint64(p.blockTokens), uint64(l.tokens)
			z.declared++
			z.tokens += t
			z.tail += uint64(p.tail)
			if t > 2*n*b {
				z.over++
			}
			z.lo = max(z.lo, (t+n-1)/n)
			if n > 1 && t > 0 {
				z.hi = min(z.hi, (t-1)/(n-1))
			}
		}
	}
	p.times.add(l.time, p.time)
}

// sizeNote says which block size the prompts are read in: the default's,
// when it decided something, or always (saying what chose it) in a format
// whose block size is its own.
func (p *PromptReader) sizeNote() (Note, bool) {
	z := &p.sizes
	if !p.d.alwaysNote {
		if p.defaulted && p.used {
			return Note{Kind: NoteBlockTokens, Text: fmt.Sprintf("blocks hold %d tokens (%s)", p.blockTokens, p.d.blockWhy)}, true
		}
		return Note{}, false
	}
	var parts []string
	if z.reader > 0 {
		why := p.d.blockWhy
		if !p.defaulted {
			why = "as given"
		}
		parts = append(parts, fmt.Sprintf("blocks hold %d tokens (%s), the last block of a prompt the rest of its %q", p.blockTokens, why, p.d.tokens))
	}
	if z.line > 0 {
		size := fmt.Sprint(z.lineLo)
		if z.lineHi != z.lineLo {
			size = fmt.Sprintf("%d to %d", z.lineLo, z.lineHi)
		}
		parts = append(parts, fmt.Sprintf("%d prompts give their block size in %q: %s tokens", z.line, p.d.block, size))
	}
	if len(parts) == 0 {
		return Note{}, false
	}
	return Note{Kind: NoteBlockTokens, Text: strings.Join(parts, "; ")}, true
}

// sizeWarning warns when most prompts that give their tokens give more
// than twice what their blocks hold at the reader's block size: then most
// of each prompt is read as a tail no cache holds, and the block size is
// likely too small. It suggests the block size every such prompt's count
// fits, when there is one (the smallest power of two that does, else the
// smallest size).
func (p *PromptReader) sizeWarning() (Note, bool) {
	z := &p.sizes
	if z.declared == 0 || 2*z.over <= z.declared {
		return Note{}, false
	}
	text := fmt.Sprintf("%d of %d prompts give over twice the tokens their blocks hold at %d tokens a block, which leaves %.0f%% of their tokens in tails no cache holds: the block size looks too small",
		z.over, z.declared, p.blockTokens, 100*float64(z.tail)/float64(max(z.tokens, 1)))
	n := Note{Kind: NoteBlockTokens, Warning: true}
	if z.lo <= z.hi && z.lo <= 1<<20 {
		size := z.lo
		for pow := uint64(1); pow <= min(z.hi, 1<<20); pow <<= 1 {
			if pow >= z.lo {
				size = pow
				break
			}
		}
		text += fmt.Sprintf("; every prompt's token count fits blocks of %d tokens", size)
		n.Suggest = strconv.FormatUint(size, 10)
	} else {
		text += "; no one block size fits every prompt's token count"
	}
	n.Text = text
	return n, true
}

// Relative timestamps read as seconds look like milliseconds when they
// span more than implausibleSpan at fewer than one prompt per
// implausibleGap (see timeCheck).
const (
	implausibleSpan = 24 * time.Hour
	implausibleGap  = time.Minute
)

// timeCheck watches the timestamps of a trace read in a detected unit for
// the signs of milliseconds read as seconds: whole numbers, from a first
// one that is no clock time, spanning more than implausibleSpan at fewer
// than one prompt per implausibleGap — 12,031 prompts of an hour in
// milliseconds read as seconds span 41 days, one prompt every 5 minutes.
type timeCheck struct {
	on      bool // the unit was detected, not given
	whole   bool // every timestamp is a whole number
	prompts int
	timed   bool
	lo, hi  int64 // nanoseconds since the first timestamp
}

// add counts a prompt and its timestamp (text as written, nil: none; ns
// since the first).
func (c *timeCheck) add(text []byte, ns int64) {
	c.prompts++
	if text == nil {
		return
	}
	if bytes.ContainsAny(text, ".eE") {
		c.whole = false
	}
	if !c.timed {
		c.lo, c.hi, c.timed = ns, ns, true
	}
	c.lo, c.hi = min(c.lo, ns), max(c.hi, ns)
}

// timeWarning warns when timestamps read as seconds since the first look
// like milliseconds (see timeCheck), suggesting ms.
func (p *PromptReader) timeWarning() (Note, bool) {
	c := &p.times
	span := time.Duration(c.hi - c.lo)
	if !c.on || !c.whole || !c.timed || c.prompts < 2 || p.clock.unit != 1e9 || p.clock.detected != "" ||
		p.clock.origin.t0 >= ClockFrom.UnixNano() || span <= implausibleSpan || span/time.Duration(c.prompts-1) <= implausibleGap {
		return Note{}, false
	}
	ms := span / 1000
	round := func(d time.Duration) time.Duration {
		if d >= time.Minute {
			return d.Round(time.Second)
		}
		return d.Round(time.Millisecond)
	}
	return Note{Kind: NoteTimeUnit, Warning: true, Suggest: "ms",
		Text: fmt.Sprintf("timestamps read as seconds since the first span %s for %d prompts, one every %s: whole numbers like these look like milliseconds (a span of %s, %.3g prompts/s)",
			round(span), c.prompts, round(span/time.Duration(c.prompts-1)), round(ms), float64(c.prompts-1)/ms.Seconds())}, true
}

// elements calls f with each element of JSON array arr.
func elements(arr []byte, f func(v []byte, isStr bool) error) error {
	s := jsonScanner{b: arr}
	if !s.consume('[') {
		return fmt.Errorf("expected an array")
	}
	for first := true; ; first = false {
		if s.consume(']') {
			return nil
		}
		if !first && !s.consume(',') {
			return fmt.Errorf("expected ',' or ']' at element %d", s.col())
		}
		v, isStr, ok := s.value()
		if !ok || len(v) == 0 {
			return fmt.Errorf("malformed element at column %d of the array", s.col())
		}
		if err := f(v, isStr); err != nil {
			return err
		}
	}
}

// readBlocks reads the block hashes of a prompt with tokens tokens (-1: not given).
func (p *PromptReader) readBlocks(arr []byte, col int, tokens int64, tokensCol int) error {
	err := elements(arr, func(v []byte, _ bool) error {
		p.keys = append(p.keys, ParseKey(v))
		return nil
	})
	if err != nil {
		return p.sc.errorf(col, "%s: %v", p.d.blocks, err)
	}
	n, b := int64(len(p.keys)), int64(p.blockTokens)
	if n == 0 {
		return p.sc.errorf(col, "%s: an empty prompt", p.d.blocks)
	}
	p.used = p.used || (!p.lineBlock && (tokens < 0 || tokens != n*b))
	for range n {
		p.tokens = append(p.tokens, p.blockTokens)
	}
	switch {
	case tokens < 0:
	case tokens <= (n-1)*b:
		return p.sc.errorf(tokensCol, "%s %d: %d blocks of %d tokens hold more than %d, so the last block would be empty (is the block size right?)",
			p.d.tokens, tokens, n, b, (n-1)*b)
	case tokens < n*b:
		p.tokens[n-1] = uint32(tokens - (n-1)*b)
	default:
		p.tail = uint32(tokens - n*b)
	}
	return nil
}

// readTokenIDs reads token ids and hashes their full blocks in a chain.
func (p *PromptReader) readTokenIDs(arr []byte, col int) error {
	p.ids = p.ids[:0]
	err := elements(arr, func(v []byte, isStr bool) error {
		id, ok := parseUint(v)
		if !ok || isStr {
			return fmt.Errorf("token id %s: expected a non-negative integer", v)
		}
		p.ids = append(p.ids, id)
		return nil
	})
	if err != nil {
		return p.sc.errorf(col, "token_ids: %v", err)
	}
	if len(p.ids) == 0 {
		return p.sc.errorf(col, "token_ids: an empty prompt")
	}
	p.used = p.used || !p.lineBlock
	b := int(p.blockTokens)
	var prev uint64
	for k := 0; k+b <= len(p.ids); k += b {
		prev = p.chain(prev, p.ids[k:k+b])
		p.keys = append(p.keys, prev)
		p.tokens = append(p.tokens, p.blockTokens)
	}
	p.tail = uint32(len(p.ids) % b)
	return nil
}

// chain returns the hash of a block given the hash of the one before it
// (0 for the first) and its token ids.
func (p *PromptReader) chain(prev uint64, ids []uint64) uint64 {
	p.buf = binary.LittleEndian.AppendUint64(p.buf[:0], prev)
	for _, id := range ids {
		p.buf = binary.LittleEndian.AppendUint64(p.buf, id)
	}
	return xxhash.Sum64(p.buf)
}

// check parses one line, for format detection.
func (p *PromptReader) check(line []byte) error { return p.parse(line) }

// promptWriter writes prompt requests (blocks marked as PromptReader
// reads them) back as prompt JSON lines, one line per request, with the
// block size of its blocks so that they read back the same.
type promptWriter struct {
	w      *bufio.Writer
	open   bool
	time   int64
	keys   []uint64
	tokens uint64
	block  uint32
	line   []byte
}

func newPromptWriter(w io.Writer) *promptWriter {
	return &promptWriter{w: bufio.NewWriterSize(w, 1<<16)}
}

// Write adds a block to the current request, or starts the next one.
func (p *promptWriter) Write(r *trace.Request) error {
	if !r.Continues {
		if err := p.flushPrompt(); err != nil {
			return err
		}
		p.open, p.time, p.keys, p.tokens, p.block = true, r.Time, p.keys[:0], 0, 0
	}
	p.tokens += uint64(r.Tokens)
	if !r.Unsized {
		p.keys = append(p.keys, r.Key)
		p.block = max(p.block, r.Tokens)
	}
	return nil
}

// flushPrompt writes the current request, if any.
func (p *promptWriter) flushPrompt() error {
	if !p.open {
		return nil
	}
	b := append(p.line[:0], `{"time": `...)
	b = appendSeconds(b, p.time)
	b = append(b, `, "blocks": [`...)
	for i, k := range p.keys {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendUint(b, k, 10)
	}
	b = append(b, `], "tokens": `...)
	b = strconv.AppendUint(b, p.tokens, 10)
	if p.block > 0 {
		b = append(b, `, "block_tokens": `...)
		b = strconv.AppendUint(b, uint64(p.block), 10)
	}
	b = append(b, "}\n"...)
	p.line = b
	p.open = false
	_, err := p.w.Write(b)
	return err
}

// Flush writes the last request and flushes.
func (p *promptWriter) Flush() error {
	if err := p.flushPrompt(); err != nil {
		return err
	}
	return p.w.Flush()
}
