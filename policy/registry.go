package policy

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
)

// Config is what every constructor receives.
type Config struct {
	// Capacity is the cache size in objects or bytes.
	Capacity int64
	// TTL is the time to live of entries whose request carries none
	// (policies with the Expiry trait); 0 means never.
	TTL time.Duration
	// Seed seeds policies that make random choices (the Randomised trait).
	Seed uint64
	// Values are the policy's own parameters, checked against its schema,
	// defaults filled in; New sets them from the spec.
	Values Values
	// Objects says the capacity counts objects: every request's size is 1
	// (the simulator's object mode). Policies that model a server's memory
	// (redis-*'s memory=redis) then count objects instead.
	Objects bool
	// SizeHint, when known, is the most objects the cache will hold (its
	// capacity in object mode, bounded by the trace); the tables are sized
	// for it up front instead of growing, which saves time and memory.
	SizeHint int
	// Keys, when set, is the key numbering of the loaded trace the cache
	// will replay (trace.Trace.NumberKeys; for a stream, see UseKeys): the cache then finds each
	// request's entry by its Request.Ref, a slice lookup, instead of
	// hashing its key, with the same results. Every request it is given
	// must carry the Ref of that numbering or none (0); a key the
	// numbering lacks is hashed.
	Keys *trace.KeyRefs
}

// Info describes a registered policy: what it is, what it can do, its
// parameters and its constructor.
type Info struct {
	// Name is the policy's name in a spec.
	Name string
	// Summary describes the policy in one sentence for listings.
	Summary string
	// Traits are the capabilities the policy declares (TraceTime, Offline, …).
	Traits Traits
	// Params declare the policy's parameters, in the order listings show them.
	Params []Param
	// Check, if set, checks constraints between parameters once each has
	// passed its own.
	Check func(Values) error
	// New builds a cache; Config.Values holds every declared parameter.
	New func(Config) (Cache, error)
}

var registry = map[string]Info{}

// Register adds a policy; it panics on a duplicate name or an inconsistent
// parameter schema (programming errors).
func Register(info Info) {
	if _, dup := registry[info.Name]; dup {
		panic("policy: duplicate registration of " + info.Name)
	}
	if err := info.checkSchema(); err != nil {
		panic("policy " + info.Name + ": " + err.Error())
	}
	registry[info.Name] = info
}

// Names returns the registered policy names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the policy registered under name.
func Lookup(name string) (Info, bool) {
	info, ok := registry[name]
	return info, ok
}

// Spec is a parsed policy specification such as "lru" or "s3fifo(small=0.1)".
type Spec struct {
	// Name is the registered policy's name.
	Name string
	// Params are the parameters as given; the policy's schema supplies the
	// others' defaults.
	Params Params
	// Admission, if set, is the admission filter in front of the policy
	// ("lru+tinylfu"; see FilterInfo), its Name a registered filter's.
	Admission *Spec
}

// Traits returns the traits the spec's policy declares (none for an
// unregistered name), with those of its admission filter; a filtered
// policy's curve is no stack algorithm's (no ExactCurve).
func (s Spec) Traits() Traits {
	if s.Admission != nil {
		return (registry[s.Name].Traits | filters[s.Admission.Name].Traits) &^ ExactCurve
	}
	return registry[s.Name].Traits
}

// String renders the spec as it was written (parameters sorted).
func (s Spec) String() string {
	if s.Admission != nil {
		base := s
		base.Admission = nil
		return base.String() + "+" + s.Admission.String()
	}
	if len(s.Params) == 0 {
		return s.Name
	}
	keys := make([]string, 0, len(s.Params))
	for k := range s.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + s.Params[k]
	}
	return s.Name + "(" + strings.Join(parts, ",") + ")"
}

// Same reports whether s and o describe the same cache: the same policy
// and admission filter with the same parameter values, defaults included
// (lru and lru(), s3fifo(small=0.1) and s3fifo(small=0.10)). Specs that do
// not resolve compare as written.
func (s Spec) Same(o Spec) bool {
	if s.Name != o.Name || (s.Admission == nil) != (o.Admission == nil) {
		return false
	}
	if s.Admission != nil {
		f, ok := filters[s.Admission.Name]
		if !ok || s.Admission.Name != o.Admission.Name || !sameValues(f.resolve, s.Admission.Params, o.Admission.Params) {
			return false
		}
	}
	info, ok := registry[s.Name]
	if !ok {
		return s.String() == o.String()
	}
	return sameValues(info.resolve, s.Params, o.Params)
}

