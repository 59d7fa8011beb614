package sim

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// promptTrace builds a prompt trace from requests given as block keys, each
// block holding blockTokens tokens, with a tail of tail[i] tokens (0: none)
// and arrival times times[i] (nil: none).
func promptTrace(prompts [][]uint64, blockTokens uint32, tail []uint32, times []int64) *trace.Trace {
	t := trace.NewTrace("prompts", trace.Fields{Marks: true, Tokens: true, Time: times != nil})
	for i, p := range prompts {
		for k, key := range p {
			r := trace.Request{Key: key, Size: 1, Tokens: blockTokens, Continues: k > 0}
			if times != nil {
				r.Time = times[i]
			}
			t.Append(&r)
		}
		if tail != nil && tail[i] > 0 {
			r := trace.Request{Key: 1<<63 + uint64(i), Size: 1, Tokens: tail[i], Continues: len(p) > 0, Unsized: true}
			if times != nil {
				r.Time = times[i]
			}
			t.Append(&r)
		}
	}
	return t
}

// randomPrompts draws n requests over a random prefix tree: each request
// extends a random earlier request's prefix by a few new blocks, so that
// requests share prefixes of every length.
func randomPrompts(rng *rand.Rand, n int) [][]uint64 {
	var out [][]uint64
	next := uint64(1)
	for range n {
		var p []uint64
		if len(out) > 0 && rng.IntN(4) > 0 {
			base := out[rng.IntN(len(out))]
			p = append(p, base[:rng.IntN(len(base)+1)]...)
		}
		for range 1 + rng.IntN(4) {
			p = append(p, next)
			next++
		}
		out = append(out, p)
	}
	return out
}

// naivePrefixLRU is an independent reference: an LRU cache of blocks as
// a slice ordered by recency, the prefix rule applied as the issue states
// it; it returns each request's hit length.
func naivePrefixLRU(prompts [][]uint64, capacity int) []int {
	var stack []uint64 // most recent first
	has := func(k uint64) int {
		for i, x := range stack {
			if x == k {
				return i
			}
		}
		return -1
	}
	var lens []int
	for _, p := range prompts {
		n := 0
		for n < len(p) && has(p[n]) >= 0 {
			n++
		}
		lens = append(lens, n)
		for _, k := range p {
			if i := has(k); i >= 0 {
				stack = append(stack[:i], stack[i+1:]...)
			}
			stack = append([]uint64{k}, stack...)
			if len(stack) > capacity {
				stack = stack[:capacity]
			}
		}
	}
	return lens
}

// hitLengths replays prompts through c and returns each request's hit length.
func hitLengths(prompts [][]uint64, c policy.Cache) []int {
	var lens []int
	for _, p := range prompts {
		t := promptTrace([][]uint64{p}, 16, nil, nil)
		r := newPrefixReplayer(t, c, PrefixOptions{})
		r.prompt(0, t.Len())
		lens = append(lens, int(r.st.Hits))
	}
	return lens
}

// A small conversation: a system prompt S of 2 blocks (s1 s2), turns that
// extend their previous turn, and a second conversation sharing S.
func TestPrefixLRUHandConversation(t *testing.T) {
	const s1, s2, a1, a2, a3, b1, b2 = 1, 2, 3, 4, 5, 6, 7
	prompts := [][]uint64{
		{s1, s2, a1},         // turn 1 of A: all new
		{s1, s2, a1, a2},     // turn 2 of A: 3 hit
		{s1, s2, b1},         // B's turn 1: the system prompt hits
		{s1, s2, a1, a2, a3}, // A's turn 3
		{s1, s2, b1, b2},     // B's turn 2
		{s1, s2, a1, a2, a3}, // A repeated
	}
	for _, capacity := range []int{1, 2, 3, 4, 5, 6, 8} {
		want := naivePrefixLRU(prompts, capacity)
		got := hitLengths(prompts, policy.NewLRU(int64(capacity)))
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("capacity %d: hit lengths %v, the naive reference %v", capacity, got, want)
			}
		}
	}
	// By hand at capacity 4 (least recent first): A1 leaves s1 s2 a1; A2
	// hits 3 and leaves s1 s2 a1 a2; B1 hits s1 s2 and stores b1 over a1:
	// a2 s1 s2 b1; A3 hits s1 s2 (a1 is gone), and storing a1 a2 a3
	// evicts a2, b1 and s1: s2 a1 a2 a3; B2 misses s1 at once (0) and
	// leaves s1 s2 b1 b2; A4 hits s1 s2.
	if got, want := hitLengths(prompts, policy.NewLRU(4)), []int{0, 3, 2, 2, 0, 2}; !slices.Equal(got, want) {
		t.Fatalf("capacity 4: hit lengths %v, by hand %v", got, want)
	}
	// Unlimited: every block once stored stays.
	if got, want := hitLengths(prompts, policy.NewLRU(100)), []int{0, 3, 2, 4, 3, 5}; !slices.Equal(got, want) {
		t.Fatalf("unlimited: hit lengths %v, by hand %v", got, want)
	}
}

func TestPrefixLRUMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 30 {
		prompts := randomPrompts(rng, 40)
		for _, capacity := range []int{1, 3, 7, 15, 40} {
			want := naivePrefixLRU(prompts, capacity)
			if got := hitLengths(prompts, policy.NewLRU(int64(capacity))); !slices.Equal(got, want) {
				t.Fatalf("trial %d, capacity %d: hit lengths %v, the naive reference %v", trial, capacity, got, want)
			}
		}
	}
}

// The prefix rule: a cached block after the first miss is a miss, and the
// tail that fills no block counts in the tokens, never in the hits.
func TestPrefixRuleByHand(t *testing.T) {
	// Request 1 stores 1 2 3; request 2 asks 1 9 2 3: hit length 1 though
	// 2 and 3 are cached; request 3 asks 1 2 3 with a 5-token tail.
	tr := promptTrace([][]uint64{{1, 2, 3}, {1, 9, 2, 3}, {1, 2, 3}}, 16, []uint32{0, 0, 5}, nil)
	st := Replay(tr, policy.NewLRU(100), Options{Prefix: &PrefixOptions{}})
	p := st.Prefix
	if st.Requests != 10 || st.Hits != 1+3 {
		t.Fatalf("blocks %d hits %d, want 10 and 4", st.Requests, st.Hits)
	}
	if p.Prompts != 3 || p.Full != 1 || p.Partial != 1 || p.None() != 1 {
		t.Fatalf("full %d partial %d none %d, want 1 1 1", p.Full, p.Partial, p.None())
	}
	if p.Tokens != 10*16+5 || p.TokenHits != 4*16 {
		t.Fatalf("tokens %d hits %d, want 165 and 64", p.Tokens, p.TokenHits)
	}
	// With 1000 bytes a token, a block is 16,000 bytes: a 40,000-byte
	// cache holds two blocks.
	st = Replay(tr, policy.NewLRU(40000), Options{Prefix: &PrefixOptions{BytesPerToken: 1000}})
	if st.Bytes != 10*16000 || st.Prefix.TokenHits != 0 {
		// 1 2 3 leaves 2 3; 1 9 2 3 misses 1 at once and leaves 2 3; 1 2 3 misses 1.
		t.Fatalf("bytes %d token hits %d, want 160000 and 0", st.Bytes, st.Prefix.TokenHits)
	}
}

// Pinning: a request in flight keeps its blocks; once it ends they are
// evictable again.
func TestPrefixPinning(t *testing.T) {
	// Capacity 3. Request A (1 2) at 0s, B (3 4) at 1s, A again at 2s.
	// Without pins B's 4 evicts 1 under LRU, so A misses, and 2 under
	// radix (the leaf), so A hits 1 block. Pinned for 5s, A's blocks
	// survive: B stores only 3 (one free block; 3 itself is pinned
	// then), and A hits 2 blocks. Pinned for 0.5s, A is released before B.
	prompts := [][]uint64{{1, 2}, {3, 4}, {1, 2}}
	times := []int64{0, 1e9, 2e9}
	tr := promptTrace(prompts, 16, nil, times)
	for _, c := range []struct {
		pin                time.Duration
		lruHits, radixHits uint64
		unstored           uint64
	}{{0, 0, 1, 0}, {5 * time.Second, 2, 2, 1}, {time.Second / 2, 0, 1, 0}} {
		for k, cache := range []policy.Cache{policy.NewLRU(3), newRadix(t, 3)} {
			st := Replay(tr, cache, Options{Prefix: &PrefixOptions{Pin: c.pin}})
			want := c.lruHits
			if k == 1 {
				want = c.radixHits
			}
			if st.Hits != want || st.Prefix.Unstored != c.unstored {
				t.Errorf("%T, pin %s: hits %d unstored %d, want %d and %d", cache, c.pin, st.Hits, st.Prefix.Unstored, want, c.unstored)
			}
		}
	}
	// Durations from the trace (the first block's latency): A holds its
	// blocks for 10s, B (3 4) for 0.
	tr.Latencies = make([]float64, tr.Len())
	tr.Latencies[0] = 10
	st := Replay(tr, policy.NewLRU(3), Options{Prefix: &PrefixOptions{Durations: true}})
	if st.Hits != 2 {
		t.Errorf("durations: hits %d, want 2", st.Hits)
	}
}

