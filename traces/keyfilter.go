package traces

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// KeyFilter keeps the requests whose key matches one of Include (every key
// when Include is empty) and none of Exclude. The readers of the formats
// whose keys are text (CSV, text, JSON lines, MONITOR, access logs,
// Twitter) apply it to a request's key as the file writes it, before
// anything else reads the request: its size, tenant and place in a
// multi-key request are never looked at, and a multi-key request loses
// the keys dropped (all of them: it is gone).
//
// A pattern matches the whole key, as Redis's KEYS and SCAN MATCH do: *
// is any run of bytes (':' and '/' included), ? any one byte, [abc] one
// of a set ([a-z] a range, [^abc] one not in it), and \ makes the next
// byte literal. pred:* keeps the keys that start with pred:; a pattern
// without * matches one key exactly. The key matched is the key column
// (a composite key's columns joined by ','), the JSON key (a string's
// text as written, escapes and all; a number's digits), the Redis key
// (without the field, for MonitorOptions.Fields, and whatever its
// database), the access log's path (the virtual host and the path, joined
// by nothing, with AccessLogOptions.WithHost).
type KeyFilter struct {
	Include, Exclude []string
}

// On reports whether the filter drops anything.
func (f KeyFilter) On() bool { return len(f.Include)+len(f.Exclude) > 0 }

// Keep reports whether the filter keeps key.
func (f KeyFilter) Keep(key []byte) bool {
	return f.included(key) >= 0 && f.excluded(key) < 0
}

// included returns the index of the first Include pattern key matches, 0
// without any, or -1 when it matches none.
func (f KeyFilter) included(key []byte) int {
	if len(f.Include) == 0 {
		return 0
	}
	for i, p := range f.Include {
		if matchGlob(p, key) {
			return i
		}
	}
	return -1
}

// excluded returns the index of the first Exclude pattern key matches, or -1.
func (f KeyFilter) excluded(key []byte) int {
	for i, p := range f.Exclude {
		if matchGlob(p, key) {
			return i
		}
	}
	return -1
}

// String describes what the filter keeps: "keys matching pred:* or
// sess:* and not pred:tmp:*".
func (f KeyFilter) String() string {
	var parts []string
	if len(f.Include) > 0 {
		parts = append(parts, "matching "+strings.Join(f.Include, " or "))
	}
	if len(f.Exclude) > 0 {
		parts = append(parts, "not matching "+strings.Join(f.Exclude, " or "))
	}
	return "keys " + strings.Join(parts, " and ")
}

// numericKeys says, for the formats whose keys are numbers or block
// hashes, what they are: a key filter has no text to match there.
var numericKeys = map[string]string{
	"vscsi": "block numbers", "oracleGeneral": "numbers", "cache2k": "numbers", "lirs": "numbers", "arc": "block numbers",
	"prompts": "the hashes of prompt blocks", "mooncake": "the hashes of prompt blocks",
}

// KeysOf says what the keys of format are when they are no text a
// KeyFilter could match ("numbers"), else "".
func KeysOf(format string) string { return numericKeys[format] }

// errDropped is what a reader's parse returns for a record the key filter
// dropped: badRecords.handle skips it.
var errDropped = errors.New("dropped by the key filter")

// ErrNothingKept is in the error of a trace of which a KeyFilter kept no request.
var ErrNothingKept = errors.New("the key filter kept no request")

// keyFilter applies a KeyFilter for a reader and counts what it kept. A
// nil *keyFilter keeps everything and counts nothing.
type keyFilter struct {
	KeyFilter
	name               string // the file's, for errors
	seen, kept         int64
	included, excluded []int64  // requests each pattern matched
	examples           []string // the first distinct keys dropped, for ErrNothingKept
	// group numbers the multi-key requests as read, kept or not, and
	// last is the group of the last request kept (see admit).
	group, last uint64
}

// maxExamples is how many dropped keys the error of a filter that kept
// nothing shows.
const maxExamples = 5

// newKeyFilter returns the filter f for a reader of file name, nil when f
// drops nothing.
func newKeyFilter(name string, f KeyFilter) *keyFilter {
	if !f.On() {
		return nil
	}
	return &keyFilter{KeyFilter: f, name: name, included: make([]int64, len(f.Include)), excluded: make([]int64, len(f.Exclude)), last: ^uint64(0)}
}

// match reports whether key is kept, counting the patterns it matched but
// not the request (see tally).
func (k *keyFilter) match(key []byte) bool {
	if k == nil {
		return true
	}
	in := k.KeyFilter.included(key)
	if in >= 0 && len(k.Include) > 0 {
		k.included[in]++
	}
	ex := k.KeyFilter.excluded(key)
	if ex >= 0 {
		k.excluded[ex]++
	}
	keep := in >= 0 && ex < 0
	if !keep && len(k.examples) < maxExamples && !slices.Contains(k.examples, string(key)) {
		k.examples = append(k.examples, string(key))
	}
	return keep
}

// tally counts one request, kept or not.
func (k *keyFilter) tally(kept bool) {
	if k == nil {
		return
	}
	k.seen++
	if kept {
		k.kept++
	}
}

