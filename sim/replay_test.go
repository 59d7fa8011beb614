package sim

import (
	"math"
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
)

// handTrace builds a trace of keys, with timestamps in seconds when times is not nil.
func handTrace(keys []uint64, times []int64) *trace.Trace {
	t := trace.NewTrace("hand", trace.Fields{Time: times != nil})
	for i, k := range keys {
		r := trace.Request{Key: k, Size: 1}
		if times != nil {
			r.Time = times[i] * int64(time.Second)
		}
		t.Append(&r)
	}
	return t
}

func newLRU(t *testing.T, size int64) policy.Cache {
	t.Helper()
	spec, err := policy.ParseSpec("lru")
	if err != nil {
		t.Fatal(err)
	}
	c, err := policy.New(spec, policy.Config{Capacity: size})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReplayWindows(t *testing.T) {
	// LRU of 2: 1 2 miss, 1 2 hit; 3 4 miss, 3 4 hit.
	keys := []uint64{1, 2, 1, 2, 3, 4, 3, 4}
	type want struct {
		start          int64
		requests, hits uint64
	}
	cases := []struct {
		name   string
		times  []int64
		window Window
		byTime bool
		want   []want
	}{
		{"per 4 requests", nil, Window{Requests: 4}, false, []want{{0, 4, 2}, {4, 4, 2}}},
		{"per 3 requests", nil, Window{Requests: 3}, false, []want{{0, 3, 1}, {3, 3, 1}, {6, 2, 2}}},
		{"2s windows", []int64{10, 11, 12, 13, 14, 15, 16, 17}, Window{Duration: 2 * time.Second}, true,
			[]want{{10e9, 2, 0}, {12e9, 2, 2}, {14e9, 2, 0}, {16e9, 2, 2}}},
		// out of order: request 3 (a hit) is stamped back into the first window.
		{"time going back", []int64{0, 1, 2, 0, 4, 5, 6, 7}, Window{Duration: 4 * time.Second}, true,
			[]want{{0, 4, 2}, {4e9, 4, 2}}},
		{"duration without timestamps", nil, Window{Duration: time.Minute}, false, []want{{0, 1, 0}, {1, 1, 0}}},
	}
	for _, c := range cases {
		tr := handTrace(keys, c.times)
		plan, err := PlanWindows(tr, c.window)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if plan.ByTime != c.byTime {
			t.Errorf("%s: by time %v, want %v", c.name, plan.ByTime, c.byTime)
		}
		if c.name == "duration without timestamps" {
			if plan.Note == "" {
				t.Errorf("%s: no note that the windows fell back to requests", c.name)
			}
			// automatic: 8 requests / 100 rounds up to windows of 1 request
			if plan.Count() != 8 {
				t.Errorf("%s: %d windows, want 8", c.name, plan.Count())
			}
			c.want = c.want[:2]
		}
		st := Replay(tr, newLRU(t, 2), Options{Objects: true, Window: plan})
		if st.Hits != 4 {
			t.Errorf("%s: %d hits, want 4", c.name, st.Hits)
		}
		for i, w := range c.want {
			if i >= len(st.Windows) {
				t.Fatalf("%s: %d windows, want at least %d", c.name, len(st.Windows), len(c.want))
			}
			g := st.Windows[i]
			if g.Start != w.start || g.Requests != w.requests || g.Hits != w.hits {
				t.Errorf("%s: window %d = start %d, %d requests, %d hits; want %d, %d, %d",
					c.name, i, g.Start, g.Requests, g.Hits, w.start, w.requests, w.hits)
			}
		}
	}
}

func TestPlanWindowsAuto(t *testing.T) {
	keys := make([]uint64, 1000)
	times := make([]int64, 1000)
	for i := range keys {
		keys[i], times[i] = uint64(i%7), int64(i)*9 // 9s apart: a span of 8991s
	}
	plan, err := PlanWindows(handTrace(keys, times), Window{})
	if err != nil {
		t.Fatal(err)
	}
	// 8991s / 100 = 89.9s, rounded up to a round width: 2 minutes, 75 windows.
	if !plan.ByTime || plan.Window.Duration != 2*time.Minute || plan.Count() != 75 {
		t.Errorf("auto window: by time %v, %s, %d windows; want true, 2m, 75", plan.ByTime, plan.Window, plan.Count())
	}
	plan, _ = PlanWindows(handTrace(keys, nil), Window{})
	if plan.ByTime || plan.Window.Requests != 10 || plan.Count() != 100 {
		t.Errorf("auto request window: %s, %d windows; want 10 requests, 100 windows", plan.Window, plan.Count())
	}
	if _, err := PlanWindows(handTrace(keys, times), Window{Duration: time.Millisecond}); err == nil {
		t.Errorf("9e6 windows of 1ms: no error, want one (more than %d windows)", MaxWindows)
	}
}

func TestReplayLatencyConstant(t *testing.T) {
	// LRU of 2 on 1 2 1 2 1: two misses, three hits.
	tr := handTrace([]uint64{1, 2, 1, 2, 1}, nil)
	miss, err := ParseMissLatency("50ms", 1)
	if err != nil {
		t.Fatal(err)
	}
	lat := LatencyModel{Hit: 0.0005, Miss: miss}.Latencies(tr)
	st := Replay(tr, newLRU(t, 2), Options{Objects: true, Latency: lat})
	h := st.Latency
	// mean (3*0.5 + 2*50)/5 = 20.3ms; sorted 0.5 0.5 0.5 50 50.
	if math.Abs(h.Mean()-0.0203) > 1e-15 || h.Quantile(0.5) != 0.0005 || h.Quantile(0.6) != 0.0005 ||
		h.Quantile(0.61) != 0.05 || h.Quantile(0.99) != 0.05 {
		t.Errorf("mean %g p50 %g p60 %g p61 %g p99 %g; want 0.0203, 0.0005, 0.0005, 0.05, 0.05",
			h.Mean(), h.Quantile(0.5), h.Quantile(0.6), h.Quantile(0.61), h.Quantile(0.99))
	}
	if u := lat.Uncached; u.Count() != 5 || u.Mean() != 0.05 || u.Quantile(0) != 0.05 || u.Quantile(1) != 0.05 {
		t.Errorf("uncached: %d requests, mean %g, min %g, max %g; want 5 at 0.05", u.Count(), u.Mean(), u.Quantile(0), u.Quantile(1))
	}
	// Merge of two consecutive parts equals the whole.
	var m Stats
	m.Merge(st)
	m.Merge(st)
	if m.Latency.Count() != 10 || math.Abs(m.Latency.Mean()-0.0203) > 1e-15 || m.Requests != 10 {
		t.Errorf("merged: %d latencies, mean %g, %d requests", m.Latency.Count(), m.Latency.Mean(), m.Requests)
	}
}

func TestMissLatencyDistributions(t *testing.T) {
	keys := make([]uint64, 200_000)
	tr := handTrace(keys, nil)
	cases := []struct {
		spec string
		q    float64
		want float64
	}{
		{"lognormal:median=40ms,p99=250ms", 0.5, 0.040},
		{"lognormal:median=40ms,p99=250ms", 0.99, 0.250},
		{"exp:mean=30ms", 0.5, 0.030 * math.Ln2},
		{"exp:mean=30ms", 0.99, 0.030 * math.Log(100)},
	}
	for _, c := range cases {
		d, err := ParseMissLatency(c.spec, 7)
		if err != nil {
			t.Fatal(err)
		}
		u := LatencyModel{Miss: d}.Latencies(tr).Uncached
		// 200,000 draws: the sample quantile is within a few percent.
		if got := u.Quantile(c.q); math.Abs(got-c.want) > 0.03*c.want {
			t.Errorf("%s: quantile %g = %g, want %g within 3%%", c.spec, c.q, got, c.want)
		}
	}
	// Deterministic: the same seed draws the same latencies; another seed does not.
	draw := func(seed uint64) float64 {
		d, _ := ParseMissLatency("exp:mean=30ms", seed)
		return LatencyModel{Miss: d}.Latencies(handTrace(keys[:100], nil)).Uncached.Sum()
	}
	if draw(3) != draw(3) || draw(3) == draw(4) {
		t.Errorf("seeded draws: %g %g %g", draw(3), draw(3), draw(4))
	}
	for _, bad := range []string{"", "fast", "lognormal:median=40ms", "lognormal:median=40ms,p99=10ms", "exp:mean=-1ms", "gamma:k=1", "exp:mean"} {
		if _, err := ParseMissLatency(bad, 1); err == nil {
			t.Errorf("ParseMissLatency(%q): no error", bad)
		}
	}
}

func TestMissLatencyPerKiB(t *testing.T) {
	tr := trace.NewTrace("sized", trace.Fields{Size: true})
	for _, s := range []uint32{1024, 4096} {
		tr.Append(&trace.Request{Key: uint64(s), Size: s})
	}
	miss, _ := ParseMissLatency("10ms", 1)
	u := LatencyModel{Miss: miss, PerKiB: 0.001}.Latencies(tr).Uncached
	if u.Quantile(0) != 0.011 || u.Quantile(1) != 0.014 {
		t.Errorf("10ms + 1ms/KiB on 1KiB and 4KiB: %g and %g, want 0.011 and 0.014", u.Quantile(0), u.Quantile(1))
	}
}

func TestRequestRate(t *testing.T) {
	if r, ok := RequestRate(handTrace([]uint64{1, 2, 3, 4, 5}, []int64{0, 1, 2, 3, 4})); !ok || r != 1 {
		t.Errorf("5 requests 1s apart: %g/s (%v), want 1/s", r, ok)
	}
	if _, ok := RequestRate(handTrace([]uint64{1, 2}, nil)); ok {
		t.Error("a trace without timestamps has a request rate")
	}
}

func benchTrace(b *testing.B) *trace.Trace {
	r, err := workload.Zipf{Keys: 100_000, Requests: 1_000_000, Alpha: 0.9, Seed: 1}.Reader()
	if err != nil {
		b.Fatal(err)
	}
	tr, err := traces.ReadAll("bench", r)
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// BenchmarkReplayOptions measures the replay loop plain, with windows and with latencies.
func BenchmarkReplayOptions(b *testing.B) {
	tr := benchTrace(b)
	spec, _ := policy.ParseSpec("lru")
	plan, _ := PlanWindows(tr, Window{Requests: 10_000})
	miss, _ := ParseMissLatency("lognormal:median=40ms,p99=250ms", 1)
	lat := LatencyModel{Hit: 0.0005, Miss: miss}.Latencies(tr)
	for _, c := range []struct {
		name string
		opt  Options
	}{
		{"plain", Options{Objects: true}},
		{"windows", Options{Objects: true, Window: plan}},
		{"latency", Options{Objects: true, Latency: lat}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				cache, _ := policy.New(spec, policy.Config{Capacity: 10_000})
				Replay(tr, cache, c.opt)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tr.Len()), "ns/request")
		})
	}
}

