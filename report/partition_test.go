package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/sim"
)

// bruteForce returns the best worth of hits over every choice of one
// swept size (or none) per tenant within budget, by trying them all.
func bruteForce(curves []TenantCurve, budget int64) float64 {
	best := 0.0
	var try func(i int, left int64, v float64)
	try = func(i int, left int64, v float64) {
		if i == len(curves) {
			best = math.Max(best, v)
			return
		}
		for j := 0; j <= len(curves[i].Sizes); j++ {
			size, val := curves[i].value(j)
			if size <= left {
				try(i+1, left-size, v+val)
			}
		}
	}
	try(0, budget, 0)
	return best
}

// worth returns the worth of a split.
func worth(curves []TenantCurve, split []int, budget int64) (float64, bool) {
	v, used := 0.0, int64(0)
	for i, j := range split {
		s, x := curves[i].value(j)
		v, used = v+x, used+s
	}
	return v, used <= budget
}

// curveOf samples f (hits at a size) at sizes step, 2·step, … n·step.
func curveOf(name string, requests uint64, step int64, n int, f func(s float64) float64) TenantCurve {
	c := TenantCurve{Tenant: name, Requests: requests}
	for j := 1; j <= n; j++ {
		s := int64(j) * step
		c.Sizes, c.Hits = append(c.Sizes, s), append(c.Hits, uint64(math.Round(f(float64(s)))))
	}
	return c
}

// Two tenants with known curves: A, uniform over 1,000 keys with 70% of
// 100,000 requests (hits grow 70 per object up to 1,000), B uniform over
// 4,000 keys with 30% (7.5 per object up to 4,000). Any budget goes to A
// first, up to 1,000, then to B: 3,000 splits 1,000 / 2,000, which the
// brute force over the swept sizes confirms; with B's misses costing 20
// times A's, B's 150 a size unit beats A's 70 and takes the budget first.
func TestGreedySplitKnownCurves(t *testing.T) {
	a := curveOf("A", 70000, 250, 20, func(s float64) float64 { return 70000 * math.Min(s, 1000) / 1000 })
	b := curveOf("B", 30000, 250, 20, func(s float64) float64 { return 30000 * math.Min(s, 4000) / 4000 })
	curves := []TenantCurve{a, b}
	split := GreedySplit(curves, 3000)
	if a.Sizes[split[0]-1] != 1000 || b.Sizes[split[1]-1] != 2000 {
		t.Errorf("split %v: A %d, B %d; want 1000 and 2000", split, a.Sizes[split[0]-1], b.Sizes[split[1]-1])
	}
	if v, ok := worth(curves, split, 3000); !ok || v != bruteForce(curves, 3000) {
		t.Errorf("greedy %g, brute force %g", v, bruteForce(curves, 3000))
	}
	curves[1].MissCost, curves[0].MissCost = 20, 1
	curves[0].Weighted, curves[1].Weighted = true, true
	split = GreedySplit(curves, 3000)
	if split[0] != 0 || b.Sizes[split[1]-1] != 3000 {
		t.Errorf("weighted split %v: want A none, B 3000", split)
	}
}

// On random concave curves over the same swept sizes, the greedy split is
// the brute-force optimum at every budget; on random curves of any shape
// it never uses more than the budget.
func TestGreedySplitRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 2 + rng.IntN(2)
		concave := trial%2 == 0
		curves := make([]TenantCurve, n)
		for i := range curves {
			c := TenantCurve{Tenant: string(rune('A' + i)), Requests: 1e6, MissCost: float64(rng.IntN(4)), Weighted: true}
			gain, hits := float64(1000+rng.IntN(5000)), 0.0
			for j := 1; j <= 8; j++ {
				if concave {
					gain *= 0.3 + 0.7*rng.Float64()
				} else {
					gain = float64(rng.IntN(5000))
				}
				hits += gain
				c.Sizes, c.Hits = append(c.Sizes, int64(10*j)), append(c.Hits, uint64(hits))
			}
			curves[i] = c
		}
		budget := int64(10 * rng.IntN(8*n+1))
		split := GreedySplit(curves, budget)
		v, ok := worth(curves, split, budget)
		if !ok {
			t.Fatalf("trial %d: split %v over budget %d", trial, split, budget)
		}
		if best := bruteForce(curves, budget); concave && v != best {
			t.Fatalf("trial %d: greedy %g, brute force %g (split %v)", trial, v, best, split)
		}
	}
}

// NewPartition adds up the split and the shared cache per tenant.
func TestNewPartition(t *testing.T) {
	a := TenantCurve{Tenant: "A", Requests: 100, Sizes: []int64{10, 20}, Hits: []uint64{50, 60}}
	b := TenantCurve{Tenant: "B", Requests: 100, Sizes: []int64{10, 20}, Hits: []uint64{10, 20}}
	p := NewPartition("lru", 20, []TenantCurve{a, b}, []sim.TenantStats{{Requests: 100, Hits: 40}, {Requests: 100, Hits: 30}})
	// A: 50 for 10, then +10 for 10 more; B: 10 for 10: A takes 10 (slope
	// 5), then A's +10 and B's +10 tie at slope 1: A (first) takes them.
	if p.Tenants[0].Size != 20 || p.Tenants[1].Size != 0 || p.SplitHitRatio != 0.3 || p.SharedHitRatio != 0.35 || math.Abs(p.GainPP+5) > 1e-9 {
		t.Errorf("partition %+v, tenants %+v", p, p.Tenants)
	}
}

// A partition of many tenants shows the 19 with the most requests, then
// one row for the others: their requests and sizes summed, their hit
// ratios over all their requests (hand-computed below).
func TestPartitionTableCapsTenants(t *testing.T) {
	p := &Partition{Policy: "lru", Budget: 1000}
	for i := 1; i <= 25; i++ {
		// Tenant i: 100·i requests, size i, hit ratio i% split and i/2% shared.
		p.Tenants = append(p.Tenants, PartitionTenant{Policy: "lru", Tenant: fmt.Sprintf("t%02d", i), Requests: uint64(100 * i), Size: int64(i),
			HitRatio: float64(i) / 100, SharedHitRatio: float64(i) / 200})
	}
	var b strings.Builder
	if err := p.WriteTable(&b, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	rows := regexp.MustCompile(`│ +t\d\d │`).FindAllString(out, -1)
	if len(rows) != 19 || !strings.Contains(out, " t07 │") || strings.Contains(out, " t06 │") {
		t.Errorf("%d tenant rows, want t25 down to t07:\n%s", len(rows), out)
	}
	// t01…t06: 2100 requests, size 21; hits Σ i² = 91 of 2100 (4.33%) split, 45.5 (2.17%) shared.
	others := regexp.MustCompile(`│ \(6 others\) │ +2100 │ +21 │ +4\.33% │ +2\.17% │`)
	if !others.MatchString(out) || !strings.Contains(out, "the 19 tenants with the most requests, then the other 6 together") {
		t.Errorf("no row for the other 6 tenants, or it is wrong:\n%s", out)
	}
}
