package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/cachesim/cachesim/sim"
)

// planOrder is the order in which a plan takes the rules' sizes: the cost
// rule when prices are given (it says what pays), the target when one is
// given (it is what was asked for), then the diminishing-returns rules.
var planOrder = []string{MethodCost, MethodTarget, MethodMarginalGain, MethodKneedle}

// Plan answers, for one policy, how big the cache should be and what it
// does at that size: the hit ratio, the latency with and without it, the
// backend requests it saves and the money, as far as the models given allow.
type Plan struct {
	Policy string `json:"policy"`
	// Found is false when no rule recommends a size; the rest is then empty.
	Found bool `json:"found"`
	// Method is the rule whose size the plan takes (see planOrder).
	Method string `json:"method,omitempty"`
	// Size is the rule's size on the curve, whose figures the plan gives;
	// RoundedSize the size to configure (see Recommendation).
	Size        int64 `json:"size,omitempty"`
	RoundedSize int64 `json:"rounded_size,omitempty"`
	// HitRatio is the metric's value at Size.
	HitRatio float64 `json:"hit_ratio,omitempty"`
	// Latency is the latency at Size with the cache and without any (when a
	// latency model was given and Size was swept).
	Latency  *Latency `json:"latency,omitempty"`
	Uncached *Latency `json:"latency_without_cache,omitempty"`
	// BackendSavedPerS is the backend calls the cache saves per second
	// (when the request rate is known; see sim.Calls), and KeysSavedPerS,
	// in a trace of multi-key requests, the keys it saves fetching.
	BackendSavedPerS *float64 `json:"backend_calls_saved_per_s,omitempty"`
	KeysSavedPerS    *float64 `json:"keys_fetched_saved_per_s,omitempty"`
	// MonthlySaving is the monthly cost of no cache (every request a miss)
	// minus the cost at Size, memory included (when prices are given).
	MonthlySaving *float64 `json:"monthly_saving,omitempty"`
	// Summary is the plan in one sentence.
	Summary string `json:"summary"`
}

// MakePlans builds one plan per policy of the sweep that is not a bound,
// from its recommendations (see planOrder), its points, its latency report
// and cost model, and its request rate.
func (s *Sweep) MakePlans(m Metric) []Plan {
	var plans []Plan
	for _, c := range Curves(s.Points) {
		if s.isBound(c.Policy) {
			continue
		}
		plans = append(plans, s.plan(c, m))
	}
	return plans
}

// isBound reports whether policy is an offline bound.
func (s *Sweep) isBound(policy string) bool {
	for _, b := range s.Bounds {
		if b == policy {
			return true
		}
	}
	return false
}

// plan builds the plan of curve c.
func (s *Sweep) plan(c Curve, m Metric) Plan {
	p := Plan{Policy: c.Policy}
	rec, ok := s.planRecommendation(c.Policy)
	if !ok {
		p.Summary = fmt.Sprintf("%s: no size recommended (the rules above say why)", c.Policy)
		return p
	}
	p.Found, p.Method, p.Size, p.RoundedSize, p.HitRatio = true, rec.Method, rec.Size, rec.RoundedSize, rec.HitRatio
	var parts []string
	parts = append(parts, fmt.Sprintf("%s %.2f%%", m, 100*p.HitRatio)+s.ceilingShare(m, p.HitRatio))
	point, swept := pointAt(c, rec.Size)
	if b := SummariseBatch(point.Stats); swept && m == BatchHitRatio && b != nil {
		parts[0] += fmt.Sprintf(" (if keys hit independently: %.2f%%)", 100*b.IndependentEstimate)
	}
	if swept && s.Latency != nil {
		if row, ok := s.latencyRows()[key(c.Policy, rec.Size)]; ok {
			with, without, what := row.With, s.Latency.Uncached, "mean latency"
			if m == BatchHitRatio && row.Batch != nil {
				with, without, what = *row.Batch, *s.Latency.BatchUncached, "mean latency of whole requests"
			}
			p.Latency, p.Uncached = &with, &without
			parts = append(parts, fmt.Sprintf("%s %s → %s, p99 %s → %s",
				what, fmtMS(without.MeanMS), fmtMS(with.MeanMS), fmtMS(without.P99MS), fmtMS(with.P99MS)))
		}
	}
	if swept && s.Prefix != nil {
		parts = append(parts, s.prefixPlan(point)...)
	} else if calls, keys := s.load().savedPerS(point.Stats); swept && calls != nil {
		p.BackendSavedPerS = calls
		saved := fmt.Sprintf("%s backend calls/s saved", Amount(*calls))
		if point.Batch != nil {
			p.KeysSavedPerS = keys
			saved += fmt.Sprintf(", %s keys fetched/s saved (%s)", Amount(*keys), sim.CallUnit(true, s.Backend))
		}
		parts = append(parts, saved)
	}
	if swept && s.Cost != nil {
		none := s.Cost.At(0, s.bytes(), 1).Total
		with := s.Cost.At(rec.Size, s.bytes(), 1-point.HitRatio()).Total
		v := none - with
		p.MonthlySaving = &v
		parts = append(parts, fmt.Sprintf("%s a month saved against no cache (%s instead of %s)", Amount(v), Amount(with), Amount(none)))
	}
	if !swept {
		parts = append(parts, "between swept sizes, so no latency or savings")
	}
	how := rec.Method
	if rec.configured() != rec.Size {
		how += fmt.Sprintf("; rounded up from %s, whose figures follow", sim.FormatSize(rec.Size, s.bytes()))
	}
	p.Summary = fmt.Sprintf("%s: %s (%s): %s", c.Policy, sim.FormatSize(rec.configured(), s.bytes()), how, strings.Join(parts, "; "))
	return p
}

// load is the sweep's Load: its request rate, requests and backend.
func (s *Sweep) load() Load {
	return Load{Rate: s.RequestRate, Rows: int64(s.Requests), Backend: s.Backend}
}

// planRecommendation returns the recommendation a plan for policy takes.
func (s *Sweep) planRecommendation(policy string) (Recommendation, bool) {
	for _, method := range planOrder {
		for _, r := range s.Recommendations {
			if r.Found && r.Policy == policy && r.Method == method {
				return r, true
			}
		}
	}
	return Recommendation{}, false
}

// ceilingShare is ", 92% of the unlimited cache's 49.00%" when the ceiling is known.
func (s *Sweep) ceilingShare(m Metric, v float64) string {
	if s.Ceiling == nil {
		return ""
	}
	top := m.OfCeiling(*s.Ceiling)
	if top <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%.0f%% of the unlimited cache's %.2f%%)", 100*v/top, 100*top)
}

// pointAt returns the point of c at size.
func pointAt(c Curve, size int64) (sim.Point, bool) {
	for _, p := range c.Points {
		if p.Size == size {
			return p, true
		}
	}
	return sim.Point{}, false
}

// writePlans writes one line per plan.
func (s *Sweep) writePlans(w io.Writer) {
	if len(s.Plans) == 0 {
		return
	}
	fmt.Fprintln(w, "plan (how big, and what it does):")
	for _, p := range s.Plans {
		fmt.Fprintln(w, "  "+p.Summary)
	}
}
