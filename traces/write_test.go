package traces

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

var written = []trace.Request{
	{Time: 0, Key: 7, Size: 100, TTL: 60, Op: trace.OpGet},
	{Time: 1_500_000_001, Key: 18446744073709551615, Size: 4294967295, TTL: 0, Op: trace.OpSet},
	{Time: 12_000_000_000, Key: 7, Size: 100, TTL: 60, Op: trace.OpDelete},
}

func writeAll(t *testing.T, format string, f trace.Fields) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(format, &buf, f)
	if err != nil {
		t.Fatal(err)
	}
	for i := range written {
		if err := w.Write(&written[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestWriterGolden compares with hand-written files.
func TestWriterGolden(t *testing.T) {
	all := trace.Fields{Time: true, Size: true, TTL: true, Op: true}
	for _, tc := range []struct {
		format string
		f      trace.Fields
		want   string
	}{
		{"text", trace.Fields{}, "7\n18446744073709551615\n7\n"},
		{"text", trace.Fields{Size: true}, "7 100\n18446744073709551615 4294967295\n7 100\n"},
		{"csv", all, "key,time,size,ttl,op\n" +
			"7,0,100,60,get\n" +
			"18446744073709551615,1.500000001,4294967295,0,set\n" +
			"7,12,100,60,delete\n"},
	} {
		if got := writeAll(t, tc.format, tc.f); got != tc.want {
			t.Errorf("%s %+v:\n%s\nwant:\n%s", tc.format, tc.f, got, tc.want)
		}
	}
	if _, err := NewWriter("vscsi", &bytes.Buffer{}, trace.Fields{}); err == nil || !strings.Contains(err.Error(), "writable: text, csv") {
		t.Errorf("unknown format: %v", err)
	}
}

// TestWriterRoundTrip: what the writers write, the readers read back
// identically, given the columns WriteColumns reports.
func TestWriterRoundTrip(t *testing.T) {
	all := trace.Fields{Time: true, Size: true, TTL: true, Op: true}
	for _, format := range WriteFormats {
		for _, f := range []trace.Fields{all, {Time: true}, {Size: true, Op: true}} {
			path := filepath.Join(t.TempDir(), "t."+format)
			if err := os.WriteFile(path, []byte(writeAll(t, format, f)), 0o644); err != nil {
				t.Fatal(err)
			}
			tr, _, err := Load(path, Options{Format: format, Line: LineOptions{Columns: WriteColumns(f), Header: format == "csv"}})
			if err != nil {
				t.Fatal(err)
			}
			if tr.Len() != len(written) {
				t.Fatalf("%s %+v: read %d requests, want %d", format, f, tr.Len(), len(written))
			}
			for i, want := range written {
				var got trace.Request
				tr.At(i, &got)
				if !f.Time {
					want.Time = 0
				}
				if !f.Size {
					want.Size = 1
				}
				if !f.TTL {
					want.TTL = 0
				}
				if !f.Op {
					want.Op = trace.OpGet
				}
				if got != want {
					t.Errorf("%s %+v: request %d read back as %+v, want %+v", format, f, i, got, want)
				}
			}
		}
	}
}
