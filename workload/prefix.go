package workload

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cespare/xxhash/v2"
)

// prefixKind is the synthetic LLM workload: requests that are prompts, for
// the prefix-caching simulation (see traces.PromptReader for the shape of
// a prompt request).
var prefixKind = Kind{Name: "prefix",
	Summary: "LLM prompts for prefix caching: multi-turn conversations that start from one of a few shared system prompts " +
		"(Zipf popularity) and whose every turn extends the previous one (the answer and a new message appended), and " +
		"few-shot requests on shared templates (Zipf popularity) with a query of their own; requests counts prompts, " +
		"rate is prompts/s, a block holds block tokens",
	Params: []Param{
		{"requests", "2e4", "number of prompts"},
		{"rate", "20", "mean prompt rate in prompts/s (Poisson arrivals); 0 gives no timestamps"},
		{"block", "16", "tokens a KV-cache block holds (vLLM's default)"},
		{"systems", "8", "shared system prompts"},
		{"system-tokens", "1024", "tokens of a system prompt"},
		{"system-alpha", "1", "Zipf exponent of the system prompts' popularity"},
		{"active", "200", "conversations in progress at once; each request continues one of them, drawn uniformly (their prompts may hold at most 2^25 blocks together)"},
		{"turns", "4", "mean turns of a conversation (geometric, at least 1; the mean at most 10000)"},
		{"user-tokens", "150", "mean tokens of a user message (exponential, at least 1; the mean at most 1048576)"},
		{"answer-tokens", "250", "mean tokens of an answer, part of the next turn's prompt (exponential, at least 1; the mean at most 1048576)"},
		{"fewshot", "0.2", "share of the requests that are few-shot: a template and a query"},
		{"templates", "16", "few-shot templates"},
		{"template-tokens", "2048", "tokens of a few-shot template"},
		{"template-alpha", "1", "Zipf exponent of the templates' popularity"},
		{"query-tokens", "100", "mean tokens of a few-shot query (exponential, at least 1; the mean at most 1048576)"},
	},
	prompts: prefixParams,
}

// promptParams are the parsed parameters of the prefix workload.
type promptParams struct {
	block                      int
	systems, systemTokens      int
	systemAlpha                float64
	active                     int
	turns                      float64
	userTokens, answerTokens   float64
	fewshot                    float64
	templates, templateTokens  int
	templateAlpha, queryTokens float64
}

// prefixParams reads the prefix workload's parameters; the common ones
// that mean nothing for prompts (a block's size is its tokens) are errors.
func prefixParams(p *params) *promptParams {
	for _, name := range []string{"size", "ttl", "write"} {
		if v, ok := p.vals[name]; ok {
			p.fail(name, v, "nothing: a prompt's blocks are sized by their tokens (and the model's KV bytes per token), never expire and are never written")
		}
	}
	const most = 1 << 24
	pp := &promptParams{
		block:   int(p.intIn("block", 1, 1<<16)),
		systems: int(p.intIn("systems", 0, most)), systemTokens: int(p.intIn("system-tokens", 0, most)), systemAlpha: p.positive("system-alpha"),
		active: int(p.intIn("active", 1, most)), turns: p.float("turns"),
		userTokens: p.tokens("user-tokens"), answerTokens: p.tokens("answer-tokens"),
		fewshot: p.fraction("fewshot"), templates: int(p.intIn("templates", 1, most)), templateTokens: int(p.intIn("template-tokens", 0, most)),
		templateAlpha: p.positive("template-alpha"), queryTokens: p.tokens("query-tokens"),
	}
	if pp.turns < 1 || pp.turns > maxTurns {
		p.fail("turns", p.raw("turns"), fmt.Sprintf("a mean from 1 to %d turns", maxTurns))
	}
	// The conversations in progress hold their last prompts' blocks.
	perConv := (float64(pp.systemTokens) + pp.turns*(pp.userTokens+pp.answerTokens)) / float64(pp.block)
	if held := float64(pp.active) * perConv; p.err == nil && held > maxHeldBlocks {
		p.err = fmt.Errorf("parameters active=%d, turns=%s, user-tokens=%s, answer-tokens=%s: the conversations in progress would hold about %.3g blocks at once (%d × (system-tokens + turns × (user-tokens + answer-tokens)) / block), more than %d; lower active, turns or the token counts",
			pp.active, p.raw("turns"), p.raw("user-tokens"), p.raw("answer-tokens"), held, pp.active, maxHeldBlocks)
	}
	return pp
}

