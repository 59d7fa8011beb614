package system

import "github.com/cachesim/cachesim/traces/trace"

// Per-tenant invalidation: the seed's invalidate_model(model_id) drops one
// model's predictions, not every entry. With Config.InvalidateTenants, each
// InvalidateEvery boundary removes from every level the keys those tenants
// ever requested (a removal, not an eviction), as dropAll empties every
// level; the other tenants' entries stay.

// tenantKeys remembers the keys of the tenants whose entries are dropped.
type tenantKeys struct {
	tenants map[uint32]bool     // nil: every entry is dropped (dropAll)
	keys    map[uint64]struct{} // keys seen of those tenants
}

func (o *tenantKeys) init(cfg *Config) {
	if len(cfg.InvalidateTenants) == 0 || cfg.InvalidateEvery <= 0 {
		return
	}
	o.tenants, o.keys = map[uint32]bool{}, map[uint64]struct{}{}
	for _, id := range cfg.InvalidateTenants {
		o.tenants[id] = true
	}
}

// note remembers r's key when its tenant's entries are dropped.
func (o *tenantKeys) note(r *trace.Request) {
	if o.tenants != nil && o.tenants[r.Tenant] {
		o.keys[r.Key] = struct{}{}
	}
}

// dropTenants removes the entries of the dropped tenants from every cache
// at time at (dirty entries are flushed first, as dropAll does);
// Stats.Drops counts it when an entry was removed.
func (s *system) dropTenants(at int64) {
	if s.w.dirty != nil {
		s.w.flush(s, at)
	}
	held := false
	for key := range s.owned.keys {
		for j := range s.levels {
			for _, c := range s.levels[j].caches {
				held = c.Remove(key) || held
			}
		}
	}
	if held {
		s.st.Drops++
	}
}
