package workload

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
)

// Param documents one workload parameter.
type Param struct {
	Name    string
	Default string // as written in a spec; "" when the parameter is required
	Help    string
}

// Kind is one generator kind: its name, a summary, its own parameters and
// the parameters shared by every kind whose defaults it overrides.
type Kind struct {
	Name    string
	Summary string
	// Params are the kind's own parameters; one named like a common
	// parameter replaces it (bursty's rate has its own default).
	Params []Param
	// source checks the parameters and returns a constructor of the key
	// source, run once per Reader (tables are built there, not at Parse).
	source func(p *params) newSource
	// prompts, for a kind whose requests are LLM prompts (prefix.go)
	// instead of keys, checks and returns its parameters.
	prompts func(p *params) *promptParams
}

// newSource builds a key source from a seed.
type newSource func(seed uint64) source

// Common are the parameters every top-level workload accepts (not the
// components of a mix, which take them from the mix).
var Common = []Param{
	{"requests", "1e6", "number of requests"},
	{"seed", "42", "random seed: the same seed gives the same stream, byte for byte"},
	{"rate", "0", "mean request rate in requests/s of a Poisson arrival process; 0 gives no timestamps"},
	{"size", "1", "object size in bytes, fixed per key: N, constant:N, uniform:MIN:MAX, lognormal:MU:SIGMA (of ln bytes; median e^MU) or pareto:XM:ALPHA (minimum XM, shape ALPHA)"},
	{"ttl", "0", "time to live in seconds carried by every request; 0 for none"},
	{"write", "0", "fraction of requests that are writes (set) instead of reads (get)"},
}

// Kinds lists the generator kinds; see Help for their parameters.
func Kinds() []Kind { return kinds }

var kinds []Kind

func init() {
	kinds = []Kind{
		{Name: "zipf", Summary: "key k of 1…keys requested with probability proportional to 1/k^alpha (any alpha > 0)",
			Params: []Param{pKeys, pAlpha}, source: zipfSource},
		{Name: "uniform", Summary: "keys 1…keys, all equally likely",
			Params: []Param{pKeys}, source: uniformSource},
		{Name: "bursty", Summary: "Zipf background traffic interrupted by bursts (an ON/OFF Markov-modulated Poisson process): during a burst the request rate is multiplied by burst-factor and hot-share of the requests go to a hot set of hot keys drawn anew for each burst",
			Params: []Param{pKeys, pAlpha,
				{"hot", "100", "size of the hot key set of a burst"},
				{"hot-share", "0.9", "fraction of the requests during a burst that go to the hot set"},
				{"burst-every", "60", "mean time in seconds between bursts (exponential)"},
				{"burst-len", "10", "mean burst length in seconds (exponential)"},
				{"burst-factor", "10", "request rate during a burst as a multiple of rate"},
				{"rate", "1000", "mean request rate outside bursts, requests/s (in a mix, of the component's own clock)"},
			}, source: burstySource},
		{Name: "drifting", Summary: "Zipf whose ranking drifts: new keys keep entering at the top and old ones fade (feeds, news, trends); the key of rank r after request i is keys+1-r+floor(i*drift)",
			Params: []Param{pKeys, pAlpha,
				{"drift", "0.01", "new keys entering the top per request (0: a static ranking)"},
			}, source: driftingSource},
		{Name: "scan", Summary: "sequential scans of length consecutive keys, each from a random position of the range start…start+keys-1 (wrapping); mixed into another workload it is the classic LRU killer",
			Params: []Param{{"keys", "1e6", "number of keys in the scanned range"}, pStart,
				{"length", "1000", "keys per scan"},
			}, source: scanSource},
		{Name: "loop", Summary: "keys start…start+keys-1 requested in order, over and over",
			Params: []Param{{"keys", "1000", "number of keys in the loop"}, pStart}, source: loopSource},
		{Name: "mix", Summary: "a weighted mixture: each request comes from component i with probability weight_i/sum of weights, e.g. mix:0.8*zipf(alpha=0.9)+0.2*scan(length=1e4); components take their own parameters in parentheses, the mix takes the common ones; a component's state (scan position, drift, bursts) advances with its own requests only",
			Params: []Param{
				{"of", "", "the components, W*KIND(k=v,…)+W*KIND(…)…; a weight W left out is 1 (of= itself may be left out)"},
				{"disjoint", "true", "give component i (from 0) keys offset by i×10^12 so components never share keys; false shares them"},
				{"tenants", "false", "make each component a tenant of its own, named by its kind (zipf, or zipf#1, zipf#2 for several): models sharing one cache"},
			}, source: mixSource},
		prefixKind,
		batchKind(),
	}
}

