package traces

import (
	"bytes"
	"io"
	"math"
)

// MonitorOptions configure the reading of Redis MONITOR output.
type MonitorOptions struct {
	// Fields makes each field of a hash an object of its own (the key
	// and the field); otherwise the object is the Redis key, a hash whole.
	Fields bool
}

// MonitorReader reads the output of Redis's MONITOR command:
//
//	1339518083.107412 [0 127.0.0.1:60866] "GET" "key"
//
// GET and MGET are lookups (one request per key, of size 1: MONITOR shows
// no value sizes for reads); SET, SETNX, SETEX,
// PSETEX, MSET and GETSET are writes whose size is the key's length plus the
// value's (SET's EX/PX options and SETEX's seconds become the TTL); DEL and
// UNLINK are deletes (one per key); EXPIRE and PEXPIRE are writes that carry
// only the new TTL. Other commands are not cache operations and are counted
// (Filtered) and dropped; the "OK" line MONITOR starts with is skipped.
type MonitorReader struct {
	sc       lineScanner
	args     [][]byte // arguments of the current line, command first
	argLen   []int    // their unescaped lengths
	pending  [][]byte // keys (and values, for MSET) of the current line still to come
	pendLen  []int
	cur      Request // time and op of the current line
	pairs    bool    // pending holds key, value pairs (MSET)
	start    origin  // the first timestamp
	filtered int
	badRecords
}

// NewMonitorReader returns a reader of MONITOR output from r; name is used
// in error messages.
func NewMonitorReader(name string, r io.Reader, opt Options) *MonitorReader {
	return &MonitorReader{sc: newLineScanner(name, r), badRecords: badRecords{skip: opt.SkipBad}}
}

// Fields reports that MONITOR output carries every field.
func (m *MonitorReader) Fields() Fields { return Fields{Time: true, Size: true, TTL: true, Op: true} }

// Filtered returns how many well-formed lines were dropped because their
// command is not a cache operation.
func (m *MonitorReader) Filtered() int { return m.filtered }

// Read fills r with the next request.
func (m *MonitorReader) Read(r *Request) error {
	for len(m.pending) == 0 {
		line, err := m.sc.next()
		if err == nil {
			err = m.parse(line)
		}
		if err = m.handle(err); err != nil {
			return err
		}
	}
	*r = m.cur
	r.Key = ParseKey(m.pending[0])
	if m.pairs {
		r.Size = uint32(min(uint64(m.pendLen[0])+uint64(m.pendLen[1]), math.MaxUint32))
		m.pending, m.pendLen = m.pending[2:], m.pendLen[2:]
		return nil
	}
	m.pending, m.pendLen = m.pending[1:], m.pendLen[1:]
	return nil
}

// parse reads one line into m.cur and m.pending; a line that is no cache
// operation leaves m.pending empty.
func (m *MonitorReader) parse(line []byte) error {
	if bytes.Equal(line, []byte("OK")) {
		return nil
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return m.sc.errorf(0, `expected "time [db client] \"COMMAND\" ...", found %q`, line)
	}
	ts, err := parseTime(line[:sp], 1e9)
	if err != nil {
		return m.sc.wrap(1, err)
	}
	rest := line[sp+1:]
	if len(rest) == 0 || rest[0] != '[' {
		return m.sc.errorf(0, "expected [db client] after the time")
	}
	rb := bytes.IndexByte(rest, ']')
	if rb < 0 {
		return m.sc.errorf(0, "missing ']' after the client")
	}
	rest = rest[rb+1:]
	m.args, m.argLen = m.args[:0], m.argLen[:0]
	for {
		rest = bytes.TrimLeft(rest, " ")
		if len(rest) == 0 {
			break
		}
		if rest[0] != '"' {
			return m.sc.errorf(0, "expected a double-quoted argument, found %q", rest)
		}
		arg, n, tail, ok := redisQuoted(rest)
		if !ok {
			return m.sc.errorf(0, "argument %d: missing closing quote", len(m.args)+1)
		}
		m.args, m.argLen, rest = append(m.args, arg), append(m.argLen, n), tail
	}
	if len(m.args) == 0 {
		return m.sc.errorf(0, "no command")
	}
	m.cur, m.pairs = Request{Time: m.start.since(ts)}, false
	return m.command()
}

