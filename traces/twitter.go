package traces

import (
	"io"
	"math"

	"github.com/cachesim/cachesim/traces/trace"
)

// TwitterReader reads Twitter's production cache traces (Yang et al.,
// OSDI'20): CSV lines "timestamp,anonymized_key,key_size,value_size,
// client_id,operation,ttl" with the time in seconds. The object size is
// key_size + value_size; the operation and the TTL are kept.
type TwitterReader struct {
	sc     lineScanner
	fields [7][]byte
	start  origin // the first timestamp
	keys   *keyFilter
	badRecords
}

// NewTwitterReader returns a reader of Twitter trace lines from r; name is
// used in error messages.
func NewTwitterReader(name string, r io.Reader, opt Options) *TwitterReader {
	return &TwitterReader{sc: newLineScanner(name, r), keys: newKeyFilter(name, opt.Keys), badRecords: badRecords{skip: opt.SkipBad}}
}

func (t *TwitterReader) keyFilter() *keyFilter { return t.keys }

// Fields reports that Twitter traces carry every field.
func (t *TwitterReader) Fields() trace.Fields {
	return trace.Fields{Time: true, Size: true, TTL: true, Op: true}
}

// Read fills r with the next request.
func (t *TwitterReader) Read(r *trace.Request) error {
	for {
		line, err := t.sc.next()
		if err == nil {
			if err = t.parse(line, r); err == nil {
				return nil
			}
		}
		if err = t.handle(err); err != nil {
			return err
		}
	}
}

func (t *TwitterReader) parse(line []byte, r *trace.Request) error {
	f := &t.fields
	if n := splitByte(line, ',', f[:]); n != len(f) {
		return t.sc.errorf(0, "expected 7 comma-separated fields timestamp,key,key_size,value_size,client_id,operation,ttl, found %d", n)
	}
	ts, err := parseTime(f[0], 1e9)
	if err != nil {
		return t.sc.wrap(1, err)
	}
	if len(f[1]) == 0 {
		return t.sc.errorf(2, "empty key")
	}
	if !t.keys.keep(f[1]) {
		return errDropped
	}
	ks, err := parseSize(f[2])
	if err != nil {
		return t.sc.wrap(3, err)
	}
	vs, err := parseSize(f[3])
	if err != nil {
		return t.sc.wrap(4, err)
	}
	if uint64(ks)+uint64(vs) > math.MaxUint32 {
		return t.sc.errorf(4, "key_size + value_size exceeds 4 GiB")
	}
	op, err := ParseOp(f[5])
	if err != nil {
		return t.sc.wrap(6, err)
	}
	ttl, err := parseTTL(f[6])
	if err != nil {
		return t.sc.wrap(7, err)
	}
	*r = trace.Request{Time: t.start.since(ts), Key: ParseKey(f[1]), Size: ks + vs, TTL: ttl, Op: op}
	return nil
}

// splitByte splits line at every d into dst and returns the number of
// fields; if there are more than len(dst), it returns len(dst)+1.
func splitByte(line []byte, d byte, dst [][]byte) int {
	n := 0
	for {
		i := 0
		for i < len(line) && line[i] != d {
			i++
		}
		if n == len(dst) {
			return n + 1
		}
		dst[n] = line[:i]
		n++
		if i == len(line) {
			return n
		}
		line = line[i+1:]
	}
}

// check parses one line, for format detection.
func (t *TwitterReader) check(line []byte) error {
	var r trace.Request
	return t.parse(line, &r)
}
