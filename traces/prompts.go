package traces

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cespare/xxhash/v2"
)

// DefaultBlockTokens is the tokens a KV-cache block holds when a prompt
// trace needs it and Options.BlockTokens is 0 (vLLM's default block size).
const DefaultBlockTokens = 16

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
// "prompts", writes it). Other fields are skipped.
type PromptReader struct {
	sc          lineScanner
	clock       clock
	blockTokens uint32
	defaulted   bool // BlockTokens was 0
	used        bool // the block size decided something
	lineBlock   bool // the line gives its own block size
	durations   bool
	badRecords
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
	p := &PromptReader{sc: newLineScanner(name, r), clock: clock{unit: opt.Line.TimeUnit}, badRecords: badRecords{skip: opt.SkipBad},
		blockTokens: uint32(opt.BlockTokens)}
	if p.blockTokens == 0 {
		p.blockTokens, p.defaulted = DefaultBlockTokens, true
	}
	return p
}

// Fields reports the fields prompts carry.
func (p *PromptReader) Fields() trace.Fields {
	return trace.Fields{Time: true, Marks: true, Tokens: true, Latency: true}
}

// Notes says when the default block size decided the blocks, and which
// time unit was detected.
func (p *PromptReader) Notes() []Note {
	notes := p.clock.notes()
	if p.defaulted && p.used {
		notes = append(notes, Note{Kind: NoteBlockTokens, Text: fmt.Sprintf("blocks hold %d tokens (vLLM's default block size)", DefaultBlockTokens)})
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
		if err := p.field(string(name), val, col, &l); err != nil {
			return p.sc.wrap(col, err)
		}
	}
	size := p.blockTokens
	if l.block > 0 {
		p.blockTokens, p.lineBlock = l.block, true
		defer func() { p.blockTokens, p.lineBlock = size, false }()
	}
	switch {
	case l.blocks != nil && l.ids != nil:
		return p.sc.errorf(l.idsCol, "give \"blocks\" or \"token_ids\", not both")
	case l.blocks != nil:
		return p.readBlocks(l.blocks, l.blocksCol, l.tokens, l.tokensCol)
	case l.ids != nil:
		if l.tokensCol > 0 {
			return p.sc.errorf(l.tokensCol, "\"tokens\" goes with \"blocks\": with \"token_ids\" the count is theirs")
		}
		return p.readTokenIDs(l.ids, l.idsCol)
	}
	return p.sc.errorf(0, "no \"blocks\" (block hashes) or \"token_ids\" field")
}

// field reads one field of a prompt line; others are skipped.
func (p *PromptReader) field(name string, val []byte, col int, l *promptLine) error {
	var err error
	switch name {
	case "time":
		p.time, err = p.clock.since(val)
	case "blocks":
		l.blocks, l.blocksCol = val, col
	case "token_ids":
		l.ids, l.idsCol = val, col
	case "tokens":
		v, ok := parseUint(val)
		if !ok || v > math.MaxUint32 {
			err = fmt.Errorf("tokens: expected a whole number of tokens, got %s", val)
		}
		l.tokens, l.tokensCol = int64(v), col
	case "block_tokens":
		v, ok := parseUint(val)
		if !ok || v < 1 || v > 1<<20 {
			err = fmt.Errorf("block_tokens: expected 1 to 1048576 tokens, got %s", val)
		}
		l.block = uint32(v)
	case "duration":
		p.dur, err = strconv.ParseFloat(string(val), 64)
		if err != nil || p.dur < 0 || math.IsInf(p.dur, 0) || math.IsNaN(p.dur) {
			err = fmt.Errorf("duration: expected seconds >= 0, got %s", val)
		}
		p.durations = p.durations || p.dur > 0
	}
	return err
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
		return p.sc.errorf(col, "blocks: %v", err)
	}
	n, b := int64(len(p.keys)), int64(p.blockTokens)
	if n == 0 {
		return p.sc.errorf(col, "blocks: an empty prompt")
	}
	p.used = p.used || (!p.lineBlock && (tokens < 0 || tokens != n*b))
	for range n {
		p.tokens = append(p.tokens, p.blockTokens)
	}
	switch {
	case tokens < 0:
	case tokens <= (n-1)*b:
		return p.sc.errorf(tokensCol, "tokens %d: %d blocks of %d tokens hold more than %d, so the last block would be empty (is the block size right?)",
			tokens, n, b, (n-1)*b)
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
