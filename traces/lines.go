package traces

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Columns says where each field is in a line-based trace: 1-based column
// numbers, as libCacheSim's -t "obj-id-col=…" options; 0 means absent.
type Columns struct {
	Key, Size, Time, TTL, Op int
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
}

// LineReader reads one request per line from text or CSV. It allocates
// nothing per line.
type LineReader struct {
	name    string
	br      *bufio.Reader
	opt     LineOptions
	line    int
	records int // non-blank lines seen
	maxCol  int
	fields  [][]byte
	t0      int64
	haveT0  bool
	skipped int
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
	maxCol := 0
	for _, v := range []int{c.Key, c.Size, c.Time, c.TTL, c.Op} {
		if v < 0 {
			return nil, fmt.Errorf("column numbers are 1-based and positive, got %d", v)
		}
		maxCol = max(maxCol, v)
	}
	return &LineReader{
		name:   name,
		br:     bufio.NewReaderSize(r, 1<<20),
		opt:    opt,
		maxCol: maxCol,
		fields: make([][]byte, maxCol+1),
	}, nil
}

// Fields reports the optional fields this reader fills.
func (l *LineReader) Fields() Fields {
	c := l.opt.Columns
	return Fields{Time: c.Time > 0, Size: c.Size > 0, TTL: c.TTL > 0, Op: c.Op > 0}
}

// Skipped returns how many malformed lines were skipped (with SkipBad).
func (l *LineReader) Skipped() int { return l.skipped }

// Read fills r with the next request.
func (l *LineReader) Read(r *Request) error {
	for {
		line, err := l.next()
		if err != nil {
			return err
		}
		l.records++
		if l.records == 1 && l.opt.Header {
			continue
		}
		perr := l.parse(line, r)
		if perr == nil {
			return nil
		}
		if l.records == 1 && l.looksLikeHeader(line) {
			continue
		}
		if l.opt.SkipBad {
			l.skipped++
			continue
		}
		return perr
	}
}

// next returns the next non-blank line without its line end.
func (l *LineReader) next() ([]byte, error) {
	for {
		line, err := l.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			l.line++
			return nil, &ParseError{File: l.name, Line: l.line, Err: errors.New("line longer than 1 MiB; is this really a text trace?")}
		}
		if len(line) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: line %d: %w", l.name, l.line+1, err)
		}
		l.line++
		line = bytes.TrimRight(line, "\r\n")
		line = bytes.TrimSpace(line)
		if len(line) == 0 || (l.opt.SkipStars && len(line) == 1 && line[0] == '*') {
			if err == io.EOF {
				return nil, io.EOF
			}
			continue
		}
		return line, nil
	}
}

// split fills l.fields[1..maxCol]; it returns the number of columns found.
func (l *LineReader) split(line []byte) int {
	n := 0
	if l.opt.Delimiter == 0 {
		for len(line) > 0 && n < l.maxCol {
			i := bytes.IndexAny(line, " \t")
			n++
			if i < 0 {
				l.fields[n], line = line, nil
				break
			}
			l.fields[n] = line[:i]
			line = bytes.TrimLeft(line[i:], " \t")
		}
		return n
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
		return &ParseError{File: l.name, Line: l.line, Err: fmt.Errorf("expected at least %d columns, found %d (check the column flags and the delimiter)", l.maxCol, n)}
	}
	c := l.opt.Columns
	key := l.fields[c.Key]
	if len(key) == 0 {
		return &ParseError{File: l.name, Line: l.line, Column: c.Key, Err: errors.New("empty key")}
	}
	r.Key = ParseKey(key)
	r.Size, r.TTL, r.Time, r.Op = 1, 0, 0, OpGet
	var err error
	if c.Size > 0 {
		if r.Size, err = parseSize(l.fields[c.Size]); err != nil {
			return &ParseError{File: l.name, Line: l.line, Column: c.Size, Err: err}
		}
	}
	if c.TTL > 0 {
		if r.TTL, err = parseTTL(l.fields[c.TTL]); err != nil {
			return &ParseError{File: l.name, Line: l.line, Column: c.TTL, Err: err}
		}
	}
	if c.Op > 0 {
		if r.Op, err = ParseOp(l.fields[c.Op]); err != nil {
			return &ParseError{File: l.name, Line: l.line, Column: c.Op, Err: err}
		}
	}
	if c.Time > 0 {
		t, err := parseTime(l.fields[c.Time], l.opt.TimeUnit)
		if err != nil {
			return &ParseError{File: l.name, Line: l.line, Column: c.Time, Err: err}
		}
		if !l.haveT0 {
			l.t0, l.haveT0 = t, true
		}
		r.Time = t - l.t0
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