// command interprets m.args.
func (m *MonitorReader) command() error {
	var name [16]byte
	cmd := m.args[0]
	if len(cmd) > len(name) {
		m.filtered++
		return nil
	}
	for i, c := range cmd {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		name[i] = c
	}
	args, lens := m.args[1:], m.argLen[1:]
	need := func(n int) error {
		if len(args) < n {
			return m.sc.errorf(0, "%s: expected at least %d arguments, found %d", cmd, n, len(args))
		}
		return nil
	}
	keyValue := func(ki, vi int) {
		m.cur.Size = uint32(min(uint64(lens[ki])+uint64(lens[vi]), math.MaxUint32))
		m.pending, m.pendLen = args[ki:ki+1], lens[ki:ki+1]
	}
	var err error
	switch string(name[:len(cmd)]) {
	case "GET", "MGET":
		if err = need(1); err == nil {
			m.cur.Op, m.cur.Size = OpGet, 1
			m.pending, m.pendLen = args, lens
		}
	case "SET", "SETNX", "GETSET":
		if err = need(2); err == nil {
			m.cur.Op = OpSet
			keyValue(0, 1)
			err = m.setOptions(args[2:])
		}
	case "SETEX", "PSETEX":
		if err = need(3); err == nil {
			m.cur.Op = OpSet
			keyValue(0, 2)
			err = m.ttl(args[1], string(name[:len(cmd)]) == "PSETEX")
		}
	case "MSET":
		if err = need(2); err == nil && len(args)%2 != 0 {
			err = m.sc.errorf(0, "MSET: expected key value pairs, found %d arguments", len(args))
		}
		if err == nil {
			m.cur.Op, m.pairs = OpSet, true // Read takes each size from its pair
			m.pending, m.pendLen = args, lens
		}
	case "DEL", "UNLINK":
		if err = need(1); err == nil {
			m.cur.Op, m.cur.Size = OpDelete, 1
			m.pending, m.pendLen = args, lens
		}
	case "EXPIRE", "PEXPIRE":
		if err = need(2); err == nil {
			m.cur.Op, m.cur.Size = OpSet, uint32(lens[0])
			m.pending, m.pendLen = args[:1], lens[:1]
			err = m.ttl(args[1], string(name[:len(cmd)]) == "PEXPIRE")
		}
	default:
		m.filtered++
	}
	if err != nil {
		m.pending = m.pending[:0]
	}
	return err
}

// setOptions reads SET's EX seconds / PX milliseconds options.
func (m *MonitorReader) setOptions(opts [][]byte) error {
	for i := 0; i < len(opts); i++ {
		o := opts[i]
		ex, px := bytes.EqualFold(o, []byte("EX")), bytes.EqualFold(o, []byte("PX"))
		if !ex && !px {
			continue
		}
		if i+1 >= len(opts) {
			return m.sc.errorf(0, "SET: %s without a value", o)
		}
		i++
		if err := m.ttl(opts[i], px); err != nil {
			return err
		}
	}
	return nil
}

// ttl sets m.cur.TTL from seconds, or milliseconds (rounded up) if ms.
func (m *MonitorReader) ttl(b []byte, ms bool) error {
	v, ok := parseUint(b)
	if ms && ok {
		v = (v + 999) / 1000
	}
	if !ok || v > math.MaxUint32 {
		return m.sc.wrap(0, errTTL)
	}
	m.cur.TTL = uint32(v)
	return nil
}

// redisQuoted returns the raw contents of the quoted argument at the start
// of b as MONITOR prints it (escapes \" \\ \n \r \t \a \b \xHH kept), its
// unescaped length, and what follows.
func redisQuoted(b []byte) (raw []byte, n int, rest []byte, ok bool) {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			if i+1 < len(b) && b[i+1] == 'x' {
				i += 3
			} else {
				i++
			}
		case '"':
			return b[1:i], n, b[i+1:], true
		}
		n++
	}
	return nil, 0, nil, false
}

// check parses one line, for format detection.
func (m *MonitorReader) check(line []byte) error {
	return m.parse(line)
}
