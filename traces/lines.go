package traces

import (
	"bytes"
	"fmt"
	"io"
)

// Columns says where each field is in a line-based trace: 1-based column
// numbers, as libCacheSim's -t "obj-id-col=…" options; 0 means absent.
type Columns struct {
	Key, Size, Time, TTL, Op int
	// Latency is the column of the backend latency each request cost, in
	// LineOptions.LatencyUnit.
	Latency int
}

// LineOptions configures the text and CSV readers.
type LineOptions struct {
	// Columns locate the fields; the zero value means a key in column 1 only.
	Columns Columns
	// Delimiter separates columns in CSV; 0 splits on runs of spaces and tabs (text).
	Delimiter byte
	// Header skips the first line. Without it, a first line whose numeric
	// columns (size, time, TTL) hold no number and none of whose fields is a
	// number is taken as a header.
	Header bool
	// TimeUnit is the length of one time unit in nanoseconds (default 1e9: seconds).
	TimeUnit int64
	// SkipBad counts and skips malformed lines instead of failing.
	SkipBad bool
	// SkipStars skips lines that are "*" (the LIRS trace convention).
	SkipStars bool
	// AutoColumns takes the columns from the names in a header line when
	// the first line is one (see headerNames), replacing Columns.
	AutoColumns bool
	// LatencyUnit is the length of one unit of the latency column in
	// nanoseconds (default 1e6: milliseconds).
	LatencyUnit int64
}

// headerNames are the column names AutoColumns recognises (in any case).
var headerNames = map[string]func(*Columns) *int{
	"key": colKey, "id": colKey, "obj_id": colKey, "object_id": colKey, "objid": colKey, "obj": colKey,
	"lbn": colKey, "lba": colKey, "block": colKey, "url": colKey, "path": colKey,
	"time": colTime, "timestamp": colTime, "ts": colTime, "clock_time": colTime,
	"size": colSize, "obj_size": colSize, "object_size": colSize, "bytes": colSize, "len": colSize, "length": colSize,
	"ttl": colTTL, "latency": colLatency, "latency_ms": colLatency,
	"op": colOp, "operation": colOp, "cmd": colOp, "type": colOp,
}

func colKey(c *Columns) *int     { return &c.Key }
func colTime(c *Columns) *int    { return &c.Time }
func colSize(c *Columns) *int    { return &c.Size }
func colTTL(c *Columns) *int     { return &c.TTL }
func colOp(c *Columns) *int      { return &c.Op }
func colLatency(c *Columns) *int { return &c.Latency }

// MaxColumns is the highest column number a CSV or text trace may use.
const MaxColumns = 1024

// checkColumn reports whether n is a column number: 1 to MaxColumns.
func checkColumn(n int) error {
	if n < 1 || n > MaxColumns {
		return fmt.Errorf("column %d: columns are numbered from 1 to %d", n, MaxColumns)
	}
	return nil
}

// LineReader reads one request per line from text or CSV. It allocates
// nothing per line.
type LineReader struct {
	sc     lineScanner
	opt    LineOptions
	maxCol int
	fields [][]byte
	start  origin // the first timestamp
	first  bool   // the first non-blank line is still to come
	badRecords
}

// NewLineReader returns a reader of text or CSV requests from r; name is
// used in error messages.
func NewLineReader(name string, r io.Reader, opt LineOptions) (*LineReader, error) {
	if opt.Columns.Key == 0 {
		opt.Columns.Key = 1
	}
	if opt.TimeUnit == 0 {
		opt.TimeUnit = 1e9
	}
	c := opt.Columns
	if opt.LatencyUnit == 0 {
		opt.LatencyUnit = 1e6
	}
	for _, v := range []int{c.Key, c.Size, c.Time, c.TTL, c.Op, c.Latency} {
		if err := checkColumn(v); v != 0 && err != nil {
			return nil, err
		}
	}
	l := &LineReader{
		sc:         newLineScanner(name, r),
		opt:        opt,
		first:      true,
		badRecords: badRecords{skip: opt.SkipBad},
	}
	l.setColumns(opt.Columns)
	l.sc.skipStars = opt.SkipStars
	return l, nil
}

func (l *LineReader) setColumns(c Columns) {
	l.opt.Columns = c
	l.maxCol = max(c.Key, c.Size, c.Time, c.TTL, c.Op, c.Latency)
	l.fields = make([][]byte, l.maxCol+1)
}

// columnsFromHeader sets the columns from the names in line and reports
// whether line is a header naming at least the key column.
func (l *LineReader) columnsFromHeader(line []byte) bool {
	var names [][]byte
	if l.opt.Delimiter == 0 {
		names = bytes.Fields(line)
	} else {
		names = bytes.Split(line, []byte{l.opt.Delimiter})
	}
	var c Columns
	for i, n := range names {
		n = bytes.Trim(bytes.TrimSpace(n), `"`)
		if col, ok := headerNames[string(bytes.ToLower(n))]; ok && *col(&c) == 0 {
			*col(&c) = i + 1
		}
	}
	if c.Key == 0 {
		return false
	}
	l.setColumns(c)
	return true
}

