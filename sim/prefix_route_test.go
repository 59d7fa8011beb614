package sim

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// newCaches builds n caches of spec, each of capacity size.
func newCaches(t *testing.T, spec string, n int, size int64) []policy.Cache {
	t.Helper()
	sp, err := policy.ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]policy.Cache, n)
	for k := range out {
		if out[k], err = policy.New(sp, policy.Config{Capacity: size, Seed: 42}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sharedPrefix is four prompts of three 16-token blocks: a shared system
// prompt (blocks 1, 2) and a block of their own.
var sharedPrefix = [][]uint64{{1, 2, 10}, {1, 2, 20}, {1, 2, 30}, {1, 2, 40}}

// The routers on four prompts sharing a two-block prefix, by hand (192
// tokens; each instance holds 100 blocks, so nothing is evicted):
//   - round-robin, 2 instances: A, C to 0 and B, D to 1; C and D hit the
//     prefix, 64 tokens (1/3); the pooled cache hits it in B, C, D (1/2).
//   - least-loaded (no times, so no drain): A to 0 (tie); B to 1 (48 vs
//     0 queued); C to 0 (48 vs 48, tie), hits 32, queue 64; D to 1, hits
//     32: the same 64 tokens.
//   - cache-aware, cap 1.5: A to 0 (no instance holds anything); B's
//     prefix is in 0, whose 48 queued tokens exceed 1.5 × the mean 24, so
//     B goes to the least loaded, 1; C: both hold 32 tokens, tie to the
//     less loaded (48 vs 48: 0), hits 32; D: both hold it, 1 is less
//     loaded (48 vs 64), hits 32: 64 tokens, one prompt overloaded.
//   - cache-aware, cap 10: B, C, D follow A to 0 and hit 32 each: 96, as
//     the pooled cache, and instance 0 computes every prefill token.
func TestRoutersByHand(t *testing.T) {
	tr := promptTrace(sharedPrefix, 16, nil, nil)
	for _, c := range []struct {
		ro         RouteOptions
		hits       uint64
		prompts    []uint64
		prefill    []uint64
		overloaded uint64
	}{
		{RouteOptions{Router: RouteRoundRobin}, 64, []uint64{2, 2}, []uint64{64, 64}, 0},
		{RouteOptions{Router: RouteLeastLoaded}, 64, []uint64{2, 2}, []uint64{64, 64}, 0},
		{RouteOptions{Router: RouteCacheAware}, 64, []uint64{2, 2}, []uint64{64, 64}, 1},
		{RouteOptions{Router: RouteCacheAware, LoadCap: 10}, 96, []uint64{4, 0}, []uint64{96, 0}, 0},
	} {
		st := ReplayRouted(tr, newCaches(t, "lru", 2, 100), PrefixOptions{}, c.ro)
		if st.Prefix.Tokens != 192 || st.Prefix.TokenHits != c.hits || !slices.Equal(st.Prompts, c.prompts) ||
			!slices.Equal(st.Prefill, c.prefill) || st.Overloaded != c.overloaded {
			t.Errorf("%s cap %g: %d of %d tokens hit, prompts %v, prefill %v, overloaded %d; want %d of 192, %v, %v, %d",
				st.Router, c.ro.LoadCap, st.Prefix.TokenHits, st.Prefix.Tokens, st.Prompts, st.Prefill, st.Overloaded,
				c.hits, c.prompts, c.prefill, c.overloaded)
		}
		if want := float64(slices.Max(c.prefill)) * 2 / float64(192-c.hits); st.Imbalance() != want {
			t.Errorf("%s cap %g: imbalance %g, want %g", st.Router, c.ro.LoadCap, st.Imbalance(), want)
		}
	}
	pooled := Replay(tr, newCaches(t, "lru", 1, 200)[0], Options{Prefix: &PrefixOptions{}})
	if pooled.Prefix.TokenHits != 96 {
		t.Errorf("pooled cache: %d tokens hit, want 96", pooled.Prefix.TokenHits)
	}
}

// The queues drain with time: A arrives at 0 and queues 48 tokens on
// instance 0; at 16 tokens/s they are gone by B's arrival at 10 s, so the
// least-loaded router sends B to 0 too (tie, lowest index), where it hits
// the prefix; at 1 token/s, 38 remain and B goes to 1.
func TestLeastLoadedDrains(t *testing.T) {
	tr := promptTrace(sharedPrefix[:2], 16, nil, []int64{0, 10e9})
	for _, c := range []struct {
		rate float64
		hits uint64
	}{{16, 32}, {1, 0}} {
		st := ReplayRouted(tr, newCaches(t, "lru", 2, 100), PrefixOptions{}, RouteOptions{Router: RouteLeastLoaded, DrainTokensPerS: c.rate})
		if st.Prefix.TokenHits != c.hits {
			t.Errorf("drain %g tokens/s: %d tokens hit, want %d", c.rate, st.Prefix.TokenHits, c.hits)
		}
	}
	// The default rate is the trace's prompt tokens a second (PromptRate:
	// one interval of 10 s for 48 of the 96 tokens, 4.8) over N = 2.
	st := ReplayRouted(tr, newCaches(t, "lru", 2, 100), PrefixOptions{}, RouteOptions{Router: RouteLeastLoaded})
	if st.DrainTokensPerS != 4.8/2 {
		t.Errorf("default drain %g tokens/s, want %g", st.DrainTokensPerS, 4.8/2)
	}
}

// One instance is the single cache exactly, whatever the router: the same
// statistics as Replay with the prefix rule, on random prompts with tails, times and
// pins, in block counts and KV bytes, with lru and radix.
func TestRoutedOneInstanceIsReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	prompts := randomPrompts(rng, 600)
	tails := make([]uint32, len(prompts))
	times := make([]int64, len(prompts))
	for i := range prompts {
		tails[i] = uint32(rng.IntN(16))
		times[i] = int64(i) * 5e7
	}
	tr := promptTrace(prompts, 16, tails, times)
	for _, spec := range []string{"lru", "radix", "s3fifo"} {
		for _, opt := range []PrefixOptions{{}, {BytesPerToken: 1024}, {Pin: 2e9}} {
			if opt.pins() && spec == "s3fifo" {
				continue
			}
			size := int64(120)
			if opt.BytesPerToken > 0 {
				size *= 16 * 1024
			}
			want := Replay(tr, newCaches(t, spec, 1, size)[0], Options{Prefix: &opt})
			for _, r := range Routers() {
				got := ReplayRouted(tr, newCaches(t, spec, 1, size), opt, RouteOptions{Router: r, Seed: 3})
				if !reflect.DeepEqual(got.Stats, want) {
					t.Errorf("%s %+v, %s, one instance: %+v %+v; Replay: %+v %+v", spec, opt, r, got.Stats, *got.Prefix, want, *want.Prefix)
				}
			}
		}
	}
}

// Every router conserves the prompts and tokens, the seeded random router
// repeats itself, and a local cache never beats the pooled one of the
// same total memory on conversations that share prefixes.
func TestRoutedConservesAndPoolWins(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	tr := promptTrace(randomPrompts(rng, 2000), 16, nil, nil)
	pooled := Replay(tr, newCaches(t, "lru", 1, 400)[0], Options{Prefix: &PrefixOptions{}})
	for _, r := range Routers() {
		st := ReplayRouted(tr, newCaches(t, "lru", 4, 100), PrefixOptions{}, RouteOptions{Router: r, Seed: 1})
		var prompts, prefill uint64
		for k := range st.Prompts {
			prompts += st.Prompts[k]
			prefill += st.Prefill[k]
		}
		if prompts != st.Prefix.Prompts || prompts != pooled.Prefix.Prompts || prefill != st.Prefix.Tokens-st.Prefix.TokenHits ||
			st.Prefix.Tokens != pooled.Prefix.Tokens {
			t.Errorf("%s: %d prompts and %d prefill tokens by instance, %+v in all", r, prompts, prefill, *st.Prefix)
		}
		if st.Prefix.TokenHitRatio() > pooled.Prefix.TokenHitRatio() {
			t.Errorf("%s: 4 instances hit %.4f of tokens, the pooled cache %.4f", r, st.Prefix.TokenHitRatio(), pooled.Prefix.TokenHitRatio())
		}
		again := ReplayRouted(tr, newCaches(t, "lru", 4, 100), PrefixOptions{}, RouteOptions{Router: r, Seed: 1})
		if !reflect.DeepEqual(st, again) {
			t.Errorf("%s: two runs differ", r)
		}
	}
}

// On the Mooncake conversation trace, the pooled cache's token hit ratio
// is at least every router's on 8 instances of an eighth of its memory,
// and cache-aware routing beats the cache-blind routers.
func TestRoutedConversationTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the conversation trace five times")
	}
	tracestest.SkipUnderRace(t)
	tr := load(t, "conversation_trace.jsonl.gz", traces.Options{})
	const n = 8
	for _, total := range []int64{4096, 32768} {
		pooled := Replay(tr, newCaches(t, "lru", 1, total)[0], Options{Prefix: &PrefixOptions{}})
		ratios := map[Router]float64{}
		for _, r := range Routers() {
			st := ReplayRouted(tr, newCaches(t, "lru", n, total/n), PrefixOptions{}, RouteOptions{Router: r, Seed: 42})
			ratios[r] = st.Prefix.TokenHitRatio()
			if ratios[r] > pooled.Prefix.TokenHitRatio() {
				t.Errorf("%d blocks, %s: %.4f of tokens hit on %d instances, more than the pooled cache's %.4f",
					total, r, ratios[r], n, pooled.Prefix.TokenHitRatio())
			}
		}
		t.Logf("%d blocks: pooled %.4f, routed %v", total, pooled.Prefix.TokenHitRatio(), ratios)
		for _, r := range []Router{RouteRandom, RouteRoundRobin, RouteLeastLoaded} {
			if ratios[RouteCacheAware] <= ratios[r] {
				t.Errorf("%d blocks: cache-aware %.4f does not beat %s %.4f", total, ratios[RouteCacheAware], r, ratios[r])
			}
		}
	}
}

func TestParseRouters(t *testing.T) {
	if rs, err := ParseRouters("all"); err != nil || !slices.Equal(rs, Routers()) {
		t.Errorf("all: %v %v", rs, err)
	}
	if rs, err := ParseRouters("cache-aware, random"); err != nil || !slices.Equal(rs, []Router{RouteCacheAware, RouteRandom}) {
		t.Errorf("list: %v %v", rs, err)
	}
	for _, bad := range []string{"", "hash", "random,random"} {
		if _, err := ParseRouters(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
