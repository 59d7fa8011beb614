package traces

import (
	"math"
	"slices"

	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/stack"
	"github.com/cachesim/cachesim/traces/trace"
)

// Summary describes a trace at a glance: how big, how skewed, how much reuse.
type Summary struct {
	Name     string `json:"name"`
	Requests int    `json:"requests"`
	// DistinctKeys counts the keys requested. FootprintObjects counts the
	// objects a cache of unlimited size would ever store, and
	// FootprintBytes sums their sizes, each at its last stored size (the
	// simulator's ceiling, sim.Ceiling: set by the caller, see
	// Summarizer.Summary); in a trace whose clients write, a key only ever
	// read is never stored.
	DistinctKeys     int   `json:"distinct_keys"`
	FootprintObjects int64 `json:"footprint_objects"`
	FootprintBytes   int64 `json:"footprint_bytes"`
	RequestedBytes   int64 `json:"requested_bytes"`
	// HasTime says whether the trace carries timestamps; the span and rate are 0 otherwise.
	HasTime     bool    `json:"has_time"`
	SpanSeconds float64 `json:"span_seconds"`
	RatePerSec  float64 `json:"requests_per_second"`
	// ClientRequests counts, in a trace of multi-key requests (not a
	// prompt trace), the requests as the client sends them: one for the
	// rows (keys) of a request, which Requests counts one each;
	// ClientRatePerSec is their rate. Both 0 in other traces.
	ClientRequests   int     `json:"client_requests,omitempty"`
	ClientRatePerSec float64 `json:"client_requests_per_second,omitempty"`
	Gets             int     `json:"gets"`
	Sets             int     `json:"sets"` // writes: key-value sets and block writes
	Deletes          int     `json:"deletes"`
	Expires          int     `json:"expires,omitempty"`
	// Changes are changes of the truth the cache is not told of (op change).
	Changes int `json:"changes,omitempty"`
	// ObjectSize has percentiles of the objects' last written sizes (of
	// their first sized read for objects never written; objects never
	// sized are left out).
	ObjectSize Percentiles `json:"object_size"`
	// OneHitWonders is the share of keys requested exactly once.
	OneHitWonders float64 `json:"one_hit_wonder_share"`
	// Top1Share and Top10Share are the shares of requests going to the most
	// popular 1% and 10% of keys.
	Top1Share  float64 `json:"top1pct_key_request_share"`
	Top10Share float64 `json:"top10pct_key_request_share"`
	// ZipfAlpha is the exponent of a Zipf law fitted by least squares to the
	// log-log rank/frequency curve (all ranks), with its R².
	ZipfAlpha float64 `json:"zipf_alpha"`
	ZipfR2    float64 `json:"zipf_r2"`
	// ColdShare is the share of requests that are first accesses; ReuseDistance
	// has percentiles of the stack (reuse) distance of the others: the number
	// of distinct keys requested since the previous request for the same key.
	ColdShare     float64     `json:"cold_share"`
	ReuseDistance Percentiles `json:"reuse_distance"`
	// Prompt describes a prompt trace (LLM prefix caching) in its own
	// terms; nil for other traces. Its requests are then blocks, and
	// their keys block hashes.
	Prompt *PromptSummary `json:"prompt,omitempty"`
}

// PromptSummary describes a prompt trace: its prompts, their blocks and
// tokens, the KV footprint, and what an unlimited prefix cache serves.
type PromptSummary struct {
	Prompts int64 `json:"prompts"`
	// Blocks counts the blocks the prompts request, MaxBlocks those of the
	// longest; tails (tokens that fill no block, never cached) are none.
	Blocks    int64 `json:"blocks"`
	MaxBlocks int64 `json:"max_blocks_per_prompt"`
	// Tokens counts the prompts' tokens, MaxTokens those of the longest,
	// TailTokens those in tails.
	Tokens     int64 `json:"tokens"`
	MaxTokens  int64 `json:"max_tokens_per_prompt"`
	TailTokens int64 `json:"tail_tokens"`
	// DistinctBlocks and DistinctTokens are the KV footprint: the blocks
	// an unlimited cache stores, and their tokens (each block at its first
	// token count); KV memory is DistinctTokens times a token's KV bytes.
	DistinctBlocks int64 `json:"distinct_blocks"`
	DistinctTokens int64 `json:"distinct_tokens"`
	// BlockHits and TokenHits are the blocks, and their tokens, that an
	// unlimited prefix cache serves: the longest run of each prompt's
	// blocks from its start that earlier prompts stored.
	BlockHits int64 `json:"unlimited_block_hits"`
	TokenHits int64 `json:"unlimited_token_hits"`
	// PromptsPerSec and TokensPerSec are the prompts' rates, from the
	// time span (0 without one).
	PromptsPerSec float64 `json:"prompts_per_second"`
	TokensPerSec  float64 `json:"tokens_per_second"`
}

