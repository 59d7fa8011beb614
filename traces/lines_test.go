package traces

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAllLines(t *testing.T, text string, opt LineOptions) ([]Request, error) {
	t.Helper()
	lr, err := NewLineReader("t.txt", strings.NewReader(text), opt)
	if err != nil {
		t.Fatal(err)
	}
	var out []Request
	for {
		var r Request
		err := lr.Read(&r)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

func TestTextKeys(t *testing.T) {
	reqs, err := readAllLines(t, "1\n\n  42 \r\n18446744073709551615\n-1\nuser:7\n*\nlast", LineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []uint64{1, 42, 18446744073709551615, 18446744073709551615, ParseKey([]byte("user:7")), ParseKey([]byte("*")), ParseKey([]byte("last"))}
	if len(reqs) != len(want) {
		t.Fatalf("%d requests, want %d", len(reqs), len(want))
	}
	for i, r := range reqs {
		if r.Key != want[i] || r.Size != 1 || r.Op != OpGet {
			t.Errorf("request %d: %+v, want key %d size 1", i, r, want[i])
		}
	}
	if ParseKey([]byte("user:7")) == ParseKey([]byte("user:8")) {
		t.Error("distinct string keys hash alike")
	}
	// LIRS traces skip "*" lines.
	reqs, _ = readAllLines(t, "1\n*\n2\n", LineOptions{SkipStars: true})
	if len(reqs) != 2 {
		t.Errorf("SkipStars: %d requests, want 2", len(reqs))
	}
}

func TestCSVColumnsAndHeader(t *testing.T) {
	csv := "version,time,op,size,lbn\n1,100.5,get,512,42\n1,101.25,SET,\"4096\",43\n1,103,delete,0,\"a,b\"\n"
	opt := LineOptions{Columns: Columns{Key: 5, Size: 4, Time: 2, Op: 3}, Delimiter: ','}
	reqs, err := readAllLines(t, csv, opt) // header detected: its size and time columns hold words
	if err != nil {
		t.Fatal(err)
	}
	want := []Request{
		{Key: 42, Size: 512, Time: 0, Op: OpGet},
		{Key: 43, Size: 4096, Time: 750_000_000, Op: OpSet},
		{Key: ParseKey([]byte("a,b")), Size: 0, Time: 2_500_000_000, Op: OpDelete},
	}
	if len(reqs) != len(want) {
		t.Fatalf("%d requests, want %d", len(reqs), len(want))
	}
	for i := range want {
		if reqs[i] != want[i] {
			t.Errorf("request %d: %+v, want %+v", i, reqs[i], want[i])
		}
	}
	// With Header the first line is skipped even when it would parse.
	reqs, _ = readAllLines(t, "7\n8\n", LineOptions{Header: true})
	if len(reqs) != 1 || reqs[0].Key != 8 {
		t.Errorf("Header: %+v", reqs)
	}
	// Time units: milliseconds with a fraction.
	reqs, _ = readAllLines(t, "1 1000.5\n2 1002\n", LineOptions{Columns: Columns{Key: 1, Time: 2}, TimeUnit: 1e6})
	if reqs[1].Time != 1_500_000 {
		t.Errorf("ms times: %d ns, want 1500000", reqs[1].Time)
	}
}

func TestLineErrors(t *testing.T) {
	opt := LineOptions{Columns: Columns{Key: 1, Size: 2}}
	cases := []struct{ text, want string }{
		{"1 10\n2 x\n", "t.txt:2: column 2: size"},
		{"1 10\n\n3\n", "t.txt:3: expected at least 2 columns, found 1"},
		{"1 10\n2 99999999999\n", "t.txt:2: column 2: size"},
	}
	for _, c := range cases {
		_, err := readAllLines(t, c.text, opt)
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.text, err, c.want)
		}
	}
	_, err := readAllLines(t, "1 get\n2 frobnicate\n", LineOptions{Columns: Columns{Key: 1, Op: 2}})
	if err == nil || !strings.Contains(err.Error(), `t.txt:2: column 2: op: unknown operation "frobnicate"`) {
		t.Errorf("bad op: %v", err)
	}
	// SkipBad counts and skips.
	lr, _ := NewLineReader("t.txt", strings.NewReader("1 10\n2 x\n3 30\nfoo\n"), LineOptions{Columns: Columns{Key: 1, Size: 2}, SkipBad: true})
	n := 0
	for {
		var r Request
		if err := lr.Read(&r); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 || lr.Skipped() != 2 {
		t.Errorf("SkipBad: %d read, %d skipped; want 2 and 2", n, lr.Skipped())
	}
}

func TestParseTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		unit int64
		want int64
	}{{"1700000000.123456789", 1e9, 1700000000123456789}, {"12", 1e9, 12e9}, {".5", 1e9, 5e8}, {"1.5", 1e3, 1500}, {"-2", 1e9, -2e9}} {
		got, err := parseTime([]byte(c.in), c.unit)
		if err != nil || got != c.want {
			t.Errorf("parseTime(%q, %d) = %d, %v; want %d", c.in, c.unit, got, err, c.want)
		}
	}
	for _, in := range []string{"", ".", "1.2.3", "x", "1e5"} {
		if _, err := parseTime([]byte(in), 1e9); err == nil {
			t.Errorf("parseTime(%q) accepted", in)
		}
	}
}

func TestTraceShrinkAndAt(t *testing.T) {
	tr := NewTrace("x", Fields{Size: true, Time: true, TTL: true, Op: true})
	tr.Append(&Request{Key: 1, Size: 1})
	tr.Append(&Request{Key: 2, Size: 1})
	tr.Shrink()
	if tr.Sizes != nil || tr.Times != nil || tr.TTLs != nil || tr.Ops != nil {
		t.Fatalf("uninformative columns kept: %+v", tr)
	}
	tr = NewTrace("y", Fields{Size: true})
	tr.Append(&Request{Key: 1, Size: 10})
	tr.Append(&Request{Key: 2, Size: 20})
	tr.Append(&Request{Key: 1, Size: 30})
	tr.Shrink()
	var r Request
	tr.At(2, &r)
	if r.Key != 1 || r.Size != 30 {
		t.Fatalf("At(2) = %+v", r)
	}
	if objs, bytes := tr.Footprint(); objs != 2 || bytes != 30 {
		t.Fatalf("Footprint = %d, %d; want 2 objects, 30 bytes (first-seen sizes)", objs, bytes)
	}
}

func TestLatencyColumn(t *testing.T) {
	reqs, err := readAllLines(t, "1 12.5\n2 0\n", LineOptions{Columns: Columns{Key: 1, Latency: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if reqs[0].Latency != 0.0125 || reqs[1].Latency != 0 {
		t.Fatalf("latencies %g, %g; want 0.0125 s (12.5 ms, the default unit) and 0", reqs[0].Latency, reqs[1].Latency)
	}
	reqs, _ = readAllLines(t, "1 250\n", LineOptions{Columns: Columns{Key: 1, Latency: 2}, LatencyUnit: 1e3})
	if reqs[0].Latency != 0.00025 {
		t.Fatalf("250 us = %g s, want 0.00025", reqs[0].Latency)
	}
	_, err = readAllLines(t, "1 -3\n", LineOptions{Columns: Columns{Key: 1, Latency: 2}})
	if err == nil || !strings.Contains(err.Error(), "t.txt:1: column 2: latency") {
		t.Fatalf("negative latency: %v", err)
	}
}
