package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is what every constructor receives.
type Config struct {
	// Capacity is the cache size in objects or bytes.
	Capacity int64
	// TTL is the time to live of entries whose request carries none (policies with expiry); 0 means never.
	TTL time.Duration
	// Seed seeds policies that make random choices.
	Seed uint64
	// Params are the policy's own parameters, from "name(k=v,…)".
	Params Params
	// SizeHint, when known, is the most objects the cache will hold (its
	// capacity in object mode, bounded by the trace); the tables are sized
	// for it up front instead of growing, which saves time and memory.
	SizeHint int
}

// Params are a policy's named parameters.
type Params map[string]string

// Float returns parameter k as a float64, or def when absent.
func (p Params) Float(k string, def float64) (float64, error) {
	v, ok := p[k]
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("parameter %s=%q: expected a number", k, v)
	}
	return f, nil
}

// Info describes a registered policy.
type Info struct {
	Name string
	// Summary is one line for `cachesim policies`.
	Summary string
	// Params documents the accepted parameters, "name=default: meaning" each.
	Params []string
	// New builds a cache.
	New func(Config) (Cache, error)
}

var registry = map[string]Info{}

// Register adds a policy; it panics on a duplicate name (a programming error).
func Register(info Info) {
	if _, dup := registry[info.Name]; dup {
		panic("policy: duplicate registration of " + info.Name)
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
	Name   string
	Params Params
}

// String renders the spec as it was written (parameters sorted).
func (s Spec) String() string {
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

// ParseSpec parses "name" or "name(k=v,…)" and checks that the name is registered.
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	name, rest, hasParams := strings.Cut(s, "(")
	name = strings.ToLower(strings.TrimSpace(name))
	spec := Spec{Name: name}
	if _, ok := registry[name]; !ok {
		return spec, fmt.Errorf("unknown policy %q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	if !hasParams {
		return spec, nil
	}
	if !strings.HasSuffix(rest, ")") {
		return spec, fmt.Errorf("policy %q: missing ')' (form: name(key=value,…))", s)
	}
	spec.Params = Params{}
	for _, kv := range strings.Split(strings.TrimSuffix(rest, ")"), ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return spec, fmt.Errorf("policy %q: parameter %q is not key=value", s, kv)
		}
		spec.Params[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return spec, nil
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

// New builds the cache a spec names.
func New(spec Spec, cfg Config) (Cache, error) {
	info, ok := registry[spec.Name]
	if !ok {
		return nil, fmt.Errorf("unknown policy %q (valid: %s)", spec.Name, strings.Join(Names(), ", "))
	}
	if cfg.Capacity < 0 {
		return nil, fmt.Errorf("%s: negative capacity %d", spec.Name, cfg.Capacity)
	}
	known := map[string]bool{}
	for _, p := range info.Params {
		k, _, _ := strings.Cut(p, "=")
		known[k] = true
	}
	for k := range spec.Params {
		if !known[k] {
			return nil, fmt.Errorf("policy %s has no parameter %q (see `cachesim policies`)", spec.Name, k)
		}
	}
	cfg.Params = spec.Params
	c, err := info.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", spec.Name, err)
	}
	if r, ok := c.(reserver); ok && cfg.SizeHint > 0 {
		r.reserve(cfg.SizeHint)
	}
	return c, nil
}
