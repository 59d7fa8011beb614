package traces

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// TestSummarizeByHand checks Summarize on a six-request trace whose figures
// are worked out by hand below.
func TestSummarizeByHand(t *testing.T) {
	tr := trace.NewTrace("hand", trace.Fields{Size: true, Time: true, Op: true})
	// keys a b a c a b at t = 0..5 s; sizes 10, 20, 10, 40, 10, 20; c is a set.
	keys := []uint64{1, 2, 1, 3, 1, 2}
	sizes := []uint32{10, 20, 10, 40, 10, 20}
	for i, k := range keys {
		op := trace.OpGet
		if k == 3 {
			op = trace.OpSet
		}
		tr.Append(&trace.Request{Key: k, Size: sizes[i], Time: int64(i) * 1e9, Op: op})
	}
	s := Summarize(tr)
	near := func(name string, got, want float64) {
		if math.Abs(got-want) > 1e-3 {
			t.Errorf("%s = %g, want %g", name, got, want)
		}
	}
	if s.Requests != 6 || s.DistinctKeys != 3 || s.RequestedBytes != 110 {
		t.Errorf("counts: %+v", s)
	}
	if s.Gets != 5 || s.Sets != 1 || s.Deletes != 0 {
		t.Errorf("ops: %d/%d/%d, want 5 gets, 1 set", s.Gets, s.Sets, s.Deletes)
	}
	near("span", s.SpanSeconds, 5)
	near("rate", s.RatePerSec, 6.0/5)
	near("one-hit wonders", s.OneHitWonders, 1.0/3) // c
	near("top 1%", s.Top1Share, 3.0/6)              // ceil(0.03) = 1 key: a
	near("top 10%", s.Top10Share, 3.0/6)
	near("cold", s.ColdShare, 3.0/6)
	// Reuse distances: a@2 saw {b} = 1, a@4 saw {c} = 1, b@5 saw {a, c} = 2.
	if r := s.ReuseDistance; r.Min != 1 || r.P50 != 1 || r.P90 != 2 || r.Max != 2 {
		t.Errorf("reuse distance %+v, want min 1, p50 1, p90 2, max 2", r)
	}
	near("reuse mean", s.ReuseDistance.Mean, 4.0/3)
	// Object sizes (first seen): 10, 20, 40.
	if o := s.ObjectSize; o.Min != 10 || o.P50 != 20 || o.Max != 40 {
		t.Errorf("object sizes %+v", o)
	}
	// Counts 3, 2, 1 against ranks 1, 2, 3 on log-log axes: least squares
	// slope -0.9553, R² 0.9126 (computed separately).
	near("zipf alpha", s.ZipfAlpha, 0.9553)
	near("zipf R²", s.ZipfR2, 0.9126)
}

// TestSummarizeZipfExponent fits a trace whose counts follow 1000/rank (rounded down).
func TestSummarizeZipfExponent(t *testing.T) {
	tr := trace.NewTrace("zipf", trace.Fields{})
	for rank := 1; rank <= 100; rank++ {
		for i := 0; i < 1000/rank; i++ {
			tr.Append(&trace.Request{Key: uint64(rank), Size: 1})
		}
	}
	s := Summarize(tr)
	if math.Abs(s.ZipfAlpha-1) > 0.02 || s.ZipfR2 < 0.99 {
		t.Errorf("counts 1000/rank: alpha %.4f R² %.4f, want about 1 and 1", s.ZipfAlpha, s.ZipfR2)
	}
}

// Percentiles from a histogram equal those of the values themselves.
func TestHistogramPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{1, 2, 7, 100, 1001} {
		vals := make([]uint32, n)
		hist := make([]uint64, 64)
		for i := range vals {
			vals[i] = uint32(rng.IntN(64))
			hist[vals[i]]++
		}
		if got, want := histogramPercentiles(hist), percentilesOf(vals); got != want {
			t.Errorf("%d values: from the histogram %+v, from the values %+v", n, got, want)
		}
	}
}

