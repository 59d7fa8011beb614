package traces

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
)

// oracleBytes packs records (time, id, size, next) as oracleGeneral.
func oracleBytes(recs ...[4]int64) []byte {
	var b []byte
	for _, r := range recs {
		b = binary.LittleEndian.AppendUint32(b, uint32(r[0]))
		b = binary.LittleEndian.AppendUint64(b, uint64(r[1]))
		b = binary.LittleEndian.AppendUint32(b, uint32(r[2]))
		b = binary.LittleEndian.AppendUint64(b, uint64(r[3]))
	}
	return b
}

func TestOracleGeneral(t *testing.T) {
	in := oracleBytes([4]int64{100, 7, 512, 3}, [4]int64{101, 8, 0, -1}, [4]int64{102, 7, 512, -1})
	r := NewOracleReader("in.test", bytes.NewReader(in), Options{})
	var got []trace.Request
	var next []int64
	var req trace.Request
	for r.Read(&req) == nil {
		got = append(got, req)
		next = append(next, r.NextAccess())
	}
	// The size-0 record is skipped, as libCacheSim does.
	compare(t, got, []trace.Request{{Key: 7, Size: 512}, {Time: 2e9, Key: 7, Size: 512}})
	if next[0] != 3 || next[1] != -1 {
		t.Errorf("next access %v, want [3 -1]", next)
	}
	err := firstError(NewOracleReader("in.test", bytes.NewReader(in[:len(in)-5]), Options{}))
	wantParseError(t, err, 0, 48, "truncated record: 19 bytes left, expected a whole 24-byte record")
	sk := NewOracleReader("in.test", bytes.NewReader(in[:len(in)-5]), Options{SkipBad: true})
	if n := len(drain(t, sk)); n != 1 || sk.Skipped() != 1 {
		t.Errorf("with SkipBad: %d requests, %d skipped; want 1 and 1", n, sk.Skipped())
	}
}

// vscsiV1 packs a v1 record (32 bytes).
func vscsiV1(cmd uint16, size uint32, lbn, ts uint64) []byte {
	b := make([]byte, 32)
	binary.LittleEndian.PutUint32(b[4:], size)
	binary.LittleEndian.PutUint32(b[8:], 1)
	binary.LittleEndian.PutUint16(b[12:], cmd)
	binary.LittleEndian.PutUint16(b[14:], 0x0100)
	binary.LittleEndian.PutUint64(b[16:], lbn)
	binary.LittleEndian.PutUint64(b[24:], ts)
	return b
}

// vscsiV2 packs a v2 record (40 bytes).
func vscsiV2(cmd uint16, size uint32, lbn, ts uint64) []byte {
	b := make([]byte, 40)
	binary.LittleEndian.PutUint16(b[0:], cmd)
	binary.LittleEndian.PutUint16(b[2:], 0x0200)
	binary.LittleEndian.PutUint32(b[8:], size)
	binary.LittleEndian.PutUint64(b[16:], lbn)
	binary.LittleEndian.PutUint64(b[24:], ts)
	return b
}

func TestVSCSI(t *testing.T) {
	want := []trace.Request{{Key: 9, Size: 4096, Op: trace.OpWrite}, {Time: 1500e3, Key: 10, Size: 512, Op: trace.OpGet}}
	for _, c := range []struct {
		name string
		rec  func(uint16, uint32, uint64, uint64) []byte
		n    int64
	}{{"v1", vscsiV1, 32}, {"v2", vscsiV2, 40}} {
		in := append(c.rec(0x2a, 4096, 9, 1000), c.rec(0x28, 512, 10, 2500)...)
		compare(t, drain(t, NewVSCSIReader("in.test", bytes.NewReader(in), Options{})), want)
		err := firstError(NewVSCSIReader("in.test", bytes.NewReader(in[:len(in)-1]), Options{}))
		wantParseError(t, err, 0, c.n, "truncated record")
		if f, _, err := detect("x", in, Options{}); err != nil || f.name != "vscsi" {
			t.Errorf("%s detected as %v, %v", c.name, f, err)
		}
	}
	bad := append(vscsiV1(0x28, 1, 1, 1), make([]byte, 32)...)
	err := firstError(NewVSCSIReader("in.test", bytes.NewReader(bad), Options{}))
	wantParseError(t, err, 0, 32, "expected a VSCSI version 1 record")
	err = firstError(NewVSCSIReader("in.test", bytes.NewReader(make([]byte, 64)), Options{}))
	wantParseError(t, err, 0, 0, "not a VSCSI trace")
}

