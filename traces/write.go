package traces

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// OutputFormats lists the formats Write can produce.
var OutputFormats = []string{"text", "csv", "oracleGeneral"}

// NextAccess returns, for every request of t, the 1-based index of the next
// request for the same key, or -1 when there is none: libCacheSim's
// next_access_vtime, computed in one backward pass.
func NextAccess(t *Trace) []int64 {
	next := make([]int64, t.Len())
	last := make(map[uint64]int64, t.Len()/4)
	for i := t.Len() - 1; i >= 0; i-- {
		k := t.Keys[i]
		if j, ok := last[k]; ok {
			next[i] = j + 1
		} else {
			next[i] = -1
		}
		last[k] = int64(i)
	}
	return next
}

// Write writes t to w in the given output format:
//   - text: one decimal key per line;
//   - csv: a header, then key and whichever of size, time (seconds since
//     the trace's start), ttl and op the trace has (in that order; the
//     header names them for LineOptions.AutoColumns);
//   - oracleGeneral: libCacheSim's 24-byte records, with next_access_vtime
//     computed by NextAccess, the time in whole seconds and every size at
//     least 1 (libCacheSim skips size-0 records).
func Write(w io.Writer, format string, t *Trace) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var req Request
	var buf []byte
	switch strings.ToLower(format) {
	case "text":
		for i := 0; i < t.Len(); i++ {
			buf = strconv.AppendUint(buf[:0], t.Keys[i], 10)
			buf = append(buf, '\n')
			bw.Write(buf)
		}
	case "csv":
		f := t.Fields()
		bw.WriteString(csvHeader(f))
		for i := 0; i < t.Len(); i++ {
			t.At(i, &req)
			bw.Write(appendCSV(buf[:0], &req, f))
		}
	case "oraclegeneral":
		next := NextAccess(t)
		var rec [oracleRecord]byte
		for i := 0; i < t.Len(); i++ {
			t.At(i, &req)
			le.PutUint32(rec[0:], uint32(req.Time/1e9))
			le.PutUint64(rec[4:], req.Key)
			le.PutUint32(rec[12:], max(req.Size, 1))
			le.PutUint64(rec[16:], uint64(next[i]))
			bw.Write(rec[:])
		}
	default:
		return fmt.Errorf("unknown output format %q (known: %s)", format, strings.Join(OutputFormats, ", "))
	}
	return bw.Flush()
}

func csvHeader(f Fields) string {
	h := "key"
	for _, c := range []struct {
		has  bool
		name string
	}{{f.Size, "size"}, {f.Time, "time"}, {f.TTL, "ttl"}, {f.Op, "op"}} {
		if c.has {
			h += "," + c.name
		}
	}
	return h + "\n"
}

func appendCSV(b []byte, r *Request, f Fields) []byte {
	b = strconv.AppendUint(b, r.Key, 10)
	if f.Size {
		b = strconv.AppendUint(append(b, ','), uint64(r.Size), 10)
	}
	if f.Time {
		b = appendSeconds(append(b, ','), r.Time)
	}
	if f.TTL {
		b = strconv.AppendUint(append(b, ','), uint64(r.TTL), 10)
	}
	if f.Op {
		b = append(append(b, ','), r.Op.String()...)
	}
	return append(b, '\n')
}

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
