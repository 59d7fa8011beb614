package traces

import (
	"bytes"
	"io"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cespare/xxhash/v2"
)

// AccessLogOptions configure the access-log reader.
type AccessLogOptions struct {
	// WithHost makes the key the virtual host and the path (vhost_combined
	// logs, whose first field is "host:port"); otherwise the key is the path.
	WithHost bool
	// AllRequests keeps every parsed request as a lookup; by default only
	// successful GETs and HEADs (status 2xx or 304) are, and the others are
	// dropped and counted (Filtered).
	AllRequests bool
}

// AccessLogReader reads web server access logs in the NCSA common or
// combined format (nginx's and Apache's defaults), optionally preceded by a
// virtual host field (Apache's vhost_combined):
//
//	127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "ref" "agent"
//
// The key is the request path (query included), the size the bytes sent and
// the time the timestamp. A line that sent no bytes (a HEAD, a 304, an
// empty body: "0" or "-") takes the path's last known size, or the default
// size for a path not sized before (see Options.DefaultSize), so that it
// does not make an empty object.
type AccessLogReader struct {
	sc       lineScanner
	opt      AccessLogOptions
	digest   *xxhash.Digest
	pre      [5][]byte
	start    origin // the first timestamp
	filtered int
	sizes    sizeMemo
	keys     *keyFilter
	keyText  []byte // the virtual host and the path, for keys
	badRecords
}

// NewAccessLogReader returns a reader of access-log lines from r; name is
// used in error messages.
func NewAccessLogReader(name string, r io.Reader, opt Options) *AccessLogReader {
	return &AccessLogReader{sc: newLineScanner(name, r), opt: opt.AccessLog, digest: xxhash.New(),
		sizes: newSizeMemo(opt.DefaultSize), keys: newKeyFilter(name, opt.Keys), badRecords: badRecords{skip: opt.SkipBad}}
}

func (a *AccessLogReader) keyFilter() *keyFilter { return a.keys }

// Notes says how many requests sent no bytes and were sized from others.
func (a *AccessLogReader) Notes() []Note { return a.sizes.notes() }

// Fields reports that access logs carry times and sizes.
func (a *AccessLogReader) Fields() trace.Fields {
	return trace.Fields{Time: true, Size: true, Marks: true}
}

// Filtered returns how many well-formed requests were dropped because they
// were not successful GETs (see AccessLogOptions.AllRequests).
func (a *AccessLogReader) Filtered() int { return a.filtered }

// Read fills r with the next request.
func (a *AccessLogReader) Read(r *trace.Request) error {
	for {
		line, err := a.sc.next()
		if err == nil {
			var keep bool
			if keep, err = a.parse(line, r); err == nil {
				if keep {
					return nil
				}
				a.filtered++
				continue
			}
		}
		if err = a.handle(err); err != nil {
			return err
		}
	}
}

// parse fills r from one line and reports whether it is a lookup to keep.
func (a *AccessLogReader) parse(line []byte, r *trace.Request) (bool, error) {
	lb := bytes.IndexByte(line, '[')
	if lb < 0 {
		return false, a.sc.errorf(0, `expected a [timestamp] after "host ident user", found none`)
	}
	np := splitSpace(line[:lb], a.pre[:])
	if np != 3 && np != 4 {
		return false, a.sc.errorf(0, `expected "host ident user [timestamp]" (or "vhost host ident user [timestamp]") before the '[', found %d fields`, np)
	}
	rest := line[lb+1:]
	rb := bytes.IndexByte(rest, ']')
	if rb < 0 {
		return false, a.sc.errorf(0, "timestamp: missing ']'")
	}
	ts, ok := parseCLFTime(rest[:rb])
	if !ok {
		return false, a.sc.errorf(0, "timestamp: expected dd/Mon/yyyy:hh:mm:ss ±hhmm, got %q", rest[:rb])
	}
	rest = bytes.TrimLeft(rest[rb+1:], " ")
	if len(rest) == 0 || rest[0] != '"' {
		return false, a.sc.errorf(0, `expected a quoted "METHOD path protocol" after the timestamp`)
	}
	req, rest, ok := quoted(rest)
	if !ok {
		return false, a.sc.errorf(0, "request: missing closing quote")
	}
	var parts [3][]byte
	if splitSpace(req, parts[:]) < 2 {
		return false, a.sc.errorf(0, `request: expected "METHOD path protocol", got %q`, req)
	}
	method, path := parts[0], parts[1]
	var tail [2][]byte
	if splitSpace(bytes.TrimLeft(rest, " "), tail[:]) < 2 {
		return false, a.sc.errorf(0, "expected the status and the bytes sent after the request")
	}
	status, ok := parseUint(tail[0])
	if !ok || status < 100 || status > 999 {
		return false, a.sc.errorf(0, "status: expected a 3-digit HTTP status, got %q", tail[0])
	}
	var size uint32
	if !bytes.Equal(tail[1], []byte("-")) {
		s, err := parseSize(tail[1])
		if err != nil {
			return false, a.sc.wrap(0, err)
		}
		size = s
	}
	if !a.opt.AllRequests && !cacheable(method, status) {
		return false, nil
	}
	withHost := a.opt.WithHost && np == 4
	if a.keys != nil {
		text := path
		if withHost {
			a.keyText = append(append(a.keyText[:0], a.pre[0]...), path...)
			text = a.keyText
		}
		if !a.keys.keep(text) {
			return false, errDropped
		}
	}
	t := ts * 1e9
	key := ParseKey(path)
	if withHost {
		a.digest.Reset()
		a.digest.Write(a.pre[0])
		a.digest.Write(path)
		key = a.digest.Sum64()
	}
	known := true
	if size > 0 {
		a.sizes.learn(key, size)
	} else {
		size, known = a.sizes.recall(key)
	}
	*r = trace.Request{Time: a.start.since(t), Key: key, Size: size, Unsized: !known}
	return true, nil
}

// cacheable reports whether a request is a successful lookup: a GET or HEAD
// answered 2xx or 304.
func cacheable(method []byte, status uint64) bool {
	get := bytes.Equal(method, []byte("GET")) || bytes.Equal(method, []byte("HEAD"))
	return get && (status/100 == 2 || status == 304)
}

// quoted returns the contents of the double-quoted string at the start of b
// (backslash escapes kept as they are) and what follows it.
func quoted(b []byte) (s, rest []byte, ok bool) {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return b[1:i], b[i+1:], true
		}
	}
	return nil, nil, false
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// parseCLFTime parses "10/Oct/2000:13:55:36 -0700" into Unix seconds.
func parseCLFTime(b []byte) (int64, bool) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return 0, false
	}
	num := func(s []byte) int {
		v, ok := parseUint(s)
		if !ok {
			return -1
		}
		return int(v)
	}
	day, year, hh, mm, ss := num(b[0:2]), num(b[7:11]), num(b[12:14]), num(b[15:17]), num(b[18:20])
	zh, zm := num(b[22:24]), num(b[24:26])
	month := -1
	for i, m := range months {
		if string(b[3:6]) == m {
			month = i + 1
		}
	}
	if day < 1 || day > 31 || year < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 || zh < 0 || zm < 0 || month < 0 || (b[21] != '+' && b[21] != '-') {
		return 0, false
	}
	off := int64(zh*3600 + zm*60)
	if b[21] == '-' {
		off = -off
	}
	return time.Date(year, time.Month(month), day, hh, mm, ss, 0, time.UTC).Unix() - off, true
}

// check parses one line, for format detection.
func (a *AccessLogReader) check(line []byte) error {
	var r trace.Request
	_, err := a.parse(line, &r)
	return err
}