// With --miss-latency column, each miss costs the latency the trace
// recorded for that request: hand-computed on a 4-request trace.
func TestMissLatencyFromTraceColumn(t *testing.T) {
	tr := trace.NewTrace("t", trace.Fields{Latency: true})
	for _, r := range []trace.Request{{Key: 1, Latency: 0.010}, {Key: 1, Latency: 0.020}, {Key: 2, Latency: 0.030}, {Key: 1, Latency: 0.040}} {
		tr.Append(&r)
	}
	miss, err := ParseMissLatency("column", 1)
	if err != nil || miss != FromTrace {
		t.Fatalf("column: %v %v", miss, err)
	}
	m := LatencyModel{Hit: 0.001, Miss: miss}
	if err := m.Check(tr); err != nil {
		t.Fatal(err)
	}
	// LRU of 1: miss (10ms), hit (1ms), miss (30ms), miss (40ms).
	st := Replay(tr, policy.NewLRU(1), Options{Objects: true, Latency: m.Latencies(tr)})
	if got, want := st.Latency.Mean(), (0.010+0.001+0.030+0.040)/4; math.Abs(got-want) > 1e-9 {
		t.Fatalf("mean %g, want %g", got, want)
	}
	if err := m.Check(handTrace([]uint64{1}, nil)); err == nil {
		t.Fatal("a trace without a latency column passed the check")
	}
}