// sameValues reports whether a and b resolve to the same values; a and b
// that do not resolve are the same only as written.
func sameValues(resolve func(Params) (Values, error), a, b Params) bool {
	va, errA := resolve(a)
	vb, errB := resolve(b)
	if errA != nil || errB != nil {
		return maps.Equal(a, b)
	}
	return maps.Equal(va.m, vb.m)
}

// ParseSpec parses "name" or "name(k=v,…)", optionally followed by an
// admission filter, "+filter", "+filter:value" or "+filter(k=v,…)"; it
// checks that the names are registered and checks the parameters against
// their schemas, so that a bad parameter fails here, before any work, with
// the values it accepts.
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	if base, filter, ok := cutFilter(s); ok {
		spec, err := ParseSpec(base)
		if err == nil {
			spec.Admission, err = parseFilter(s, filter)
		}
		return spec, err
	}
	name, rest, hasParams := strings.Cut(s, "(")
	name = strings.ToLower(strings.TrimSpace(name))
	spec := Spec{Name: name}
	info, ok := registry[name]
	if !ok {
		return spec, fmt.Errorf("unknown policy %q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	if hasParams {
		params, err := parseParams(s, rest)
		if err != nil {
			return spec, err
		}
		spec.Params = params
	}
	_, err := info.resolve(spec.Params)
	return spec, err
}

// parseParams splits rest, the part of spec s after "(", into its
// key=value pairs.
func parseParams(s, rest string) (Params, error) {
	if !strings.HasSuffix(rest, ")") {
		return nil, fmt.Errorf("policy %q: missing ')' (form: name(key=value,…))", s)
	}
	params := Params{}
	for _, kv := range strings.Split(strings.TrimSuffix(rest, ")"), ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("policy %q: parameter %q is not key=value", s, kv)
		}
		if _, dup := params[k]; dup {
			return nil, fmt.Errorf("policy %q: parameter %s given twice", s, k)
		}
		params[k] = strings.TrimSpace(v)
	}
	return params, nil
}

// cutFilter splits s at its first '+' outside parentheses.
func cutFilter(s string) (base, filter string, ok bool) {
	depth := 0
	for i := range len(s) {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case '+':
			if depth == 0 {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// SplitSpecs splits a comma-separated list of specs, keeping commas inside parentheses.
func SplitSpecs(list string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range list {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, list[start:i])
				start = i + 1
			}
		}
	}
	out = append(out, list[start:])
	res := out[:0]
	for _, s := range out {
		if strings.TrimSpace(s) != "" {
			res = append(res, strings.TrimSpace(s))
		}
	}
	return res
}

// New builds the cache a spec names, its parameters checked against the
// policy's schema (a Spec need not come from ParseSpec).
func New(spec Spec, cfg Config) (Cache, error) {
	if spec.Admission != nil {
		base := spec
		base.Admission = nil
		c, err := New(base, cfg)
		if err != nil {
			return nil, err
		}
		return newFiltered(c, spec.Admission, cfg)
	}
	info, ok := registry[spec.Name]
	if !ok {
		return nil, fmt.Errorf("unknown policy %q (valid: %s)", spec.Name, strings.Join(Names(), ", "))
	}
	if cfg.Capacity < 0 {
		return nil, fmt.Errorf("%s: negative capacity %d", spec.Name, cfg.Capacity)
	}
	values, err := info.resolve(spec.Params)
	if err != nil {
		return nil, err
	}
	cfg.Values = values
	c, err := info.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", spec.Name, err)
	}
	if n, ok := c.(numberer); ok && cfg.Keys != nil {
		n.useRefs(cfg.Keys)
	}
	if r, ok := c.(reserver); ok && cfg.SizeHint > 0 {
		r.reserve(cfg.SizeHint)
	}
	return c, nil
}

// UseKeys makes c, an empty cache, find its entries by the key numbers of
// k as Config.Keys does, for a stream numbered as it is read
// (trace.NewKeyRefs): every request c is given must then carry its Ref in
// k. It reports whether c indexes by number; a cache that does not (an
// admission filter's wrapper, a cache not built on the shared store)
// hashes every key as before. The results are the same either way.
func UseKeys(c Cache, k *trace.KeyRefs) bool {
	n, ok := c.(numberer)
	if ok {
		n.useRefs(k)
	}
	return ok
}
