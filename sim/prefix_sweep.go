package sim

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// ErrPinsNeedPinner says a policy cannot pin blocks (it is no policy.Pinner).
var ErrPinsNeedPinner = errors.New("cannot pin blocks")

// prefixSweep is sweepPoints for a prompt trace (cfg.Prefix set): every point
// replayed with the prefix rule (replayPrefix), except lru and radix
// without pins, computed for every size at once (prefixStackCurve) with
// replays only at the sizes the curve cannot give exactly.
func prefixSweep(t *trace.Trace, cfg sweepConfig) ([]Point, error) {
	opt := cfg.prefixOptions()
	np, ns := len(cfg.Policies), len(cfg.Sizes.Values)
	points := make([]Point, np*ns)
	for p, spec := range cfg.Policies {
		c, err := policy.New(spec, policy.Config{Capacity: 1, TTL: cfg.TTL, Seed: cfg.Seed})
		if err != nil {
			return nil, err
		}
		if opt.pins() && !PinsApply(c) {
			return nil, fmt.Errorf("%s %w: only %s do", spec, ErrPinsNeedPinner, joinNames(PinningPolicies()))
		}
		PrepareFuture(t, c) // before the replays share t
		for s, size := range cfg.Sizes.Values {
			points[p*ns+s] = Point{Policy: spec.String(), Size: size}
		}
	}
	var mu sync.Mutex
	done := func() {
		if cfg.Progress != nil {
			mu.Lock()
			cfg.Progress()
			mu.Unlock()
		}
	}
	var tasks []func() error
	replay := func(p, s int) func() error {
		return func() error {
			c, err := policy.New(cfg.Policies[p], policy.Config{Capacity: cfg.Sizes.Values[s], TTL: cfg.TTL, Seed: cfg.Seed})
			if err != nil {
				return err
			}
			points[p*ns+s].Stats = replayPrefix(t, c, opt)
			done()
			return nil
		}
	}
	for p, spec := range cfg.Policies {
		leafFirst, ok := prefixCurveOf(spec)
		if !ok || opt.pins() {
			for s := ns - 1; s >= 0; s-- {
				tasks = append(tasks, replay(p, s))
			}
			continue
		}
		tasks = append(tasks, func() error {
			stats, exact := prefixStackCurve(t, cfg.Sizes, opt, leafFirst)
			var rest []func() error
			for s := range stats {
				if exact[s] {
					points[p*ns+s].Stats = stats[s]
					done()
				} else {
					rest = append(rest, replay(p, s))
				}
			}
			for _, f := range rest {
				if err := f(); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return points, Parallel(cfg.Workers, tasks)
}

// prefixOptions are the prefix options for the sweep's unit: block
// counts give every block size 1.
func (cfg *sweepConfig) prefixOptions() PrefixOptions {
	opt := *cfg.Prefix
	if !cfg.Sizes.Bytes {
		opt.BytesPerToken = 0
	}
	return opt
}

// prefixCurveOf reports whether prefixStackCurve computes spec, and in which
// order: plain lru, or radix (leaf-first).
func prefixCurveOf(spec policy.Spec) (leafFirst, ok bool) {
	if spec.Admission != nil || len(spec.Params) > 0 {
		return false, false
	}
	switch spec.Name {
	case "lru":
		return false, true
	case "radix":
		return true, true
	}
	return false, false
}

// PinningPolicies names the registered policies that can pin blocks.
func PinningPolicies() []string {
	var out []string
	for _, n := range policy.Names() {
		c, err := policy.New(policy.Spec{Name: n}, policy.Config{Capacity: 1})
		if err == nil && PinsApply(c) {
			out = append(out, n)
		}
	}
	return out
}

// joinNames renders names as "a, b and c".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	out := names[0]
	for _, n := range names[1 : len(names)-1] {
		out += ", " + n
	}
	return out + " and " + names[len(names)-1]
}

// PrefixCeiling is what an unlimited cache does on prompt trace t with
// the prefix rule: Requests and Misses count blocks (a block misses when
// it or a block before it in its request was never stored before),
// Tokens and TokenMisses the prompts' tokens, Objects and ObjectBytes the
// distinct blocks and their sizes (KV bytes with opt.BytesPerToken, else
// tokens).
func PrefixCeiling(t *trace.Trace, opt PrefixOptions) Ceiling {
	opt.Pin, opt.Durations = 0, false
	c := policy.NewLRU(math.MaxInt64)
	st := replayPrefix(t, c, opt)
	objects, bytes := uint64(c.Len()), uint64(c.Used())
	if opt.BytesPerToken == 0 {
		bytes = prefixTokens(t)
	}
	return Ceiling{Requests: st.Requests, Bytes: st.Bytes, Misses: st.Misses(), MissBytes: st.Bytes - st.ByteHits,
		Objects: objects, ObjectBytes: bytes, Tokens: st.Prefix.Tokens, TokenMisses: st.Prefix.Tokens - st.Prefix.TokenHits}
}

// prefixTokens sums the tokens of t's distinct blocks.
func prefixTokens(t *trace.Trace) uint64 {
	seen := map[uint64]struct{}{}
	var n uint64
	for i, k := range t.Keys {
		if t.Marks != nil && t.Marks[i]&trace.MarkUnsized != 0 {
			continue
		}
		if _, ok := seen[k]; !ok {
			seen[k] = struct{}{}
			n += uint64(t.Tokens[i])
		}
	}
	return n
}

// TokenHitRatio is the token hit ratio of an unlimited cache on a prompt
// trace (0 for other traces).
func (c Ceiling) TokenHitRatio() float64 { return 1 - ratio(c.TokenMisses, c.Tokens) }

// PromptRate returns the requests (prompts) per second of prompt trace t
// and the tokens per second of their prompts, from its timestamps (0, 0
// when it has none).
func PromptRate(t *trace.Trace) (prompts, tokens float64) {
	lo, hi, ok := timeSpan(t)
	if !ok || hi == lo {
		return 0, 0
	}
	var n, tok uint64
	for i := range t.Keys {
		if t.Marks == nil || t.Marks[i]&trace.MarkContinues == 0 {
			n++
		}
		tok += uint64(t.Tokens[i])
	}
	secs := float64(hi-lo) / 1e9
	return float64(n-1) / secs, float64(tok) * float64(n-1) / float64(n) / secs
}

// MaxBlockTokens returns the most tokens a block of prompt trace t holds.
func MaxBlockTokens(t *trace.Trace) uint32 {
	var m uint32
	for _, v := range t.Tokens {
		m = max(m, v)
	}
	return m
}