func TestReplayOverheadPerObject(t *testing.T) {
	// Four requests of 40 bytes for keys 1 2 3 1 into 130 bytes of LRU: three
	// objects fit (120 bytes), so the second 1 hits; with 10 bytes of overhead
	// each counts 50, only two fit, 3 evicts 1 and the second 1 misses.
	tr := trace.NewTrace("hand", trace.Fields{Size: true})
	for _, k := range []uint64{1, 2, 3, 1} {
		tr.Append(&trace.Request{Key: k, Size: 40})
	}
	for _, c := range []struct {
		overhead uint32
		hits     uint64
	}{{0, 1}, {10, 0}} {
		st := Replay(tr, newLRU(t, 130), Options{Overhead: c.overhead})
		if st.Hits != c.hits || st.Bytes != 160 || st.ByteHits != 40*c.hits {
			t.Errorf("overhead %d: hits %d, bytes %d, byte hits %d; want %d hits, 160 bytes, %d byte hits",
				c.overhead, st.Hits, st.Bytes, st.ByteHits, c.hits, 40*c.hits)
		}
		// Sweep's LRU (stack distances when it can) must agree.
		spec, _ := policy.ParseSpec("lru")
		pts, err := sweepPoints(tr, sweepConfig{Policies: []policy.Spec{spec}, Sizes: Sizes{Values: []int64{130}, Bytes: true}, Overhead: c.overhead})
		if err != nil {
			t.Fatal(err)
		}
		if pts[0].Hits != c.hits {
			t.Errorf("sweep, overhead %d: %d hits, want %d", c.overhead, pts[0].Hits, c.hits)
		}
	}
	// Object-count replays ignore the overhead: three of size 1 fit in 3.
	if st := Replay(tr, newLRU(t, 3), Options{Objects: true, Overhead: 10}); st.Hits != 1 {
		t.Errorf("objects with overhead: %d hits, want 1", st.Hits)
	}
}

