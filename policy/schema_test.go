package policy

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// Every registered policy declares a consistent schema: documented,
// uniquely named parameters whose defaults lie in their declared ranges or
// choices (checked here with strconv, not with the schema's own parser);
// the defaults written out in a spec build the cache, and a value just
// outside a range, an unknown choice or an unknown parameter is refused by
// ParseSpec with what the parameter accepts. No string names a flag.
func TestSchemas(t *testing.T) {
	for _, name := range Names() {
		info, _ := Lookup(name)
		t.Run(name, func(t *testing.T) {
			if strings.TrimSpace(info.Summary) == "" {
				t.Error("no summary")
			}
			if strings.Contains(info.Summary, "--") {
				t.Errorf("summary names a flag: %s", info.Summary)
			}
			var defaults []string
			seen := map[string]bool{}
			for _, p := range info.Params {
				if p.Name == "" || seen[p.Name] {
					t.Errorf("parameter name %q empty or repeated", p.Name)
				}
				seen[p.Name] = true
				if strings.TrimSpace(p.Help) == "" || strings.Contains(p.Help, "--") {
					t.Errorf("%s: help %q is empty or names a flag", p.Name, p.Help)
				}
				checkDefault(t, p)
				defaults = append(defaults, p.Name+"="+p.Default)
				for _, bad := range outside(p) {
					_, err := ParseSpec(name + "(" + p.Name + "=" + bad + ")")
					if err == nil || !strings.Contains(err.Error(), p.Accepts()) {
						t.Errorf("%s=%s: error %v, want one saying %q", p.Name, bad, err, p.Accepts())
					}
				}
			}
			spec, err := ParseSpec(name + "(" + strings.Join(defaults, ",") + ")")
			if err != nil {
				t.Fatalf("the defaults written out: %v", err)
			}
			if _, err := New(spec, Config{Capacity: 1 << 20}); err != nil {
				t.Errorf("the defaults written out: %v", err)
			}
			if _, err := ParseSpec(name + "(no-such-parameter=1)"); err == nil ||
				!strings.Contains(err.Error(), `no parameter "no-such-parameter"`) {
				t.Errorf("unknown parameter: error %v", err)
			}
		})
	}
}

// checkDefault checks that p's default is a value of its kind within its
// range or choices.
func checkDefault(t *testing.T, p Param) {
	t.Helper()
	var f float64
	var err error
	switch p.kind {
	case kindInt, kindBytes:
		var n int64
		n, err = strconv.ParseInt(p.Default, 10, 64)
		f = float64(n)
	case kindFloat, kindFraction:
		f, err = strconv.ParseFloat(p.Default, 64)
	case kindBool:
		_, err = strconv.ParseBool(p.Default)
	case kindEnum:
		if !slices.Contains(p.choices, p.Default) {
			t.Errorf("%s: default %q is not one of %q", p.Name, p.Default, p.choices)
		}
	default:
		t.Errorf("%s: unknown kind %d", p.Name, p.kind)
	}
	if err != nil {
		t.Errorf("%s: default %q is not a valid %s: %v", p.Name, p.Default, p.kind, err)
	}
	numeric := p.kind == kindInt || p.kind == kindFloat || p.kind == kindFraction || p.kind == kindBytes
	if numeric && !(p.min <= f && f <= p.max) || (p.openMin && f == p.min) || (p.openMax && f == p.max) {
		t.Errorf("%s: default %s outside %g to %g", p.Name, p.Default, p.min, p.max)
	}
	if p.kind == kindFraction && (p.min < 0 || p.max > 1) {
		t.Errorf("%s: a fraction from %g to %g", p.Name, p.min, p.max)
	}
}

// outside returns values p must refuse: just beyond each end of its range,
// or no boolean, or no choice.
func outside(p Param) []string {
	switch p.kind {
	case kindInt, kindBytes:
		below, above := int64(p.min)-1, int64(p.max)+1
		if p.openMin {
			below++
		}
		if p.openMax {
			above--
		}
		return []string{strconv.FormatInt(below, 10), strconv.FormatInt(above, 10), "1.5", "x"}
	case kindFloat, kindFraction:
		below, above := math.Nextafter(p.min, math.Inf(-1)), math.Nextafter(p.max, math.Inf(1))
		if p.openMin {
			below = p.min
		}
		if p.openMax {
			above = p.max
		}
		return []string{strconv.FormatFloat(below, 'g', -1, 64), strconv.FormatFloat(above, 'g', -1, 64), "x"}
	case kindBool:
		return []string{"maybe"}
	}
	return []string{"no-such-choice"}
}

