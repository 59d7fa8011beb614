package sim

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

func TestParseRange(t *testing.T) {
	plus1 := time.FixedZone("", 3600)
	for _, c := range []struct {
		in       string
		from, to Bound
	}{
		{"2h..10h", Bound{kind: boundOffset, at: 2 * time.Hour}, Bound{kind: boundOffset, at: 10 * time.Hour}},
		{"90m..", Bound{kind: boundOffset, at: 90 * time.Minute}, Bound{}},
		{"..2h", Bound{}, Bound{kind: boundOffset, at: 2 * time.Hour}},
		{"100000..200000", Bound{kind: boundIndex, index: 100000}, Bound{kind: boundIndex, index: 200000}},
		{"1e5..", Bound{kind: boundIndex, index: 100000}, Bound{}},
		{"08:00..20:00", Bound{kind: boundDay, at: 8 * time.Hour, loc: time.UTC}, Bound{kind: boundDay, at: 20 * time.Hour, loc: time.UTC}},
		{"08:00:30..", Bound{kind: boundDay, at: 8*time.Hour + 30*time.Second, loc: time.UTC}, Bound{}},
		{"08:00+01:00..", Bound{kind: boundDay, at: 8 * time.Hour, loc: plus1}, Bound{}},
		{"2024-03-01T08:00..2024-03-01T20:00:00Z", Bound{kind: boundClock, clock: time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)},
			Bound{kind: boundClock, clock: time.Date(2024, 3, 1, 20, 0, 0, 0, time.UTC)}},
		{"2024-03-01T08:00+01:00..", Bound{kind: boundClock, clock: time.Date(2024, 3, 1, 7, 0, 0, 0, time.UTC)}, Bound{}},
		{"10h..08:00", Bound{kind: boundOffset, at: 10 * time.Hour}, Bound{kind: boundDay, at: 8 * time.Hour, loc: time.UTC}},
	} {
		r, err := ParseRange(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		same := func(got, want Bound) bool {
			if got.kind != want.kind || got.index != want.index || got.at != want.at || !got.clock.Equal(want.clock) {
				return false
			}
			if want.kind == boundDay {
				_, g := time.Date(2024, 1, 1, 0, 0, 0, 0, got.loc).Zone()
				_, w := time.Date(2024, 1, 1, 0, 0, 0, 0, want.loc).Zone()
				return g == w
			}
			return true
		}
		if !same(r.From, c.from) || !same(r.To, c.to) {
			t.Errorf("%q: from %+v to %+v, want %+v and %+v", c.in, r.From, r.To, c.from, c.to)
		}
		if r.String() != c.in {
			t.Errorf("%q renders as %q", c.in, r.String())
		}
	}
	if r, err := ParseRange(""); err != nil || !r.IsZero() {
		t.Errorf(`"": %+v, %v; want the whole trace`, r, err)
	}
	for _, c := range []struct{ in, want string }{
		{"2h", "expected FROM..TO"},
		{"..", "give FROM, TO or both"},
		{"10h..2h", "TO must come after FROM"},
		{"500..100", "TO must come after FROM"},
		{"-1..", "a request index is a whole number"},
		{"1.5..", "a request index is a whole number"},
		{"-2h..", "counts from the first request"},
		{"tomorrow..", "expected a request index"},
		{"25:00..", "expected a request index"},
	} {
		if _, err := ParseRange(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.in, err, c.want)
		}
	}
	if _, err := ParseRange("2h"); !errors.Is(err, ErrNotRange) {
		t.Errorf(`"2h": %v, want ErrNotRange`, err)
	}
}