var (
	pKeys  = Param{"keys", "1e6", "number of distinct keys"}
	pAlpha = Param{"alpha", "1", "Zipf exponent, > 0 (below 1 is fine)"}
	pStart = Param{"start", "1", "first key of the range"}
)

// ParamNames returns the name of every parameter of any kind, common ones first.
func ParamNames() []string {
	var names []string
	for _, p := range Common {
		names = append(names, p.Name)
	}
	for _, k := range kinds {
		for _, p := range k.Params {
			if !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
		}
	}
	return names
}

// KindNames returns the names of the kinds.
func KindNames() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name
	}
	return names
}

func lookupKind(name string) (*Kind, bool) {
	for i := range kinds {
		if kinds[i].Name == name {
			return &kinds[i], true
		}
	}
	return nil, false
}

// Help writes every kind with its parameters and their defaults.
func Help(w io.Writer) {
	fmt.Fprintln(w, "Parameters of every kind (a mix takes them, its components do not):")
	for _, p := range Common {
		fmt.Fprintf(w, "  %-13s %s (default %s)\n", p.Name, p.Help, p.Default)
	}
	for _, k := range kinds {
		fmt.Fprintf(w, "\n%s: %s\n", k.Name, k.Summary)
		for _, p := range k.Params {
			def := "required"
			if p.Default != "" {
				def = "default " + p.Default
			}
			fmt.Fprintf(w, "  %-13s %s (%s)\n", p.Name, p.Help, def)
		}
	}
}

// IsSpec reports whether s has the form of a workload spec: a known kind
// followed by a colon ("zipf:alpha=0.9"), or a known kind alone.
func IsSpec(s string) bool {
	name, _, _ := strings.Cut(s, ":")
	_, ok := lookupKind(strings.ToLower(strings.TrimSpace(name)))
	return ok
}

// Workload is a parsed workload spec. It is immutable; every Reader replays
// the same stream from the start.
type Workload struct {
	kind   *Kind
	given  []kv // parameters as given, in documentation order
	common common
	src    newSource
	prompt *promptParams // a kind of prompts (prefix)
	// marks and tenants: the stream has multi-key requests and tenants.
	marks, tenants bool
}

type kv struct{ k, v string }

// common holds the parsed common parameters.
type common struct {
	requests int64
	seed     uint64
	rate     float64
	size     sizer
	ttl      uint32
	write    float64
}

// Parse parses a workload spec "KIND:key=value,key=value,…" (or "KIND" alone
// for all defaults). Numbers may use exponents (keys=1e6). Errors name the
// valid kinds or the valid parameters of the kind.
func Parse(spec string) (*Workload, error) {
	name, rest, _ := strings.Cut(strings.TrimSpace(spec), ":")
	name = strings.ToLower(strings.TrimSpace(name))
	k, ok := lookupKind(name)
	if !ok {
		return nil, fmt.Errorf("workload %q: unknown kind %q (valid: %s)", spec, name, strings.Join(KindNames(), ", "))
	}
	p, err := newParams(k, rest, true)
	if err != nil {
		return nil, fmt.Errorf("workload %q: %w", spec, err)
	}
	w := &Workload{kind: k, given: p.given()}
	if k.prompts != nil {
		w.prompt = k.prompts(p)
	} else {
		w.src = k.source(p)
	}
	w.marks, w.tenants = p.marks, p.tenants
	w.common = common{
		requests: p.count("requests"),
		seed:     uint64(p.count("seed")),
		rate:     p.nonNeg("rate"),
		size:     p.size("size"),
		ttl:      uint32(p.intIn("ttl", 0, math.MaxUint32)),
		write:    p.fraction("write"),
	}
	w.common.size.salt = trace.SpatialHash(w.common.seed ^ streamSizes)
	if err := p.finish(); err != nil {
		return nil, fmt.Errorf("workload %q: %w", spec, err)
	}
	return w, nil
}

