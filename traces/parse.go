package traces

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cespare/xxhash/v2"
)

// ParseKey turns a key field into a uint64: a decimal integer (negative ones
// are reinterpreted as uint64) is used as it is; anything else is hashed with
// xxHash64, once, at read time.
func ParseKey(b []byte) uint64 {
	if v, ok := parseUint(b); ok {
		return v
	}
	if len(b) > 1 && b[0] == '-' {
		if v, ok := parseUint(b[1:]); ok && v <= 1<<63 {
			return uint64(-int64(v))
		}
	}
	return xxhash.Sum64(b)
}

// parseUint parses a non-empty decimal number without allocating.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		nv := v*10 + uint64(d)
		if nv/10 != v {
			return 0, false
		}
		v = nv
	}
	return v, true
}

var (
	errSize = errors.New("size: expected a non-negative integer number of bytes below 4 GiB")
	errTTL  = errors.New("ttl: expected a non-negative integer number of seconds")
	errTime = errors.New("time: expected a decimal number (e.g. 1700000000 or 12.25)")
)

func parseSize(b []byte) (uint32, error) {
	v, ok := parseUint(b)
	if !ok || v > math.MaxUint32 {
		return 0, fmt.Errorf("%w, got %q", errSize, b)
	}
	return uint32(v), nil
}

func parseTTL(b []byte) (uint32, error) {
	v, ok := parseUint(b)
	if !ok {
		// Accept a decimal TTL, rounded down to whole seconds.
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil || f < 0 || f > math.MaxUint32 {
			return 0, fmt.Errorf("%w, got %q", errTTL, b)
		}
		return uint32(f), nil
	}
	if v > math.MaxUint32 {
		return 0, fmt.Errorf("%w, got %q", errTTL, b)
	}
	return uint32(v), nil
}

// parseTime parses a decimal time value (integer part, optional fraction) and
// returns it in nanoseconds, given the length of one unit in nanoseconds.
// It uses integer arithmetic so that epoch times keep full precision.
func parseTime(b []byte, unit int64) (int64, error) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	intPart, frac := b, []byte(nil)
	for i, c := range b {
		if c == '.' {
			intPart, frac = b[:i], b[i+1:]
			break
		}
	}
	if len(intPart) == 0 && len(frac) == 0 {
		return 0, fmt.Errorf("%w, got %q", errTime, b)
	}
	var whole uint64
	if len(intPart) > 0 {
		v, ok := parseUint(intPart)
		if !ok || v > math.MaxInt64/uint64(unit) {
			return 0, fmt.Errorf("%w, got %q", errTime, b)
		}
		whole = v
	}
	ns := int64(whole) * unit
	if len(frac) > 0 {
		if len(frac) > 18 {
			frac = frac[:18]
		}
		f, ok := parseUint(frac)
		if !ok {
			return 0, fmt.Errorf("%w, got %q", errTime, b)
		}
		ns += int64(float64(f) * float64(unit) / math.Pow10(len(frac)))
	}
	if neg {
		ns = -ns
	}
	return ns, nil
}

// ParseOp maps an operation name to an Op. It accepts the usual spellings in
// any case: get/gets/read/r; the key-value writes set/put/add/replace/cas/
// append/prepend/incr/decr/update (OpSet); the block writes write/w
// (OpWrite); delete/del/remove; expire/touch (OpExpire); change/changed
// (OpChange: the truth changed, the cache not told); and the
// hexadecimal SCSI opcodes of block trace CSVs (28/88/a8/08 READ,
// 2a/8a/aa/0a WRITE).
func ParseOp(b []byte) (trace.Op, error) {
	var buf [16]byte
	if len(b) > len(buf) {
		return 0, fmt.Errorf("op: unknown operation %q (expected get, set, write, delete, expire or change)", b)
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(b)]) {
	case "get", "gets", "read", "r", "lookup", "28", "88", "a8", "08":
		return trace.OpGet, nil
	case "set", "put", "add", "replace", "cas", "append", "prepend", "incr", "decr", "update":
		return trace.OpSet, nil
	case "write", "w", "2a", "8a", "aa", "0a":
		return trace.OpWrite, nil
	case "delete", "del", "remove", "d":
		return trace.OpDelete, nil
	case "expire", "touch":
		return trace.OpExpire, nil
	case "change", "changed":
		return trace.OpChange, nil
	}
	return 0, fmt.Errorf("op: unknown operation %q (expected get, set, write, delete, expire or change)", b)
}

// ErrTimeUnit is in the error of a timestamp that does not fit its time
// unit but would fit a smaller one; the unit that fits follows it.
var ErrTimeUnit = errors.New("set the time unit to")

// clock turns the timestamps of a trace into nanoseconds since the first
// one. With no unit set, it takes the unit from the magnitude of the first
// timestamp (see unitOf) and notes it when it is not seconds.
type clock struct {
	unit     int64 // nanoseconds per unit; 0 until the first timestamp
	detected string
	origin
}

// units names the time units unitOf chooses from, largest first.
var units = []struct {
	ns         int64
	name, abbr string
	below      uint64 // epoch values of this unit are below this
}{{1e9, "seconds", "s", 1e11}, {1e6, "milliseconds", "ms", 1e14}, {1e3, "microseconds", "us", 1e17}, {1, "nanoseconds", "ns", math.MaxUint64}}

// unitOf returns the index in units of the unit of an epoch timestamp b:
// seconds below 1e11 (the year 5138), milliseconds below 1e14,
// microseconds below 1e17, nanoseconds above. Small relative times are
// seconds.
func unitOf(b []byte) int {
	b = bytes.TrimPrefix(b, []byte("-"))
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		b = b[:i]
	}
	v, ok := parseUint(b)
	if !ok {
		return 0
	}
	i := 0
	for v >= units[i].below {
		i++
	}
	return i
}

// since parses timestamp b and returns it in nanoseconds since the first.
func (c *clock) since(b []byte) (int64, error) {
	if c.unit == 0 {
		u := units[unitOf(b)]
		c.unit = u.ns
		if u.ns != 1e9 {
			c.detected = fmt.Sprintf("timestamps are read as %s since the epoch, from the magnitude of the first (%s)", u.name, b)
		}
	}
	t, err := parseTime(b, c.unit)
	if err != nil {
		if u := units[unitOf(b)]; u.ns < c.unit && c.detected == "" {
			return 0, fmt.Errorf("%w; it looks like %s since the epoch: %w %s", err, u.name, ErrTimeUnit, u.abbr)
		}
		return 0, err
	}
	return c.origin.since(t), nil
}

// notes says which time unit was detected, when it is not seconds.
func (c *clock) notes() []Note {
	if c.detected == "" {
		return nil
	}
	return []Note{{Kind: NoteTimeUnit, Text: c.detected}}
}
