package sim

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/stack"
	"github.com/cachesim/cachesim/traces/trace"
)

// Tenants: several models (services, namespaces) sharing one cache, or
// each given a cache of its own.

// Tenants that are nearly as many as the keys are no tenants: what names
// them (a prefix of the key that is most of it, a column of ids) names
// the keys. A trace is taken for such when it has more than
// MinSuspectTenants tenants and more than half as many tenants as keys.
const MinSuspectTenants = 50

// TenantsLikeKeys reports whether t's tenants are nearly as many as its
// keys (see MinSuspectTenants), with the counts of both.
func TenantsLikeKeys(t *trace.Trace) (tenants, keys int, like bool) {
	tenants = t.TenantCount()
	if tenants <= MinSuspectTenants {
		return tenants, 0, false
	}
	keys = t.DistinctKeys()
	return tenants, keys, 2*tenants > keys
}

// TenantStats count one tenant's lookups in a run.
type TenantStats struct {
	Requests uint64 `json:"requests"`
	Hits     uint64 `json:"hits"`
	Bytes    uint64 `json:"bytes"`
	ByteHits uint64 `json:"byte_hits"`
}

// HitRatio returns hits over requests (0 for none).
func (s TenantStats) HitRatio() float64 { return ratio(s.Hits, s.Requests) }

// tenantOf returns the statistics of tenant id, growing ts as needed.
func tenantOf(ts []TenantStats, id uint32) ([]TenantStats, *TenantStats) {
	if int(id) >= len(ts) {
		ts = append(ts, make([]TenantStats, int(id)+1-len(ts))...)
	}
	return ts, &ts[id]
}

// tenantLRUCurves computes, in one pass over t, every tenant's LRU
// statistics at each size as if the tenant had a cache of its own: one
// stack of distances per tenant (the distances of a shared stack, split by
// tenant, would be the shared cache's, not the isolated tenant's). The
// result is indexed by tenant (0: requests without one), as LRUCurve's
// per size; a tenant without requests has nil. A multi-key request whose
// keys span tenants is, for each tenant, the part of it that is its own.
func tenantLRUCurves(t *trace.Trace, sizes Sizes, dedup bool) (stats [][]Stats, exact [][]bool) {
	if sizes.Bytes {
		return tenantCurves[int64](t, sizes, dedup)
	}
	return tenantCurves[int32](t, sizes, dedup)
}

func tenantCurves[T stack.Weight](t *trace.Trace, sizes Sizes, dedup bool) (stats [][]Stats, exact [][]bool) {
	n := t.TenantCount() + 1
	ds := make([]*stackDistances[T], n)
	batches := t.HasBatches()
	eachByTenant(t, func(r *trace.Request) {
		d := ds[r.Tenant]
		if d == nil {
			d = newStackDistances[T](sizes)
			if batches {
				d.trackBatches(dedup)
			}
			ds[r.Tenant] = d
		}
		d.Add(r)
	})
	stats, exact = make([][]Stats, n), make([][]bool, n)
	for id, d := range ds {
		if d != nil && t.Ops == nil {
			stats[id], exact[id] = d.Curve(sizes)
		}
	}
	return stats, exact
}

// eachByTenant calls fn with every request of t, in order, its Continues
// set as within its tenant's own requests: a multi-key request whose keys
// span tenants is, for each tenant, the part of it that is its own. The
// request is reused: fn must not keep it.
func eachByTenant(t *trace.Trace, fn func(r *trace.Request)) {
	n := t.TenantCount() + 1
	var seen tenantRequests
	var r trace.Request
	for i := range t.Len() {
		t.At(i, &r)
		r.Continues = seen.continues(&r, n)
		fn(&r)
	}
}

// tenantRequests follows, per tenant, whether the current multi-key
// request already had a key of it.
type tenantRequests struct {
	request int     // the current request's number
	last    []int32 // per tenant, the last request that had a key of it (+1)
}

// continues returns whether r continues, within its tenant's requests,
// the one before: r continues the request and an earlier key of it was
// the same tenant's.
func (s *tenantRequests) continues(r *trace.Request, tenants int) bool {
	if s.last == nil {
		s.last = make([]int32, tenants)
	}
	if !r.Continues {
		s.request++
	}
	cont := r.Continues && s.last[r.Tenant] == int32(s.request)
	s.last[r.Tenant] = int32(s.request)
	return cont
}

// tenantTraces splits t by tenant (index: tenant, 0 for requests without
// one; nil for a tenant without requests), each keeping the order and the
// columns of t; a multi-key request whose keys span tenants is split too.
func tenantTraces(t *trace.Trace) []*trace.Trace {
	out := make([]*trace.Trace, t.TenantCount()+1)
	f := t.Fields()
	eachByTenant(t, func(r *trace.Request) {
		sub := out[r.Tenant]
		if sub == nil {
			sub = trace.NewTrace(t.Name+" ("+t.TenantName(r.Tenant)+")", f)
			sub.TenantNames = t.TenantNames
			out[r.Tenant] = sub
		}
		sub.Append(r)
	})
	for _, sub := range out {
		if sub != nil {
			sub.Shrink()
		}
	}
	return out
}

// countTenant counts a lookup of r's tenant that hit or not.
func (p *replayer) countTenant(r *trace.Request, hit bool) {
	var ts *TenantStats
	p.byTenant, ts = tenantOf(p.byTenant, r.Tenant)
	ts.Requests++
	ts.Bytes += uint64(r.Size)
	if hit {
		ts.Hits++
		ts.ByteHits += uint64(r.Size)
	}
}

// tenantSweep computes every tenant's statistics in a cache of its own,
// for each policy of cfg at each of cfg.Sizes, indexed [policy][tenant]
// [size] (tenant 0: requests without one; nil for a tenant without
// requests). LRU comes from tenantLRUCurves, in one pass; the sizes the
// curve cannot give exactly, and the other policies, replay each
// tenant's requests (tenantTraces) as sweepPoints does.
func tenantSweep(t *trace.Trace, cfg sweepConfig) ([][][]Stats, error) {
	out := make([][][]Stats, len(cfg.Policies))
	var subs []*trace.Trace // built when first needed
	for p, spec := range cfg.Policies {
		one := cfg
		one.Policies, one.Progress = []policy.Spec{spec}, nil
		var exact [][]bool
		if byCurve(t, cfg, spec) {
			lookups := t
			if cfg.CountWrites {
				view := *t
				view.Ops = nil
				lookups = &view
			}
			out[p], exact = tenantLRUCurves(lookups, cfg.Sizes, cfg.DedupBatch)
			if allExact(exact) {
				continue
			}
		}
		if subs == nil {
			subs = tenantTraces(t)
		}
		if out[p] == nil {
			out[p] = make([][]Stats, len(subs))
		}
		for id, sub := range subs {
			if sub == nil {
				continue
			}
			points, err := sweepPoints(sub, one)
			if err != nil {
				return nil, err
			}
			if out[p][id] == nil {
				out[p][id] = make([]Stats, len(points))
			}
			for s, pt := range points {
				if exact == nil || !exact[id][s] {
					out[p][id][s] = pt.Stats
				}
			}
		}
	}
	return out, nil
}

// allExact reports whether every curve is exact at every size.
func allExact(exact [][]bool) bool {
	for _, e := range exact {
		for _, ok := range e {
			if !ok {
				return false
			}
		}
	}
	return true
}