// TestReplayDeletesEveryPolicy replays get, get, delete, get, get of one
// key through every policy: the get after the delete must miss (2 hits of
// 4, where a policy ignoring the delete would have 3).
func TestReplayDeletesEveryPolicy(t *testing.T) {
	tr := trace.NewTrace("deletes", trace.Fields{Op: true})
	for _, op := range []trace.Op{trace.OpGet, trace.OpGet, trace.OpDelete, trace.OpGet, trace.OpGet} {
		tr.Append(&trace.Request{Key: 7, Size: 1, Op: op})
	}
	for _, name := range policy.Names() {
		c, err := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		st := Replay(tr, c, Options{Objects: true})
		if st.Requests != 4 || st.Hits != 2 || st.Deletes != 1 || st.Evictions != 0 {
			t.Errorf("%s: %d requests, %d hits, %d deletes, %d evictions; want 4, 2, 1, 0", name, st.Requests, st.Hits, st.Deletes, st.Evictions)
		}
	}
}

// Belady treats a delete as the end of its object: with two slots, after
// get a, get b, get c, a's next request is its delete, so c should replace
// a (never needed again) and keep b, which then hits. Were the delete an
// access, a's "next use" (3) would look nearer than b's (4) and b would go.
func TestBeladyDeleteEndsObject(t *testing.T) {
	tr := trace.NewTrace("t", trace.Fields{Op: true})
	for _, r := range []trace.Request{{Key: 1}, {Key: 2}, {Key: 3}, {Key: 1, Op: trace.OpDelete}, {Key: 2}} {
		r.Size = 1
		tr.Append(&r)
	}
	c, err := policy.New(policy.Spec{Name: "belady"}, policy.Config{Capacity: 2})
	if err != nil {
		t.Fatal(err)
	}
	st := Replay(tr, c, Options{Objects: true})
	if st.Requests != 4 || st.Deletes != 1 || st.Hits != 1 {
		t.Fatalf("got %d requests, %d deletes, %d hits; want 4, 1, 1", st.Requests, st.Deletes, st.Hits)
	}
}