// keep is match and tally for a request of one key.
func (k *keyFilter) keep(key []byte) bool {
	kept := k.match(key)
	k.tally(kept)
	return kept
}

// admit is keep for a request that continues the one read before it or
// not (continues, as the file says): it returns whether the request is
// kept and whether it continues the request kept before it, which it does
// when both belong to the same multi-key request (its first keys dropped,
// a kept key starts what is left of it).
func (k *keyFilter) admit(key []byte, continues bool) (keep, cont bool) {
	if k == nil {
		return true, continues
	}
	if !continues {
		k.group++
	}
	if !k.keep(key) {
		return false, false
	}
	cont = continues && k.last == k.group
	k.last = k.group
	return true, cont
}

// end returns what a reader returns at the end of the file (io.EOF): an
// error wrapping ErrNothingKept when the filter kept none of its requests.
func (k *keyFilter) end() error {
	if k == nil || k.kept > 0 || k.seen == 0 {
		return io.EOF
	}
	quoted := make([]string, len(k.examples))
	for i, e := range k.examples {
		quoted[i] = fmt.Sprintf("%q", e)
	}
	hint := ""
	for _, p := range k.Include {
		if !strings.ContainsAny(p, "*?[") {
			hint = fmt.Sprintf(" (a pattern matches the whole key: %s* keeps the keys that start with %s)", p, p)
			break
		}
	}
	return fmt.Errorf("%s: %w: none of the %s requests has %s; the keys are like %s%s",
		k.name, ErrNothingKept, Thousands(k.seen), strings.Replace(k.KeyFilter.String(), "keys", "a key", 1), strings.Join(quoted, ", "), hint)
}

// notes counts the requests kept, and names the patterns that matched no key.
func (k *keyFilter) notes() []Note {
	if k == nil || k.seen == 0 {
		return nil
	}
	text := fmt.Sprintf("%s: kept %s of %s requests (%.1f%%)", k.KeyFilter, Thousands(k.kept), Thousands(k.seen), 100*float64(k.kept)/float64(k.seen))
	var idle []string
	for i, n := range k.included {
		if n == 0 {
			idle = append(idle, k.Include[i])
		}
	}
	for i, n := range k.excluded {
		if n == 0 {
			idle = append(idle, k.Exclude[i])
		}
	}
	if len(idle) > 0 {
		text += fmt.Sprintf("; no key matched %s (a pattern matches the whole key; a comma is part of it)", strings.Join(idle, ", "))
	}
	return []Note{{Kind: NoteKeyFilter, Text: text}}
}

// keyFiltered is implemented by the readers that apply a KeyFilter.
type keyFiltered interface {
	keyFilter() *keyFilter
}

// checkGlob reports a malformed pattern: an unclosed [ or a trailing \.
func checkGlob(p string) error {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			if i+1 == len(p) {
				return errors.New(`a \ at the end escapes nothing (\\ matches a \)`)
			}
			i++
		case '[':
			end := classEnd(p, i)
			if end < 0 {
				return errors.New(`a [ is not closed by a ] (\[ matches a [)`)
			}
			i = end
		}
	}
	return nil
}

// classEnd returns the index of the ] that closes the set opened at
// p[open], or -1.
func classEnd(p string, open int) int {
	i := open + 1
	if i < len(p) && p[i] == '^' {
		i++
	}
	if i < len(p) && p[i] == ']' {
		i++ // a ] first is a member
	}
	for ; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case ']':
			return i
		}
	}
	return -1
}

// inClass reports whether c is in the set p[open:end+1] ("[a-z]", "[^ab]"),
// end the index of its ] (classEnd).
func inClass(p string, open, end int, c byte) bool {
	i := open + 1
	negate := p[i] == '^' && i < end
	if negate {
		i++
	}
	found := false
	for ; i < end; i++ {
		lo := p[i]
		if lo == '\\' {
			i++
			lo = p[i]
		}
		hi := lo
		if i+2 < end && p[i+1] == '-' {
			i += 2
			if hi = p[i]; hi == '\\' {
				i++
				hi = p[i]
			}
		}
		found = found || (min(lo, hi) <= c && c <= max(lo, hi))
	}
	return found != negate
}

// matchGlob reports whether the glob p (checked by checkGlob) matches the
// whole of s. A * that fails to place is retried one byte further, from
// the last * only: what lies between two stars has a fixed length.
func matchGlob(p string, s []byte) bool {
	pi, si := 0, 0
	star, mark := -1, 0 // the last * seen and the byte of s it took up to
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				star, mark = pi, si
				pi++
				continue
			case '?':
				pi++
				si++
				continue
			case '[':
				end := classEnd(p, pi)
				if inClass(p, pi, end, s[si]) {
					pi = end + 1
					si++
					continue
				}
			case '\\':
				if p[pi+1] == s[si] {
					pi += 2
					si++
					continue
				}
			default:
				if c == s[si] {
					pi++
					si++
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		mark++
		pi, si = star+1, mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
