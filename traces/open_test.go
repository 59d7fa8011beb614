package traces

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDetectByContent names every format from content under a neutral
// file name (and LIRS and cache2k, which need it, from their extension).
func TestDetectByContent(t *testing.T) {
	cases := []struct{ name, want, data string }{
		{"a.dat", "text", "alpha\nbeta\nalpha\n"},
		{"a.dat", "csv", "key,size\na,1\n"},
		{"a.dat", "arc", "5 3 0 0\n9 1 0 0\n"},
		{"a.trace", "lirs", "1\n*\n2\n"},
		{"a.dat", "twitter", strings.SplitN(twitterTrace, "\n", 2)[0] + "\n"},
		{"a.dat", "jsonl", `{"key": "a"}` + "\n"},
		{"a.dat", "monitor", strings.SplitN(monitorLog, "\n", 3)[1] + "\n"},
		{"a.dat", "accesslog", strings.SplitN(accessLog, "\n", 2)[0] + "\n"},
		{"a.dat", "oracleGeneral", string(oracleBytes([4]int64{1, 7, 5, 3}, [4]int64{1, 8, 5, -1}, [4]int64{2, 7, 5, -1}))},
		{"a.trace", "cache2k", "\x00\x00\x00\x01\x00\x00\x00\x02"},
		// One malformed line in eleven does not stop detection.
		{"a.dat", "accesslog", strings.Repeat(strings.SplitN(accessLog, "\n", 2)[0]+"\n", 10) + "garbage\n"},
	}
	for _, c := range cases {
		f, err := Open(writeFile(t, c.name, []byte(c.data)), Options{})
		if err != nil {
			t.Errorf("%s: %v", c.want, err)
			continue
		}
		if f.Format != c.want {
			t.Errorf("%q in %s detected as %s, want %s", c.data, c.name, f.Format, c.want)
		}
		f.Close()
	}
	_, err := Open(writeFile(t, "a.dat", []byte("\x00\x01\x02\x03\x04")), Options{})
	if err == nil || !strings.Contains(err.Error(), "matches no trace format (tried vscsi, oracleGeneral") {
		t.Errorf("binary junk: got %v, want an error naming the formats tried", err)
	}
	f, err := Open(writeFile(t, "a.dat", []byte("5 3 0 0\n")), Options{Format: "text"})
	if err != nil || f.Format != "text" {
		t.Errorf("--trace-format text on an ARC-looking file: %v, %v", f, err)
	}
	if _, err := Open(writeFile(t, "a.dat", nil), Options{Format: "nope"}); err == nil || !strings.Contains(err.Error(), "known: vscsi") {
		t.Errorf("unknown format: got %v", err)
	}
}

