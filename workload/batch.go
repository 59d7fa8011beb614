package workload

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Multi-key requests: the batch kind, and what the stream and a mix need
// to keep a request's keys together and to tell tenants apart.

// batchKind is the batch generator: feature-store or embedding lookups.
func batchKind() Kind {
	return Kind{Name: "batch",
		Summary: "multi-key requests, as a feature store or an embedding table sees them: each request draws a batch size, then that many entities independently (Zipf by popularity, or uniform with alpha=0; an entity may repeat within a request), each read as its groups feature groups (keys (entity-1)×groups+1 … entity×groups, in order); requests counts keys, the last request is completed",
		Params: []Param{
			{"keys", "1e5", "number of entities"},
			{"alpha", "1", "Zipf exponent of entity popularity; 0 draws entities uniformly"},
			{"batch", "100", "entities per request: N, uniform:MIN:MAX, lognormal:MU:SIGMA or pareto:XM:ALPHA (whole numbers from 1, at most 1e6)"},
			{"groups", "1", "feature groups (keys) per entity, read together"},
			{"drift", "0", "new entities entering the top of the ranking per request, as drifting does (0: a static ranking)"},
		}, source: batchSource}
}

// maxBatch bounds the entities of one request.
const maxBatch = 1_000_000

// batchKeys draws multi-key requests (see batchKind).
type batchKeys struct {
	ranks         rankSampler // nil: uniform
	uni           *rand.Rand
	sizes         *rand.Rand
	batch         sizer
	n, groups     uint64
	drift         float64
	requests      float64 // requests started
	entities      int     // entities left in the current request
	entity, group uint64  // the current entity and its next group
	cont          bool    // the key last returned continues a request
}

func (b *batchKeys) next() uint64 {
	switch {
	case b.group < b.groups && b.group > 0: // the entity's next group
		b.cont = true
	case b.entities > 0: // the request's next entity
		b.entities--
		b.entity, b.group, b.cont = b.draw(), 0, true
	default: // a new request
		b.requests++
		b.entities = b.size() - 1
		b.entity, b.group, b.cont = b.draw(), 0, false
	}
	k := (b.entity-1)*b.groups + b.group + 1
	b.group++
	if b.group == b.groups {
		b.group = 0
	}
	return k
}

// draw returns an entity: its rank, shifted by the drift.
func (b *batchKeys) draw() uint64 {
	var rank uint64
	if b.ranks == nil {
		rank = b.uni.Uint64N(b.n) + 1
	} else {
		rank = b.ranks.Next()
	}
	return b.n + 1 - rank + uint64((b.requests-1)*b.drift)
}

// size draws the entities of a request.
func (b *batchKeys) size() int {
	u := (float64(b.sizes.Uint64()>>11) + 0.5) * 0x1p-53
	return int(min(b.batch.draw(u), maxBatch))
}

func (b *batchKeys) continues() bool { return b.cont }

func (b *batchKeys) pending() bool { return b.entities > 0 || b.group > 0 }

func batchSource(p *params) newSource {
	n := p.keys("keys")
	alpha := p.nonNeg("alpha")
	size := p.size("batch")
	groups := p.keys("groups")
	drift := p.nonNeg("drift")
	if n > math.MaxUint64/groups/2 && p.err == nil {
		p.fail("groups", p.raw("groups"), "fewer: keys × groups must fit in 63 bits")
	}
	p.marks = true
	return func(seed uint64) source {
		b := &batchKeys{n: n, groups: groups, drift: drift, batch: size,
			uni: newRand(seed, streamKeys), sizes: newRand(seed, streamBatches)}
		if alpha > 0 {
			r, err := newRanks(n, alpha, newRand(seed, streamKeys))
			if err != nil {
				panic(err) // checked by the parameter parser
			}
			b.ranks = r
		}
		return b
	}
}

// draw returns the distribution's whole value at quantile u, at least 1.
func (z *sizer) draw(u float64) int {
	if z.dist == nil {
		return int(z.c)
	}
	v := math.Floor(z.dist.Quantile(u))
	if !(v >= 1) {
		return 1
	}
	return int(min(v, maxBatch))
}

// batched is a source of multi-key requests.
type batched interface {
	source
	// continues reports whether the key next returned last continues the
	// request before it.
	continues() bool
	// pending reports whether the current request has keys left.
	pending() bool
}

// tenanted is a source whose keys belong to tenants (a mix with tenants).
type tenanted interface {
	source
	// tenant returns the tenant of the key next returned last (from 1).
	tenant() uint32
	// tenantNames names the tenants, tenant 1 first.
	tenantNames() []string
}

// continues reports whether the mix's last key continues a request of its component.
func (m *mixKeys) continues() bool {
	b, ok := m.parts[m.cur].(batched)
	return ok && b.continues()
}

// pending reports whether the mix's current component is in the middle of a request.
func (m *mixKeys) pending() bool {
	b, ok := m.parts[m.cur].(batched)
	return ok && b.pending()
}

func (m *mixKeys) tenant() uint32 { return uint32(m.cur) + 1 }

func (m *mixKeys) tenantNames() []string { return m.names }

// componentNames names the components of a mix for its tenants: by
// kind, numbered when several are of one kind (zipf#1, zipf#2, uniform).
func componentNames(parts []string) []string {
	names := make([]string, len(parts))
	count := map[string]int{}
	for i, p := range parts {
		if _, rest, ok := strings.Cut(p, "*"); ok && !strings.Contains(p[:len(p)-len(rest)], "(") {
			p = rest
		}
		kind, _, _ := strings.Cut(strings.TrimSpace(p), "(")
		names[i] = strings.ToLower(strings.TrimSpace(kind))
		count[names[i]]++
	}
	seen := map[string]int{}
	for i, n := range names {
		if count[n] > 1 {
			seen[n]++
			names[i] = fmt.Sprintf("%s#%d", n, seen[n])
		}
	}
	return names
}

// midRequest reports whether the stream's source is in the middle of a
// multi-key request (which the stream completes past its request count).
func (s *stream) midRequest() bool { return s.multi != nil && s.multi.pending() }

// marks returns the Continues and Tenant of the key the source returned last.
func (s *stream) marks() (continues bool, tenant uint32) {
	if s.multi != nil {
		continues = s.multi.continues()
	}
	if s.owned != nil {
		tenant = s.owned.tenant()
	}
	return continues, tenant
}

// TenantNames names the tenants of a mix with tenants (nil otherwise).
func (s *stream) TenantNames() []string {
	if s.owned != nil {
		return s.owned.tenantNames()
	}
	return nil
}
