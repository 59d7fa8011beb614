package sim

import (
	"math"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// A prompt trace (Prompts) is a sequence of LLM requests, each an ordered
// chain of KV-cache blocks: its first block starts a request, the others
// continue it (trace.Request.Continues), every block carries the tokens
// it holds (Request.Tokens), and a tail that does not fill a block — never
// cached, as vLLM does — is an unsized last block (Request.Unsized) whose
// tokens count in the prompt and never hit. Its key is the hash of every
// token up to and including the block, so a key implies its whole prefix.
//
// The prefix rule (Replay with Options.Prefix): a request's hit length is the longest run
// of blocks from its start that are cached when it arrives; blocks after
// the first miss count as misses even if cached. Then every block is
// accessed in order (refreshed if cached, inserted if not), as a server
// stores a prompt's blocks after prefill.

// Prompts reports whether t is a prompt trace (it carries token counts).
func Prompts(t *trace.Trace) bool { return t.Tokens != nil }

// PrefixOptions say how a prompt trace is replayed.
type PrefixOptions struct {
	// BytesPerToken is the KV-cache memory of one token (see ModelShape):
	// a block's size is its tokens times this, so byte capacities mean KV
	// memory. 0 counts blocks (every block has size 1).
	BytesPerToken int64
	// Pin is how long a request holds its blocks (an in-flight request's
	// blocks cannot be evicted); 0 with Durations unset pins nothing.
	Pin time.Duration
	// Durations pins each request for its own duration, the latency the
	// trace recorded for its first block (Trace.Latencies, seconds),
	// unless Pin is set.
	Durations bool
}

// pins reports whether the options pin blocks.
func (o PrefixOptions) pins() bool { return o.Pin > 0 || o.Durations }

// PrefixStats counts what the prefix rule gave per request and per token.
type PrefixStats struct {
	// Prompts counts the requests; Full those whose every block hit (the
	// tail that fills no block aside), Partial those with some.
	Prompts uint64 `json:"prompts"`
	Full    uint64 `json:"full_hits"`
	Partial uint64 `json:"partial_hits"`
	// Tokens counts the prompts' tokens; TokenHits those in hit blocks.
	Tokens    uint64 `json:"tokens"`
	TokenHits uint64 `json:"token_hits"`
	// Unstored counts the blocks that could not be stored because pinned
	// blocks filled the cache (a server would make the request wait).
	Unstored uint64 `json:"unstored,omitempty"`
}

// TokenHitRatio is the tokens in hit blocks over the prompts' tokens.
func (p PrefixStats) TokenHitRatio() float64 { return ratio(p.TokenHits, p.Tokens) }

// None counts the requests with no block hit.
func (p PrefixStats) None() uint64 { return p.Prompts - p.Full - p.Partial }

// merge adds o's counts to p.
func (p *PrefixStats) merge(o *PrefixStats) {
	p.Prompts += o.Prompts
	p.Full += o.Full
	p.Partial += o.Partial
	p.Tokens += o.Tokens
	p.TokenHits += o.TokenHits
	p.Unstored += o.Unstored
}

// replayPrefix replays prompt trace t through c with the prefix rule (see
// Prompts; Replay with Options.Prefix). Stats counts blocks as requests (Requests, Hits: the blocks
// and those in each request's hit length), their sizes as bytes (KV bytes,
// or tokens without BytesPerToken), and the per-request and per-token
// counts in Stats.Prefix.
//
// With pins (opt.Pin, opt.Durations), a request arriving at time t first
// releases the requests whose time ended by t, then pins each of its
// blocks right after accessing it until t + its pin time; c must be a
// policy.Pinner. A block that cannot be stored because pinned blocks fill
// the cache is left out (Unstored).
func replayPrefix(t *trace.Trace, c policy.Cache, opt PrefixOptions) Stats {
	p := newPrefixReplayer(t, c, opt)
	eachPrompt(t, p.prompt)
	return p.finish()
}

// eachPrompt calls f with the first and one past the last trace entry of
// each request of prompt trace t, in order.
func eachPrompt(t *trace.Trace, f func(i, j int)) {
	for i, n := 0, t.Len(); i < n; {
		j := i + 1
		for j < n && t.Marks != nil && t.Marks[j]&trace.MarkContinues != 0 {
			j++
		}
		f(i, j)
		i = j
	}
}

// prefixReplayer is replayPrefix's state.
type prefixReplayer struct {
	t      *trace.Trace
	c      policy.Cache
	opt    PrefixOptions
	pinner policy.Pinner   // nil without pins
	held   EndHeap[pinned] // requests in flight, by end time
	spare  [][]uint64      // key buffers of released requests, for reuse
	req    trace.Request
	st     Stats
	ps     PrefixStats
	// tiers, for ReplayPrefixTiers, are the hierarchy whose tiers decide
	// the hits (c is the first's), and tierStats what each served.
	tiers     []PrefixTier
	tierStats []TierStats
}

func newPrefixReplayer(t *trace.Trace, c policy.Cache, opt PrefixOptions) *prefixReplayer {
	PrepareFuture(t, c) // an offline policy (belady-prefix) reads each block's next request
	p := &prefixReplayer{t: t, c: c, opt: opt}
	if opt.pins() {
		p.pinner = c.(policy.Pinner) // callers check (PinsApply)
	}
	return p
}

// PinsApply reports whether c can pin blocks (policy.Pinner).
func PinsApply(c policy.Cache) bool {
	_, ok := c.(policy.Pinner)
	return ok
}

// tail reports whether request i is the tail of a prompt (never cached).
func (p *prefixReplayer) tail(i int) bool {
	return p.t.Marks != nil && p.t.Marks[i]&trace.MarkUnsized != 0
}

// size is the size of block i as the cache sees it.
func (p *prefixReplayer) size(i int) uint32 {
	if p.opt.BytesPerToken == 0 {
		return 1
	}
	return uint32(int64(p.t.Tokens[i]) * p.opt.BytesPerToken)
}

// weight is block i's bytes in the counts: KV bytes, or tokens.
func (p *prefixReplayer) weight(i int) uint64 {
	return uint64(p.t.Tokens[i]) * uint64(max(p.opt.BytesPerToken, 1))
}

// prompt replays the request made of trace entries i to j-1.
func (p *prefixReplayer) prompt(i, j int) {
	now := p.arrive(i)
	p.count(i, j)
	p.store(i, j, now)
}

// arrive returns the time of the request starting at entry i, releasing
// the requests whose time ended by then.
func (p *prefixReplayer) arrive(i int) int64 {
	var now int64
	if p.t.Times != nil {
		now = p.t.Times[i]
	}
	if p.pinner != nil {
		p.release(now)
	}
	return now
}

// hit reports whether block k is cached (in any tier, counting it in the
// nearest that holds it).
func (p *prefixReplayer) hit(k int, tok uint64) bool {
	key := p.t.Keys[k]
	if p.tiers == nil {
		return p.c.Contains(key)
	}
	for n := range p.tiers {
		if p.tiers[n].Cache.Contains(key) {
			ts := &p.tierStats[n]
			ts.Blocks++
			ts.Tokens += tok
			ts.TransferSeconds += p.tiers[n].Transfer
			return true
		}
	}
	return false
}

// count applies the prefix rule to the request of entries i to j-1.
func (p *prefixReplayer) count(i, j int) {
	hitting := true
	var blocks, hits uint64
	for k := i; k < j; k++ {
		tok := uint64(p.t.Tokens[k])
		p.ps.Tokens += tok
		if p.tail(k) {
			continue
		}
		blocks++
		w := p.weight(k)
		p.st.Bytes += w
		if hitting = hitting && p.hit(k, tok); hitting {
			hits++
			p.ps.TokenHits += tok
			p.st.ByteHits += w
		}
	}
	p.st.Requests += blocks
	p.st.Hits += hits
	p.ps.Prompts++
	switch {
	case blocks > 0 && hits == blocks:
		p.ps.Full++
	case hits > 0:
		p.ps.Partial++
	}
}

// store accesses every block of the request in order, pinning each when
// pins apply.
func (p *prefixReplayer) store(i, j int, now int64) {
	var held []uint64
	if p.pinner != nil {
		held = p.buffer()
	}
	r := &p.req
	r.Continues = false
	for k := i; k < j; k++ {
		if p.tail(k) {
			continue
		}
		r.Key, r.Size = p.t.Keys[k], p.size(k)
		if p.t.Next != nil {
			r.Next = p.t.Next[k]
		}
		if p.pinner != nil && p.c.Capacity()-p.pinner.Pinned() < int64(r.Size) && !p.c.Contains(r.Key) {
			p.ps.Unstored++
			continue
		}
		p.c.Access(r)
		r.Continues = true
		if p.pinner != nil && p.pinner.Pin(r.Key) {
			held = append(held, r.Key)
		}
	}
	if p.pinner != nil {
		p.held.Push(pinned{end: now + p.pinTime(i), keys: held})
	}
}

// pinTime is how long request i holds its blocks, in nanoseconds.
func (p *prefixReplayer) pinTime(i int) int64 {
	if p.opt.Pin > 0 || p.t.Latencies == nil {
		return int64(p.opt.Pin)
	}
	return int64(math.Round(p.t.Latencies[i] * 1e9))
}

// buffer returns an empty key buffer, reused once warm.
func (p *prefixReplayer) buffer() []uint64 {
	if n := len(p.spare); n > 0 {
		b := p.spare[n-1]
		p.spare = p.spare[:n-1]
		return b[:0]
	}
	return make([]uint64, 0, 64)
}

// release unpins the requests whose time ended by now.
func (p *prefixReplayer) release(now int64) {
	for p.held.Due(now) {
		r := p.held.Pop()
		p.pinner.Unpin(r.keys)
		p.spare = append(p.spare, r.keys)
	}
}

// finish returns the statistics of the whole run.
func (p *prefixReplayer) finish() Stats {
	st := p.st
	st.Evictions = p.c.Evictions()
	ps := p.ps
	st.Prefix = &ps
	return st
}

// pinned is a request in flight: when it ends and the blocks it pinned.
type pinned struct {
	end  int64
	keys []uint64
}

// Ends implements Ending.
func (p pinned) Ends() int64 { return p.end }