// Fields reports the optional fields this reader fills; with AutoColumns,
// before the header is read, all of them.
func (l *LineReader) Fields() Fields {
	if l.opt.AutoColumns && l.first {
		return Fields{Time: true, Size: true, TTL: true, Op: true, Latency: true}
	}
	c := l.opt.Columns
	return Fields{Time: c.Time > 0, Size: c.Size > 0, TTL: c.TTL > 0, Op: c.Op > 0, Latency: c.Latency > 0}
}

// Read fills r with the next request.
func (l *LineReader) Read(r *Request) error {
	for {
		line, err := l.sc.next()
		if err == nil {
			first := l.first
			l.first = false
			if first && ((l.opt.AutoColumns && l.columnsFromHeader(line)) || l.opt.Header) {
				continue
			}
			err = l.parse(line, r)
			if err == nil {
				return nil
			}
			if first && l.looksLikeHeader(line) {
				continue
			}
		}
		if err = l.handle(err); err != nil {
			return err
		}
	}
}

// split fills l.fields[1..maxCol]; it returns the number of columns found.
func (l *LineReader) split(line []byte) int {
	n := 0
	if l.opt.Delimiter == 0 {
		return splitSpace(line, l.fields[1:l.maxCol+1])
	}
	d := l.opt.Delimiter
	for n < l.maxCol {
		n++
		if len(line) > 0 && line[0] == '"' {
			// Quoted field: runs to the closing quote ("" is an escaped quote).
			end := 1
			for end < len(line) {
				if line[end] == '"' {
					if end+1 < len(line) && line[end+1] == '"' {
						end += 2
						continue
					}
					break
				}
				end++
			}
			l.fields[n] = line[1:min(end, len(line))]
			line = line[min(end+1, len(line)):]
			if len(line) > 0 && line[0] == d {
				line = line[1:]
			} else if len(line) == 0 {
				break
			}
			continue
		}
		i := bytes.IndexByte(line, d)
		if i < 0 {
			l.fields[n] = bytes.TrimSpace(line)
			break
		}
		l.fields[n] = bytes.TrimSpace(line[:i])
		line = line[i+1:]
	}
	return n
}

func (l *LineReader) parse(line []byte, r *Request) error {
	n := l.split(line)
	if n < l.maxCol {
		return l.sc.errorf(0, "expected at least %d columns, found %d (check the column flags and the delimiter)", l.maxCol, n)
	}
	c := l.opt.Columns
	key := l.fields[c.Key]
	if len(key) == 0 {
		return l.sc.errorf(c.Key, "empty key")
	}
	r.Key = ParseKey(key)
	r.Size, r.TTL, r.Time, r.Op, r.Latency = 1, 0, 0, OpGet, 0
	var err error
	if c.Size > 0 {
		if r.Size, err = parseSize(l.fields[c.Size]); err != nil {
			return l.sc.wrap(c.Size, err)
		}
	}
	if c.TTL > 0 {
		if r.TTL, err = parseTTL(l.fields[c.TTL]); err != nil {
			return l.sc.wrap(c.TTL, err)
		}
	}
	if c.Op > 0 {
		if r.Op, err = ParseOp(l.fields[c.Op]); err != nil {
			return l.sc.wrap(c.Op, err)
		}
	}
	if c.Latency > 0 {
		ns, err := parseTime(l.fields[c.Latency], l.opt.LatencyUnit)
		if err != nil || ns < 0 {
			return l.sc.errorf(c.Latency, "latency: expected a non-negative decimal number, got %q", l.fields[c.Latency])
		}
		r.Latency = float64(ns) / 1e9
	}
	if c.Time > 0 {
		t, err := parseTime(l.fields[c.Time], l.opt.TimeUnit)
		if err != nil {
			return l.sc.wrap(c.Time, err)
		}
		r.Time = l.start.since(t)
	}
	return nil
}

// looksLikeHeader reports whether a first line that failed to parse is a
// header: it has a column that must be numeric, and none of its fields is a number.
func (l *LineReader) looksLikeHeader(line []byte) bool {
	c := l.opt.Columns
	if c.Size == 0 && c.Time == 0 && c.TTL == 0 {
		return false
	}
	n := l.split(line)
	for i := 1; i <= n; i++ {
		if _, err := parseTime(l.fields[i], 1); err == nil {
			return false
		}
	}
	return true
}

// splitSpace splits line at runs of spaces and tabs into dst, at most
// len(dst) fields (the last one is cut at the next space), and returns how
// many it found.
func splitSpace(line []byte, dst [][]byte) int {
	n := 0
	for len(line) > 0 && n < len(dst) {
		i := 0
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			i++
		}
		dst[n] = line[:i]
		n++
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		line = line[i:]
	}
	return n
}