// Bounds of the prefix workload: a message's mean tokens (past any model's
// context window), a conversation's mean turns (its turns are drawn one by
// one), and the blocks the conversations in progress hold at once (8 bytes
// each, several copies).
const (
	maxMessageTokens = 1 << 20
	maxTurns         = 10_000
	maxHeldBlocks    = 1 << 25
)

// tokens reads a message's mean tokens: above 0, at most maxMessageTokens.
func (p *params) tokens(name string) float64 {
	f := p.float(name)
	if !(f > 0 && f <= maxMessageTokens) {
		p.fail(name, p.raw(name), fmt.Sprintf("a mean above 0 and at most %d tokens", maxMessageTokens))
		return 1
	}
	return f
}

// segment is a run of tokens of one content: a system prompt, a template,
// a message. Two prompts hold the same tokens exactly where they hold the
// same segments, so a block's hash over its pieces of segments stands for
// the hash of its tokens.
type segment struct {
	id     uint64
	tokens int
}

// conversation is a slot of the active conversations.
type conversation struct {
	segs   []segment
	hashes []uint64 // the full blocks of its last prompt
	left   int      // turns still to come
}

// promptStream generates the prefix workload's prompts, one block at a time.
type promptStream struct {
	pp        *promptParams
	rng       *rand.Rand
	gap       float64 // mean ns between prompts; 0: no timestamps
	t         float64
	left      int64
	systems   rankSampler
	templates rankSampler
	convs     []conversation
	nextID    uint64
	tmpl      map[uint64][]uint64 // the blocks of each template and system prompt, once hashed
	// the current prompt
	segs   []segment
	keys   []uint64
	tail   int
	time   int64
	next   int
	buf    []byte
	fields trace.Fields
}

func newPromptStream(pp *promptParams, c common, fields trace.Fields) (*promptStream, error) {
	rng := newRand(c.seed, streamKeys)
	s := &promptStream{pp: pp, rng: rng, left: c.requests, convs: make([]conversation, pp.active), nextID: 1 << 40,
		tmpl: map[uint64][]uint64{}, fields: fields}
	if c.rate > 0 {
		s.gap = 1e9 / c.rate
	}
	var err error
	if pp.systems > 0 {
		if s.systems, err = newRanks(uint64(pp.systems), pp.systemAlpha, newRand(c.seed, streamMix)); err != nil {
			return nil, err
		}
	}
	if s.templates, err = newRanks(uint64(pp.templates), pp.templateAlpha, newRand(c.seed, streamBursts)); err != nil {
		return nil, err
	}
	return s, nil
}

// Fields reports the fields of a prompt.
func (s *promptStream) Fields() trace.Fields { return s.fields }

