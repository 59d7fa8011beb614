package sim

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces"
)

// SizeForms documents what ParseSizes accepts; errors quote it.
const SizeForms = `accepted forms: a list "100,1000,10000"; a range "start:stop:step" ("50:500:50");
log-spaced points "start:stop:log" (10 points) or "start:stop:logN" (N points);
sizes are object counts, or bytes when any carries a unit: B, KiB/MiB/GiB/TiB,
and KB/MB/GB/TB or K/M/G/T as the same binary units (as libCacheSim), e.g. "64KiB,16MiB,1GiB"`

// Sizes is a parsed list of cache sizes.
type Sizes struct {
	// Values are the sizes in ascending order, without duplicates.
	Values []int64
	// Bytes is true when the sizes are byte capacities (some value had a unit).
	Bytes bool
}

// DefaultLogPoints is the number of points of "start:stop:log".
const DefaultLogPoints = 10

var units = map[string]int64{
	"b": 1,
	"k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
}

// Unit is what a size counts: objects or bytes.
type Unit uint8

const (
	// Objects counts objects: every object has size 1.
	Objects Unit = iota
	// Bytes counts bytes: objects have their own sizes.
	Bytes
)

// UnitOf returns Bytes when bytes is set, else Objects.
func UnitOf(bytes bool) Unit {
	if bytes {
		return Bytes
	}
	return Objects
}

// String returns "objects" or "bytes".
func (u Unit) String() string {
	if u == Bytes {
		return "bytes"
	}
	return "objects"
}

// Size is a cache size: a number of objects or of bytes.
type Size struct {
	N    int64
	Unit Unit
}

// Bytes reports whether the size counts bytes.
func (s Size) Bytes() bool { return s.Unit == Bytes }

// String renders the size for people: a count as is, bytes in the largest
// binary unit that keeps it at or above 1 ("1.5 GiB").
func (s Size) String() string { return FormatSize(s.N, s.Bytes()) }

// MarshalText renders the size so that ParseSize reads it back: "1000",
// or bytes with their unit ("64MiB", "1000B").
func (s Size) MarshalText() ([]byte, error) {
	if !s.Bytes() {
		return []byte(strconv.FormatInt(s.N, 10)), nil
	}
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if s.N >= u.mult && s.N%u.mult == 0 {
			return []byte(strconv.FormatInt(s.N/u.mult, 10) + u.name), nil
		}
	}
	return []byte(strconv.FormatInt(s.N, 10) + "B"), nil
}

