package traces

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Writer writes requests in one trace format. Flush must be called after
// the last request.
type Writer interface {
	Write(r *Request) error
	Flush() error
}

// WriteFormats lists the formats NewWriter can write.
var WriteFormats = []string{"text", "csv"}

// NewWriter returns a writer of format ("text" or "csv") to w that writes
// the fields f says the requests carry, in the columns WriteColumns gives.
// Text is whitespace-separated with no header; CSV has a header line. Times
// are written in seconds with nanosecond decimals.
func NewWriter(format string, w io.Writer, f Fields) (Writer, error) {
	lw := &lineWriter{w: bufio.NewWriterSize(w, 1<<16), f: f, sep: ' '}
	switch format {
	case "text":
	case "csv":
		lw.sep = ','
		names := []string{"key"}
		for _, c := range []struct {
			on   bool
			name string
		}{{f.Time, "time"}, {f.Size, "size"}, {f.TTL, "ttl"}, {f.Op, "op"}} {
			if c.on {
				names = append(names, c.name)
			}
		}
		lw.w.WriteString(strings.Join(names, ",") + "\n")
	default:
		return nil, fmt.Errorf("cannot write trace format %q (writable: %s)", format, strings.Join(WriteFormats, ", "))
	}
	return lw, nil
}

// WriteColumns returns the columns NewWriter writes for fields f: the key
// first, then time, size, TTL and op, those present only.
func WriteColumns(f Fields) Columns {
	c := Columns{Key: 1}
	n := 1
	for _, col := range []struct {
		on  bool
		dst *int
	}{{f.Time, &c.Time}, {f.Size, &c.Size}, {f.TTL, &c.TTL}, {f.Op, &c.Op}} {
		if col.on {
			n++
			*col.dst = n
		}
	}
	return c
}

// lineWriter writes one request per line, allocating nothing per request.
type lineWriter struct {
	w   *bufio.Writer
	f   Fields
	sep byte
	buf []byte
}

func (l *lineWriter) Write(r *Request) error {
	b := strconv.AppendUint(l.buf[:0], r.Key, 10)
	if l.f.Time {
		b = append(b, l.sep)
		t := r.Time
		if t < 0 {
			b, t = append(b, '-'), -t
		}
		b = strconv.AppendInt(b, t/1e9, 10)
		ns := t % 1e9
		b = append(b, '.')
		for d := int64(1e8); d > 0; d /= 10 {
			b = append(b, byte('0'+ns/d%10))
		}
	}
	if l.f.Size {
		b = strconv.AppendUint(append(b, l.sep), uint64(r.Size), 10)
	}
	if l.f.TTL {
		b = strconv.AppendUint(append(b, l.sep), uint64(r.TTL), 10)
	}
	if l.f.Op {
		b = append(append(b, l.sep), r.Op.String()...)
	}
	b = append(b, '\n')
	l.buf = b
	_, err := l.w.Write(b)
	return err
}

func (l *lineWriter) Flush() error { return l.w.Flush() }

// Copy writes every request of r to w and flushes it; it returns how many
// requests it wrote.
func Copy(w Writer, r Reader) (int64, error) {
	var req Request
	var n int64
	for {
		err := r.Read(&req)
		if err == io.EOF {
			return n, w.Flush()
		}
		if err != nil {
			return n, err
		}
		if err := w.Write(&req); err != nil {
			return n, err
		}
		n++
	}
}