// MustParse is Parse for specs known to be valid; it panics on an error.
func MustParse(spec string) *Workload {
	w, err := Parse(spec)
	if err != nil {
		panic(err)
	}
	return w
}

// String renders the workload as a spec: the kind, the parameters given, and
// always the request count and seed.
func (w *Workload) String() string {
	parts := make([]string, 0, len(w.given)+2)
	has := map[string]bool{}
	for _, g := range w.given {
		parts = append(parts, g.k+"="+g.v)
		has[g.k] = true
	}
	if !has["requests"] {
		parts = append(parts, "requests="+strconv.FormatInt(w.common.requests, 10))
	}
	if !has["seed"] {
		parts = append(parts, "seed="+strconv.FormatUint(w.common.seed, 10))
	}
	return w.kind.Name + ":" + strings.Join(parts, ",")
}

// Kind returns the workload's kind.
func (w *Workload) Kind() string { return w.kind.Name }

// Requests returns the number of requests the stream holds.
func (w *Workload) Requests() int64 { return w.common.requests }

// Fields reports the optional fields the stream fills.
func (w *Workload) Fields() trace.Fields {
	c := w.common
	if w.prompt != nil {
		return trace.Fields{Time: c.rate > 0, Marks: true, Tokens: true}
	}
	return trace.Fields{
		Time:   c.rate > 0,
		Size:   c.size.dist != nil || c.size.c != 1,
		TTL:    c.ttl > 0,
		Op:     c.write > 0,
		Marks:  w.marks,
		Tenant: w.tenants,
	}
}

// Reader returns a stream of the workload's requests from the start. It
// builds the sampling tables (for Zipf over up to a few million keys, up to
// 8 bytes per key), so it may take a moment for large key counts.
func (w *Workload) Reader() (trace.Reader, error) {
	c := w.common
	if w.prompt != nil {
		return newPromptStream(w.prompt, c, w.Fields())
	}
	src := w.src(c.seed)
	s := &stream{src: src, rng: newRand(c.seed, streamArrivals), left: c.requests,
		common: c, fields: w.Fields()}
	if b, ok := src.(batched); ok && w.marks {
		s.multi = b
	}
	if t, ok := src.(tenanted); ok && w.tenants {
		s.owned = t
	}
	if ck, ok := src.(clocked); ok {
		s.clock = ck
	} else if c.rate > 0 {
		s.gap = 1e9 / c.rate
	}
	return s, nil
}

// Override returns spec (a spec or a kind name) with the parameters in set
// ("key=value" each) added, replacing any of the same name.
func Override(spec string, set []string) string {
	kind, rest, _ := strings.Cut(spec, ":")
	replaced := map[string]bool{}
	for _, kv := range set {
		k, _, _ := strings.Cut(kv, "=")
		replaced[strings.TrimSpace(k)] = true
	}
	var keep []string
	for _, item := range splitTop(rest, ',') {
		k, _, _ := strings.Cut(item, "=")
		if strings.TrimSpace(item) != "" && !replaced[strings.TrimSpace(k)] {
			keep = append(keep, item)
		}
	}
	return kind + ":" + strings.Join(append(keep, set...), ",")
}

// params reads typed parameter values, with defaults from the Kind's
// documentation, and remembers the first error.
type params struct {
	kind   *Kind
	vals   map[string]string
	order  []string
	used   map[string]bool
	common bool // common parameters allowed
	err    error
	// marks and tenants say that the source makes multi-key requests and
	// gives tenants (set by the source constructors; batch.go).
	marks, tenants bool
}

