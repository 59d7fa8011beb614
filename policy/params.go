package policy

import (
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// kind is the type of a parameter's values.
type kind uint8

// The kinds of parameters.
const (
	// kindInt is an integer from Param.min to Param.max.
	kindInt kind = iota + 1
	// kindFloat is a number from Param.min to Param.max.
	kindFloat
	// kindFraction is a share of something, a number from 0 to 1.
	kindFraction
	// kindBool is true or false.
	kindBool
	// kindEnum is one of Param.choices.
	kindEnum
	// kindBytes is a size in bytes from Param.min to Param.max, written
	// with an optional binary unit: 1MiB, 64K (K, KB and KiB are all 1024).
	kindBytes
)

// String names the kind: int, float, fraction, bool or enum.
func (k kind) String() string {
	switch k {
	case kindInt:
		return "int"
	case kindFloat:
		return "float"
	case kindFraction:
		return "fraction"
	case kindBool:
		return "bool"
	case kindEnum:
		return "enum"
	case kindBytes:
		return "bytes"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Param declares one parameter of a policy: the schema that checks a spec's
// value, fills in the default and documents it. Build one with IntParam,
// FloatParam, FractionParam, BoolParam, BytesParam or EnumParam; Accepts
// says which values it takes.
type Param struct {
	// Name is the key in a spec, as in "s3fifo(small=0.2)".
	Name string
	// Default is the value when a spec gives none, written as in a spec.
	Default string
	// Help says what the parameter does, in one line.
	Help string

	kind kind // the type of the values
	// min and max bound the values of kindInt, kindFloat, kindFraction and
	// kindBytes, inclusive unless openMin or openMax excludes the bound
	// itself (a share that must be above 0 or below 1: AboveMin, BelowMax).
	min, max         float64
	openMin, openMax bool
	choices          []string // the values of a kindEnum
}

// IntParam declares an integer parameter from lo to hi, def by default.
func IntParam(name string, def, lo, hi int64, help string) Param {
	return Param{Name: name, kind: kindInt, Default: strconv.FormatInt(def, 10), min: float64(lo), max: float64(hi), Help: help}
}

// FloatParam declares a number parameter from lo to hi, def by default.
func FloatParam(name string, def, lo, hi float64, help string) Param {
	return Param{Name: name, kind: kindFloat, Default: formatNumber(def), min: lo, max: hi, Help: help}
}

// FractionParam declares a share from 0 to 1, def by default.
func FractionParam(name string, def float64, help string) Param {
	return Param{Name: name, kind: kindFraction, Default: formatNumber(def), min: 0, max: 1, Help: help}
}

// BoolParam declares a true-or-false parameter, def by default.
func BoolParam(name string, def bool, help string) Param {
	return Param{Name: name, kind: kindBool, Default: strconv.FormatBool(def), Help: help}
}

// BytesParam declares a size in bytes from lo to hi, def by default.
func BytesParam(name string, def, lo, hi int64, help string) Param {
	return Param{Name: name, kind: kindBytes, Default: strconv.FormatInt(def, 10), min: float64(lo), max: float64(hi), Help: help}
}

// AboveMin returns p refusing its lower bound itself: "small=0" when a
// queue of no capacity would admit nothing.
func (p Param) AboveMin() Param { p.openMin = true; return p }

// BelowMax returns p refusing its upper bound itself: "hir=1" when the
// rest of the cache would have no capacity.
func (p Param) BelowMax() Param { p.openMax = true; return p }

// inRange reports whether f lies within p's bounds.
func (p Param) inRange(f float64) bool {
	return (f > p.min || (!p.openMin && f == p.min)) && (f < p.max || (!p.openMax && f == p.max))
}

// EnumParam declares a parameter whose value is one of choices, def by default.
func EnumParam(name, def string, choices []string, help string) Param {
	return Param{Name: name, kind: kindEnum, Default: def, choices: choices, Help: help}
}

// Accepts says which values p accepts, as in "an integer from 1 to 64" or
// "an integer from 1 to 2^20".
func (p Param) Accepts() string {
	lo, hi := formatBound(p.min), formatBound(p.max)
	between := "from " + lo + " to " + hi
	switch {
	case p.openMin && p.openMax:
		between = "above " + lo + " and below " + hi
	case p.openMin:
		between = "above " + lo + " and at most " + hi
	case p.openMax:
		between = "from " + lo + " to below " + hi
	}
	switch p.kind {
	case kindInt:
		return "an integer " + between
	case kindFloat:
		return "a number " + between
	case kindFraction:
		return "a fraction " + between
	case kindBool:
		return "true or false"
	case kindEnum:
		return "one of " + strings.Join(p.choices, ", ")
	case kindBytes:
		return "a size " + between + " bytes (units B, KiB/MiB/GiB/TiB; KB/MB/GB/TB and K/M/G/T as the same)"
	}
	return "nothing (parameter of unknown kind)"
}

// parse checks the value s of p and returns it typed: an int64 (Int and
// Bytes), a float64 (Float and Fraction), a bool or a string (Enum).
func (p Param) parse(s string) (any, error) {
	bad := fmt.Errorf("parameter %s=%s: expected %s", p.Name, s, p.Accepts())
	switch p.kind {
	case kindInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || !p.inRange(float64(n)) {
			return nil, bad
		}
		return n, nil
	case kindFloat, kindFraction:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || !p.inRange(f) {
			return nil, bad
		}
		return f, nil
	case kindBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, bad
		}
		return b, nil
	case kindEnum:
		for _, c := range p.choices {
			if s == c {
				return s, nil
			}
		}
	case kindBytes:
		n, ok := parseBytes(s)
		if !ok || !p.inRange(float64(n)) {
			return nil, bad
		}
		return n, nil
	}
	return nil, bad
}

// byteUnits are the binary units a Bytes value may carry, lower case.
var byteUnits = map[string]int64{"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
	"mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40}

// parseBytes reads a whole number of bytes, "4096" or "1.5MiB".
func parseBytes(s string) (int64, bool) {
	num := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	mult, ok := byteUnits[strings.ToLower(s[len(num):])]
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	f *= float64(mult)
	if !ok || err != nil || f < 0 || f > 1<<62 || f != math.Trunc(f) {
		return 0, false
	}
	return int64(f), true
}

// formatNumber writes f as a spec would: integers without exponent or
// decimal point (1048576, 1000000000), others as short as possible (0.01).
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// formatBound writes a range's bound f for people: a power of two from 2^10
// as 2^n, a power of ten from 10^6 as 1en, others as formatNumber does.
func formatBound(f float64) string {
	if f >= 1024 && f < 1<<62 {
		if n := int64(f); float64(n) == f && n&(n-1) == 0 {
			return fmt.Sprintf("2^%d", bits.TrailingZeros64(uint64(n)))
		}
	}
	if e := math.Log10(f); f >= 1e6 && e == math.Trunc(e) && math.Pow(10, e) == f {
		return fmt.Sprintf("1e%d", int(e))
	}
	return formatNumber(f)
}

// Params are a spec's parameters as written, "name(k=v,…)": the keys and
// values before they are checked against the policy's schema.
type Params map[string]string

// Values are a policy's parameters checked against its schema, with the
// defaults filled in: every declared parameter has a value, of the kind its
// Param declares. Reading a parameter the policy does not declare, or as
// another kind, is a programming error and panics.
type Values struct {
	m map[string]any
}

// Int returns the value of the parameter name, an IntParam or BytesParam.
func (v Values) Int(name string) int64 { return value[int64](v, name) }

// Float returns the value of the parameter name, a FloatParam or
// FractionParam.
func (v Values) Float(name string) float64 { return value[float64](v, name) }

// Bool returns the value of the parameter name, a BoolParam.
func (v Values) Bool(name string) bool { return value[bool](v, name) }

// Enum returns the value of the parameter name, an EnumParam.
func (v Values) Enum(name string) string { return value[string](v, name) }

func value[T any](v Values, name string) T {
	x, ok := v.m[name].(T)
	if !ok {
		panic(fmt.Sprintf("policy: parameter %s is not declared, or not as a %T", name, x))
	}
	return x
}

// resolve checks given against the schema of info and returns the values
// of every declared parameter, defaults filled in.
func (info *Info) resolve(given Params) (Values, error) {
	for _, k := range slices.Sorted(maps.Keys(given)) {
		if info.param(k) == nil {
			return Values{}, fmt.Errorf("policy %s has no parameter %q (%s)", info.Name, k, info.paramNames())
		}
	}
	v := Values{m: make(map[string]any, len(info.Params))}
	for _, p := range info.Params {
		s, ok := given[p.Name]
		if !ok {
			s = p.Default
		}
		x, err := p.parse(s)
		if err != nil {
			return Values{}, fmt.Errorf("policy %s: %w", info.Name, err)
		}
		v.m[p.Name] = x
	}
	if info.Check != nil {
		if err := info.Check(v); err != nil {
			return Values{}, fmt.Errorf("policy %s: %w", info.Name, err)
		}
	}
	return v, nil
}

// param returns the declaration of parameter name, or nil.
func (info *Info) param(name string) *Param {
	for i := range info.Params {
		if info.Params[i].Name == name {
			return &info.Params[i]
		}
	}
	return nil
}

// paramNames lists the parameters of info for an error message.
func (info *Info) paramNames() string {
	if len(info.Params) == 0 {
		return "it takes none"
	}
	names := make([]string, len(info.Params))
	for i, p := range info.Params {
		names[i] = p.Name
	}
	return "valid: " + strings.Join(names, ", ")
}

// checkSchema reports the first inconsistency in the declared parameters:
// a duplicate or empty name, empty help, an empty range or no choices, or a
// default the parameter itself refuses.
func (info *Info) checkSchema() error {
	seen := map[string]bool{}
	for _, p := range info.Params {
		switch {
		case p.Name == "" || strings.ContainsAny(p.Name, "=,() "):
			return fmt.Errorf("parameter name %q is empty or holds one of =,() or a space", p.Name)
		case seen[p.Name]:
			return fmt.Errorf("parameter %s declared twice", p.Name)
		case strings.TrimSpace(p.Help) == "":
			return fmt.Errorf("parameter %s has no help", p.Name)
		case (p.kind == kindInt || p.kind == kindFloat || p.kind == kindFraction || p.kind == kindBytes) && !(p.min < p.max || (p.min == p.max && !p.openMin && !p.openMax)):
			return fmt.Errorf("parameter %s: empty range %g to %g", p.Name, p.min, p.max)
		case p.kind == kindEnum && len(p.choices) == 0:
			return fmt.Errorf("parameter %s: an enum without choices", p.Name)
		}
		if _, err := p.parse(p.Default); err != nil {
			return fmt.Errorf("default refused: %w", err)
		}
		seen[p.Name] = true
	}
	return nil
}