// A stream's summary takes memory for its distinct keys, not its requests:
// ten times more requests over the same keys allocate no more.
func TestSummarizerMemoryBounded(t *testing.T) {
	run := func(n int) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		z := NewSummarizer("cycle")
		r := trace.Request{Size: 1}
		for i := range n {
			r.Key = uint64(i*7919) % 20000
			z.Add(&r)
		}
		z.Summary()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := run(200_000), run(2_000_000)
	t.Logf("allocated %d bytes for 200,000 requests, %d for 2,000,000", small, large)
	if large > small+small/4 {
		t.Errorf("10x the requests allocated %d bytes, against %d: memory grows with the stream", large, small)
	}
}

// keysOnly declares every optional field but yields only keys (a text
// file whose header might have named more columns).
type keysOnly struct{ n, i int }

func (k *keysOnly) Read(r *trace.Request) error {
	if k.i == k.n {
		return errEOF
	}
	k.i++
	*r = trace.Request{Key: uint64(k.i % 1000), Size: 1}
	return nil
}

func (k *keysOnly) Fields() trace.Fields {
	return trace.Fields{Time: true, Size: true, TTL: true, Op: true, Latency: true}
}

// Loading stores only the columns that carry something: a source that
// declares six columns but fills only the keys allocates for the keys
// alone (8 bytes a request, about 48 in all as append grows the slice by a
// quarter at a time and Shrink trims it), not for six columns (180).
func TestReadAllAllocatesUsedColumnsOnly(t *testing.T) {
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tr, err := ReadAll("keys", &keysOnly{n: n})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	perRequest := float64(after.TotalAlloc-before.TotalAlloc) / n
	t.Logf("%.1f bytes allocated per request", perRequest)
	if tr.Sizes != nil || tr.Times != nil || tr.TTLs != nil || tr.Ops != nil || tr.Latencies != nil {
		t.Errorf("columns kept: %+v", tr.Fields())
	}
	if perRequest > 60 {
		t.Errorf("%.1f bytes allocated per request, want the keys' alone (up to 60 with growth)", perRequest)
	}
}

// A prompt trace is summarised in its own terms, figures worked out by
// hand: prompts [a b c] (512, 512, 100 tokens), [a b d] plus a tail of 7
// tokens, [b a] and [a a] (a repeated block hits only if an earlier
// prompt stored it), [a b c].
func TestSummarizePrompts(t *testing.T) {
	tr := trace.NewTrace("prompts", trace.Fields{Time: true, Marks: true, Tokens: true})
	type block struct {
		key    uint64
		tokens uint32
		tail   bool
	}
	prompts := [][]block{
		{{1, 512, false}, {2, 512, false}, {3, 100, false}},
		{{1, 512, false}, {2, 512, false}, {4, 512, false}, {99, 7, true}},
		{{2, 512, false}, {1, 512, false}},
		{{1, 512, false}, {1, 512, false}},
		{{1, 512, false}, {2, 512, false}, {3, 100, false}},
	}
	for i, p := range prompts {
		for j, b := range p {
			tr.Append(&trace.Request{Key: b.key, Size: 1, Tokens: b.tokens, Time: int64(i) * 1e9, Continues: j > 0, Unsized: b.tail})
		}
	}
	got := Summarize(tr).Prompt
	// Hits: prompt 2 a, b (1024 tokens); prompt 3 b, a; prompt 4 a, a;
	// prompt 5 a, b, c (1124): 9 blocks, 4196 tokens.
	tokens := int64(1124 + (3*512 + 7) + 1024 + 1024 + 1124)
	want := PromptSummary{Prompts: 5, Blocks: 13, MaxBlocks: 3, Tokens: tokens, MaxTokens: 3*512 + 7, TailTokens: 7,
		DistinctBlocks: 4, DistinctTokens: 3*512 + 100, BlockHits: 9, TokenHits: 1024 + 1024 + 1024 + 1124,
		PromptsPerSec: 5.0 / 4, TokensPerSec: float64(tokens) / 4}
	if got == nil || *got != want {
		t.Fatalf("prompt summary\n%+v, want\n%+v", got, want)
	}
	if r := got.TokenHitRatio(); math.Abs(r-4196.0/5839) > 1e-9 {
		t.Errorf("token hit ratio %g", r)
	}
	if s := Summarize(trace.NewTrace("empty", trace.Fields{})); s.Prompt != nil {
		t.Errorf("a trace of no prompts has a prompt summary: %+v", s.Prompt)
	}
}