func newParams(k *Kind, list string, common bool) (*params, error) {
	p := &params{kind: k, vals: map[string]string{}, used: map[string]bool{}, common: common}
	for _, item := range splitTop(list, ',') {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		if !ok || strings.ContainsAny(key, "(*+") {
			if k.Name == "mix" {
				key, val, ok = "of", item, true
			}
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok {
			return nil, fmt.Errorf("%q is not key=value (valid parameters of %s: %s)", item, k.Name, strings.Join(p.valid(), ", "))
		}
		if _, found := p.doc(key); !found {
			return nil, fmt.Errorf("unknown parameter %q for %s (valid: %s)", key, k.Name, strings.Join(p.valid(), ", "))
		}
		if _, dup := p.vals[key]; dup {
			return nil, fmt.Errorf("parameter %q given twice", key)
		}
		p.vals[key] = strings.TrimSpace(val)
		p.order = append(p.order, key)
	}
	return p, nil
}

// valid lists the parameters this kind accepts here.
func (p *params) valid() []string {
	var names []string
	for _, q := range p.kind.Params {
		names = append(names, q.Name)
	}
	if p.common {
		for _, q := range Common {
			if !slices.Contains(names, q.Name) {
				names = append(names, q.Name)
			}
		}
	}
	return names
}

// doc returns the documented default of a parameter.
func (p *params) doc(name string) (def string, ok bool) {
	for _, q := range p.kind.Params {
		if q.Name == name {
			return q.Default, true
		}
	}
	if !p.common {
		return "", false
	}
	for _, q := range Common {
		if q.Name == name {
			return q.Default, true
		}
	}
	return "", false
}

// given returns the parameters as given, kind parameters first, in
// documentation order.
func (p *params) given() []kv {
	var out []kv
	for _, name := range p.valid() {
		if v, ok := p.vals[name]; ok {
			out = append(out, kv{name, v})
		}
	}
	return out
}

// raw returns the text of a parameter, or its default.
func (p *params) raw(name string) string {
	p.used[name] = true
	if v, ok := p.vals[name]; ok {
		return v
	}
	def, ok := p.doc(name)
	if !ok {
		panic("workload: undocumented parameter " + name) // a programming error
	}
	if def == "" && p.err == nil {
		p.err = fmt.Errorf("%s needs %s=… (see %s in the parameter list)", p.kind.Name, name, name)
	}
	return def
}

func (p *params) fail(name, v, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("parameter %s=%q: expected %s", name, v, want)
	}
}

func (p *params) float(name string) float64 {
	v := p.raw(name)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		if v != "" {
			p.fail(name, v, "a number")
		}
		return 0
	}
	return f
}

// intIn reads a whole number in [lo, hi]; exponents are fine ("1e6").
func (p *params) intIn(name string, lo, hi int64) int64 {
	f := p.float(name)
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		p.fail(name, p.raw(name), fmt.Sprintf("a whole number from %d to %d", lo, hi))
		return lo
	}
	return int64(f)
}

func (p *params) count(name string) int64 { return p.intIn(name, 0, 1<<62) }

// keys reads a positive key count.
func (p *params) keys(name string) uint64 { return uint64(p.intIn(name, 1, 1<<62)) }

func (p *params) positive(name string) float64 {
	f := p.float(name)
	if !(f > 0) {
		p.fail(name, p.raw(name), "a number > 0")
		return 1
	}
	return f
}

func (p *params) nonNeg(name string) float64 {
	f := p.float(name)
	if f < 0 {
		p.fail(name, p.raw(name), "a number >= 0")
		return 0
	}
	return f
}

func (p *params) fraction(name string) float64 {
	f := p.float(name)
	if f < 0 || f > 1 {
		p.fail(name, p.raw(name), "a fraction from 0 to 1")
		return 0
	}
	return f
}

func (p *params) boolean(name string) bool {
	v := p.raw(name)
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, v, "true or false")
	}
	return b
}

// finish reports the first error, or a parameter no one read (a bug).
func (p *params) finish() error {
	if p.err != nil {
		return p.err
	}
	for _, k := range p.order {
		if !p.used[k] {
			return fmt.Errorf("parameter %q is not used by %s", k, p.kind.Name)
		}
	}
	return nil
}

// splitTop splits s at sep outside parentheses.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
