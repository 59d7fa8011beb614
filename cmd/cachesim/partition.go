package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/system"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

// missCostValue is --miss-cost: one price per miss, or tenant=price,… for
// --partition.
type missCostValue struct {
	one  *float64
	per  *map[string]float64
	text string
}

func (v *missCostValue) String() string {
	if v.text == "" {
		return "0"
	}
	return v.text
}

func (v *missCostValue) Type() string { return "price" }

// Set parses a price, or a list of tenant=price.
func (v *missCostValue) Set(s string) error {
	v.text = s
	if !strings.Contains(s, "=") {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return fmt.Errorf("expected a price >= 0, or tenant=price,… with --partition")
		}
		*v.one = f
		return nil
	}
	m := map[string]float64{}
	for _, item := range strings.Split(s, ",") {
		name, price, _ := strings.Cut(item, "=")
		f, err := strconv.ParseFloat(strings.TrimSpace(price), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || strings.TrimSpace(name) == "" {
			return fmt.Errorf("%q: expected tenant=price with a price >= 0", item)
		}
		if _, dup := m[strings.TrimSpace(name)]; dup {
			return fmt.Errorf("tenant %q given twice", name)
		}
		m[strings.TrimSpace(name)] = f
	}
	*v.per = m
	return nil
}

// partitionHelp documents --partition.
const partitionHelp = `Tenants (models sharing one cache): --tenant-from prefix:2 takes a
request's tenant from its key (pred:model_a:… is pred:model_a, as Redis
namespaces are used), or a CSV column (tenant, model, model_id or
namespace, --csv-tenant) or JSON field (--json-tenant) names it.
--partition BUDGET splits the budget between the tenants to maximise the
overall hit ratio (or, with --miss-cost tenant=price,…, to minimise the
total miss cost): each tenant's curve in a cache of its own (LRU: one stack
per tenant, all in one pass; other policies, and LRU on traces with writes:
each tenant's requests replayed) at 100 steps of BUDGET/100 (25 replayed), split
greedily by marginal gain along the curves' concave hulls, and shown beside
one shared cache of the budget, replayed: per tenant its size and hit ratio
in both, and what splitting gains overall.`

// parsePartition reads --partition: the budget and whether it is bytes.
func (o *sweepOptions) parsePartition(sizes sim.Sizes) (budget int64, bytes bool, err error) {
	if o.partition == "" {
		if o.in.tenantsGiven() {
			return 0, false, fmt.Errorf("--tenant-from, --csv-tenant and --json-tenant say where tenants come from, for --partition: give --partition BUDGET")
		}
		return 0, false, nil
	}
	b, err := sim.ParseSize(o.partition)
	if err != nil || b.N < 1 {
		return 0, false, fmt.Errorf("bad --partition %q: expected a memory budget, objects (10000) or bytes with a unit (1GiB)", o.partition)
	}
	budget, bytes = b.N, b.Bytes() || o.bytes
	if len(sizes.Values) > 0 && sizes.Bytes != bytes {
		return 0, false, fmt.Errorf("--partition %s and --sizes %s: give both in bytes or both in objects", o.partition, o.sizes)
	}
	if o.sample.on() {
		return 0, false, fmt.Errorf("--partition needs every request of every tenant: drop --sample-rate/--sample-size")
	}
	return budget, bytes, nil
}

// checkPartition checks --partition and --miss-cost against the tenants
// of t and returns their names and miss costs by tenant number (see
// tenantCosts).
func (o *sweepOptions) checkPartition(t *trace.Trace) (names []string, costs []float64, err error) {
	if tenants := t.TenantCount(); tenants < 2 {
		return nil, nil, fmt.Errorf("--partition splits a budget between tenants, and %s has %d: give --tenant-from prefix:N (tenants from the keys), or a tenant column (--csv-tenant) or field (--json-tenant)",
			t.Name, tenants)
	}
	if err := o.in.checkTenantCount(t); err != nil {
		return nil, nil, err
	}
	return o.tenantCosts(t)
}

// checkTenantCount refuses tenants nearly as many as the keys of t (see
// sim.TenantsLikeKeys): the rule or the column that names them names keys.
func (f *inputFlags) checkTenantCount(t *trace.Trace) error {
	tenants, keys, like := sim.TenantsLikeKeys(t)
	if !like {
		return nil
	}
	counts := fmt.Sprintf("%s tenants of %s keys in %s", traces.Thousands(int64(tenants)), traces.Thousands(int64(keys)), t.Name)
	rule, err := traces.ParseTenantRule(f.fs.Lookup("tenant-from").Value.String())
	if !changed(f.fs, "tenant-from") || err != nil {
		return fmt.Errorf("the tenant column or field made %s: a tenant is about one key, so it names keys, not tenants; name the column or field of the tenants (--csv-tenant, --json-tenant)", counts)
	}
	fewer := ""
	if rule.Fields > 1 {
		fewer = fmt.Sprintf("take fewer fields (prefix:%d), ", rule.Fields-1)
	}
	return fmt.Errorf("--tenant-from %s made %s: a tenant is about one key, so the prefix names keys, not tenants: %ssplit at another separator (prefix:N:SEP, e.g. prefix:1:/), or keep only the keys of tenants (--key-filter 'pred:*')",
		rule, counts, fewer)
}