func TestCache2k(t *testing.T) {
	in := []byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1}
	r := NewCache2kReader("in.test", bytes.NewReader(in), Options{SkipBad: true})
	compare(t, drain(t, r), []trace.Request{{Key: 1, Size: 1}, {Key: uint64(1<<64 - 2), Size: 1}})
	if r.Skipped() != 1 {
		t.Errorf("skipped %d, want the truncated last record", r.Skipped())
	}
	wantParseError(t, firstError(NewCache2kReader("in.test", bytes.NewReader(in), Options{})), 0, 8, "truncated")
}

func TestARC(t *testing.T) {
	in := "5 3 0 0\n\n100 1 0 0\r\n7 0 0 0\nx 1 0 0\n8 2 0 0\n"
	r := NewARCReader("in.test", bytes.NewReader([]byte(in)), Options{SkipBad: true})
	var keys []uint64
	for _, q := range drain(t, r) {
		keys = append(keys, q.Key)
	}
	if want := []uint64{5, 6, 7, 100, 8, 9}; !equalKeys(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	wantParseError(t, firstError(NewARCReader("in.test", bytes.NewReader([]byte(in)), Options{})), 5, 0, "column 1: start block")
}

func equalKeys(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLIRSAndTextErrors(t *testing.T) {
	in := "1\r\n*\r\n\r\n2\r\n*\r\n3\r\n"
	r, _ := openLines("lirs")("in.test", bytes.NewReader([]byte(in)), Options{})
	var keys []uint64
	for _, q := range drain(t, r) {
		keys = append(keys, q.Key)
	}
	if !equalKeys(keys, []uint64{1, 2, 3}) {
		t.Errorf("LIRS keys %v, want [1 2 3]: '*' and blank lines skipped, reading goes on after them", keys)
	}
	csv, _ := openLines("csv")("in.test", bytes.NewReader([]byte("k,size\na,10\nb,ten\n")), Options{Line: LineOptions{Columns: Columns{Key: 1, Size: 2}}})
	wantParseError(t, firstError(csv), 3, 0, "column 2: size")
	csvOp, _ := openLines("csv")("in.test", bytes.NewReader([]byte("a,get\nb,fly\n")), Options{Line: LineOptions{Columns: Columns{Key: 1, Op: 2}}})
	wantParseError(t, firstError(csvOp), 2, 0, "unknown operation")
}

func TestAutoColumns(t *testing.T) {
	in := "Timestamp,ID,Bytes,Op\n5,a,10,get\n6.5,b,20,SET\n"
	r, _ := openLines("csv")("in.test", strings.NewReader(in), Options{Line: LineOptions{AutoColumns: true}})
	compare(t, drain(t, r), []trace.Request{{Key: h("a"), Size: 10}, {Time: 1500e6, Key: h("b"), Size: 20, Op: trace.OpSet}})
	// A first line that names no key column is data.
	r, _ = openLines("csv")("in.test", strings.NewReader("x,y\n"), Options{Line: LineOptions{AutoColumns: true}})
	compare(t, drain(t, r), []trace.Request{{Key: h("x"), Size: 1}})
	// Without AutoColumns the names mean nothing: key in column 1.
	r, _ = openLines("csv")("in.test", strings.NewReader(in), Options{Line: LineOptions{Header: true}})
	if got := drain(t, r); len(got) != 2 || got[0].Key != 5 {
		t.Errorf("without AutoColumns: %+v", got)
	}
}

// An ARC line may not expand past MaxARCCount requests, nor run past the
// largest key.
func TestARCLimits(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0 18446744073709551615 0 0\n", "at most 1048576 blocks"},
		{"0 1048577 0 0\n", "at most 1048576 blocks"},
		{"18446744073709551615 2 0 0\n", "past the largest block number"},
	} {
		wantParseError(t, firstError(NewARCReader("in.test", strings.NewReader(c.in), Options{})), 1, 0, c.want)
	}
	// The largest allowed line, and one that ends exactly at 2^64-1.
	r := NewARCReader("in.test", strings.NewReader("7 1048576 0 0\n18446744073709551614 2 0 0\n"), Options{})
	n := 0
	var q trace.Request
	for r.Read(&q) == nil {
		n++
	}
	if n != 1<<20+2 || q.Key != 1<<64-1 {
		t.Errorf("%d requests, want 2^20 + 2", n)
	}
}

// A VSCSI timestamp too large for a time in nanoseconds is an error, not a
// time that wraps round.
func TestVSCSITimeLimit(t *testing.T) {
	for _, ts := range []uint64{1<<63 - 1, 1<<64 - 1, math.MaxInt64/1000 + 1} {
		in := append(vscsiV1(0x28, 512, 1, 5), vscsiV1(0x28, 512, 2, ts)...)
		wantParseError(t, firstError(NewVSCSIReader("in.test", bytes.NewReader(in), Options{})), 0, 32, "timestamp")
	}
	// The largest allowed one is read exactly: 9223372036854775 µs after 5 µs.
	in := append(vscsiV1(0x28, 512, 1, 5), vscsiV1(0x28, 512, 2, math.MaxInt64/1000)...)
	got := drain(t, NewVSCSIReader("in.test", bytes.NewReader(in), Options{}))
	if got[1].Time != (9223372036854775-5)*1000 {
		t.Errorf("time %d, want %d", got[1].Time, (9223372036854775-5)*1000)
	}
}

// TestRequestBound: a plain oracleGeneral file of three 24-byte records
// holds at most 3 requests (one is skipped, size 0, so the bound is not
// exact), and loading it (presized to 3) keeps the 2 read; compressed, its size says
// nothing about its records.
func TestRequestBound(t *testing.T) {
	in := oracleBytes([4]int64{100, 7, 512, 3}, [4]int64{101, 8, 0, -1}, [4]int64{102, 7, 512, -1})
	dir := t.TempDir()
	plain := filepath.Join(dir, "in.oracleGeneral.bin")
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(in)
	gw.Close()
	packed := filepath.Join(dir, "in.oracleGeneral.bin.gz")
	if os.WriteFile(plain, in, 0o644) != nil || os.WriteFile(packed, gz.Bytes(), 0o644) != nil {
		t.Fatal("cannot write the test files")
	}
	for path, want := range map[string]int{plain: 3, packed: 0} {
		f, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.RequestBound(); got != want || trace.RequestBound(f) != want {
			t.Errorf("%s: RequestBound %d (trace.RequestBound %d), want %d", filepath.Base(path), got, trace.RequestBound(f), want)
		}
		if got := trace.RequestBound(f.Reader); got != 0 {
			t.Errorf("%s: the decoder alone, which cannot know, gives a bound of %d, want 0", filepath.Base(path), got)
		}
		tr, err := ReadAll(path, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if tr.Len() != 2 {
			t.Errorf("%s: loaded %d requests, want 2", filepath.Base(path), tr.Len())
		}
	}
}

// TestReadAllNumbered loads a plain oracleGeneral file of 150,000
// requests (more than two of the chunks the numbering is handed) and
// checks each request's key number against a map's numbering in the order
// of first request, with the size-0 records skipped; a compressed copy,
// whose length is unknown, is loaded unnumbered; and a load stopped by
// its memory bound leaves no numbering goroutine behind.
func TestReadAllNumbered(t *testing.T) {
	var recs [][4]int64
	for i := range 150_000 {
		key := int64(i*7919) % 40_000 // every key again after 40,000 requests
		if i%3 == 0 {
			key = int64(i) // a run of new keys, one in three
		}
		size := int64(1 + i%5)
		if i%1000 == 999 {
			size = 0 // skipped
		}
		recs = append(recs, [4]int64{int64(i), key, size, -1})
	}
	var want []uint32
	first := map[int64]uint32{}
	for _, r := range recs {
		if r[2] == 0 {
			continue
		}
		if _, ok := first[r[1]]; !ok {
			first[r[1]] = uint32(len(first) + 1)
		}
		want = append(want, first[r[1]])
	}
	in := oracleBytes(recs...)
	dir := t.TempDir()
	plain, packed := filepath.Join(dir, "in.oracleGeneral.bin"), filepath.Join(dir, "in.oracleGeneral.bin.gz")
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(in)
	gw.Close()
	if os.WriteFile(plain, in, 0o644) != nil || os.WriteFile(packed, gz.Bytes(), 0o644) != nil {
		t.Fatal("cannot write the test files")
	}
	load := func(path string, bound int64) (*trace.Trace, error) {
		f, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return ReadAllNumbered(filepath.Base(path), f, bound)
	}
	tr, err := load(plain, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tr.KeyRefs == nil || tr.KeyRefs.Len() != len(first) || len(tr.Refs) != len(want) {
		t.Fatalf("numbered %d keys in %d refs, want %d keys in %d", tr.KeyRefs.Len(), len(tr.Refs), len(first), len(want))
	}
	for i := range want {
		if tr.Refs[i] != want[i] {
			t.Fatalf("request %d (key %d): number %d, want %d", i, tr.Keys[i], tr.Refs[i], want[i])
		}
	}
	if tr, err = load(packed, 0); err != nil || tr.KeyRefs != nil || tr.Refs != nil || tr.Len() != len(want) {
		t.Fatalf("compressed: %v, %d requests, numbered %v; want %d requests, unnumbered", err, tr.Len(), tr.KeyRefs != nil, len(want))
	}
	before := runtime.NumGoroutine()
	var tm *ErrTraceMemory
	// 2 MB: room for the keys (8 bytes a request, so the load presizes
	// and numbers), not for all three columns (20 bytes a request).
	if _, err := load(plain, 2_000_000); !errors.As(err, &tm) {
		t.Fatalf("a load past its bound: %v, want an *ErrTraceMemory", err)
	}
	// The numbering goroutine has signalled its end when the load
	// returns, but may still be exiting: wait for it, a while.
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines after a stopped load, %d before", after, before)
	}
}

// ReadBatch yields exactly what Read does, whatever the batch length:
// 30,000 records (records straddle the reader's 256 KiB buffer), every
// 97th of size 0 and skipped, and a truncated last record, whose error
// ends both.
func TestOracleReadBatchMatchesRead(t *testing.T) {
	var recs [][4]int64
	for i := range 30_000 {
		size := int64(1 + i%700)
		if i%97 == 0 {
			size = 0
		}
		recs = append(recs, [4]int64{int64(1000 + i/10), int64(i * 31 % 4099), size, int64(i + 5)})
	}
	in := append(oracleBytes(recs...), 1, 2, 3) // 3 bytes of a record
	var want []trace.Request
	r := NewOracleReader("in.test", bytes.NewReader(in), Options{})
	var req trace.Request
	var wantErr error
	for {
		if wantErr = r.Read(&req); wantErr != nil {
			break
		}
		want = append(want, req)
	}
	if len(want) != 30_000-310 || !strings.Contains(wantErr.Error(), "truncated record") {
		t.Fatalf("Read: %d requests, then %v; want %d, then a truncated record", len(want), wantErr, 30_000-310)
	}
	for _, batch := range []int{1, 7, 2048} {
		r := NewOracleReader("in.test", bytes.NewReader(in), Options{})
		var got []trace.Request
		b := make([]trace.Request, batch)
		var err error
		for {
			var n int
			if n, err = r.ReadBatch(b); err != nil {
				if n != 0 {
					t.Fatalf("batch %d: %d requests with the error %v", batch, n, err)
				}
				break
			}
			got = append(got, b[:n]...)
		}
		if err.Error() != wantErr.Error() {
			t.Errorf("batch %d: ended with %v, want %v", batch, err, wantErr)
		}
		compare(t, got, want)
	}
}
