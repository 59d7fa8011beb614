package workload

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
)

// ranks reads keys and alpha and returns a constructor of their Zipf sampler.
func (p *params) ranks() (n uint64, build func(rng *rand.Rand) rankSampler) {
	n, s := p.keys("keys"), p.positive("alpha")
	return n, func(rng *rand.Rand) rankSampler {
		r, err := newRanks(n, s, rng)
		if err != nil {
			panic(err) // checked by the parameter parser
		}
		return r
	}
}

// zipfKeys draws key k with probability proportional to 1/k^alpha.
type zipfKeys struct{ r rankSampler }

func (z zipfKeys) next() uint64 { return z.r.Next() }

func zipfSource(p *params) newSource {
	_, ranks := p.ranks()
	return func(seed uint64) source { return zipfKeys{ranks(newRand(seed, streamKeys))} }
}

// uniformKeys draws keys 1…n with equal probability.
type uniformKeys struct {
	n   uint64
	rng *rand.Rand
}

func (u *uniformKeys) next() uint64 { return u.rng.Uint64N(u.n) + 1 }

func uniformSource(p *params) newSource {
	n := p.keys("keys")
	return func(seed uint64) source { return &uniformKeys{n, newRand(seed, streamKeys)} }
}

// driftingKeys is Zipf whose ranking slides: after request i the key of
// rank r is n+1-r+floor(i×drift), so new keys keep entering at the top and
// every key loses popularity as it ages.
type driftingKeys struct {
	r     rankSampler
	n     uint64
	drift float64
	i     float64
}

func (d *driftingKeys) next() uint64 {
	shift := uint64(d.i * d.drift)
	d.i++
	return d.n + 1 - d.r.Next() + shift
}

func driftingSource(p *params) newSource {
	n, ranks := p.ranks()
	drift := p.nonNeg("drift")
	return func(seed uint64) source {
		return &driftingKeys{r: ranks(newRand(seed, streamKeys)), n: n, drift: drift}
	}
}

// scanKeys reads runs of length consecutive keys, each from a random
// position of the range start…start+n-1, wrapping at its end.
type scanKeys struct {
	start, n, length uint64
	pos, left        uint64
	rng              *rand.Rand
}

func (s *scanKeys) next() uint64 {
	if s.left == 0 {
		s.pos, s.left = s.rng.Uint64N(s.n), s.length
	}
	k := s.start + s.pos
	s.left--
	if s.pos++; s.pos == s.n {
		s.pos = 0
	}
	return k
}

func scanSource(p *params) newSource {
	n, start := p.keys("keys"), uint64(p.count("start"))
	length := uint64(p.intIn("length", 1, 1<<62))
	return func(seed uint64) source {
		return &scanKeys{start: start, n: n, length: length, rng: newRand(seed, streamKeys)}
	}
}

// loopKeys cycles through start…start+n-1.
type loopKeys struct{ start, n, pos uint64 }

func (l *loopKeys) next() uint64 {
	k := l.start + l.pos
	if l.pos++; l.pos == l.n {
		l.pos = 0
	}
	return k
}

func loopSource(p *params) newSource {
	n, start := p.keys("keys"), uint64(p.count("start"))
	return func(uint64) source { return &loopKeys{start: start, n: n} }
}

// burstyKeys is an ON/OFF Markov-modulated Poisson process. OFF periods
// (mean every) run at rate requests/s with Zipf keys; ON periods (mean
// length) run at rate×factor, and hot-share of their requests go to a hot
// set of hot consecutive keys placed at random anew for each burst.
type burstyKeys struct {
	bg              rankSampler
	rng             *rand.Rand // state changes and hot keys
	arr             *rand.Rand // arrivals
	n, hot, hotBase uint64
	hotShare        float64
	on              bool
	t, end          float64 // ns: the next arrival, the end of the current state
	gapOff, gapOn   float64 // mean ns between requests in each state
	meanOff, meanOn float64 // mean state lengths, ns
	last            int64
}

func (b *burstyKeys) next() uint64 {
	b.last = int64(b.t)
	var k uint64
	if b.on && b.rng.Float64() < b.hotShare {
		k = b.hotBase + b.rng.Uint64N(b.hot)
	} else {
		k = b.bg.Next()
	}
	// Advance to the next arrival; the process is memoryless, so at a state
	// change the remaining wait is drawn afresh at the new rate.
	for {
		gap := b.gapOff
		if b.on {
			gap = b.gapOn
		}
		if t := b.t + b.arr.ExpFloat64()*gap; t < b.end {
			b.t = t
			return k
		}
		b.t = b.end
		b.on = !b.on
		if b.on {
			b.end += b.rng.ExpFloat64() * b.meanOn
			b.hotBase = 1 + b.rng.Uint64N(b.n-b.hot+1)
		} else {
			b.end += b.rng.ExpFloat64() * b.meanOff
		}
	}
}