// noTenant names the requests without a tenant.
const noTenant = "(none)"

// tenantCosts returns the tenants' names and miss costs by tenant number
// (0: requests without a tenant), checking --miss-cost against the names.
func (o *sweepOptions) tenantCosts(t *trace.Trace) (names []string, costs []float64, err error) {
	n := t.TenantCount() + 1
	names, costs = make([]string, n), make([]float64, n)
	names[0] = noTenant
	for id := 1; id < n; id++ {
		names[id] = t.TenantName(uint32(id))
	}
	given := o.sizing.tenantCosts
	if given == nil {
		return names, costs, nil
	}
	present := map[string]bool{}
	for _, tn := range t.Tenants {
		present[names[tn]] = true
	}
	var missing, unknown []string
	for id, name := range names {
		if c, ok := given[name]; ok {
			costs[id] = c
		} else if present[name] {
			missing = append(missing, name)
		}
	}
	for name := range given {
		if !present[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	switch {
	case len(unknown) > 0:
		return nil, nil, fmt.Errorf("--miss-cost names %s, which %s has no requests of (its tenants: %s)",
			strings.Join(unknown, ", "), t.Name, strings.Join(presentNames(names, present), ", "))
	case len(missing) > 0:
		return nil, nil, fmt.Errorf("--miss-cost gives no price for %s: give every tenant one", strings.Join(missing, ", "))
	}
	return names, costs, nil
}

// presentNames lists the names of the tenants with requests.
func presentNames(names []string, present map[string]bool) []string {
	var out []string
	for _, n := range names {
		if present[n] {
			out = append(out, n)
		}
	}
	return out
}

// writePartitions writes the partitions after the sweep's table.
func writePartitions(w io.Writer, ps []*report.Partition, bytes bool) error {
	for _, p := range ps {
		if err := p.WriteTable(w, bytes); err != nil {
			return err
		}
	}
	return nil
}

// invalidatedTenants returns the numbers of the tenants --invalidate-tenant
// names (nil when not given).
func invalidatedTenants(t *trace.Trace, list string, in *inputFlags) ([]uint32, error) {
	if list == "" {
		return nil, nil
	}
	ids := map[string]uint32{}
	for id := 1; id <= t.TenantCount(); id++ {
		ids[t.TenantName(uint32(id))] = uint32(id)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("--invalidate-tenant: %s has no tenants: give --tenant-from prefix:N (tenants from the keys), or a tenant column (--csv-tenant) or field (--json-tenant)", t.Name)
	}
	if err := in.checkTenantCount(t); err != nil {
		return nil, err
	}
	var out []uint32
	for _, name := range strings.Split(list, ",") {
		id, ok := ids[strings.TrimSpace(name)]
		if !ok {
			names := make([]string, 0, len(ids))
			for n := range ids {
				names = append(names, n)
			}
			slices.Sort(names)
			return nil, fmt.Errorf("--invalidate-tenant %q: no such tenant in %s (its tenants: %s)", name, t.Name, strings.Join(names, ", "))
		}
		out = append(out, id)
	}
	return out, nil
}

// checkTenants checks the tenant flags of the system commands.
func (f *systemFlags) checkTenants() error {
	if f.invalidateTenant != "" && f.invalidateEvery == 0 {
		return fmt.Errorf("--invalidate-tenant drops some tenants' entries every --invalidate-every: give the period")
	}
	if f.in.tenantsGiven() && f.invalidateTenant == "" {
		return fmt.Errorf("--tenant-from, --csv-tenant and --json-tenant say where tenants come from, for --invalidate-tenant: give it")
	}
	return nil
}

// drops are the timeline events of a run's drops (--invalidate-every).
func (f *systemFlags) drops(st system.Stats) []report.TimelineEvent {
	what := "every entry dropped (--invalidate-every)"
	if f.invalidateTenant != "" {
		what = f.invalidateTenant + "'s entries dropped (--invalidate-tenant)"
	}
	var out []report.TimelineEvent
	for _, e := range st.Versions {
		out = append(out, report.TimelineEvent{At: e.Time, Name: what})
	}
	return out
}