func TestParseWarmup(t *testing.T) {
	for in, want := range map[string]Warmup{"": {}, "0": {}, "100000": {Requests: 100000}, "1e5": {Requests: 100000},
		"10m": {Duration: 10 * time.Minute}} {
		if got, err := ParseWarmup(in); err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"-5", "1.5", "soon", "-1m"} {
		if _, err := ParseWarmup(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// timedTrace is a trace of n requests, one a minute from its first, keys
// 0, 1, 2, … (the first at clock time origin, zero for none).
func timedTrace(n int, origin time.Time) *trace.Trace {
	tr := trace.NewTrace("timed", trace.Fields{Time: true})
	for i := range n {
		tr.Append(&trace.Request{Key: uint64(i), Size: 1, Time: int64(i) * int64(time.Minute)})
	}
	tr.Origin = origin
	return tr
}

func mustSpan(t *testing.T, window, warmup string) Span {
	t.Helper()
	r, err := ParseRange(window)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ParseWarmup(warmup)
	if err != nil {
		t.Fatal(err)
	}
	return Span{Window: r, Warmup: w}
}

// TestSpanResolve resolves spans on a trace of one request a minute for
// a day from 06:00 UTC: request i is at minute i, at 06:00 + i minutes.
func TestSpanResolve(t *testing.T) {
	origin := time.Date(2024, 3, 1, 6, 0, 0, 0, time.UTC)
	tr := timedTrace(24*60, origin)
	for _, c := range []struct {
		window, warmup      string
		start, counted, end int
	}{
		{"", "", 0, 0, 1440},
		{"", "100", 0, 100, 1440},
		{"", "2h", 0, 120, 1440},
		{"100..200", "", 100, 100, 200},
		{"100..200", "10", 100, 110, 200},
		{"..2h", "", 0, 0, 120},
		{"10h..", "", 600, 600, 1440},
		{"90m..2h", "", 90, 90, 120},
		// 08:00 is minute 120; 20:00 minute 840; the warm-up counts from 08:00.
		{"08:00..20:00", "2h", 120, 240, 840},
		{"08:00..20:00", "", 120, 120, 840},
		// 20:00 to the next 08:00 (minute 1560, past the end).
		{"20:00..08:00", "", 840, 840, 1440},
		// 05:00 comes first the next day (minute 1380).
		{"05:00..", "", 1380, 1380, 1440},
		{"2024-03-01T07:30..2024-03-01T07:45", "", 90, 90, 105},
		{"2024-03-01T08:30+01:00..", "", 90, 90, 1440},
		{"07:00+01:00..07:30+01:00", "", 0, 0, 30},
		// An index FROM, a time TO.
		{"100..3h", "", 100, 100, 180},
	} {
		e, err := mustSpan(t, c.window, c.warmup).Resolve(tr)
		if err != nil {
			t.Errorf("%q warm-up %q: %v", c.window, c.warmup, err)
			continue
		}
		if e.Start != c.start || e.Counted != c.counted || e.End != c.end || e.Total != 1440 {
			t.Errorf("%q warm-up %q: [%d, %d, %d) of %d, want [%d, %d, %d) of 1440", c.window, c.warmup, e.Start, e.Counted, e.End, e.Total,
				c.start, c.counted, c.end)
		}
	}
	for _, c := range []struct {
		tr             *trace.Trace
		window, warmup string
		want           string
	}{
		{tr, "30h..", "", "holds no request: timed has 1,440 requests, trace time 0s to 23h59m, 2024-03-01 06:00:00 to 2024-03-02 05:59:00 UTC"},
		{tr, "100..200", "100", "warm-up 100: covers the whole window (requests 100 to 199"},
		{tr, "", "1d", ""}, // not a duration: caught by ParseWarmup below
		{tr, "", "24h", "covers the whole trace"},
		{timedTrace(10, time.Time{}), "08:00..", "", "are not clock times"},
		{trace.NewTrace("untimed", trace.Fields{}), "1h..", "", "untimed has no timestamps: give request indexes"},
	} {
		if c.want == "" {
			continue
		}
		s := mustSpan(t, c.window, c.warmup)
		if c.tr.Len() == 0 {
			c.tr.Append(&trace.Request{Key: 1, Size: 1})
		}
		_, err := s.Resolve(c.tr)
		var se *SpanError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q warm-up %q: error %v, want a SpanError containing %q", c.window, c.warmup, err, c.want)
		}
	}
	untimed := trace.NewTrace("untimed", trace.Fields{})
	untimed.Append(&trace.Request{Key: 1, Size: 1})
	if _, err := mustSpan(t, "", "10m").Resolve(untimed); err == nil || !strings.Contains(err.Error(), "give a number of requests") {
		t.Errorf("a timed warm-up on a trace without timestamps: %v", err)
	}
}

// TestSpanBatches: a window or warm-up never cuts a multi-key request.
func TestSpanBatches(t *testing.T) {
	tr := trace.NewTrace("batches", trace.Fields{Marks: true})
	for i, cont := range []bool{false, true, true, false, true, false, false, true} {
		tr.Append(&trace.Request{Key: uint64(i), Size: 1, Continues: cont})
	}
	// Requests start at 0, 3, 5 and 6.
	e, err := mustSpan(t, "1..6", "1").Resolve(tr)
	if err != nil || e.Start != 3 || e.Counted != 5 || e.End != 6 {
		t.Errorf("1..6, warm-up 1: %+v, %v; want [3, 5, 6)", e, err)
	}
}

// abacTrace is A B A C B C A B, worked by hand for LRU at size 2:
//
//	1 A miss [A]      5 B miss, evicts A [B C]
//	2 B miss [B A]    6 C hit [C B]
//	3 A hit  [A B]    7 A miss, evicts B [A C]
//	4 C miss, evicts B [C A]
//	                  8 B miss, evicts C [B A]
//
// Every request counted: 2 hits of 8, 4 evictions. With a warm-up of 4
// requests, 5-8 count: 1 hit (6) of 4, 3 evictions. Replaying 5-8 alone
// from an empty cache (--window 4..): B, C, A, B all miss.
func abacTrace() *trace.Trace {
	tr := trace.NewTrace("hand", trace.Fields{})
	for _, k := range []uint64{'A', 'B', 'A', 'C', 'B', 'C', 'A', 'B'} {
		tr.Append(&trace.Request{Key: k, Size: 1})
	}
	return tr
}

func TestReplayWarmupByHand(t *testing.T) {
	tr := abacTrace()
	for _, c := range []struct {
		window, warmup            string
		requests, hits, evictions uint64
	}{
		{"", "", 8, 2, 4},
		{"", "4", 4, 1, 3},
		{"4..", "", 4, 0, 2},
		// Requests 3-7 (A C B C A) from empty: A, C miss (the warm-up);
		// B miss evicts A, C hit, A miss evicts B.
		{"2..7", "2", 3, 1, 2},
	} {
		st := Replay(tr, policy.NewLRU(2), Options{Objects: true, Span: mustSpan(t, c.window, c.warmup)})
		if st.Requests != c.requests || st.Hits != c.hits || st.Evictions != c.evictions || st.Bytes != c.requests {
			t.Errorf("window %q warm-up %q: %d requests, %d hits, %d evictions, %d bytes; want %d, %d, %d, %d", c.window, c.warmup,
				st.Requests, st.Hits, st.Evictions, st.Bytes, c.requests, c.hits, c.evictions, c.requests)
		}
		// The one-pass curve agrees, at sizes 1 to 3: at 2 the counts above.
		e, err := mustSpan(t, c.window, c.warmup).Resolve(tr)
		if err != nil {
			t.Fatal(err)
		}
		stats, _ := lruCurveWith(e.Cut(tr), Sizes{Values: []int64{1, 2, 3}}, false, e.Warmup())
		if got := stats[1]; got.Requests != c.requests || got.Hits != c.hits || got.Evictions != c.evictions {
			t.Errorf("window %q warm-up %q: the curve at 2 gives %+v", c.window, c.warmup, got)
		}
	}
}

// TestSweepWarmupIsReplayThenReset: a sweep with a warm-up gives, for every
// policy and size, what an independent construction gives: the warm-up's
// requests replayed through the cache first, as a trace of their own, then
// the rest replayed through the same cache, counting only that replay. And
// the ceiling counts the misses of keys the warm-up never requested.
func TestSweepWarmupIsReplayThenReset(t *testing.T) {
	tr := load(t, "cloudPhysicsIO.txt", traces.Options{})
	const warm = 40000
	sizes := Sizes{Values: []int64{100, 1000, 10000, 25000}}
	pols := specs(t, "lru", "fifo", "lfu", "arc", "s3fifo", "clock")
	res, err := Sweep(Plan{Trace: tr, Policies: pols, Sizes: sizes, Span: Span{Warmup: Warmup{Requests: warm}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != int64(tr.Len()-warm) {
		t.Errorf("total %d, want the %d requests after the warm-up", res.Total, tr.Len()-warm)
	}
	prefix, rest := tr.Slice(0, warm), tr.Slice(warm, tr.Len())
	for _, pt := range res.Points {
		c, err := policy.New(pol(t, pt.Policy), policy.Config{Capacity: pt.Size, Objects: true})
		if err != nil {
			t.Fatal(err)
		}
		Replay(prefix, c, Options{Objects: true})
		before := c.Evictions()
		want := Replay(rest, c, Options{Objects: true})
		want.Evictions -= before
		if pt.Requests != want.Requests || pt.Hits != want.Hits || pt.Evictions != want.Evictions {
			t.Errorf("%s at %d: %d requests, %d hits, %d evictions; the warm-up replayed apart gives %d, %d, %d", pt.Policy, pt.Size,
				pt.Requests, pt.Hits, pt.Evictions, want.Requests, want.Hits, want.Evictions)
		}
	}
	seen := map[uint64]bool{}
	for _, k := range prefix.Keys {
		seen[k] = true
	}
	var misses uint64
	for _, k := range rest.Keys {
		if !seen[k] {
			misses++
			seen[k] = true
		}
	}
	if res.Ceiling.Requests != uint64(rest.Len()) || res.Ceiling.Misses != misses || res.Ceiling.Objects != uint64(len(seen)) {
		t.Errorf("ceiling %+v; want %d requests, %d misses (keys first requested after the warm-up), %d objects", res.Ceiling,
			rest.Len(), misses, len(seen))
	}
}

func pol(t *testing.T, s string) policy.Spec {
	t.Helper()
	sp, err := policy.ParseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// TestCurvesHonourSpan: on a real trace with timestamps and sizes, LRU's
// one-pass curves (LRUCurve in a sweep, StreamDistances on a stream, and
// SHARDS at rate 1, which samples every key) give what replaying LRU at
// each size with the same window and warm-up gives, in objects and bytes.
func TestCurvesHonourSpan(t *testing.T) {
	path := "cloudPhysicsIO.csv"
	// No operations: every request a lookup, so the curve is exact.
	opt := traces.Options{Line: traces.LineOptions{Columns: traces.Columns{Key: 5, Time: 2, Size: 4}, Header: true, TimeUnit: 1e9}}
	tr := load(t, path, opt)
	span := mustSpan(t, "10m..100000", "30m")
	e, err := span.Resolve(tr)
	if err != nil {
		t.Fatal(err)
	}
	if e.Start == 0 || e.Warmup() == 0 || e.End != 100000 {
		t.Fatalf("extent %+v: want a window inside the trace and a warm-up", e)
	}
	for _, sizes := range []Sizes{{Values: []int64{100, 1000, 10000, 25000}}, {Values: []int64{1 << 20, 16 << 20, 256 << 20}, Bytes: true}} {
		want := make([]Stats, len(sizes.Values))
		for i, c := range sizes.Values {
			want[i] = Replay(tr, policy.NewLRU(c), Options{Objects: !sizes.Bytes, Span: span})
			if want[i].Requests != uint64(e.End-e.Counted) {
				t.Fatalf("replay counted %d, want %d", want[i].Requests, e.End-e.Counted)
			}
		}
		res, err := Sweep(Plan{Trace: tr, Policies: specs(t, "lru"), Sizes: sizes, Span: span})
		if err != nil {
			t.Fatal(err)
		}
		d, info, err := StreamDistances(tr.Reader(), sizes, span)
		if err != nil {
			t.Fatal(err)
		}
		streamExtent := e
		streamExtent.Total = -1 // the stream stopped at the window's end
		if info.Extent == nil || *info.Extent != streamExtent {
			t.Errorf("the stream's extent %+v, want %+v", info.Extent, streamExtent)
		}
		streamed, exact := d.Curve(sizes)
		for i := range sizes.Values {
			sw := res.Points[i].Stats
			if sw.Requests != want[i].Requests || sw.Hits != want[i].Hits || sw.ByteHits != want[i].ByteHits || sw.Evictions != want[i].Evictions {
				t.Errorf("sweep at %d: %+v, replay %+v", sizes.Values[i], sw, want[i])
			}
			if !exact[i] {
				continue // the sweep replayed it
			}
			st := streamed[i]
			if st.Requests != want[i].Requests || st.Hits != want[i].Hits || st.ByteHits != want[i].ByteHits || st.Evictions != want[i].Evictions {
				t.Errorf("stream at %d: %+v, replay %+v", sizes.Values[i], st, want[i])
			}
		}
		if sizes.Bytes {
			continue
		}
		sh := NewShardsRate(1, 0)
		if _, err := SHARDSStream(tr.Reader(), []*ShardsEstimator{sh}, span); err != nil {
			t.Fatal(err)
		}
		for i, st := range sh.Curve(sizes.Values) {
			if st.Requests != want[i].Requests || st.Hits != want[i].Hits {
				t.Errorf("SHARDS at rate 1 at %d: %+v, replay %+v", sizes.Values[i], st, want[i])
			}
		}
		if got, want := d.Ceiling(), res.Ceiling; got.Requests != want.Requests || got.Misses != want.Misses {
			t.Errorf("stream ceiling %+v, loaded %+v", got, want)
		}
	}
	// ReplayStream agrees too.
	sts, info, err := ReplayStream(tr.Reader(), []policy.Cache{policy.NewLRU(1000)}, Options{Objects: true, Span: span})
	if want := Replay(tr, policy.NewLRU(1000), Options{Objects: true, Span: span}); err != nil || sts[0].Hits != want.Hits ||
		sts[0].Requests != want.Requests || sts[0].Evictions != want.Evictions || info.Extent == nil || info.Extent.Counted != e.Counted {
		t.Errorf("stream replay %+v (%v), extent %+v; loaded %+v", sts[0], err, info.Extent, want)
	}
}

// TestSpanReaderStops: a window's end stops the reading.
func TestSpanReaderStops(t *testing.T) {
	tr := timedTrace(1000, time.Time{})
	src := &countingReader{r: tr.Reader()}
	sr := NewSpanReader(src, mustSpan(t, "10..20", "5"), "timed")
	var got []uint64
	warmed := 0
	for {
		var r trace.Request
		err := sr.Read(&r)
		if err == io.EOF {
			break
		}
		if err == ErrCounted {
			warmed = len(got)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Key)
	}
	if len(got) != 10 || got[0] != 10 || warmed != 5 || src.n > 21 {
		t.Errorf("read %v (warm-up ends after %d), %d from the source; want keys 10-19, 5, at most 21", got, warmed, src.n)
	}
	e, err := sr.Extent()
	if err != nil || e.Start != 10 || e.Counted != 15 || e.End != 20 || e.Total != -1 {
		t.Errorf("extent %+v, %v", e, err)
	}
}

type countingReader struct {
	r trace.Reader
	n int
}

func (c *countingReader) Read(r *trace.Request) error {
	c.n++
	return c.r.Read(r)
}

func (c *countingReader) Fields() trace.Fields { return trace.Fields{Time: true} }
