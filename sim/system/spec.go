package system

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// LevelForms documents what ParseLevels accepts; errors quote it.
const LevelForms = `accepted form: comma-separated levels name=policy:size[@latency], nearest first,
e.g. "l1=lru:1000@0.05ms,l2=lru:1GiB@1ms" or "l1=s3fifo(small=0.1):64MiB@50us,l2=lfu:8GiB@1ms";
any policy of cachesim policies; a size is a number of objects, or bytes with a
unit (64MiB); the latency is the cost of a lookup in the level (default 0)`

// ParseLevels parses a hierarchy (see LevelForms); its errors are ConfigErrors.
func ParseLevels(spec string) ([]Level, error) {
	fail := func(format string, a ...any) ([]Level, error) {
		return nil, configError(SettingLevels, "%q: %s\n%s", spec, fmt.Sprintf(format, a...), LevelForms)
	}
	var out []Level
	seen := map[string]bool{}
	for _, part := range policy.SplitSpecs(spec) {
		name, rest, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, "(:@") {
			return fail("level %q does not start with a name and =", part)
		}
		if seen[name] {
			return fail("level name %q is used twice", name)
		}
		seen[name] = true
		lv := Level{Name: name}
		if at := strings.LastIndex(rest, "@"); at >= 0 && at > strings.LastIndex(rest, ")") {
			d, err := sim.ParseLatency(rest[at+1:])
			if err != nil {
				return fail("level %s: %v", name, err)
			}
			lv.Latency, rest = d, rest[:at]
		}
		colon := strings.LastIndex(rest, ":")
		if colon < 0 || colon < strings.LastIndex(rest, ")") {
			return fail("level %s: expected policy:size", name)
		}
		var err error
		if lv.Policy, err = policy.ParseSpec(rest[:colon]); err != nil {
			return fail("level %s: %v", name, err)
		}
		if lv.Size, err = sim.ParseSize(rest[colon+1:]); err != nil {
			return fail("level %s: %v", name, err)
		}
		out = append(out, lv)
	}
	if len(out) == 0 {
		return fail("no levels")
	}
	// An empty level in front of others is looked up and passed through
	// (to set a hierarchy beside its lower levels alone); the last one
	// must hold something, or the system caches nothing at all.
	if last := out[len(out)-1]; last.Size.N == 0 {
		return fail("level %s: size 0 holds nothing, and it is the last level: a cache holds at least one object or byte (only a level in front of others may be empty)", last.Name)
	}
	return out, nil
}

// FormatLevels renders levels as ParseLevels reads them.
func FormatLevels(levels []Level) string {
	parts := make([]string, len(levels))
	for j, l := range levels {
		size, _ := l.Size.MarshalText()
		parts[j] = fmt.Sprintf("%s=%s:%s@%s", l.Name, l.Policy, size, time.Duration(l.Latency*1e9))
	}
	return strings.Join(parts, ",")
}

// LevelIndex returns the index of the level called name.
func LevelIndex(levels []Level, name string) (int, error) {
	names := make([]string, len(levels))
	for j, l := range levels {
		if l.Name == name {
			return j, nil
		}
		names[j] = l.Name
	}
	return 0, fmt.Errorf("no level %q (levels: %s)", name, strings.Join(names, ", "))
}

// parseName returns the index of s in names (case-insensitive), or a
// ConfigError for setting what.
func parseName(what Setting, s string, names []string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range names {
		if s == n {
			return i, nil
		}
	}
	return 0, configError(what, "%q: expected %s", s, strings.Join(names, ", "))
}

// ParseStampede parses a stampede mode: off, none, coalesce or xfetch.
func ParseStampede(s string) (Stampede, error) {
	i, err := parseName(SettingStampede, s, StampedeNames)
	return Stampede(i), err
}

// ParseStampedes parses a comma-separated list of stampede modes to compare.
func ParseStampedes(s string) ([]Stampede, error) {
	var modes []Stampede
	for _, m := range strings.Split(s, ",") {
		mode, err := ParseStampede(m)
		if err != nil {
			return nil, err
		}
		modes = append(modes, mode)
	}
	return modes, nil
}

// ParseWritePolicy parses a write policy: through, back or around.
func ParseWritePolicy(s string) (WritePolicy, error) {
	i, err := parseName(SettingWrites, s, WritePolicyNames)
	return WritePolicy(i), err
}

// AssignmentNames are the names of the assignments, in the order of their
// values, as ParseAssignment reads them.
var AssignmentNames = []string{"round-robin", "key"}

// ParseAssignment parses how requests go to instances: round-robin or key.
func ParseAssignment(s string) (Assignment, error) {
	i, err := parseName(SettingAssign, s, AssignmentNames)
	return Assignment(i), err
}

// ParsePrewarm parses a prewarm: "top:K", the K most requested keys.
func ParsePrewarm(s string) (int, error) {
	k, ok := strings.CutPrefix(strings.TrimSpace(s), "top:")
	n, err := strconv.Atoi(k)
	if !ok || err != nil || n < 1 {
		return 0, configError(SettingPrewarm, "%q: expected top:K with K >= 1 (the K most requested keys)", s)
	}
	return n, nil
}

// KeySize is an object to preload.
type KeySize struct {
	Key  uint64
	Size uint32
}

// TopKeys returns the k most requested keys among the gets of t's requests
// [from, to), most requested first (ties: the key requested first), each
// with its last size.
func TopKeys(t *trace.Trace, from, to, k int) []KeySize {
	type tally struct {
		n     int
		first int
		size  uint32
	}
	counts := map[uint64]*tally{}
	var r trace.Request
	for i := from; i < to; i++ {
		t.At(i, &r)
		if r.Op != trace.OpGet {
			continue
		}
		c := counts[r.Key]
		if c == nil {
			c = &tally{first: i}
			counts[r.Key] = c
		}
		c.n++
		c.size = r.Size
	}
	keys := make([]uint64, 0, len(counts))
	for key := range counts {
		keys = append(keys, key)
	}
	slices.SortFunc(keys, func(a, b uint64) int {
		ca, cb := counts[a], counts[b]
		return cmp.Or(cmp.Compare(cb.n, ca.n), cmp.Compare(ca.first, cb.first))
	})
	keys = keys[:min(k, len(keys))]
	out := make([]KeySize, len(keys))
	for i, key := range keys {
		out[i] = KeySize{Key: key, Size: counts[key].size}
	}
	return out
}