func (b *burstyKeys) now() int64 { return b.last }

func burstySource(p *params) newSource {
	n, ranks := p.ranks()
	hot := p.keys("hot")
	if hot > n && p.err == nil {
		p.fail("hot", p.raw("hot"), "at most keys")
	}
	share := p.fraction("hot-share")
	every, length := p.positive("burst-every"), p.positive("burst-len")
	factor := p.positive("burst-factor")
	rate := p.positive("rate")
	return func(seed uint64) source {
		b := &burstyKeys{
			bg: ranks(newRand(seed, streamKeys)), rng: newRand(seed, streamBursts),
			arr: newRand(seed, streamArrivals), n: n, hot: min(hot, n), hotShare: share,
			gapOff: 1e9 / rate, gapOn: 1e9 / (rate * factor),
			meanOff: every * 1e9, meanOn: length * 1e9,
		}
		b.end = b.rng.ExpFloat64() * b.meanOff
		return b
	}
}

// mixKeys draws each key from component i with probability w_i.
type mixKeys struct {
	parts  []source
	cum    []float64 // cumulative weights, the last one 1
	offset []uint64
	rng    *rand.Rand
	cur    int      // the component of the last key
	names  []string // the components' tenant names (batch.go)
}

// next draws a component, unless the current one is in the middle of a
// multi-key request, which it completes first.
func (m *mixKeys) next() uint64 {
	if !m.pending() {
		u := m.rng.Float64()
		m.cur = 0
		for m.cur < len(m.cum)-1 && u >= m.cum[m.cur] {
			m.cur++
		}
	}
	return m.parts[m.cur].next() + m.offset[m.cur]
}

// mixOffset separates the key ranges of the components of a mix.
const mixOffset = 1_000_000_000_000

func mixSource(p *params) newSource {
	of := p.raw("of")
	disjoint := p.boolean("disjoint")
	p.tenants = p.boolean("tenants")
	names := componentNames(splitTop(of, '+'))
	var (
		builds []newSource
		cum    []float64
		total  float64
	)
	for _, part := range splitTop(of, '+') {
		w, b, marks, err := parseComponent(part)
		p.marks = p.marks || marks
		if err != nil {
			if p.err == nil {
				p.err = err
			}
			return nil
		}
		total += w
		builds, cum = append(builds, b), append(cum, total)
	}
	if len(builds) == 0 && p.err == nil {
		p.fail("of", of, "components W*KIND(k=v,…)+…")
	}
	for i := range cum {
		cum[i] /= total
	}
	return func(seed uint64) source {
		m := &mixKeys{cum: cum, rng: newRand(seed, streamMix), names: names}
		for i, b := range builds {
			m.parts = append(m.parts, b(seed^trace.SpatialHash(streamComponents+uint64(i))))
			off := uint64(0)
			if disjoint {
				off = uint64(i) * mixOffset
			}
			m.offset = append(m.offset, off)
		}
		return m
	}
}

// parseComponent parses one "W*KIND(k=v,…)" of a mix; marks says that it
// makes multi-key requests.
func parseComponent(s string) (w float64, b newSource, marks bool, err error) {
	w, b, p, err := parseComponentParams(s)
	return w, b, p != nil && p.marks, err
}

// parseComponentParams parses one "W*KIND(k=v,…)" of a mix.
func parseComponentParams(s string) (float64, newSource, *params, error) {
	s = strings.TrimSpace(s)
	w := 1.0
	if ws, rest, ok := strings.Cut(s, "*"); ok && !strings.Contains(ws, "(") {
		f, err := strconv.ParseFloat(strings.TrimSpace(ws), 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return 0, nil, nil, fmt.Errorf("mix component %q: weight %q is not a number > 0", s, ws)
		}
		w, s = f, strings.TrimSpace(rest)
	}
	name, args, hasArgs := strings.Cut(s, "(")
	name = strings.ToLower(strings.TrimSpace(name))
	k, ok := lookupKind(name)
	if !ok || name == "mix" || k.source == nil {
		return 0, nil, nil, fmt.Errorf("mix component %q: unknown kind %q (valid: %s)", s, name, strings.Join(slices.DeleteFunc(KindNames(), func(n string) bool { return n == "mix" || n == prefixKind.Name }), ", "))
	}
	if hasArgs {
		if !strings.HasSuffix(args, ")") {
			return 0, nil, nil, fmt.Errorf("mix component %q: missing ')'", s)
		}
		args = strings.TrimSuffix(args, ")")
	}
	p, err := newParams(k, args, false)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("mix component %q: %w (requests, seed, rate, size, ttl and write belong to the mix)", s, err)
	}
	b := k.source(p)
	if err := p.finish(); err != nil {
		return 0, nil, nil, fmt.Errorf("mix component %q: %w", s, err)
	}
	return w, b, p, nil
}