// UnmarshalText parses a size as ParseSize does.
func (s *Size) UnmarshalText(b []byte) error {
	v, err := ParseSize(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// ParseSize parses one size: an object count ("1000", "1e6"), or a byte
// size with a binary unit ("64KiB", "1.5GB").
func ParseSize(s string) (Size, error) {
	v, bytes, err := parseSize(s)
	return Size{N: v, Unit: UnitOf(bytes)}, err
}

// parseSize parses one size and reports whether a unit was given.
func parseSize(s string) (v int64, bytes bool, err error) {
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 && (s[i-1] >= 'a' && s[i-1] <= 'z' || s[i-1] >= 'A' && s[i-1] <= 'Z') {
		i--
	}
	num, unit := s[:i], strings.ToLower(s[i:])
	// "1e6" ends in a digit, so its e is part of the number.
	mult := int64(1)
	if unit != "" {
		m, ok := units[unit]
		if !ok {
			return 0, false, fmt.Errorf("size %q: unknown unit %q", s, s[i:])
		}
		mult, bytes = m, true
	}
	f, perr := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if perr != nil || num == "" {
		return 0, false, fmt.Errorf("size %q is not a number", s)
	}
	f *= float64(mult)
	if f < 0 || f > math.MaxInt64/2 || math.IsNaN(f) {
		return 0, false, fmt.Errorf("size %q is out of range", s)
	}
	if f != math.Trunc(f) {
		return 0, false, fmt.Errorf("size %q is not a whole number of %s", s, map[bool]string{true: "bytes", false: "objects"}[bytes])
	}
	return int64(f), bytes, nil
}

// ParseSizes parses a size list, range or log range (see SizeForms).
func ParseSizes(spec string) (Sizes, error) {
	var out Sizes
	fail := func(err error) (Sizes, error) {
		return Sizes{}, fmt.Errorf("%q: %v\n%s", spec, err, SizeForms)
	}
	if strings.TrimSpace(spec) == "" {
		return fail(fmt.Errorf("empty"))
	}
	units := map[bool]int{}
	add := func(s string) (int64, error) {
		v, b, err := parseSize(s)
		if err != nil {
			return 0, err
		}
		units[b]++
		return v, nil
	}
	for _, part := range strings.Split(spec, ",") {
		f := strings.Split(part, ":")
		switch len(f) {
		case 1:
			v, err := add(f[0])
			if err != nil {
				return fail(err)
			}
			out.Values = append(out.Values, v)
		case 3:
			lo, err := add(f[0])
			if err != nil {
				return fail(err)
			}
			hi, err := add(f[1])
			if err != nil {
				return fail(err)
			}
			if lo > hi {
				return fail(fmt.Errorf("range start %s is above its stop %s", f[0], f[1]))
			}
			step := strings.ToLower(strings.TrimSpace(f[2]))
			if strings.HasPrefix(step, "log") {
				n := DefaultLogPoints
				if rest := step[3:]; rest != "" {
					n, err = strconv.Atoi(rest)
					if err != nil || n < 2 {
						return fail(fmt.Errorf("%q: expected log or logN with N >= 2", f[2]))
					}
				}
				if lo <= 0 {
					return fail(fmt.Errorf("a log range must start above 0 (a cache of size 0 holds nothing)"))
				}
				out.Values = append(out.Values, logSpaced(lo, hi, n)...)
				continue
			}
			st, b, err := parseSize(step)
			if err != nil || st <= 0 {
				return fail(fmt.Errorf("step %q: expected a positive size, log or logN", f[2]))
			}
			if b {
				units[true]++
			}
			if (hi-lo)/st > 1e6 {
				return fail(fmt.Errorf("range %s gives more than a million sizes", part))
			}
			for v := lo; v <= hi; v += st {
				out.Values = append(out.Values, v)
			}
		default:
			return fail(fmt.Errorf("%q is neither a size nor start:stop:step", part))
		}
	}
	if units[true] > 0 && units[false] > 0 {
		return fail(fmt.Errorf("mixes byte sizes (with units) and object counts (without); give every size a unit, or none"))
	}
	out.Bytes = units[true] > 0
	sort.Slice(out.Values, func(i, j int) bool { return out.Values[i] < out.Values[j] })
	if out.Values[0] <= 0 {
		unit := map[bool]string{true: "1B", false: "1 (object)"}[out.Bytes]
		return fail(fmt.Errorf("a cache of size 0 holds nothing, so it has no hit ratio to show; the smallest size is %s", unit))
	}
	out.Values = dedup(out.Values)
	return out, nil
}

// logSpaced returns n integer points from lo to hi, evenly spaced in log scale.
func logSpaced(lo, hi int64, n int) []int64 {
	out := make([]int64, 0, n)
	r := math.Log(float64(hi) / float64(lo))
	for i := 0; i < n; i++ {
		v := int64(math.Round(float64(lo) * math.Exp(r*float64(i)/float64(n-1))))
		out = append(out, min(max(v, lo), hi))
	}
	out[n-1] = hi
	return out
}

// LogSizes returns n sizes log-spaced from lo to hi (at least 1).
func LogSizes(lo, hi int64, n int) []int64 {
	lo = max(lo, 1)
	hi = max(hi, lo)
	return dedup(logSpaced(lo, hi, n))
}

func dedup(v []int64) []int64 {
	out := v[:0]
	for i, x := range v {
		if i == 0 || x != v[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// FormatSize renders a size for people: an object count as is, bytes in the
// largest binary unit that keeps it at or above 1 ("1.5 GiB").
func FormatSize(v int64, bytes bool) string {
	if !bytes {
		return strconv.FormatInt(v, 10)
	}
	names := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, u := float64(v), 0
	for f >= 1024 && u < len(names)-1 {
		f /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d B", v)
	}
	if f >= 9999.5 { // past the largest unit: whole, grouped
		return traces.Thousands(int64(math.Round(f))) + " " + names[u]
	}
	return fmt.Sprintf("%.4g %s", f, names[u])
}

// DefaultReplaySize is the size of a replay given none: a tenth of the
// footprint, in objects (distinct keys) or bytes, and at least 1.
func DefaultReplaySize(objects int, bytes int64, unit Unit) Size {
	if unit == Bytes {
		return Size{max(bytes/10, 1), Bytes}
	}
	return Size{max(int64(objects)/10, 1), Objects}
}

// defaultSweepSizes are the sizes of a sweep given none: n log-spaced sizes
// from 1% of the footprint (objects, or bytes) to all of it.
func defaultSweepSizes(objects int, bytes int64, inBytes bool, n int) Sizes {
	fp := int64(objects)
	if inBytes {
		fp = bytes
	}
	return Sizes{Values: LogSizes(fp/100, fp, n), Bytes: inBytes}
}

// curveSizes are the sizes of a whole curve: n log-spaced sizes from one
// object (of the mean size, in bytes) to the footprint.
func curveSizes(objects int, bytes int64, inBytes bool, n int) Sizes {
	lo, fp := int64(1), int64(objects)
	if inBytes {
		lo, fp = max(bytes/int64(max(objects, 1)), 1), bytes
	}
	return Sizes{Values: LogSizes(lo, fp, n), Bytes: inBytes}
}
