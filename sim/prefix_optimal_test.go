package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// prefixBruteForce returns the most token hits any block-count cache of
// capacity c can get on prompt trace t under the prefix rule, by trying
// every choice: on each block's miss, whether to store it and, when the
// cache is full, which block to evict. The cache is a bit set over the
// trace's distinct keys (at most 64).
//
// Caches that evict only on a miss, one block for the missing one, lose
// nothing: any other cache A has a lazy counterpart L that stores a block
// only when A stores it on its request and evicts only blocks A does not
// hold, so that A's blocks are always among L's and L's hit length is at
// least A's on every prompt.
func prefixBruteForce(t *trace.Trace, c int) uint64 {
	ids := map[uint64]int{}
	bit := make([]uint64, t.Len())
	start := make([]bool, t.Len()) // first entry of a prompt
	eachPrompt(t, func(i, j int) { start[i] = true })
	for i, k := range t.Keys {
		if _, ok := ids[k]; !ok {
			ids[k] = len(ids)
		}
		bit[i] = 1 << ids[k]
	}
	if len(ids) > 64 {
		panic("prefixBruteForce: more than 64 distinct blocks")
	}
	unsized := func(i int) bool { return t.Marks != nil && t.Marks[i]&trace.MarkUnsized != 0 }
	// hits is the token hits of the prompt starting at i with set cached.
	hits := func(i int, set uint64) uint64 {
		var n uint64
		for k := i; k < t.Len() && (k == i || !start[k]); k++ {
			if unsized(k) || set&bit[k] == 0 {
				break
			}
			n += uint64(t.Tokens[k])
		}
		return n
	}
	memo := map[[2]uint64]uint64{}
	var best func(i int, set uint64) uint64
	best = func(i int, set uint64) uint64 {
		if i == t.Len() {
			return 0
		}
		key := [2]uint64{uint64(i), set}
		if v, ok := memo[key]; ok {
			return v
		}
		var got uint64
		if start[i] {
			got = hits(i, set)
		}
		var v uint64
		switch b := bit[i]; {
		case unsized(i) || set&b != 0:
			v = best(i+1, set)
		default:
			v = best(i+1, set) // not stored
			if popcount(set) < c {
				v = max(v, best(i+1, set|b))
			} else {
				for s := set; s != 0; s &= s - 1 {
					v = max(v, best(i+1, set&^(s&-s)|b))
				}
			}
		}
		memo[key] = got + v
		return got + v
	}
	return best(0, 0)
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// tinyPrompts draws a few prompts over a small prefix tree: each repeats a
// prefix of an earlier prompt, or extends one by new blocks. weighted
// gives each prompt's last block 1 to 512 tokens, as a Mooncake prompt's
// last block holds the rest of its input; the others hold 512. Unweighted,
// every block holds 1 token.
func tinyPrompts(rng *rand.Rand, weighted bool) *trace.Trace {
	var prompts [][]uint64
	next := uint64(1)
	for n := 3 + rng.IntN(5); len(prompts) < n; {
		var p []uint64
		if len(prompts) > 0 && rng.IntN(4) > 0 {
			base := prompts[rng.IntN(len(prompts))]
			p = append(p, base[:1+rng.IntN(len(base))]...)
		}
		if len(p) == 0 || rng.IntN(2) == 0 {
			for range 1 + rng.IntN(3) {
				p = append(p, next)
				next++
			}
		}
		prompts = append(prompts, p)
	}
	t := trace.NewTrace("tiny prompts", trace.Fields{Marks: true, Tokens: true})
	for _, p := range prompts {
		for k, key := range p {
			r := trace.Request{Key: key, Size: 1, Tokens: 1, Continues: k > 0}
			if weighted {
				r.Tokens = 512
				if k == len(p)-1 {
					r.Tokens = 1 + uint32(rng.IntN(512))
				}
			}
			t.Append(&r)
		}
	}
	return t
}

// onlinePolicies are the registered policies that do not read the future,
// memcached aside (its capacity is slab pages).
func onlinePolicies(t *testing.T) []policy.Spec {
	t.Helper()
	var specs []policy.Spec
	for _, name := range policy.Names() {
		s := policy.Spec{Name: name}
		if !s.Traits().Has(policy.Offline) && name != "memcached" {
			specs = append(specs, s)
		}
	}
	return specs
}

// tokenHits replays t through a new cache of spec at capacity c.
func tokenHits(t *testing.T, tr *trace.Trace, spec policy.Spec, c int64) uint64 {
	t.Helper()
	cache, err := policy.New(spec, policy.Config{Capacity: c, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return Replay(tr, cache, Options{Prefix: &PrefixOptions{}}).Prefix.TokenHits
}

// belady-prefix against the true optimum of the prefix rule, found by
// exhaustive search on hundreds of tiny random prompt traces at tiny
// capacities. With every block worth one token it is the optimum
// exactly; with Mooncake-like weights (a prompt's last block partial) it
// is a lower bound whose gap the test logs. The optimum is never below any
// policy, offline or online.
func TestBeladyPrefixAgainstBruteForce(t *testing.T) {
	tracestest.SkipUnderRace(t)
	online := onlinePolicies(t)
	offline := []policy.Spec{{Name: "belady"}, {Name: "belady", Params: policy.Params{"bypass": "true"}}}
	opt := policy.Spec{Name: "belady-prefix"}
	for _, weighted := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(25, 4))
		var cases, short, beaten, beatenCases int
		var sumGap, maxGap float64
		for range 300 {
			tr := tinyPrompts(rng, weighted)
			for c := 1; c <= 4; c++ {
				want := prefixBruteForce(tr, c)
				got := tokenHits(t, tr, opt, int64(c))
				cases++
				if got > want {
					t.Fatalf("weighted %v, capacity %d, keys %v: belady-prefix %d token hits, more than the optimum's %d", weighted, c, tr.Keys, got, want)
				}
				if got < want {
					short++
					gap := float64(want-got) / float64(want)
					sumGap += gap
					maxGap = max(maxGap, gap)
					if !weighted {
						t.Fatalf("capacity %d, keys %v, continues %v: belady-prefix %d hits, the optimum %d", c, tr.Keys, tr.Marks, got, want)
					}
				}
				wasBeaten := false
				for _, s := range append(online, offline...) {
					h := tokenHits(t, tr, s, int64(c))
					if h > want {
						t.Fatalf("weighted %v, capacity %d, keys %v: %s has %d token hits, more than the optimum's %d", weighted, c, tr.Keys, s, h, want)
					}
					if h > got {
						beaten++
						wasBeaten = true
						if !weighted {
							t.Fatalf("capacity %d, keys %v: %s has %d hits, more than belady-prefix's %d", c, tr.Keys, s, h, got)
						}
					}
				}
				if wasBeaten {
					beatenCases++
				}
			}
		}
		t.Logf("weighted %v: %d cases; belady-prefix below the optimum in %d (mean gap %.3f%%, max %.2f%% of the optimum's token hits); "+
			"some other policy above belady-prefix in %d cases (%d policy-cases)",
			weighted, cases, short, 100*sumGap/float64(cases), 100*maxGap, beatenCases, beaten)
	}
}

// On the Mooncake traces (block counts, 512-token blocks), belady-prefix's
// token hit ratio is at least every online policy's at every size, and
// both the unlimited cache's at the largest.
func TestBeladyPrefixBeatsOnlineOnMooncake(t *testing.T) {
	tracestest.SkipUnderRace(t) // 35 policies × 5 sizes × 2 traces; make test's second pass runs it without
	specs := append(onlinePolicies(t), policy.Spec{Name: "belady-prefix"})
	sizes := Sizes{Values: []int64{250, 1000, 4000, 16000, 64000}}
	if testing.Short() {
		specs = []policy.Spec{{Name: "lru"}, {Name: "radix"}, {Name: "s3fifo"}, {Name: "arc"}, {Name: "belady-prefix"}}
	}
	for _, name := range []string{"conversation_trace.jsonl.gz", "synthetic_trace.jsonl.gz"} {
		tr := load(t, name, traces.Options{})
		pts, err := sweepPoints(tr, sweepConfig{Policies: specs, Sizes: sizes, Seed: 1, Prefix: &PrefixOptions{}})
		if err != nil {
			t.Fatal(err)
		}
		ns := len(sizes.Values)
		opt := pts[len(pts)-ns:]
		ceiling := PrefixCeiling(tr, PrefixOptions{}).TokenHitRatio()
		for i, p := range pts[:len(pts)-ns] {
			o := opt[i%ns]
			if h, b := p.Stats.Prefix.TokenHitRatio(), o.Stats.Prefix.TokenHitRatio(); h > b {
				t.Errorf("%s at %d blocks: %s has token hit ratio %.4f%%, more than belady-prefix's %.4f%%", name, p.Size, p.Policy, 100*h, 100*b)
			}
		}
		line := ""
		for s, o := range opt {
			line += fmt.Sprintf(" %d: %.2f%% (lru %.2f%%, radix %.2f%%);", o.Size, 100*o.Stats.Prefix.TokenHitRatio(),
				100*pointOf(pts, "lru", ns, s).Stats.Prefix.TokenHitRatio(), 100*pointOf(pts, "radix", ns, s).Stats.Prefix.TokenHitRatio())
		}
		t.Logf("%s: belady-prefix token hit ratio by size in blocks:%s unlimited %.2f%%", name, line, 100*ceiling)
		if last := opt[ns-1].Stats.Prefix.TokenHitRatio(); math.Abs(last-ceiling) > 1e-9 {
			t.Errorf("%s: belady-prefix at %d blocks gives %.4f%%, not the unlimited cache's %.4f%%", name, sizes.Values[ns-1], 100*last, 100*ceiling)
		}
	}
}

// pointOf returns policy name's point at size index s of a sweep with ns sizes.
func pointOf(pts []Point, name string, ns, s int) Point {
	for i := 0; i < len(pts); i += ns {
		if pts[i].Policy == name {
			return pts[i+s]
		}
	}
	return Point{}
}
