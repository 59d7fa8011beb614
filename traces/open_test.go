package traces

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