// TokenHitRatio is the share of tokens an unlimited prefix cache serves.
func (p *PromptSummary) TokenHitRatio() float64 { return share(p.TokenHits, p.Tokens) }

// BlockHitRatio is the share of blocks an unlimited prefix cache serves.
func (p *PromptSummary) BlockHitRatio() float64 { return share(p.BlockHits, p.Blocks) }

func share(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// promptCounter builds the PromptSummary of a stream of prompt blocks.
type promptCounter struct {
	s PromptSummary
	// stored holds, per object, the number of the prompt that first
	// stored it (tails are never stored: noPrompt).
	stored        []int32
	prompt        int32 // the current prompt's number, from 1
	run           bool  // every block of the current prompt so far hits
	blocks, tokns int64 // the current prompt's
}

// noPrompt marks an object no prompt stored.
const noPrompt = math.MaxInt32

// add counts block r of key number o, new or not.
func (c *promptCounter) add(r *trace.Request, o int32, isNew bool) {
	s := &c.s
	if !r.Continues {
		c.prompt++
		c.run, c.blocks, c.tokns = true, 0, 0
		s.Prompts++
	}
	if isNew {
		c.stored = append(c.stored, noPrompt)
	}
	tok := int64(r.Tokens)
	s.Tokens += tok
	c.tokns += tok
	s.MaxTokens = max(s.MaxTokens, c.tokns)
	if r.Unsized { // a tail: never cached
		s.TailTokens += tok
		c.run = false
		return
	}
	s.Blocks++
	c.blocks++
	s.MaxBlocks = max(s.MaxBlocks, c.blocks)
	if c.run = c.run && c.stored[o] < c.prompt; c.run {
		s.BlockHits++
		s.TokenHits += tok
	}
	if c.stored[o] == noPrompt {
		c.stored[o] = c.prompt
		s.DistinctBlocks++
		s.DistinctTokens += tok
	}
}

// Percentiles of a distribution.
type Percentiles struct {
	Min  float64 `json:"min"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// percentilesOf sorts v and summarises it (nearest-rank percentiles).
func percentilesOf(v []uint32) Percentiles {
	if len(v) == 0 {
		return Percentiles{}
	}
	slices.Sort(v)
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(v)))) - 1
		return float64(v[max(i, 0)])
	}
	var sum float64
	for _, x := range v {
		sum += float64(x)
	}
	return Percentiles{Min: float64(v[0]), P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: float64(v[len(v)-1]), Mean: sum / float64(len(v))}
}

// Summarize computes the Summary of t in O(N log N) time.
func Summarize(t *trace.Trace) *Summary {
	s := NewSummarizer(t.Name)
	var r trace.Request
	for i := range t.Len() {
		t.At(i, &r)
		s.Add(&r)
	}
	return s.Summary()
}

// Summarizer builds the Summary of a stream of requests, one at a time, in
// memory bounded by its distinct keys (a key table and about 33 bytes of
// arrays each; about 200 bytes each at peak RSS, as the README measures),
// not its requests: reuse distances are counted in a histogram (a distance never
// exceeds the distinct keys) from an LRU stack (traces/stack).
type Summarizer struct {
	s      Summary
	ids    keymap.Map // key → dense object number
	counts []int64    // requests per object
	sizes  []uint32   // last written (else first sized) size per object
	sized  []bool     // whether the object's size is known
	objs   []stack.Object
	tree   *stack.Tree[int32]
	reuse  []uint64       // requests at each reuse distance
	starts int            // requests that do not continue the one before
	multi  bool           // some request continues the one before
	lo, hi int64          // time range
	prompt *promptCounter // a prompt trace's (its first request has tokens)
}

// NewSummarizer returns an empty Summarizer for the trace called name.
func NewSummarizer(name string) *Summarizer {
	return &Summarizer{s: Summary{Name: name}, ids: keymap.New(), tree: stack.NewTree[int32](1 << 12),
		lo: math.MaxInt64, hi: math.MinInt64}
}

// Add counts one request and returns the number of its key: dense from 0,
// in the order keys are first seen (for a caller that keeps something per
// key without a key table of its own).
func (z *Summarizer) Add(r *trace.Request) int32 {
	s := &z.s
	s.Requests++
	s.RequestedBytes += int64(r.Size)
	switch r.Op {
	case trace.OpGet:
		s.Gets++
	case trace.OpSet, trace.OpWrite:
		s.Sets++
	case trace.OpDelete:
		s.Deletes++
	case trace.OpExpire:
		s.Expires++
	case trace.OpChange:
		s.Changes++
	}
	s.HasTime = s.HasTime || r.Time != 0
	if r.Continues {
		z.multi = true
	} else {
		z.starts++
	}
	z.lo, z.hi = min(z.lo, r.Time), max(z.hi, r.Time)
	o, seen := z.ids.Get(r.Key)
	if s.Requests == 1 && r.Tokens > 0 {
		z.prompt = &promptCounter{}
	}
	if !seen {
		o = int32(len(z.counts))
		z.ids.Put(r.Key, o)
		z.counts = append(z.counts, 0)
		z.sizes = append(z.sizes, 0)
		z.sized = append(z.sized, false)
		z.objs = append(z.objs, stack.Object{Size: 1})
		z.reuse = append(z.reuse, 0)
	} else {
		p := z.objs[o].Pos
		z.reuse[z.tree.Above(p)]++
		z.tree.Remove(p, 1)
		z.objs[o].Pos = 0 // off the stack until pushed again
	}
	if z.tree.Full() {
		z.tree.Compact(z.objs, false)
	}
	z.objs[o].Pos = z.tree.Push(1)
	z.counts[o]++
	if write := r.Op == trace.OpSet || r.Op == trace.OpWrite; write || (!z.sized[o] && !r.Unsized && r.Op == trace.OpGet) {
		z.sizes[o], z.sized[o] = r.Size, true
	}
	if z.prompt != nil {
		z.prompt.add(r, o, !seen)
	}
	return o
}

// Summary returns the summary of the requests added.
func (z *Summarizer) Summary() *Summary {
	s := z.s
	n := s.Requests
	s.DistinctKeys = len(z.counts)
	if n == 0 {
		return &s
	}
	if z.multi && z.prompt == nil {
		s.ClientRequests = z.starts
	}
	if s.HasTime {
		s.SpanSeconds = float64(z.hi-z.lo) / 1e9
		if s.SpanSeconds > 0 {
			s.RatePerSec = float64(n) / s.SpanSeconds
			s.ClientRatePerSec = float64(s.ClientRequests) / s.SpanSeconds
		}
	}
	if z.prompt != nil {
		p := z.prompt.s
		if s.SpanSeconds > 0 {
			p.PromptsPerSec, p.TokensPerSec = float64(p.Prompts)/s.SpanSeconds, float64(p.Tokens)/s.SpanSeconds
		}
		s.Prompt = &p
	}
	var sizes []uint32
	for o, ok := range z.sized {
		if ok {
			sizes = append(sizes, z.sizes[o])
		}
	}
	s.ObjectSize = percentilesOf(sizes)
	s.ColdShare = float64(s.DistinctKeys) / float64(n)
	s.ReuseDistance = histogramPercentiles(z.reuse)
	counts := slices.Clone(z.counts)
	slices.SortFunc(counts, func(a, b int64) int { return int(b - a) })
	ones := 0
	for _, c := range counts {
		if c == 1 {
			ones++
		}
	}
	s.OneHitWonders = float64(ones) / float64(len(counts))
	s.Top1Share = topShare(counts, 0.01, n)
	s.Top10Share = topShare(counts, 0.10, n)
	s.ZipfAlpha, s.ZipfR2 = fitZipf(counts)
	return &s
}

// histogramPercentiles summarises the values whose counts hist holds
// (hist[v]: how many are v), as percentilesOf does the values themselves.
func histogramPercentiles(hist []uint64) Percentiles {
	var total uint64
	var sum float64
	lo, hi := -1, 0
	for v, c := range hist {
		if c > 0 {
			if lo < 0 {
				lo = v
			}
			hi = v
			total += c
			sum += float64(v) * float64(c)
		}
	}
	if total == 0 {
		return Percentiles{}
	}
	at := func(q float64) float64 { // nearest rank
		rank := uint64(max(math.Ceil(q*float64(total)), 1))
		var cum uint64
		for v, c := range hist {
			if cum += c; cum >= rank {
				return float64(v)
			}
		}
		return float64(hi)
	}
	return Percentiles{Min: float64(lo), P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: float64(hi), Mean: sum / float64(total)}
}

// topShare is the share of n requests going to the top q of keys (at least one key).
func topShare(desc []int64, q float64, n int) float64 {
	k := max(int(math.Ceil(q*float64(len(desc)))), 1)
	var sum int64
	for _, c := range desc[:k] {
		sum += c
	}
	return float64(sum) / float64(n)
}

// fitZipf fits log(count) = c - alpha*log(rank) by least squares over every
// rank of the descending counts and returns alpha and R².
func fitZipf(desc []int64) (alpha, r2 float64) {
	if len(desc) < 2 {
		return 0, 0
	}
	var sx, sy, sxx, sxy, syy float64
	m := float64(len(desc))
	for i, c := range desc {
		x, y := math.Log(float64(i+1)), math.Log(float64(c))
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
		syy += y * y
	}
	vx, vy, cov := sxx-sx*sx/m, syy-sy*sy/m, sxy-sx*sy/m
	if vx == 0 {
		return 0, 0
	}
	slope := cov / vx
	if vy == 0 {
		return -slope, 1 // a flat curve is fitted exactly
	}
	return -slope, cov * cov / (vx * vy)
}
