package traces

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

func readAllLines(t *testing.T, text string, opt LineOptions) ([]trace.Request, error) {
	t.Helper()
	lr, err := NewLineReader("t.txt", strings.NewReader(text), opt)
	if err != nil {
		t.Fatal(err)
	}
	var out []trace.Request
	for {
		var r trace.Request
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
		if r.Key != want[i] || r.Size != 1 || r.Op != trace.OpGet {
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
	want := []trace.Request{
		{Key: 42, Size: 512, Time: 0, Op: trace.OpGet},
		{Key: 43, Size: 4096, Time: 750_000_000, Op: trace.OpSet},
		{Key: ParseKey([]byte("a,b")), Size: 0, Time: 2_500_000_000, Op: trace.OpDelete},
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
		var r trace.Request
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
	tr := trace.NewTrace("x", trace.Fields{Size: true, Time: true, TTL: true, Op: true})
	tr.Append(&trace.Request{Key: 1, Size: 1})
	tr.Append(&trace.Request{Key: 2, Size: 1})
	tr.Shrink()
	if tr.Sizes != nil || tr.Times != nil || tr.TTLs != nil || tr.Ops != nil {
		t.Fatalf("uninformative columns kept: %+v", tr)
	}
	tr = trace.NewTrace("y", trace.Fields{Size: true})
	tr.Append(&trace.Request{Key: 1, Size: 10})
	tr.Append(&trace.Request{Key: 2, Size: 20})
	tr.Append(&trace.Request{Key: 1, Size: 30})
	tr.Shrink()
	var r trace.Request
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

// The header of issue 13: every recognised column is used (ts, entity_id
// by its _id suffix, bytes, latency_ms), the others are listed as ignored,
// and millisecond epoch times are recognised by their magnitude.
func TestHeaderRecognition(t *testing.T) {
	const in = "ts,entity_id,feature_group,bytes,latency_ms\n1717000000001,e1,fg1,100,3.5\n1717000000501,e2,fg1,200,1\n1717000001001,e1,fg2,300,2\n"
	want := []trace.Request{
		{Key: h("e1"), Size: 100, Latency: 0.0035},
		{Time: 500e6, Key: h("e2"), Size: 200, Latency: 0.001},
		{Time: 1000e6, Key: h("e1"), Size: 300, Latency: 0.002},
	}
	for _, declared := range []bool{false, true} {
		lr, err := NewLineReader("in.test", strings.NewReader(in), LineOptions{Delimiter: ',', AutoColumns: true, Header: declared})
		if err != nil {
			t.Fatal(err)
		}
		compare(t, drain(t, lr), want)
		notes := lr.Notes()
		// The last note: feature_group holds text, and may be part of the key.
		if len(notes) != 3 || notes[2].Kind != NoteKeyColumns || notes[2].Suggest != "entity_id,feature_group" ||
			notes[2].Text != `the key is entity_id (column 2) alone, and feature_group (column 3, text on the first row: "fg1") may name the object too: a composite key takes them all` {
			t.Errorf("header declared %v: notes %q, want the last to suggest entity_id,feature_group", declared, notes)
		}
		if notes[0].Kind != NoteColumns || notes[1].Kind != NoteTimeUnit ||
			!strings.HasSuffix(notes[0].Text, "key = entity_id (column 2), size = bytes (column 4), time = ts (column 1), latency = latency_ms (column 5); ignored: feature_group") ||
			!strings.Contains(notes[1].Text, "milliseconds since the epoch") {
			t.Errorf("header declared %v: notes %q", declared, notes)
		}
	}
	// By name, a composite key: entity_id and feature_group hashed together.
	lr, _ := NewLineReader("in.test", strings.NewReader(in), LineOptions{Delimiter: ',', AutoColumns: true, Spec: ColumnSpec{Key: "entity_id,feature_group"}})
	got := drain(t, lr)
	if len(got) != 3 || got[0].Key != h("e1\x00fg1") || got[2].Key != h("e1\x00fg2") || got[1].Size != 200 {
		t.Errorf("composite key: %+v", got)
	}
	// Numbers locate exactly the columns given: a composite of columns 2 and 3.
	lr, _ = NewLineReader("in.test", strings.NewReader(in), LineOptions{Delimiter: ',', Header: true, Spec: ColumnSpec{Key: "2,3"}})
	got = drain(t, lr)
	if len(got) != 3 || got[0].Key != h("e1\x00fg1") || got[0].Size != 1 || got[1].Time != 0 {
		t.Errorf("composite key by number: %+v", got)
	}
}

// Several *_id columns and no exact key name: the first is the key, and a
// note names the other columns that may name the object (ids, and text
// but not numbers on the first row) and the composite key of them all.
func TestHeaderSeveralIDs(t *testing.T) {
	lr, _ := NewLineReader("in.test", strings.NewReader("user_id,item_id,resp_bytes\nu1,i1,10\n"), LineOptions{Delimiter: ',', AutoColumns: true})
	compare(t, drain(t, lr), []trace.Request{{Key: h("u1"), Size: 10}})
	if n := lr.Notes(); len(n) != 2 || !strings.HasSuffix(n[0].Text, "ignored: item_id") || n[1].Suggest != "user_id,item_id" ||
		n[1].Text != "the key is user_id (column 1) alone, and item_id (column 2, named as an id) may name the object too: a composite key takes them all" {
		t.Errorf("notes %q", n)
	}
	// An exact key name wins over the *_id ones wherever it is.
	lr, _ = NewLineReader("in.test", strings.NewReader("user_id,key\nu1,k1\n"), LineOptions{Delimiter: ',', AutoColumns: true})
	compare(t, drain(t, lr), []trace.Request{{Key: h("k1"), Size: 1}})
	if n := lr.Notes(); len(n) != 2 || n[1].Suggest != "key,user_id" {
		t.Errorf("notes %q", n)
	}
	// A column of numbers (a score) is no part of a key; nor is an empty field.
	lr, _ = NewLineReader("in.test", strings.NewReader("entity_id,score,feature_view,region,ts\ne1,0.5,prices,,1\ne2,0.7,clicks,eu,2\n"), LineOptions{Delimiter: ',', AutoColumns: true})
	drain(t, lr)
	if n := noteOf(lr.Notes(), NoteKeyColumns); n != `the key is entity_id (column 1) alone, and feature_view (column 3, text on the first row: "prices") may name the object too: a composite key takes them all` {
		t.Errorf("note %q", n)
	}
	// A key given, or a header of the key alone and numbers: no note.
	for _, c := range []struct {
		in  string
		opt LineOptions
	}{
		{"entity_id,feature_view\ne1,prices\n", LineOptions{Delimiter: ',', AutoColumns: true, Spec: ColumnSpec{Key: "entity_id"}}},
		{"version,time,op,size,lbn\n1,1.5,28,512,42\n", LineOptions{Delimiter: ',', AutoColumns: true}},
	} {
		lr, _ = NewLineReader("in.test", strings.NewReader(c.in), c.opt)
		drain(t, lr)
		if n := noteOf(lr.Notes(), NoteKeyColumns); n != "" {
			t.Errorf("%q: note %q, want none", c.in, n)
		}
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, c := range []struct {
		in   string
		opt  LineOptions
		line int
		want string
	}{
		// Words where the next line has numbers, and no name recognised.
		{"alpha,beta\nx,1\n", LineOptions{Delimiter: ',', AutoColumns: true}, 1, `column 2: "beta" where line 2 has the number 1: line 1 looks like a header`},
		{"alpha beta\nx 1\n", LineOptions{Columns: Columns{Key: 1, Size: 2}}, 1, "line 1 looks like a header"},
		// A header naming no key column.
		{"time,size\n1,2\n", LineOptions{Delimiter: ',', AutoColumns: true}, 1, "the header names no key column"},
		// A name that is not in the header.
		{"a,b\n1,2\n", LineOptions{Delimiter: ',', Spec: ColumnSpec{Size: "bytes"}}, 1, `size column "bytes" is not in the header (its columns: a, b)`},
	} {
		lr, err := NewLineReader("in.test", strings.NewReader(c.in), c.opt)
		if err != nil {
			t.Fatal(err)
		}
		err = firstError(lr)
		if strings.Contains(c.want, "looks like") {
			wantParseError(t, err, c.line, 0, c.want)
			if !errors.Is(err, ErrHeaderLike) {
				t.Errorf("%q: %v is not ErrHeaderLike", c.in, err)
			}
			continue
		}
		// A header that does not locate the columns stops reading even
		// when bad lines are skipped: what follows could not be read.
		c.opt.SkipBad = true
		lr, _ = NewLineReader("in.test", strings.NewReader(c.in), c.opt)
		if err := firstError(lr); err == nil || !strings.Contains(err.Error(), "in.test:1: "+c.want) {
			t.Errorf("%q: %v, want an error saying %q", c.in, err, c.want)
		}
	}
	// A first line of words with words below is data: keys need not be numbers.
	reqs, err := readAllLines(t, "alpha beta\ngamma delta\n", LineOptions{})
	if err != nil || len(reqs) != 2 || reqs[0].Key != h("alpha") {
		t.Errorf("words on words: %+v, %v", reqs, err)
	}
}

// Column numbers are 1 to MaxColumns, whether given as numbers or written out.
func TestColumnBounds(t *testing.T) {
	for _, c := range []Columns{{Key: 1025}, {Key: 1, Size: 1 << 40}, {Key: -1}} {
		if _, err := NewLineReader("in.test", strings.NewReader("a\n"), LineOptions{Columns: c}); err == nil || !strings.Contains(err.Error(), "columns are numbered from 1 to 1024") {
			t.Errorf("%+v: %v", c, err)
		}
	}
	for _, s := range []string{"0", "1025", "4611686018427387904", "100000000000", "99999999999999999999999", "-3", "1,0", "a,"} {
		if err := CheckColumns(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	for _, s := range []string{"1", "1024", "entity_id", "2,feature_group"} {
		if err := CheckColumns(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	// Column 1024 of a 1024-column line is read.
	line := strings.Repeat("x,", 1023) + "k\n"
	lr, _ := NewLineReader("in.test", strings.NewReader(line), LineOptions{Delimiter: ',', Columns: Columns{Key: 1024}})
	compare(t, drain(t, lr), []trace.Request{{Key: h("k"), Size: 1}})
}

// Epoch times in s, ms, µs and ns are told apart by magnitude; an explicit
// unit they overflow gets an error naming the unit that fits.
func TestTimeUnitDetection(t *testing.T) {
	for _, c := range []struct{ a, b, unit string }{
		{"1717000000", "1717000000.5", ""},
		{"1717000000001", "1717000000501", "milliseconds"},
		{"1717000000000001", "1717000000500001", "microseconds"},
		{"1717000000000000001", "1717000000500000001", "nanoseconds"},
		{"0", "0.5", ""}, // relative seconds
	} {
		lr, _ := NewLineReader("in.test", strings.NewReader("k "+c.a+"\nk "+c.b+"\n"), LineOptions{Columns: Columns{Key: 1, Time: 2}})
		got := drain(t, lr)
		if got[1].Time != 500e6 {
			t.Errorf("%s, %s: %d ns apart, want 5e8", c.a, c.b, got[1].Time)
		}
		n := lr.Notes()
		if (c.unit == "") != (len(n) == 0) || (c.unit != "" && !strings.Contains(n[0].Text, c.unit+" since the epoch")) {
			t.Errorf("%s: notes %q, want the unit %q", c.a, n, c.unit)
		}
	}
	lr, _ := NewLineReader("in.test", strings.NewReader("k 1717000000001\n"), LineOptions{Columns: Columns{Key: 1, Time: 2}, TimeUnit: 1e9})
	err := firstError(lr)
	if !errors.Is(err, ErrTimeUnit) || !strings.Contains(err.Error(), "looks like milliseconds since the epoch: set the time unit to ms") {
		t.Errorf("ms read as seconds: %v", err)
	}
	// JSON lines detect the unit the same way.
	j := NewJSONReader("in.test", strings.NewReader(`{"key": 1, "time": 1717000000000001}`+"\n"+`{"key": 1, "time": 1717000000000002}`+"\n"), Options{})
	if got := drain(t, j); got[1].Time != 1000 || len(j.Notes()) != 2 {
		t.Errorf("JSON µs: %+v, notes %q", got, j.Notes())
	}
}

// A trace without a size column gives every request the default size, and
// says so when it is not 1.
func TestDefaultSizeWithoutSizes(t *testing.T) {
	lr, _ := NewLineReader("in.test", strings.NewReader("a\nb\n"), LineOptions{DefaultSize: 4096})
	compare(t, drain(t, lr), []trace.Request{{Key: h("a"), Size: 4096}, {Key: h("b"), Size: 4096}})
	if n := lr.Notes(); len(n) != 1 || n[0].Kind != NoteSizes || !strings.Contains(n[0].Text, "no object sizes: every request has the default size of 4096 bytes") {
		t.Errorf("notes %q", n)
	}
	if f := lr.Fields(); !f.Size {
		t.Error("a default size other than 1 is not a field the trace keeps")
	}
	arc := NewARCReader("in.test", strings.NewReader("5 2 0 0\n"), Options{DefaultSize: 512})
	compare(t, drain(t, arc), []trace.Request{{Key: 5, Size: 512}, {Key: 6, Size: 512}})
	if len(arc.Notes()) != 1 {
		t.Errorf("ARC notes %q", arc.Notes())
	}
	lr, _ = NewLineReader("in.test", strings.NewReader("a\n"), LineOptions{})
	if n := lr.Notes(); len(n) != 0 {
		t.Errorf("the usual 1 byte needs no note: %q", n)
	}
}

// A CSV file whose first lines hold no comma but the same number of
// semicolons (or tabs) each is read with that delimiter, and a note says
// so; read with commas, its header was a request and its sizes were lost.
// Lines that hold them unevenly are refused, and a comma anywhere keeps
// the comma.
func TestCSVDelimiterDetected(t *testing.T) {
	for _, c := range []struct{ in, note string }{
		{"key;size\na;10\n\"b;c\";20\n", "semicolons, as each of its first 3 lines holds 1 of them"},
		{"key\tsize\na\t10\n\"b\tc\"\t20\n", "tabs, as each of its first 3 lines holds 1 of them"},
	} {
		r, err := openLines("csv")("in.test", strings.NewReader(c.in), Options{Line: LineOptions{AutoColumns: true}})
		if err != nil {
			t.Fatal(err)
		}
		sep := c.in[3:4]
		compare(t, drain(t, r), []trace.Request{{Key: h("a"), Size: 10}, {Key: h("b" + sep + "c"), Size: 20}})
		notes := r.(Noter).Notes()
		if len(notes) == 0 || notes[0].Kind != NoteDelimiter || !strings.Contains(notes[0].Text, c.note) {
			t.Errorf("%q: notes %v, want one saying %q", c.in, notes, c.note)
		}
	}
	// A comma anywhere in the first lines keeps the comma, quietly.
	r, err := openLines("csv")("in.test", strings.NewReader("a;1\nb,2\n"), Options{Line: LineOptions{Columns: Columns{Key: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	compare(t, drain(t, r), []trace.Request{{Key: h("a;1"), Size: 1}, {Key: h("b"), Size: 1}})
	if notes := r.(Noter).Notes(); len(notes) != 0 {
		t.Errorf("comma file: notes %v", notes)
	}
	// A given delimiter is used as given.
	r, _ = openLines("csv")("in.test", strings.NewReader("a;1\n"), Options{Line: LineOptions{Delimiter: ','}})
	compare(t, drain(t, r), []trace.Request{{Key: h("a;1"), Size: 1}})
	// Semicolons on line 1 but not as many below: refused.
	_, err = openLines("csv")("in.test", strings.NewReader("key;size\na\nb;1;2\n"), Options{})
	if !errors.Is(err, ErrDelimiter) || !strings.Contains(err.Error(), "in.test: ") || !strings.Contains(err.Error(), "line 1 holds no comma but 1 semicolons") {
		t.Errorf("uneven semicolons: %v", err)
	}
}

// zeros is an endless line: n bytes of NUL (as /dev/zero), counting reads.
type zeros struct{ left, read int }

func (z *zeros) Read(p []byte) (int, error) {
	if z.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), z.left)
	clear(p[:n])
	z.left -= n
	z.read += n
	return n, nil
}

// A line past 1 MiB is an error as soon as the limit is reached, not after
// reading to its end (/dev/zero has none); a skipping reader drops up to
// 64 MiB of it and then gives up with an error no skipping hides.
func TestOverlongLineStopsAtTheLimit(t *testing.T) {
	z := &zeros{left: 256 << 20}
	r, err := openLines("text")("in.test", z, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantParseError(t, firstError(r), 1, 0, "line longer than 1 MiB")
	if z.read > 4<<20 {
		t.Errorf("read %d MiB before the error, want about 1", z.read>>20)
	}
	z = &zeros{left: 256 << 20}
	r, _ = openLines("text")("in.test", z, Options{SkipBad: true})
	err = firstError(r)
	var pe *ParseError
	if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "in.test:1: a line longer than 64 MiB") {
		t.Errorf("skipping: %v, want an error that is not a ParseError", err)
	}
	if z.read > 80<<20 {
		t.Errorf("skipping: read %d MiB before the error, want about 65", z.read>>20)
	}
	// A long line among good ones is skipped, and reading goes on.
	in := "a\n" + strings.Repeat("x", 3<<20) + "\nb\n"
	r, _ = openLines("text")("in.test", strings.NewReader(in), Options{SkipBad: true})
	compare(t, drain(t, r), []trace.Request{{Key: h("a"), Size: 1}, {Key: h("b"), Size: 1}})
}

// Fields reads the first line when header names may decide the columns:
// a text or CSV trace without an op column declares no operations before
// its first request (mrc streamed it only when it did; otherwise it loaded
// the whole trace, 367 MB for 10 M lines over 1,000 keys). The requests
// read are the same either way.
func TestFieldsKnowTheHeaderBeforeTheFirstRequest(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind string
		op   bool
		want []trace.Request
	}{
		{"a\nb\na\n", "text", false, []trace.Request{{Key: h("a"), Size: 1}, {Key: h("b"), Size: 1}, {Key: h("a"), Size: 1}}},
		{"key,bytes\na,10\nb,20\n", "csv", false, []trace.Request{{Key: h("a"), Size: 10}, {Key: h("b"), Size: 20}}},
		{"key,op\na,get\nb,set\n", "csv", true, []trace.Request{{Key: h("a"), Size: 1}, {Key: h("b"), Size: 1, Op: trace.OpSet}}},
	} {
		r, err := openLines(c.kind)("in.test", strings.NewReader(c.in), Options{Line: LineOptions{AutoColumns: true}})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.(trace.Describer).Fields(); got.Op != c.op || got.Time || got.TTL {
			t.Errorf("%q: fields %+v before the first request, want op %v and no time or TTL", c.in, got, c.op)
		}
		compare(t, drain(t, r), c.want)
	}
	// An error on the first line comes with the first Read.
	r, _ := openLines("csv")("in.test", strings.NewReader("alpha,beta\nx,1\n"), Options{Line: LineOptions{AutoColumns: true}})
	r.(trace.Describer).Fields()
	wantParseError(t, firstError(r), 1, 0, "looks like a header")
}

// ReadAllWithin stops once the columns pass its bound, saying where; under
// the bound it reads everything, as ReadAll does.
func TestReadAllWithin(t *testing.T) {
	in := strings.Repeat("a\nb\n", 10000) // 20,000 requests of one 8-byte key column
	r, _ := openLines("text")("in.test", strings.NewReader(in), Options{})
	_, err := ReadAllWithin("in.test", r, 8*4096)
	var tm *ErrTraceMemory
	if !errors.As(err, &tm) || tm.Requests != 8192 || tm.Bytes != 8*8192 || tm.Bound != 8*4096 {
		t.Errorf("bound of 4,096 keys: %v %+v, want a stop at 8,192 requests (the first check past it)", err, tm)
	}
	r, _ = openLines("text")("in.test", strings.NewReader(in), Options{})
	if tr, err := ReadAllWithin("in.test", r, 8*20000); err != nil || tr.Len() != 20000 {
		t.Errorf("bound of the whole trace: %v", err)
	}
}

// A quoted CSV field with a line break inside (an RFC 4180 multi-line
// field) is refused, naming its line and column, where it was split into
// two requests; skipping bad records drops the lines it spans, and quoted
// fields that close on their line, in any column, read as before.
func TestCSVLineBreakInQuotes(t *testing.T) {
	// Keys only: each half of the field read as a key of its own, silently.
	got, err := readAllLines(t, "a\n\"b\nstill b\"\nc\n", LineOptions{Delimiter: ',', Columns: Columns{Key: 1}})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != 1 {
		t.Fatalf("keys only: read %d requests, error %v; want one naming line 2, column 1", len(got), err)
	}
	opt := LineOptions{Delimiter: ',', Columns: Columns{Key: 1, Size: 2}}
	in := "a,1\n\"b\nstill b\",5\nc,6\n"
	got, err = readAllLines(t, in, opt)
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != 1 || !strings.Contains(err.Error(), "line break inside quotes") {
		t.Fatalf("read %d requests, error %v; want one naming line 2, column 1 and the line break", len(got), err)
	}
	opt.SkipBad = true
	got, err = readAllLines(t, in, opt)
	if err != nil || len(got) != 2 || got[1].Size != 6 {
		t.Fatalf("skipping bad records: %+v, %v; want a and c", got, err)
	}
	opt.SkipBad = false
	// An open quote past the columns read is found too.
	if got, err := readAllLines(t, "a,1,\"x\ny\",z\nc,6\n", opt); err == nil {
		t.Fatalf("an open quote in column 3 read as %+v", got)
	}
	got, err = readAllLines(t, "\"a,\"\"q\"\"\",1,\"x,y\"\nb,2,\"\"\n", opt)
	if err != nil || len(got) != 2 || got[0].Size != 1 || got[1].Size != 2 {
		t.Fatalf("closed quoted fields: %+v, %v", got, err)
	}
}