// TestCompression reads the same ARC trace plain, gzip, zstd and xz
// compressed, under names with and without the compression extension.
func TestCompression(t *testing.T) {
	plain := []byte("5 3 0 0\n100 2 0 0\n")
	var gz, zs, x bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(plain)
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(plain)
	zw.Close()
	xw, _ := xz.NewWriter(&x)
	xw.Write(plain)
	xw.Close()
	for name, data := range map[string][]byte{"t": plain, "t.gz": gz.Bytes(), "t.zst": zs.Bytes(), "t.xz": x.Bytes(), "t.bin": zs.Bytes()} {
		tr, _, err := Load(writeFile(t, name, data), Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !equalKeys(tr.Keys, []uint64{5, 6, 7, 100, 101}) {
			t.Errorf("%s: keys %v", name, tr.Keys)
		}
	}
	var big bytes.Buffer
	gw = gzip.NewWriter(&big)
	for i := 0; i < 200000; i++ {
		fmt.Fprintf(gw, "%d 1 0 0\n", i*7919%100003)
	}
	gw.Close()
	cut := big.Bytes()[:big.Len()/2]
	if _, _, err := Load(writeFile(t, "cut.gz", cut), Options{}); err == nil || !strings.Contains(err.Error(), "cut.gz: line ") || !strings.Contains(err.Error(), "truncated file?") {
		t.Errorf("truncated gzip: got %v, want an error naming the file, the line and truncation", err)
	}
	bad := append([]byte{0x28, 0xb5, 0x2f, 0xfd}, "garbage"...)
	if _, _, err := Load(writeFile(t, "t.zst", bad), Options{}); err == nil {
		t.Error("corrupt zstd: no error")
	}
}

// openAll opens data under name with opt and reads it whole, returning the
// file (closed) and the requests.
func openAll(t *testing.T, name, data string, opt Options) (*File, []trace.Request) {
	t.Helper()
	f, err := Open(writeFile(t, name, []byte(data)), opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer f.Close()
	return f, drain(t, f)
}

// A known extension decides the format even when damaged lines (or
// records) make the contents fit another, and the reader of that format
// says what is wrong.
func TestExtensionDecides(t *testing.T) {
	// 3 bad lines among the first 20 of a JSON lines file: still JSON lines.
	var js strings.Builder
	for i := 0; i < 100; i++ {
		if i == 2 || i == 9 || i == 15 {
			js.WriteString("{\"key\": \"broken\n")
			continue
		}
		fmt.Fprintf(&js, "{\"key\": \"k%d\", \"size\": 10}\n", i%7)
	}
	f, reqs := openAll(t, "a.jsonl", js.String(), Options{SkipBad: true})
	if f.Format != "jsonl" || len(reqs) != 97 || f.Skipped() != 3 || reqs[0].Key != h("k0") {
		t.Errorf(".jsonl: read as %s, %d requests, %d skipped; want jsonl, 97, 3", f.Format, len(reqs), f.Skipped())
	}
	// The same for an access log with 3 bad lines among its first 20.
	line := strings.SplitN(accessLog, "\n", 2)[0] + "\n"
	log := strings.Repeat(line, 2) + "bad\n" + strings.Repeat(line, 6) + "bad\nbad\n" + strings.Repeat(line, 20)
	f, reqs = openAll(t, "a.log", log, Options{SkipBad: true})
	if f.Format != "accesslog" || len(reqs) != 28 || reqs[0].Key != h("/apache_pb.gif") {
		t.Errorf(".log: read as %s, %d requests; want accesslog, 28", f.Format, len(reqs))
	}
	// Small or damaged binary files give their format's error.
	rec := oracleBytes([4]int64{1, 7, 5, 3}, [4]int64{1, 8, 5, -1})
	_, _, err := Load(writeFile(t, "x.oracleGeneral", rec[:30]), Options{})
	wantParseError(t, withFile(err), 0, 24, "truncated record")
	bad := append(vscsiV1(0x28, 1, 2, 3), make([]byte, 32)...)
	_, _, err = Load(writeFile(t, "x.vscsi.zst", zstdBytes(bad)), Options{})
	wantParseError(t, withFile(err), 0, 32, "expected a VSCSI version 1 record")
}

// withFile renames the file of a ParseError to in.test, for wantParseError.
func withFile(err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.File = "in.test"
	}
	return err
}

func zstdBytes(b []byte) []byte {
	var zs bytes.Buffer
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(b)
	zw.Close()
	return zs.Bytes()
}

// Between the formats an extension may mean, and for names that name
// none, the contents choose, and a note says so.
func TestDetectionNotes(t *testing.T) {
	mon := strings.SplitN(monitorLog, "\n", 3)[1] + "\n"
	for _, c := range []struct{ name, data, format, note string }{
		{"cap.log", mon, "monitor", "read as monitor, which its contents fit, of the formats a .log file may hold (accesslog, monitor)"},
		{"cap.txt", mon, "monitor", "read as monitor"},
		{"cap.dat", mon, "monitor", "read as monitor, chosen from its contents (.dat names no format)"},
		{"cap", "5 3 0 0\n", "arc", "read as arc, chosen from its contents (its name has no extension)"},
		{"keys.txt", "a\nb\n", "text", ""},
		{"x.monitor", mon, "monitor", ""},
	} {
		f, _ := openAll(t, c.name, c.data, Options{})
		var notes []string
		for _, n := range f.Notes() {
			if n.Kind == NoteFormat {
				notes = append(notes, n.Text)
			}
		}
		if f.Format != c.format || (c.note == "") != (len(notes) == 0) || (c.note != "" && !strings.HasPrefix(notes[0], c.note)) {
			t.Errorf("%s: read as %s with notes %q; want %s and %q", c.name, f.Format, notes, c.format, c.note)
		}
	}
}

// A UTF-8 byte order mark is not part of the first field, in any text format.
func TestByteOrderMark(t *testing.T) {
	const bom = "\xEF\xBB\xBF"
	mon := strings.SplitN(monitorLog, "\n", 3)[1] + "\n"
	for _, c := range []struct {
		name, data string
		want       trace.Request
	}{
		{"bom.csv", "key,size\na,10\nb,20\n", trace.Request{Key: h("a"), Size: 10}},
		{"bom.txt", "a\nb\n", trace.Request{Key: h("a"), Size: 1}},
		{"bom.lirs", "5\n*\n6\n", trace.Request{Key: 5, Size: 1}},
		{"bom.arc", "5 2 0 0\n", trace.Request{Key: 5, Size: 1}},
		{"bom.jsonl", `{"key": "a", "size": 10}` + "\n", trace.Request{Key: h("a"), Size: 10}},
		{"bom.twitter", "0,abc,10,100,1,get,0\n", trace.Request{Key: h("abc"), Size: 110}},
		{"bom.monitor", mon, trace.Request{Key: h("key1"), Size: 1, Unsized: true}},
		{"bom.log", accessLog, trace.Request{Key: h("/apache_pb.gif"), Size: 2326}},
	} {
		f, reqs := openAll(t, c.name, bom+c.data, Options{SkipBad: true, Line: LineOptions{AutoColumns: true}})
		if f.Skipped() != 0 && c.name != "bom.log" {
			t.Errorf("%s: %d lines skipped", c.name, f.Skipped())
		}
		if len(reqs) == 0 || reqs[0] != c.want {
			t.Errorf("%s: first request %+v, want %+v", c.name, reqs, c.want)
		}
		if c.name == "bom.csv" && len(reqs) != 2 {
			t.Errorf("bom.csv: %d requests, want 2 (the header is no request)", len(reqs))
		}
	}
}

// A zstd frame with a 2 GiB window (zstd --long=31, the most the zstd tool
// writes) is read; a larger window gets an error that says which option
// wrote it.
func TestZstdLongWindow(t *testing.T) {
	// printf '1\n2\n3\n' | zstd --long=31: window descriptor 0xa8 = 2^31 bytes.
	long := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x04, 0xa8, 0x31, 0x00, 0x00, 0x31, 0x0a, 0x32, 0x0a, 0x33, 0x0a, 0xbb, 0x08, 0xa1, 0x78}
	tr, _, err := Load(writeFile(t, "long.txt.zst", long), Options{})
	if err != nil || !equalKeys(tr.Keys, []uint64{1, 2, 3}) {
		t.Fatalf("2 GiB window: %v, %v", tr, err)
	}
	long[5] = 0xb0 // 2^32 bytes
	_, _, err = Load(writeFile(t, "long.txt.zst", long), Options{})
	if err == nil || !strings.Contains(err.Error(), "window over 2 GiB (zstd --long=32 or more)") {
		t.Errorf("4 GiB window: got %v", err)
	}
}
