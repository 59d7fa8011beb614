package report

import (
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Partitioning one memory budget between tenants (models sharing a cache).

// TenantCurve is one tenant's curve in a cache of its own, at ascending
// sizes (a cache of size 0 hits nothing).
type TenantCurve struct {
	Tenant string `json:"tenant"`
	// Requests are the tenant's lookups; Hits[j] those that hit at Sizes[j].
	Requests uint64   `json:"requests"`
	Sizes    []int64  `json:"sizes"`
	Hits     []uint64 `json:"hits"`
	// MissCost weighs the tenant's misses when Weighted (else every miss
	// counts 1): a price of 0 makes its misses free.
	MissCost float64 `json:"miss_cost,omitempty"`
	Weighted bool    `json:"-"`
}

// weight is what one of the tenant's hits is worth.
func (c TenantCurve) weight() float64 {
	if c.Weighted {
		return c.MissCost
	}
	return 1
}

// value returns the worth of the tenant's hits at point j (0: no cache).
func (c TenantCurve) value(j int) (size int64, v float64) {
	if j == 0 {
		return 0, 0
	}
	return c.Sizes[j-1], c.weight() * float64(c.Hits[j-1])
}

// hull returns the points of the curve's upper concave hull from (0, 0),
// as indexes for value (0: no cache), ascending.
func (c TenantCurve) hull() []int {
	h := []int{0}
	for j := 1; j <= len(c.Sizes); j++ {
		x, y := c.value(j)
		for len(h) >= 2 {
			x1, y1 := c.value(h[len(h)-2])
			x2, y2 := c.value(h[len(h)-1])
			// Drop the middle point when it lies below the chord (points on
			// it stay: smaller steps of the same gain fit more budgets).
			if (y2-y1)*float64(x-x1) < (y-y1)*float64(x2-x1) {
				h = h[:len(h)-1]
				continue
			}
			break
		}
		if _, y0 := c.value(h[len(h)-1]); y > y0 || len(h) == 1 {
			h = append(h, j)
		}
	}
	return h
}

// GreedySplit divides budget between the tenants to maximise the worth of
// their hits (the hit ratio overall, or the miss cost saved when the
// tenants have miss costs), from their curves: each tenant starts with no
// cache, and the budget goes, step by step, to the tenant whose next step
// along its curve's upper concave hull gains the most per unit of size
// and still fits. On concave curves this is optimal among the sizes the
// curves give; elsewhere it is optimal at the hull's points, and a point
// under the hull is not chosen by the greedy steps (the memory it needs
// buys more on another tenant's curve, or at the next hull point). What
// the hull steps leave of the budget (less than a step that fits) then
// goes, step by step, to the move along any curve that gains the most
// and fits, so that a noisy curve's sparse hull does not leave memory
// idle. It returns, per tenant, the index of its size in Sizes plus one
// (0: no cache).
func GreedySplit(curves []TenantCurve, budget int64) []int {
	hulls := make([][]int, len(curves))
	at := make([]int, len(curves)) // position on the hull
	for i, c := range curves {
		hulls[i] = c.hull()
	}
	left := budget
	for {
		best, bestSlope := -1, 0.0
		for i, c := range curves {
			if at[i]+1 >= len(hulls[i]) {
				continue
			}
			x0, y0 := c.value(hulls[i][at[i]])
			x1, y1 := c.value(hulls[i][at[i]+1])
			if x1-x0 > left {
				continue
			}
			if slope := (y1 - y0) / float64(x1-x0); best < 0 || slope > bestSlope {
				best, bestSlope = i, slope
			}
		}
		if best < 0 || bestSlope <= 0 {
			break
		}
		x0, _ := curves[best].value(hulls[best][at[best]])
		x1, _ := curves[best].value(hulls[best][at[best]+1])
		left -= x1 - x0
		at[best]++
	}
	out := make([]int, len(curves))
	for i := range curves {
		out[i] = hulls[i][at[i]]
	}
	fill(curves, out, left)
	return out
}

// fill spends what is left of the budget on the moves along the curves
// (from each tenant's point to any larger one) that gain the most and fit.
func fill(curves []TenantCurve, at []int, left int64) {
	for {
		best, bestTo, bestGain := -1, 0, 0.0
		for i, c := range curves {
			x0, y0 := c.value(at[i])
			for j := at[i] + 1; j <= len(c.Sizes); j++ {
				x1, y1 := c.value(j)
				if x1-x0 > left {
					break
				}
				if y1-y0 > bestGain {
					best, bestTo, bestGain = i, j, y1-y0
				}
			}
		}
		if best < 0 {
			return
		}
		x0, _ := curves[best].value(at[best])
		x1, _ := curves[best].value(bestTo)
		left -= x1 - x0
		at[best] = bestTo
	}
}

// PartitionTenant is one tenant's share of a split budget.
type PartitionTenant struct {
	Policy string `json:"policy"`
	Tenant string `json:"tenant"`
	// Size is the tenant's cache in the split; HitRatio its hit ratio there.
	Size     int64   `json:"size"`
	HitRatio float64 `json:"hit_ratio"`
	Requests uint64  `json:"requests"`
	// SharedHitRatio is the tenant's hit ratio in one shared cache of the budget.
	SharedHitRatio float64 `json:"shared_hit_ratio"`
	// MissCost is the tenant's cost of a miss (omitted when unweighted).
	MissCost float64 `json:"miss_cost,omitempty"`
}

// Partition compares, for one policy, a budget split between the tenants
// with one cache of the budget that they share.
type Partition struct {
	Policy string `json:"policy"`
	Budget int64  `json:"budget"`
	// SplitHitRatio and SharedHitRatio are the hit ratios of all the
	// requests in the split caches and in the shared one; GainPP is the
	// split's gain in percentage points.
	SplitHitRatio  float64 `json:"split_hit_ratio"`
	SharedHitRatio float64 `json:"shared_hit_ratio"`
	GainPP         float64 `json:"gain_pp"`
	// SplitMissCost and SharedMissCost are the total miss costs over the
	// trace (with tenant miss costs only).
	SplitMissCost  *float64 `json:"split_miss_cost,omitempty"`
	SharedMissCost *float64 `json:"shared_miss_cost,omitempty"`
	// Used is the budget the split uses (the rest would gain nothing on the curves' sizes).
	Used    int64             `json:"used"`
	Tenants []PartitionTenant `json:"-"`
	// Curves are the tenants' curves the split was chosen from.
	Curves []TenantCurve `json:"curves"`
}

// NewPartition splits budget for policy by GreedySplit over curves, and
// sets it beside shared (the shared cache's statistics per tenant, in the
// order of curves).
func NewPartition(policy string, budget int64, curves []TenantCurve, shared []sim.TenantStats) *Partition {
	p := &Partition{Policy: policy, Budget: budget, Curves: curves}
	var req, splitHits, sharedHits uint64
	var splitCost, sharedCost float64
	weighted := false
	for i, j := range GreedySplit(curves, budget) {
		c := curves[i]
		size, hits := int64(0), uint64(0)
		if j > 0 {
			size, hits = c.Sizes[j-1], c.Hits[j-1]
		}
		p.Used += size
		p.Tenants = append(p.Tenants, PartitionTenant{Policy: policy, Tenant: c.Tenant, Size: size, HitRatio: ratio(hits, c.Requests),
			Requests: c.Requests, SharedHitRatio: shared[i].HitRatio(), MissCost: c.MissCost})
		req += c.Requests
		splitHits += hits
		sharedHits += shared[i].Hits
		splitCost += c.MissCost * float64(c.Requests-hits)
		sharedCost += c.MissCost * float64(shared[i].Requests-shared[i].Hits)
		weighted = weighted || c.Weighted
	}
	p.SplitHitRatio, p.SharedHitRatio = ratio(splitHits, req), ratio(sharedHits, req)
	p.GainPP = 100 * (p.SplitHitRatio - p.SharedHitRatio)
	if weighted {
		p.SplitMissCost, p.SharedMissCost = &splitCost, &sharedCost
	}
	return p
}

// NewPartitions are the partitions of budget of a sweep's result, one per
// policy of r.Tenants: each tenant's curve and its share of the shared
// cache, named names[id] and with the miss price costs[id] (id: the
// tenant's number, 0 for the requests without one), weighted when the
// prices were given.
func NewPartitions(r sim.Result, budget int64, names []string, costs []float64, weighted bool) []*Partition {
	var out []*Partition
	for _, tcs := range r.Tenants {
		var curves []TenantCurve
		var shared []sim.TenantStats
		for id, stats := range tcs.Own {
			if stats == nil {
				continue
			}
			c := TenantCurve{Tenant: names[id], Sizes: tcs.Sizes, MissCost: costs[id], Weighted: weighted}
			for _, st := range stats {
				c.Requests = st.Requests
				c.Hits = append(c.Hits, st.Hits)
			}
			curves = append(curves, c)
			shared = append(shared, tcs.Shared[id])
		}
		out = append(out, NewPartition(tcs.Policy, budget, curves, shared))
	}
	return out
}

// WriteTable writes the split beside the shared cache, one row per tenant.
func (p *Partition) WriteTable(w io.Writer, bytes bool) error {
	fmt.Fprintf(w, "\npartition of %s between %d tenants, %s (split from each tenant's own curve; shared: one cache of %s replayed):\n",
		sim.FormatSize(p.Budget, bytes), len(p.Tenants), p.Policy, sim.FormatSize(p.Budget, bytes))
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAlignment(tw.AlignRight))
	header := []any{"tenant", "requests", "size", "hit ratio (split)", "hit ratio (shared)"}
	if p.SplitMissCost != nil {
		header = append(header, "miss cost")
	}
	t.Header(header...)
	tenants := append([]PartitionTenant(nil), p.Tenants...)
	sort.SliceStable(tenants, func(a, b int) bool { return tenants[a].Requests > tenants[b].Requests })
	var others []PartitionTenant
	if len(tenants) > MaxTenantRows {
		tenants, others = tenants[:MaxTenantRows-1], tenants[MaxTenantRows-1:]
	}
	row := func(pt PartitionTenant, cost string) error {
		r := []any{pt.Tenant, u(pt.Requests), sim.FormatSize(pt.Size, bytes),
			fmt.Sprintf("%.2f%%", 100*pt.HitRatio), fmt.Sprintf("%.2f%%", 100*pt.SharedHitRatio)}
		if p.SplitMissCost != nil {
			r = append(r, cost)
		}
		return t.Append(r...)
	}
	for _, pt := range tenants {
		if err := row(pt, Amount(pt.MissCost)); err != nil {
			return err
		}
	}
	if others != nil {
		if err := row(otherTenants(others), ""); err != nil { // no one price
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if others != nil {
		fmt.Fprintf(w, "the %d tenants with the most requests, then the other %s together (JSON lists every one)\n", len(tenants), traces.Thousands(int64(len(others))))
	}
	verb := "gains"
	if p.GainPP < 0 {
		verb = "loses"
	}
	fmt.Fprintf(w, "overall: split %.2f%%, shared %.2f%%: splitting %s %.2f pp", 100*p.SplitHitRatio, 100*p.SharedHitRatio, verb, math.Abs(p.GainPP))
	if p.SplitMissCost != nil {
		fmt.Fprintf(w, "; miss cost split %s, shared %s", Amount(*p.SplitMissCost), Amount(*p.SharedMissCost))
	}
	if p.Used < p.Budget {
		fmt.Fprintf(w, "; the split uses %s (more gains nothing at the sizes swept)", sim.FormatSize(p.Used, bytes))
	}
	fmt.Fprintln(w)
	return nil
}

// MaxTenantRows is the most rows of tenants a partition's table shows: the
// tenants with the most requests, then one row for all the others (JSON
// lists every one).
const MaxTenantRows = 20

// otherTenants sums the tenants ts in one row: their requests and sizes,
// and their hit ratios over all their requests.
func otherTenants(ts []PartitionTenant) PartitionTenant {
	sum := PartitionTenant{Tenant: fmt.Sprintf("(%s others)", traces.Thousands(int64(len(ts))))}
	var hits, shared float64
	for _, pt := range ts {
		sum.Requests += pt.Requests
		sum.Size += pt.Size
		hits += pt.HitRatio * float64(pt.Requests)
		shared += pt.SharedHitRatio * float64(pt.Requests)
	}
	if sum.Requests > 0 {
		sum.HitRatio, sum.SharedHitRatio = hits/float64(sum.Requests), shared/float64(sum.Requests)
	}
	return sum
}

// SetPartitions adds the partitions to the sweep's report.
func (s *Sweep) SetPartitions(ps []*Partition) {
	s.Partitions, s.Partition = ps, nil
	for _, p := range ps {
		s.Partition = append(s.Partition, p.Tenants...)
	}
}