// A policy behind an admission filter reports how many misses it let in:
// LRU+bloom (admit on the second miss) on 1 1 1 2 3 2 admits 1 and 2 and
// turns away the first misses of 1, 2 and 3; a sweep point carries the
// counts, and merging adds them.
func TestReplayAdmissions(t *testing.T) {
	tr := handTrace([]uint64{1, 1, 1, 2, 3, 2}, nil)
	spec, err := policy.ParseSpec("lru+bloom")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := sweepPoints(tr, sweepConfig{Policies: []policy.Spec{spec}, Sizes: Sizes{Values: []int64{2}}})
	if err != nil {
		t.Fatal(err)
	}
	st := pts[0].Stats
	if st.Admitted != 2 || st.Rejected != 3 || math.Abs(st.AdmissionRate()-0.4) > 1e-12 {
		t.Errorf("admitted %d, rejected %d, rate %g; want 2, 3, 0.4", st.Admitted, st.Rejected, st.AdmissionRate())
	}
	st.Merge(st)
	if st.Admitted != 4 || st.Rejected != 6 {
		t.Errorf("merged: admitted %d, rejected %d; want 4, 6", st.Admitted, st.Rejected)
	}
	plain := Replay(tr, newLRU(t, 2), Options{Objects: true})
	if plain.Admitted != 0 || plain.Rejected != 0 || plain.AdmissionRate() != 0 {
		t.Errorf("plain LRU reports admissions: %+v", plain)
	}
}

// BeladySize scores by size × (next request − now), so it needs the
// current request's index, which a write replacing a cached copy (Remove,
// then Access: two calls for one request) would skew were the policy to
// count calls. Capacity 3 bytes: get a (2 bytes), get b (1), set b three
// times, get c (1), get c, get a, get b. At c (row 5) a's next request is
// row 7, a score of 2 × 2 = 4, and b's row 8, 1 × 3 = 3: a goes. c hits at
// row 6, a misses at 7 (and is not admitted: never requested again), b hits
// at 8: 2 hits of 6 reads, 2 bytes. Counting calls, "now" reached 8 at row
// 5, a's score was −2 and b's 0: b went, and a hit instead (3 bytes).
func TestBeladySizeKnowsTheRequestIndex(t *testing.T) {
	tr := trace.NewTrace("t", trace.Fields{Op: true, Size: true})
	const a, b, c = 1, 2, 3
	for _, rq := range []struct {
		key  uint64
		size uint32
		op   trace.Op
	}{{a, 2, trace.OpGet}, {b, 1, trace.OpGet}, {b, 1, trace.OpSet}, {b, 1, trace.OpSet}, {b, 1, trace.OpSet},
		{c, 1, trace.OpGet}, {c, 1, trace.OpGet}, {a, 2, trace.OpGet}, {b, 1, trace.OpGet}} {
		tr.Append(&trace.Request{Key: rq.key, Size: rq.size, Op: rq.op})
	}
	cache, err := policy.New(policy.Spec{Name: "belady-size"}, policy.Config{Capacity: 3})
	if err != nil {
		t.Fatal(err)
	}
	if policy.Clock(cache) == nil {
		t.Fatal("belady-size takes no clock")
	}
	st := Replay(tr, cache, Options{})
	if st.Requests != 6 || st.Hits != 2 || st.ByteHits != 2 || st.Sets != 3 {
		t.Errorf("%d requests, %d hits (%d bytes), %d sets; want 6, 2 (2 bytes), 3", st.Requests, st.Hits, st.ByteHits, st.Sets)
	}
}
