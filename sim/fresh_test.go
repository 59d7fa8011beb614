package sim

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// freshTrace builds a trace of (seconds, key, op) rows.
func freshTrace(rows [][3]float64) *trace.Trace {
	t := trace.NewTrace("hand", trace.Fields{Time: true, Op: true})
	for _, r := range rows {
		t.Append(&trace.Request{Time: int64(r[0] * 1e9), Key: uint64(r[1]), Size: 1, Op: trace.Op(r[2])})
	}
	return t
}

const (
	get = float64(trace.OpGet)
	set = float64(trace.OpSet)
	del = float64(trace.OpDelete)
	chg = float64(trace.OpChange)
)

// handRows is the hand-worked trace of TestFreshHandWorked: keys a = 1 and
// b = 2, a redeploy at 13 s besides.
var handRows = [][3]float64{
	{0, 1, get}, {1, 2, get}, {2, 1, get}, {3, 1, chg}, {4, 1, get}, {5, 2, get}, {9, 1, get},
	{10, 1, get}, {12, 2, set}, {14, 2, get}, {15, 1, get}, {16, 1, del}, {17, 1, get}, {18, 1, get},
}

// TestFreshHandWorked checks stale hits, ages and calls on a trace worked
// by hand, TTL 10 s, unlimited size, a redeploy at 13 s:
//
//	t   request   TTL 10s                               push, no TTL
//	0   get a     miss, a fetched at 0                  miss, a@0
//	1   get b     miss, b@1                             miss, b@1
//	2   get a     hit, age 2, fresh                     hit, age 2
//	3   change a  (a's truth changes)                   a dropped: 1 message, 1 entry
//	4   get a     hit, age 4, STALE (3 > 0)             miss, a@4
//	5   get b     hit, age 4, fresh                     hit, age 4
//	9   get a     hit, age 9, STALE                     hit, age 5
//	10  get a     miss: a expires at 0+10; a@10         hit, age 6
//	12  set b     b written at 12, fresh                b@12
//	13  redeploy  (every key's truth changes)           flush: 1 message, 2 entries
//	14  get b     hit, age 2, STALE (13 > 12)           miss, b@14
//	15  get a     hit, age 5, STALE (13 > 10)           miss, a@15
//	16  del a     a removed                             a removed
//	17  get a     miss, a@17                            miss, a@17
//	18  get a     hit, age 1, fresh                     hit, age 1
//
// TTL: 11 reads, 7 hits, 4 stale, 4 calls, ages 2+4+4+9+2+5+1 = 27.
// Push: 11 reads, 5 hits, 0 stale, 6 calls, ages 2+4+5+6+1 = 18, 2
// messages, 3 entries invalidated. Both runs see 2 changes.
func TestFreshHandWorked(t *testing.T) {
	tr := freshTrace(handRows)
	win, err := PlanWindows(tr, Window{Duration: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	pts, err := FreshSweep(FreshPlan{Trace: tr, Policy: policy.Spec{Name: "ttl"}, Windows: win,
		TTLs: []time.Duration{10 * time.Second}, Changes: Changes{RedeployAt: []time.Duration{13 * time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	// Reads and misses per 5 s window [0,5), [5,10), …: TTL: 4 reads (t 0,
	// 1, 2, 4), misses at 0 and 1; 2 (5, 9), both hits; 2 (10 a miss, 14);
	// 3 (15, 17 a miss, 18). Push: misses at 0, 1 and 4; none; 14; 15 and 17.
	for k, want := range [][2][4]uint64{{{4, 2, 2, 3}, {2, 0, 1, 1}}, {{4, 2, 2, 3}, {3, 0, 1, 2}}} {
		var reads, misses [4]uint64
		for j, w := range pts[k].Windows {
			reads[j], misses[j] = w.Requests, w.Requests-w.Hits
		}
		if reads != want[0] || misses != want[1] {
			t.Errorf("push=%v: reads per window %v, misses %v; want %v and %v", pts[k].Push, reads, misses, want[0], want[1])
		}
	}
	if len(pts) != 2 || pts[0].Push || !pts[1].Push {
		t.Fatalf("points %+v: want the TTL then push", pts)
	}
	for _, c := range []struct {
		p                                     FreshPoint
		reads, hits, stale, calls, msgs, drop uint64
		ages, p50                             float64
	}{{pts[0], 11, 7, 4, 4, 0, 0, 27, 4}, {pts[1], 11, 5, 0, 6, 2, 3, 18, 4}} {
		s := c.p.FreshStats
		if s.Requests != c.reads || s.Hits != c.hits || s.Stale != c.stale || s.Calls != c.calls ||
			s.Invalidations != c.msgs || s.Invalidated != c.drop || s.Changes != 2 {
			t.Errorf("push=%v: %+v\nwant reads %d hits %d stale %d calls %d messages %d invalidated %d changes 2",
				c.p.Push, s, c.reads, c.hits, c.stale, c.calls, c.msgs, c.drop)
		}
		if got := s.Age.Sum(); math.Abs(got-c.ages) > 1e-9 {
			t.Errorf("push=%v: ages sum to %g, want %g", c.p.Push, got, c.ages)
		}
		if got := s.Age.Quantile(0.5); math.Abs(got-c.p50) > 1e-9 {
			t.Errorf("push=%v: median age %g, want %g", c.p.Push, got, c.p50)
		}
		if s.Seconds != 18 {
			t.Errorf("span %g s, want 18", s.Seconds)
		}
	}
}

// TestFreshPushEqualsDeletes checks that push invalidation serves no stale
// value and hits exactly as a replay of the trace with its changes turned
// into deletes (and each redeploy into a delete of every key seen), on a
// random trace at a size that evicts.
func TestFreshPushEqualsDeletes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	tr := trace.NewTrace("random", trace.Fields{Time: true, Op: true})
	asDeletes := trace.NewTrace("deletes", trace.Fields{Time: true, Op: true})
	every := 500 * time.Second
	nextRedeploy := int64(every)
	seen := map[uint64]bool{}
	var order []uint64
	for i := range 40000 {
		now := int64(i) * 1e8
		for now >= nextRedeploy {
			for _, k := range order {
				asDeletes.Append(&trace.Request{Time: nextRedeploy, Key: k, Size: 1, Op: trace.OpDelete})
			}
			nextRedeploy += int64(every)
		}
		k := uint64(rng.IntN(300) * rng.IntN(300) / 300)
		r := trace.Request{Time: now, Key: k, Size: 1}
		switch x := rng.IntN(20); {
		case x == 0:
			r.Op = trace.OpChange
		case x == 1:
			r.Op = trace.OpSet
		}
		tr.Append(&r)
		if !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
		if r.Op == trace.OpChange {
			r.Op = trace.OpDelete
		}
		asDeletes.Append(&r)
	}
	spec := policy.Spec{Name: "ttl"}
	pts, err := FreshSweep(FreshPlan{Trace: tr, Policy: spec, Sizes: []Size{{N: 40}}, TTLs: []time.Duration{time.Minute},
		Changes: Changes{RedeployEvery: every}})
	if err != nil {
		t.Fatal(err)
	}
	push := pts[len(pts)-1]
	c, err := policy.New(spec, policy.Config{Capacity: 40, Objects: true})
	if err != nil {
		t.Fatal(err)
	}
	want := Replay(asDeletes, c, Options{Objects: true})
	if !push.Push || push.Stale != 0 || push.Hits != want.Hits || push.Requests != want.Requests {
		t.Errorf("push: %d of %d hit, %d stale; replay with deletes: %d of %d", push.Hits, push.Requests, push.Stale, want.Hits, want.Requests)
	}
	if ttl := pts[0]; ttl.Stale == 0 || ttl.Invalidations != 0 {
		t.Errorf("TTL run: %d stale, %d invalidations: want some stale and no messages", ttl.Stale, ttl.Invalidations)
	}
}

// TestFreshAnalytic checks one key read as a Poisson process of rate λ
// and changed as one of rate μ, unlimited size, TTL T, against the
// renewal argument: a miss starts an entry that lives T, hit by
// Poisson(λT) reads, so the hit ratio is λT/(1+λT); the reads in its life
// fall uniformly in [0, T], and one at age a is stale with probability
// 1 − e^(−μa), so the stale share of hits is 1 − (1 − e^(−μT))/(μT). Each
// case runs 16 independent sub-runs (seeds of the reads and of the
// changes); the estimate is their mean and its standard error their
// standard deviation over √16 (batch means), and the test asks for 3 of
// them.
func TestFreshAnalytic(t *testing.T) {
	const runs, reads = 16, 20000
	for _, c := range []struct{ lambda, mu, ttl float64 }{{1, 0.1, 5}, {0.2, 0.02, 30}, {2, 1, 0.5}, {0.5, 0.05, 1}} {
		var hr, st []float64
		for run := range runs {
			rng := rand.New(rand.NewPCG(uint64(run), 99))
			tr := trace.NewTrace("poisson", trace.Fields{Time: true})
			now := 0.0
			for range reads {
				tr.Append(&trace.Request{Time: int64(now * 1e9), Key: 1, Size: 1})
				now += rng.ExpFloat64() / c.lambda
			}
			pts, err := FreshSweep(FreshPlan{Trace: tr, Policy: policy.Spec{Name: "ttl"},
				TTLs: []time.Duration{time.Duration(c.ttl * 1e9)}, Changes: Changes{Rate: c.mu, Seed: uint64(1000 + run)}})
			if err != nil {
				t.Fatal(err)
			}
			hr, st = append(hr, pts[0].HitRatio()), append(st, pts[0].StaleOfHits())
		}
		lt, mt := c.lambda*c.ttl, c.mu*c.ttl
		for _, q := range []struct {
			name   string
			xs     []float64
			theory float64
		}{{"hit ratio", hr, lt / (1 + lt)}, {"stale share of hits", st, 1 - (1-math.Exp(-mt))/mt}} {
			mean, se := meanSE(q.xs)
			t.Logf("λ=%g μ=%g T=%g: %s %.5f ± %.5f, theory %.5f", c.lambda, c.mu, c.ttl, q.name, mean, se, q.theory)
			if math.Abs(mean-q.theory) > 3*se || se > 0.01 {
				t.Errorf("λ=%g μ=%g T=%g: %s %.5f ± %.5f (SE), theory %.5f", c.lambda, c.mu, c.ttl, q.name, mean, se, q.theory)
			}
		}
	}
}

// meanSE returns the mean of xs and its standard error.
func meanSE(xs []float64) (mean, se float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1) / float64(len(xs)))
}

func TestParseTTLsAndRates(t *testing.T) {
	for spec, want := range map[string]string{
		"1h:16h:log5":   "1h 2h 4h 8h 16h", // ratio 2 per step
		"1m,30s,1m":     "30s 1m",
		"5m:20m:5m":     "5m 10m 15m 20m",
		"1d,1d12h,90m":  "1h30m 1d 36h",
		"250ms:1s:log3": "250ms 500ms 1s",
		"1m:2h:log8":    "1m 2m 4m 8m 15m 31m 1h 2h", // 120^(k/7) min: 1.98, 3.93, 7.79, 15.4, 30.6, 60.6 (to 5 min), 120
	} {
		ttls, err := ParseTTLs(spec)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		var got []string
		for _, d := range ttls {
			got = append(got, FormatTTL(d))
		}
		if s := strings.Join(got, " "); s != want {
			t.Errorf("%s: %s, want %s", spec, s, want)
		}
	}
	for _, bad := range []string{"", "5", "0s", "1h:1m:log", "1m:1h:log1", "1m:1h:0s", "1m:2m:3m:4m"} {
		if _, err := ParseTTLs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	for spec, want := range map[string]float64{"2/h": 2.0 / 3600, "1/30m": 1.0 / 1800, "0.5/day": 0.5 / 86400, "3/min": 0.05, "1/s": 1} {
		if got, err := ParseRate(spec); err != nil || math.Abs(got-want) > 1e-15 {
			t.Errorf("%s: %g, %v; want %g", spec, got, err, want)
		}
	}
	for _, bad := range []string{"1", "x/h", "1/0s", "-1/h", "1/fortnight"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