// Register refuses an inconsistent schema, so a policy that declares one
// fails at start-up rather than when a user first asks for it.
func TestCheckSchemaRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		param Param
	}{
		{"default above the range", IntParam("n", 65, 1, 64, "a count")},
		{"default below the range", FloatParam("x", -0.5, 0, 10, "a share")},
		{"default not a number", Param{Name: "x", kind: kindFloat, Default: "lots", max: 1, Help: "a share"}},
		{"fraction default above 1", FractionParam("f", 1.5, "a share")},
		{"empty range", IntParam("n", 1, 2, 1, "a count")},
		{"default at an open bound", FractionParam("f", 0, "a share").AboveMin()},
		{"empty open range", FloatParam("x", 1, 1, 1, "a share").BelowMax()},
		{"no help", BoolParam("b", false, " ")},
		{"enum default not a choice", EnumParam("e", "c", []string{"a", "b"}, "a choice")},
		{"enum without choices", EnumParam("e", "", nil, "a choice")},
		{"name with a comma", IntParam("a,b", 1, 0, 2, "a count")},
		{"unknown kind", Param{Name: "k", Default: "1", Help: "a thing"}},
	} {
		info := Info{Name: "bad", Params: []Param{tc.param}}
		if err := info.checkSchema(); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	dup := Info{Name: "dup", Params: []Param{IntParam("n", 1, 0, 2, "a"), IntParam("n", 1, 0, 2, "b")}}
	if err := dup.checkSchema(); err == nil {
		t.Error("a parameter declared twice was accepted")
	}
	defer func() {
		if recover() == nil {
			t.Error("Register accepted a default outside its range")
		}
	}()
	Register(Info{Name: "bad-schema", Params: []Param{IntParam("n", 65, 1, 64, "a count")}})
}

// Values hand constructors typed values with the defaults filled in, and
// a parameter given in the spec wins over its default.
func TestValuesFillDefaults(t *testing.T) {
	info, _ := Lookup("s3fifo")
	v, err := info.resolve(Params{"ghost": "2.5"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Float("small") != 0.1 || v.Float("ghost") != 2.5 || v.Int("threshold") != 2 {
		t.Errorf("small %g ghost %g threshold %d, want 0.1 (default), 2.5 (given), 2 (default)",
			v.Float("small"), v.Float("ghost"), v.Int("threshold"))
	}
	info, _ = Lookup("belady-size")
	if v, _ := info.resolve(nil); v.Enum("score") != "size" || v.Int("samples") != 128 {
		t.Errorf("belady-size defaults: score %s samples %d, want size and 128", v.Enum("score"), v.Int("samples"))
	}
	defer func() {
		if recover() == nil {
			t.Error("reading an undeclared parameter did not panic")
		}
	}()
	v.Int("small-typo")
}

// The bounds of a range print as a person would write them.
func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		p    Param
		want string
	}{
		{IntParam("n", 5, 1, 64, "h"), "an integer from 1 to 64"},
		{IntParam("n", 5, 1, 1<<20, "h"), "an integer from 1 to 2^20"},
		{FloatParam("x", 10, 0, 1e9, "h"), "a number from 0 to 1e9"},
		{FloatParam("x", 1.25, 1.01, 4, "h"), "a number from 1.01 to 4"},
		{FractionParam("f", 0.1, "h"), "a fraction from 0 to 1"},
		{FractionParam("f", 0.1, "h").AboveMin(), "a fraction above 0 and at most 1"},
		{FractionParam("f", 0.1, "h").BelowMax(), "a fraction from 0 to below 1"},
		{FloatParam("x", 1, 0, 2, "h").AboveMin().BelowMax(), "a number above 0 and below 2"},
		{BoolParam("b", true, "h"), "true or false"},
		{EnumParam("e", "size", []string{"size", "distance"}, "h"), "one of size, distance"},
	} {
		if got := tc.p.Accepts(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestTraitsString(t *testing.T) {
	for _, tc := range []struct {
		t    Traits
		want string
	}{
		{0, "none"},
		{ExactCurve, "exact-curve"},
		{Expiry | TraceTime, "trace-time, expiry"},
		{Offline | SizeAware | Randomised, "offline, size-aware, randomised"},
	} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("%d: %q, want %q", tc.t, got, tc.want)
		}
	}
	if (TraceTime | Expiry).Has(TraceTime|Offline) || !(TraceTime | Expiry).Has(Expiry) {
		t.Error("Has must ask for every trait given")
	}
	for _, tr := range AllTraits() {
		if tr.Help() == "" || tr.Help() == tr.String() {
			t.Errorf("%s has no help", tr)
		}
	}
}

// Parameters at the limit that leaves a cache unable to hit are refused:
// on sprite at 5,000 objects lirs(hir=1), qdlp(small=0), s3fifo-v0(small=0)
// and clockpro(cold=0) hit nothing where LRU hits 94.7%. Just inside the
// limit they hit (checked on a loop that fits).
func TestParamsThatNeverHitAreRefused(t *testing.T) {
	for _, c := range []struct{ bad, good, want string }{
		{"lirs(hir=1)", "lirs(hir=0.99)", "a fraction from 0 to below 1"},
		{"qdlp(small=0)", "qdlp(small=0.01)", "a fraction above 0 and at most 1"},
		{"s3fifo-v0(small=0)", "s3fifo-v0(small=0.01)", "a fraction above 0 and at most 1"},
		{"clockpro(cold=0)", "clockpro(cold=0.01)", "a fraction above 0 and at most 1"},
	} {
		if _, err := ParseSpec(c.bad); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.bad, err, c.want)
		}
		spec, err := ParseSpec(c.good)
		if err != nil {
			t.Fatalf("%s: %v", c.good, err)
		}
		cache, err := New(spec, Config{Capacity: 1000})
		if err != nil {
			t.Fatal(err)
		}
		hits := 0
		for i := 0; i < 5000; i++ {
			if cache.Access(&trace.Request{Key: uint64(i % 5), Size: 1}) {
				hits++
			}
		}
		if hits == 0 {
			t.Errorf("%s: no hit on 5 keys in 1,000 slots", c.good)
		}
	}
}