// newRadix returns an empty radix cache of the given capacity.
func newRadix(t *testing.T, size int64) policy.Cache {
	t.Helper()
	c, err := policy.New(policy.Spec{Name: "radix"}, policy.Config{Capacity: size})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Leaf-first: radix evicts a request's last block first and never a block
// that a cached block extends; LRU evicts the first.
func TestRadixLeafFirst(t *testing.T) {
	// Capacity 4: A = 1 2 3, then B = 7 8 needs one block. LRU evicts 1
	// (least recent), which kills A's whole prefix; radix evicts 3.
	prompts := [][]uint64{{1, 2, 3}, {7}, {8}, {1, 2, 3}}
	want := map[string][]int{"lru": {0, 0, 0, 0}, "radix": {0, 0, 0, 2}}
	for name, w := range want {
		c, _ := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: 4})
		if got := hitLengths(prompts, c); !slices.Equal(got, w) {
			t.Errorf("%s: hit lengths %v, want %v", name, got, w)
		}
	}
	// Shared prefix: 1 2 3 and 1 2 4, then 5 6: radix evicts the leaves 3
	// and 4 (3, older, first … then 4), keeping 1 2 for both.
	prompts = [][]uint64{{1, 2, 3}, {1, 2, 4}, {5}, {6}, {1, 2, 3}, {1, 2, 4}}
	c := newRadix(t, 4)
	if got, w := hitLengths(prompts, c), []int{0, 2, 0, 0, 2, 2}; !slices.Equal(got, w) {
		t.Errorf("radix, shared prefix: hit lengths %v, want %v", got, w)
	}
}

// The exact curve equals a replay at every size, for lru and radix, block
// counts and KV bytes, on random traces with shared prefixes and tails.
func TestPrefixCurveMatchesReplays(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 12 {
		prompts := randomPrompts(rng, 300)
		tails := make([]uint32, len(prompts))
		for i := range tails {
			tails[i] = uint32(rng.IntN(16))
		}
		tr := promptTrace(prompts, 16, tails, nil)
		for _, bytes := range []bool{false, true} {
			opt := PrefixOptions{}
			var sizes Sizes
			if bytes {
				opt.BytesPerToken = 100 // 1,600-byte blocks
				sizes = Sizes{Bytes: true, Values: []int64{1600, 3000, 8000, 16000, 50000, 160000, 1e6}}
			} else {
				sizes = Sizes{Values: []int64{1, 2, 3, 5, 8, 13, 30, 60, 120, 400, 2000}}
			}
			for _, name := range []string{"lru", "radix"} {
				stats, exact := prefixStackCurve(tr, sizes, opt, name == "radix")
				for s, size := range sizes.Values {
					c, _ := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: size})
					want := Replay(tr, c, Options{Prefix: &opt})
					if !exact[s] {
						continue
					}
					got := stats[s]
					if got.Hits != want.Hits || got.ByteHits != want.ByteHits || *got.Prefix != *want.Prefix ||
						got.Requests != want.Requests || got.Bytes != want.Bytes || got.Evictions != want.Evictions {
						t.Fatalf("trial %d, %s, size %d (bytes %v): curve %+v %+v, replay %+v %+v", trial, name, size, bytes,
							got, *got.Prefix, want, *want.Prefix)
					}
				}
			}
		}
	}
}

