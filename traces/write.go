package traces

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
)

// Writer writes requests in one trace format, streaming. Flush must be
// called after the last request.
type Writer interface {
	Write(r *trace.Request) error
	Flush() error
}

// WriteFormats lists the formats NewWriter can stream.
var WriteFormats = []string{"text", "csv"}

// OutputFormats lists the formats Write can produce from a whole trace.
var OutputFormats = []string{"text", "csv", "oracleGeneral"}

// NewWriter returns a writer of format ("text" or "csv"; "prompts" for
// requests that are LLM prompts, see PromptReader) to w that writes
// the fields f says the requests carry, in the columns WriteColumns gives.
// Text is whitespace-separated with no header; CSV has a header line naming
// the columns (so LineOptions.AutoColumns reads it back). Times are written
// in seconds since the trace's start, with as many decimals as needed.
func NewWriter(format string, w io.Writer, f trace.Fields) (Writer, error) {
	lw := &lineWriter{w: bufio.NewWriterSize(w, 1<<16), f: f, sep: ' '}
	format = strings.ToLower(format)
	switch {
	case format == "prompts" && f.Tokens:
		return newPromptWriter(w), nil
	case format == "prompts":
		return nil, fmt.Errorf("the prompts format holds LLM prompts (requests of KV-cache blocks), and these requests are not")
	case f.Tokens:
		return nil, fmt.Errorf("requests that are LLM prompts lose their blocks' grouping in %s: write format prompts (JSON lines)", format)
	}
	switch format {
	case "text":
	case "csv":
		lw.sep = ','
		names := []string{"key"}
		for _, c := range []struct {
			on   bool
			name string
		}{{f.Time, "time"}, {f.Size, "size"}, {f.TTL, "ttl"}, {f.Op, "op"}, {f.Marks, "request_id"}, {f.Tenant, "tenant"}} {
			if c.on {
				names = append(names, c.name)
			}
		}
		lw.w.WriteString(strings.Join(names, ",") + "\n")
	default:
		return nil, fmt.Errorf("cannot stream trace format %q (writable: %s)", format, strings.Join(WriteFormats, ", "))
	}
	return lw, nil
}

// WriteColumns returns the columns NewWriter writes for fields f: the key
// first, then time, size, TTL, op, request id and tenant, those present only.
func WriteColumns(f trace.Fields) Columns {
	c := Columns{Key: 1}
	n := 1
	for _, col := range []struct {
		on  bool
		dst *int
	}{{f.Time, &c.Time}, {f.Size, &c.Size}, {f.TTL, &c.TTL}, {f.Op, &c.Op}, {f.Marks, &c.Request}, {f.Tenant, &c.Tenant}} {
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
	f   trace.Fields
	sep byte
	buf []byte
	ids writtenIDs // request ids and tenant names (batch.go)
}

func (l *lineWriter) Write(r *trace.Request) error {
	b := strconv.AppendUint(l.buf[:0], r.Key, 10)
	if l.f.Time {
		b = appendSeconds(append(b, l.sep), r.Time)
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
	b = l.ids.append(b, l.sep, r, l.f)
	b = append(b, '\n')
	l.buf = b
	_, err := l.w.Write(b)
	return err
}

func (l *lineWriter) Flush() error { return l.w.Flush() }

// appendSeconds writes ns as decimal seconds, with no more fraction digits than needed.
func appendSeconds(b []byte, ns int64) []byte {
	if ns < 0 {
		b, ns = append(b, '-'), -ns
	}
	b = strconv.AppendInt(b, ns/1e9, 10)
	if frac := ns % 1e9; frac != 0 {
		var d [9]byte
		for i := 8; i >= 0; i-- {
			d[i] = byte('0' + frac%10)
			frac /= 10
		}
		n := 9
		for d[n-1] == '0' {
			n--
		}
		b = append(append(b, '.'), d[:n]...)
	}
	return b
}

// Copy writes every request of r to w and flushes it; it returns how many
// requests it wrote.
func Copy(w Writer, r trace.Reader) (int64, error) {
	var req trace.Request
	var n int64
	if lw, ok := w.(*lineWriter); ok {
		lw.ids.names, _ = r.(TenantNamer)
	}
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

// NextAccessVtime returns, for every request of t, libCacheSim's
// next_access_vtime: the 1-based index of the next request for the same
// key, or -1 when there is none (from Trace.NextAccess's one backward pass).
func NextAccessVtime(t *trace.Trace) []int64 {
	t.NextAccess()
	out := make([]int64, len(t.Next))
	for i, n := range t.Next {
		if n == trace.NoNext {
			out[i] = -1
		} else {
			out[i] = n + 1
		}
	}
	return out
}

// Write writes the whole trace t to w in one of OutputFormats: text and csv
// as NewWriter streams them; oracleGeneral as libCacheSim's 24-byte records,
// with next_access_vtime computed by NextAccessVtime (hence the whole trace), the
// time in whole seconds and every size at least 1 (libCacheSim skips size-0
// records).
func Write(w io.Writer, format string, t *trace.Trace) error {
	if strings.ToLower(format) != "oraclegeneral" {
		if !containsFold(OutputFormats, format) {
			return fmt.Errorf("unknown output format %q (known: %s)", format, strings.Join(OutputFormats, ", "))
		}
		tw, err := NewWriter(format, w, t.Fields())
		if err != nil {
			return err
		}
		_, err = Copy(tw, t.Reader())
		return err
	}
	if t.Tokens != nil {
		return fmt.Errorf("%s holds LLM prompts, whose requests' grouping into blocks oracleGeneral cannot keep", t.Name)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	next := NextAccessVtime(t)
	var req trace.Request
	var rec [oracleRecord]byte
	for i := 0; i < t.Len(); i++ {
		t.At(i, &req)
		le.PutUint32(rec[0:], uint32(req.Time/1e9))
		le.PutUint64(rec[4:], req.Key)
		le.PutUint32(rec[12:], max(req.Size, 1))
		le.PutUint64(rec[16:], uint64(next[i]))
		bw.Write(rec[:])
	}
	return bw.Flush()
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
