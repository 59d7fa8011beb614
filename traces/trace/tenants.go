package trace

import "strconv"

// HasBatches reports whether some request continues the one before it
// (Request.Continues): the trace holds multi-key requests.
func (t *Trace) HasBatches() bool {
	for _, m := range t.Marks {
		if m&MarkContinues != 0 {
			return true
		}
	}
	return false
}

// TenantName returns the name of tenant id of t: its name in
// t.TenantNames, else the number itself ("3"); "" for tenant 0.
func (t *Trace) TenantName(id uint32) string {
	switch {
	case id == 0:
		return ""
	case int(id) <= len(t.TenantNames):
		return t.TenantNames[id-1]
	}
	return strconv.FormatUint(uint64(id), 10)
}

// TenantCount returns the highest tenant number of t's requests (0: none).
func (t *Trace) TenantCount() int {
	n := uint32(0)
	for _, v := range t.Tenants {
		n = max(n, v)
	}
	return int(n)
}

// TenantNames returns the trace's tenant names.
func (r *traceReader) TenantNames() []string { return r.t.TenantNames }