// The KV bytes of a token, by hand: 2 (K and V) × layers × KV heads ×
// head dimension × bytes per element.
func TestModelShapeBytes(t *testing.T) {
	for _, c := range []struct {
		spec string
		want int64
	}{
		{"layers=32,kv-heads=8,head-dim=128,dtype=bf16", 2 * 32 * 8 * 128 * 2}, // Llama 3 8B: 131,072 (128 KiB)
		{"layers=32,kv-heads=32,head-dim=128", 2 * 32 * 32 * 128 * 2},          // Llama 2 7B (MHA, bf16 default): 512 KiB
		{"layers=80,kv-heads=8,head-dim=128,dtype=fp8", 2 * 80 * 8 * 128},      // Llama 3 70B in fp8: 163,840
		{"layers=28,kv-heads=4,head-dim=128,dtype=fp32", 2 * 28 * 4 * 128 * 4}, // 114,688
		{"layers=1,kv-heads=1,head-dim=3,dtype=int4", 3},                       // 6 elements of half a byte
		{"layers=4096,kv-heads=256,head-dim=128,dtype=fp32", 1 << 30},          // the most a token may take
	} {
		m, err := ParseModelShape(c.spec)
		if err != nil || m.BytesPerToken() != c.want {
			t.Errorf("%s: %d bytes (%v), want %d", c.spec, m.BytesPerToken(), err, c.want)
		}
	}
	for _, bad := range []string{"layers=32,kv-heads=8", "layers=32,kv-heads=8,head-dim=128,dtype=fp12", "layers=0,kv-heads=8,head-dim=128",
		"layers=32,kv-heads=8,head-dim=128,experts=8"} {
		if _, err := ParseModelShape(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	// Past 1 GiB a token is refused, also where the bytes would wrap an
	// int64 (2 × 10^18 elements × 4 bytes) or pass the 4 GiB per-block
	// guard after wrapping (16 tokens × 4e18 bytes).
	for _, bad := range []string{"layers=4096,kv-heads=256,head-dim=129,dtype=fp32",
		"layers=1000000,kv-heads=1000000,head-dim=1000000", "layers=1000000,kv-heads=1000000,head-dim=1000000,dtype=fp32"} {
		if m, err := ParseModelShape(bad); err == nil || !strings.Contains(err.Error(), "bytes a token, more than 1073741824") {
			t.Errorf("%s: %d bytes a token, error %v", bad, m.BytesPerToken(), err)
		}
	}
}

// Tiers by hand: a GPU of 1 block over a CPU of 10. A = 1 2 3 leaves 3 in
// the GPU and all three in the CPU; A again is served 1 and 2 from the
// CPU, 3 from the GPU (the nearest holding it). B = 4 5, then A: the GPU
// holds 5, the CPU all five: A comes whole from the CPU.
func TestPrefixTiersByHand(t *testing.T) {
	tr := promptTrace([][]uint64{{1, 2, 3}, {1, 2, 3}, {4, 5}, {1, 2, 3}}, 16, nil, nil)
	tiers := []PrefixTier{{Name: "gpu", Cache: policy.NewLRU(1)}, {Name: "cpu", Cache: policy.NewLRU(10), Transfer: 0.001}}
	st := ReplayPrefixTiers(tr, tiers, PrefixOptions{})
	gpu, cpu := st.Tiers[0], st.Tiers[1]
	if gpu.Blocks != 1 || cpu.Blocks != 5 || st.Hits != 6 || st.Prefix.TokenHits != 6*16 {
		t.Fatalf("gpu served %d, cpu %d, hits %d, want 1, 5, 6", gpu.Blocks, cpu.Blocks, st.Hits)
	}
	if cpu.TransferSeconds < 0.005-1e-12 || cpu.TransferSeconds > 0.005+1e-12 || gpu.TransferSeconds != 0 {
		t.Fatalf("transfer %g s from the CPU, %g from the GPU, want 0.005 and 0", cpu.TransferSeconds, gpu.TransferSeconds)
	}
	// One tier is Replay with the prefix rule.
	rng := rand.New(rand.NewPCG(5, 6))
	tr = promptTrace(randomPrompts(rng, 200), 16, nil, nil)
	one := ReplayPrefixTiers(tr, []PrefixTier{{Name: "gpu", Cache: newRadix(t, 50)}}, PrefixOptions{})
	want := Replay(tr, newRadix(t, 50), Options{Prefix: &PrefixOptions{}})
	if one.Hits != want.Hits || *one.Prefix != *want.Prefix || one.Evictions != want.Evictions {
		t.Fatalf("one tier: %+v, Replay %+v", *one.Prefix, *want.Prefix)
	}
}
