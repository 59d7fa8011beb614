package report

import (
	"fmt"
	"math"

	"github.com/cachesim/cachesim/sim"
)

// SecondsPerMonth is the month of the cost rule: 730 hours (365 days / 12),
// the month cloud providers bill by.
const SecondsPerMonth = 730 * 3600

// gib is a binary gigabyte.
const gib = 1 << 30

// CostModel prices a cache size: memory per GiB per month, and each miss.
type CostModel struct {
	// MemoryPerGiBMonth is the price of a GiB of cache memory for a month.
	MemoryPerGiBMonth float64 `json:"memory_per_gib_month"`
	// MissCost is the price of one miss (the backend's work).
	MissCost float64 `json:"miss_cost"`
	// RequestRate is the requests per second the cache serves.
	RequestRate float64 `json:"requests_per_second"`
	// ObjectBytes is the memory of one object in object-count mode.
	ObjectBytes float64 `json:"object_bytes,omitempty"`
}

// Cost is the monthly cost of one cache size, in both parts.
type Cost struct {
	MemoryGiB      float64 `json:"memory_gib"`
	MissesPerMonth float64 `json:"misses_per_month"`
	Memory         float64 `json:"memory_cost"`
	Misses         float64 `json:"miss_cost"`
	Total          float64 `json:"total_cost"`
}

// At returns the monthly cost of a cache of size (bytes, or objects of
// ObjectBytes each) with the given miss ratio.
func (m CostModel) At(size int64, bytes bool, missRatio float64) Cost {
	mem := float64(size)
	if !bytes {
		mem *= m.ObjectBytes
	}
	c := Cost{MemoryGiB: mem / gib, MissesPerMonth: missRatio * m.RequestRate * SecondsPerMonth}
	c.Memory = c.MemoryGiB * m.MemoryPerGiBMonth
	c.Misses = c.MissesPerMonth * m.MissCost
	c.Total = c.Memory + c.Misses
	return c
}

// Rule recommends the swept size of least monthly cost, memory plus misses.
// It scans every point: a curve with a cliff has its optimum past a
// stretch where cost only rises. Ties go to the smaller size.
func (m CostModel) Rule(c Curve, cfg RecommendConfig) Recommendation {
	rec := Recommendation{Policy: c.Policy, Method: MethodCost,
		Rule: fmt.Sprintf("least memory + miss cost per month (%s per GiB-month, %s per miss, %s requests/s)",
			Param(m.MemoryPerGiBMonth), Param(m.MissCost), Sig(m.RequestRate, 4))}
	best := -1
	var bestCost Cost
	for i, p := range c.Points {
		cost := m.At(p.Size, cfg.Bytes, 1-p.HitRatio())
		if best < 0 || cost.Total < bestCost.Total {
			best, bestCost = i, cost
		}
	}
	if best < 0 {
		rec.Note = "no sizes"
		return rec
	}
	rec = found(rec, c, cfg.Metric, best)
	rec.Cost = &bestCost
	rec.Note = fmt.Sprintf("%s costs %s per month: memory %s (%s GiB) + misses %s (%s misses)",
		sim.FormatSize(rec.Size, cfg.Bytes), Amount(bestCost.Total), Amount(bestCost.Memory), Sig(bestCost.MemoryGiB, 4),
		Amount(bestCost.Misses), Count(int64(math.Round(bestCost.MissesPerMonth))))
	if best == len(c.Points)-1 && len(c.Points) > 1 && !cfg.holdsAll(c) {
		rec.Note += "; the largest swept size: larger ones may cost less"
	}
	return rec
}
