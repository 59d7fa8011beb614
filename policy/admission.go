package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
)

// An admission filter decides whether a missed object enters the cache at
// all; the cache's own policy still decides what to evict. A spec composes
// one with any policy after a '+': "lru+tinylfu", "s3fifo(small=0.2)+size:1MiB",
// "lfu+prob(p=0.1)". "name:value" sets the filter's main parameter.

// FilterInfo describes a registered admission filter, as Info a policy,
// for listings (LookupFilter). The filters are built in: their
// constructors are the package's own.
type FilterInfo struct {
	// Name is the filter's name in a spec.
	Name string
	// Summary describes the filter in one sentence for listings.
	Summary string
	// Traits are the traits the filter adds to the policy it guards.
	Traits Traits
	// Params declare the filter's parameters.
	Params []Param
	// Main is the parameter "name:value" sets, if any.
	Main string
	// newFilter builds the filter; Config.Values holds every declared
	// parameter.
	newFilter func(Config) (filter, error)
}

// filter is an admission filter.
type filter interface {
	// Record sees every request before the cache looks it up.
	Record(r *trace.Request)
	// Admit decides whether r's object, which missed, may enter the cache.
	// victim names the object the cache would evict for it (ok false when
	// the cache has room, or cannot tell).
	Admit(r *trace.Request, victim uint64, ok bool) bool
}

// Admitter is implemented by caches that turn some missed objects away: a
// policy behind an admission filter, W-TinyLFU (whose window's leavers duel
// for a place in main) and the ristretto model. sim reports the admission
// rate from it.
type Admitter interface {
	// Admissions returns how many objects were admitted and how many turned away.
	Admissions() (admitted, rejected uint64)
}

var filters = map[string]FilterInfo{}

// registerFilter adds an admission filter; it panics on a duplicate name or
// an inconsistent parameter schema (programming errors).
func registerFilter(f FilterInfo) {
	info := Info{Name: f.Name, Params: f.Params}
	if _, dup := filters[f.Name]; dup {
		panic("policy: duplicate admission filter " + f.Name)
	}
	if err := info.checkSchema(); err != nil {
		panic("admission filter " + f.Name + ": " + err.Error())
	}
	filters[f.Name] = f
}

// FilterNames returns the registered admission filters' names, sorted.
func FilterNames() []string {
	names := make([]string, 0, len(filters))
	for n := range filters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupFilter returns the admission filter registered under name.
func LookupFilter(name string) (FilterInfo, bool) {
	f, ok := filters[name]
	return f, ok
}

// resolve checks a filter's parameters against its schema.
func (f FilterInfo) resolve(p Params) (Values, error) {
	info := Info{Name: f.Name + " (admission filter)", Params: f.Params}
	return info.resolve(p)
}

// parseFilter parses the part of spec s after '+': "name", "name:value" or
// "name(k=v,…)".
func parseFilter(s, part string) (*Spec, error) {
	name, rest, hasParams := strings.Cut(strings.TrimSpace(part), "(")
	name, value, hasValue := strings.Cut(name, ":")
	f := &Spec{Name: strings.ToLower(strings.TrimSpace(name))}
	info, ok := filters[f.Name]
	switch {
	case strings.Contains(f.Name, "+"):
		return nil, fmt.Errorf("policy %q: one admission filter at most (form: policy+filter)", s)
	case !ok:
		return nil, fmt.Errorf("policy %q: unknown admission filter %q (valid: %s)", s, f.Name, strings.Join(FilterNames(), ", "))
	case hasParams && hasValue:
		return nil, fmt.Errorf("policy %q: give the admission filter name:value or name(key=value,…), not both", s)
	case hasValue && info.Main == "":
		return nil, fmt.Errorf("policy %q: admission filter %s takes no value (form: %s or %s(key=value,…))", s, f.Name, f.Name, f.Name)
	case hasValue:
		f.Params = Params{info.Main: strings.TrimSpace(value)}
	case hasParams:
		params, err := parseParams(s, rest)
		if err != nil {
			return nil, err
		}
		f.Params = params
	}
	if _, err := info.resolve(f.Params); err != nil {
		return nil, err
	}
	return f, nil
}

// newFiltered wraps c, built for spec's policy, in spec's admission filter.
func newFiltered(c Cache, spec *Spec, cfg Config) (Cache, error) {
	info := filters[spec.Name]
	values, err := info.resolve(spec.Params)
	if err != nil {
		return nil, err
	}
	cfg.Values = values
	f, err := info.newFilter(cfg)
	if err != nil {
		return nil, fmt.Errorf("admission filter %s: %w", spec.Name, err)
	}
	a := &filtered{Cache: c, filter: f, victims: victimNamer(c)}
	if o, ok := c.(EvictionObserver); ok {
		o.OnEvict(a.evicted)
	}
	return a, nil
}

// filtered is a cache behind an admission filter. A request for a cached
// object goes to the cache as a hit; a miss goes to the cache (which admits
// it, evicting as its policy does) only if the filter admits it, and is
// otherwise a miss that changes nothing but the filter. The filter sees
// every request first.
//
// The object a miss would displace, which TinyLFU weighs against it, is
// the cache's next victim where the policy can name it without acting
// (LRU and FIFO: its tail), and otherwise the last object it evicted.
//
// A cached entry is one in the policy's key index that is not a ghost;
// expired entries of TTL policies count as cached, so their renewal is not
// filtered.
type filtered struct {
	Cache
	filter   filter
	victims  func() (uint64, bool)
	last     uint64 // the last evicted key
	evicting bool   // last is set
	observer func(key uint64, size uint32)
	admitted uint64
	rejected uint64
}

// Access records r in the filter, then serves a hit from the cache or asks
// the filter whether the missed object may enter.
func (a *filtered) Access(r *trace.Request) bool {
	a.filter.Record(r)
	if a.Cache.Contains(r.Key) {
		return a.Cache.Access(r)
	}
	if int64(r.Size) > a.Capacity() {
		return false
	}
	victim, ok := a.victim(r.Size)
	if !a.filter.Admit(r, victim, ok) {
		a.rejected++
		return false
	}
	a.admitted++
	return a.Cache.Access(r)
}

// victim names the object the cache would evict for an object of this size.
func (a *filtered) victim(size uint32) (uint64, bool) {
	if a.Used()+int64(size) <= a.Capacity() {
		return 0, false
	}
	if a.victims != nil {
		return a.victims()
	}
	return a.last, a.evicting
}

// evicted remembers the cache's last victim and tells the observer.
func (a *filtered) evicted(key uint64, size uint32) {
	a.last, a.evicting = key, true
	if a.observer != nil {
		a.observer(key, size)
	}
}

// OnEvict implements EvictionObserver (the hierarchy demotes evictions).
func (a *filtered) OnEvict(f func(key uint64, size uint32)) { a.observer = f }

// NeedsFuture reports whether the cache behind the filter reads Request.Next.
func (a *filtered) NeedsFuture() bool { return UsesFuture(a.Cache) }

// Admissions implements Admitter.
func (a *filtered) Admissions() (admitted, rejected uint64) { return a.admitted, a.rejected }

// victimNamer returns a function naming c's next victim, if its policy
// evicts from the tail of one list whatever happens on a miss.
func victimNamer(c Cache) func() (uint64, bool) {
	var q *queue
	switch x := c.(type) {
	case *lru:
		q = &x.queue
	case *fifo:
		q = &x.queue
	default:
		return nil
	}
	return func() (uint64, bool) {
		if q.q.tail == nilIdx {
			return 0, false
		}
		return q.nodes[q.q.tail].key, true
	}
}
