package traces

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// The glob matches the whole key as Redis's SCAN MATCH does; the cases are
// written from its documentation, not from the matcher.
func TestMatchGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, key string
		want         bool
	}{
		{"pred:*", "pred:model_a:9f1c", true},
		{"pred:*", "pred:", true},
		{"pred:*", "xpred:a", false},
		{"pred:", "pred:a", false}, // no * : the whole key
		{"pred:", "pred:", true},
		{"*", "", true},
		{"*", "anything/with:colons", true},
		{"*:model_a:*", "pred:model_a:1", true},
		{"*:model_a:*", "pred:model_b:1", false},
		{"h?llo", "hello", true},
		{"h?llo", "hllo", false},
		{"h*llo", "hllo", true},
		{"h*llo", "heeeello", true},
		{"h*llo", "hellox", false},
		{"h[ae]llo", "hallo", true},
		{"h[ae]llo", "hillo", false},
		{"h[^e]llo", "hallo", true},
		{"h[^e]llo", "hello", false},
		{"h[a-b]llo", "hbllo", true},
		{"h[a-b]llo", "hcllo", false},
		{"h[b-a]llo", "hallo", true}, // a reversed range is the same range
		{"a[-]b", "a-b", true},
		{"a[]]b", "a]b", true},
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
		{`a[\]]b`, "a]b", true},
		{"/img/*.png", "/img/2024/a.png", true}, // * crosses '/', unlike path.Match
		{"/img/*.png", "/img/a.jpg", false},
		{"*a*b*c", "xaybzc", true},
		{"*a*b*c", "xaybzcd", false},
		{"a*a*a*a*b", strings.Repeat("a", 40), false},
		{"user_*,fv_prices", "user_1,fv_prices", true}, // a comma is part of the pattern
	} {
		if err := checkGlob(c.pattern); err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		if got := matchGlob(c.pattern, []byte(c.key)); got != c.want {
			t.Errorf("%q matching %q: %v, want %v", c.pattern, c.key, got, c.want)
		}
	}
	for _, bad := range []string{"pred[", `pred\`, "a[b-"} {
		if checkGlob(bad) == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// --key-filter repeats and takes a pattern with a comma whole; a bad or
// empty pattern is an error naming the flag.
func TestKeyFilterFlags(t *testing.T) {
	opt, err := ParseFlags(map[string]string{"key-filter": "pred:*\nsess:a,b", "key-exclude": "pred:tmp:*"})
	if err != nil {
		t.Fatal(err)
	}
	want := KeyFilter{Include: []string{"pred:*", "sess:a,b"}, Exclude: []string{"pred:tmp:*"}}
	if !slices.Equal(opt.Keys.Include, want.Include) || !slices.Equal(opt.Keys.Exclude, want.Exclude) {
		t.Errorf("got %+v, want %+v", opt.Keys, want)
	}
	for _, c := range []struct{ flag, value, want string }{
		{"key-filter", "pred:[", "--key-filter \"pred:[\": a [ is not closed"},
		{"key-exclude", `a\`, `--key-exclude "a\\": a \ at the end`},
		{"key-filter", "", "empty pattern"},
	} {
		_, err := ParseFlags(map[string]string{c.flag: c.value})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--%s %q: error %v, want one saying %q", c.flag, c.value, err, c.want)
		}
	}
}

// A hand-written MONITOR capture of three key families: the filter keeps
// the requests counted by hand, a multi-key command keeps its matching
// keys (a kept key after a dropped one starts the request), a command of
// dropped keys only disappears, tenants and FLUSHALL see only kept keys,
// and times count from the first kept request.
func TestKeyFilterMonitor(t *testing.T) {
	capture := `OK
1700000000.000000 [0 127.0.0.1:1] "PING"
1700000001.000000 [0 127.0.0.1:1] "GET" "sess:1"
1700000002.000000 [0 127.0.0.1:1] "SET" "pred:model_a:1" "abcd" "EX" "60"
1700000003.000000 [0 127.0.0.1:1] "MGET" "sess:2" "pred:model_a:1" "pred:model_b:7"
1700000004.000000 [0 127.0.0.1:1] "MGET" "sess:2" "sess:3"
1700000005.000000 [0 127.0.0.1:1] "INCR" "rate:10.0.0.1"
1700000006.000000 [0 127.0.0.1:1] "GETDEL" "pred:tmp:3"
1700000007.000000 [0 127.0.0.1:1] "SET" "sess:9" "v"
1700000008.000000 [0 127.0.0.1:1] "FLUSHALL"
`
	opt := Options{Keys: KeyFilter{Include: []string{"pred:*"}, Exclude: []string{"pred:tmp:*"}}, TenantFrom: &TenantRule{Fields: 2, Sep: ':'}}
	reqs, notes, names := readAs(t, "c.monitor", capture, opt)
	a1, b7 := ParseKey([]byte("pred:model_a:1")), ParseKey([]byte("pred:model_b:7"))
	// SET a1; MGET's a1, b7 (sess:2 dropped); FLUSHALL's delete of a1, the only key written and kept.
	want := []struct {
		key       uint64
		op        trace.Op
		continues bool
		time      int64
		tenant    string
	}{
		{a1, trace.OpSet, false, 0, "pred:model_a"},
		{a1, trace.OpGet, false, 1e9, "pred:model_a"},
		{b7, trace.OpGet, true, 1e9, "pred:model_b"},
		{a1, trace.OpDelete, false, 6e9, ""},
	}
	if len(reqs) != len(want) {
		t.Fatalf("got %d requests, want %d: %+v", len(reqs), len(want), reqs)
	}
	for i, w := range want {
		r := reqs[i]
		if r.Key != w.key || r.Op != w.op || r.Continues != w.continues || r.Time != w.time {
			t.Errorf("request %d: %+v, want key %d op %v continues %v time %d", i, r, w.key, w.op, w.continues, w.time)
		}
		if w.tenant != "" && names[r.Tenant-1] != w.tenant {
			t.Errorf("request %d: tenant %q, want %q", i, names[r.Tenant-1], w.tenant)
		}
	}
	if !slices.Equal(names, []string{"pred:model_a", "pred:model_b"}) {
		t.Errorf("tenants %v: want those of the kept keys only", names)
	}
	// 12 requests: GET, SET, MGET of 3, MGET of 2, INCR, GETDEL (a get and a delete), SET, and FLUSHALL, which deletes
	// only the keys written and kept: a1.
	if got, want := noteOf(notes, NoteKeyFilter), "keys matching pred:* and not matching pred:tmp:*: kept 4 of 12 requests (33.3%)"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}

// A CSV of multi-key requests (request ids) with mixed keys: the filtered
// requests are the hand-counted ones, a request whose keys are all
// dropped disappears, and its neighbours stay apart.
func TestKeyFilterCSVRequests(t *testing.T) {
	csv := "request_id,key,size\n" +
		"r1,pred:1,10\nr1,user:1,20\nr1,pred:2,30\n" + // keeps pred:1, pred:2
		"r2,user:2,40\nr2,pred:3,50\n" + // keeps pred:3, alone
		"r3,user:3,60\n" + // gone
		"r4,pred:1,70\n" // alone
	reqs, notes, _ := readAs(t, "b.csv", csv, Options{Line: LineOptions{AutoColumns: true}, Keys: KeyFilter{Include: []string{"pred:*"}}})
	if got, want := groups(reqs), []int{2, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	var sizes []uint32
	for _, r := range reqs {
		sizes = append(sizes, r.Size)
	}
	if !slices.Equal(sizes, []uint32{10, 30, 50, 70}) {
		t.Errorf("sizes %v, want those of the pred: rows 10, 30, 50, 70", sizes)
	}
	if got, want := noteOf(notes, NoteKeyFilter), "keys matching pred:*: kept 4 of 7 requests (57.1%)"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
	if got, want := noteOf(notes, NoteBatches), "4 keys in 3 requests of 1 to 2 keys"; !strings.HasPrefix(got, want) {
		t.Errorf("batch note %q, want it to count the kept keys only: %q…", got, want)
	}
}

// A composite key is matched as its columns joined by ','.
func TestKeyFilterCompositeKey(t *testing.T) {
	csv := "entity_id,feature_view\ne1,prices\ne1,clicks\ne2,prices\n"
	opt := Options{Line: LineOptions{AutoColumns: true, Spec: ColumnSpec{Key: "entity_id,feature_view"}}, Keys: KeyFilter{Include: []string{"*,prices"}}}
	reqs, _, _ := readAs(t, "f.csv", csv, opt)
	if len(reqs) != 2 || reqs[0].Key == reqs[1].Key {
		t.Errorf("got %+v, want the two prices rows, of two keys", reqs)
	}
}

// JSON lines: a list keeps its matching keys, a line of no matching key
// disappears; the times count from the first line kept.
func TestKeyFilterJSON(t *testing.T) {
	lines := `{"time": 100, "keys": ["sess:1", "sess:2"]}
{"time": 101, "keys": ["sess:3", "pred:1", "pred:2"], "size": 5}
{"time": 102, "key": "sess:4"}
{"time": 103, "key": "pred:1"}
`
	reqs, notes, _ := readAs(t, "j.jsonl", lines, Options{Keys: KeyFilter{Include: []string{"pred:*"}}})
	if got, want := groups(reqs), []int{2, 1}; !slices.Equal(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	if reqs[0].Key != ParseKey([]byte("pred:1")) || reqs[1].Key != ParseKey([]byte("pred:2")) || reqs[0].Time != 0 || reqs[2].Time != 2e9 {
		t.Errorf("got %+v", reqs)
	}
	if reqs[2].Size != 5 {
		t.Errorf("pred:1's second request has size %d, want 5, its last known size", reqs[2].Size)
	}
	if got, want := noteOf(notes, NoteKeyFilter), "keys matching pred:*: kept 3 of 7 requests (42.9%)"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}

// An access log's key is its path, or its virtual host and path.
func TestKeyFilterAccessLog(t *testing.T) {
	log := `a.example:80 10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /img/1.png HTTP/1.1" 200 100 "-" "-"
b.example:80 10.0.0.1 - - [10/Oct/2023:13:55:37 +0000] "GET /img/2.png HTTP/1.1" 200 100 "-" "-"
a.example:80 10.0.0.1 - - [10/Oct/2023:13:55:38 +0000] "GET /api/x HTTP/1.1" 200 100 "-" "-"
`
	for _, c := range []struct {
		host    bool
		pattern string
		want    int
	}{{false, "/img/*", 2}, {true, "a.example:80/*", 2}, {true, "*/img/*", 2}, {true, "/img/*", 0}} {
		f, err := NewFile("a.log", strings.NewReader(log), Options{AccessLog: AccessLogOptions{WithHost: c.host}, Keys: KeyFilter{Include: []string{c.pattern}}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		err = trace.Each(f, func(*trace.Request) { n++ })
		if c.want == 0 {
			if !errors.Is(err, ErrNothingKept) {
				t.Errorf("host %v %q: error %v, want ErrNothingKept", c.host, c.pattern, err)
			}
			continue
		}
		if err != nil || n != c.want {
			t.Errorf("host %v %q: %d requests (%v), want %d", c.host, c.pattern, n, err, c.want)
		}
	}
}

// A filter that keeps nothing is an error naming the file, the pattern and
// the first keys seen, and suggesting the prefix pattern.
func TestKeyFilterKeepsNothing(t *testing.T) {
	f, err := NewFile("t.txt", strings.NewReader("user:1\nuser:2\nuser:1\nsess:9\nuser:3\nuser:4\nuser:5\n"), Options{Keys: KeyFilter{Include: []string{"user"}}})
	if err != nil {
		t.Fatal(err)
	}
	err = firstError(f)
	if !errors.Is(err, ErrNothingKept) {
		t.Fatalf("error %v, want ErrNothingKept", err)
	}
	for _, want := range []string{"t.txt:", "none of the 7 requests has a key matching user", `"user:1", "user:2", "sess:9", "user:3", "user:4"`, "user* keeps the keys that start with user"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 131072: "131,072", 1234567: "1,234,567", -4096: "-4,096"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %s, want %s", n, got, want)
		}
	}
}