// Read fills r with the next block of the current prompt, starting the
// next prompt when it is done.
func (s *promptStream) Read(r *trace.Request) error {
	if s.next >= len(s.keys)+boolInt(s.tail > 0) {
		if s.left <= 0 {
			return io.EOF
		}
		s.left--
		s.prompt()
	}
	k := s.next
	s.next++
	*r = trace.Request{Time: s.time, Size: 1, Continues: k > 0, Tokens: uint32(s.pp.block)}
	if k < len(s.keys) {
		r.Key = s.keys[k]
		return nil
	}
	var prev uint64
	if n := len(s.keys); n > 0 {
		prev = s.keys[n-1]
	}
	// The tail's key: its own chained hash, never a full block's.
	r.Key, r.Tokens, r.Unsized = xxhash.Sum64(s.pieces(prev^0x7461696c, 0, 0)), uint32(s.tail), true
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// length draws a token count of this mean: exponential, at least 1.
func (s *promptStream) length(mean float64) int {
	return 1 + int(s.rng.ExpFloat64()*(mean-1))
}

// prompt makes the next prompt: a few-shot request or a conversation's turn.
func (s *promptStream) prompt() {
	s.time = int64(s.t)
	if s.gap > 0 {
		s.t += s.rng.ExpFloat64() * s.gap
	}
	s.next = 0
	if s.rng.Float64() < s.pp.fewshot {
		id := 1<<32 + s.templates.Next()
		s.segs = append(s.segs[:0], segment{id, s.pp.templateTokens}, segment{s.newID(), s.length(s.pp.queryTokens)})
		s.blocks(s.shared(id, s.pp.templateTokens))
		return
	}
	c := &s.convs[s.rng.IntN(len(s.convs))]
	if c.left <= 0 { // the conversation ended: a new one in its slot
		c.segs, c.hashes = c.segs[:0], c.hashes[:0]
		c.left = 1
		for s.rng.Float64() > 1/s.pp.turns {
			c.left++
		}
		if s.systems != nil {
			id := s.systems.Next()
			c.segs = append(c.segs, segment{id, s.pp.systemTokens})
			c.hashes = append(c.hashes, s.shared(id, s.pp.systemTokens)...)
		}
	} else {
		c.segs = append(c.segs, segment{s.newID(), s.length(s.pp.answerTokens)})
	}
	c.left--
	c.segs = append(c.segs, segment{s.newID(), s.length(s.pp.userTokens)})
	s.segs = append(s.segs[:0], c.segs...)
	s.blocks(c.hashes)
	c.hashes = append(c.hashes[:0], s.keys...)
}

// newID returns the id of a new segment.
func (s *promptStream) newID() uint64 {
	s.nextID++
	return s.nextID
}

// shared returns the full blocks of a system prompt or template (segment
// id of n tokens, alone at the start of a prompt), hashed once.
func (s *promptStream) shared(id uint64, n int) []uint64 {
	if h, ok := s.tmpl[id]; ok {
		return h
	}
	saved := s.segs
	s.segs = []segment{{id, n}}
	s.blocks(nil)
	h := append([]uint64(nil), s.keys...)
	s.segs = saved
	s.tmpl[id] = h
	return h
}

// blocks hashes the full blocks of s.segs into s.keys, taking the first
// from known (the full blocks of a prefix already hashed), and sets the tail.
func (s *promptStream) blocks(known []uint64) {
	total := 0
	for _, g := range s.segs {
		total += g.tokens
	}
	b := s.pp.block
	s.keys = append(s.keys[:0], known...)
	var prev uint64
	if len(known) > 0 {
		prev = known[len(known)-1]
	}
	for from := len(known) * b; from+b <= total; from += b {
		prev = xxhash.Sum64(s.pieces(prev, from, from+b))
		s.keys = append(s.keys, prev)
	}
	s.tail = total % b
}

// pieces writes prev (the hash of the block before) and the segments'
// pieces covering tokens [from, to), as (id, offset, count) each, to the
// scratch buffer: what a block's chained hash covers.
func (s *promptStream) pieces(prev uint64, from, to int) []byte {
	buf := binary.LittleEndian.AppendUint64(s.buf[:0], prev)
	at := 0
	for _, g := range s.segs {
		lo, hi := max(from, at), min(to, at+g.tokens)
		if lo < hi {
			buf = binary.LittleEndian.AppendUint64(buf, g.id)
			buf = binary.LittleEndian.AppendUint64(buf, uint64(lo-at))
			buf = binary.LittleEndian.AppendUint64(buf, uint64(hi-lo))
		}
		at += g.tokens
		if at >= to {
			break
		}
	}
	s.buf = buf
	return buf
}
