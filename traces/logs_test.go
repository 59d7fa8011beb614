package traces

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cespare/xxhash/v2"
)

func h(s string) uint64 { return xxhash.Sum64String(s) }

const accessLog = `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"
127.0.0.1 - - [10/Oct/2000:13:55:38 -0700] "GET /index.html?x=1 HTTP/1.1" 304 -
10.0.0.2 - - [10/Oct/2000:13:56:36 -0700] "POST /form HTTP/1.1" 200 10
10.0.0.2 - - [10/Oct/2000:13:56:40 -0700] "GET /missing HTTP/1.1" 404 150
garbage line
10.0.0.3 - - [10/Oct/2000:23:00:36 +0200] "HEAD /apache_pb.gif HTTP/1.1" 200 2326
10.0.0.3 - - [10/Oct/2000:23:00:37 +0200] "GET /x HTTP/1.1" 2oo 5
`

func TestAccessLog(t *testing.T) {
	// Times by hand: 13:55:36 -0700 is 20:55:36 UTC; 23:00:36 +0200 is 21:00:36 UTC, 300 s later.
	want := []trace.Request{
		{Time: 0, Key: h("/apache_pb.gif"), Size: 2326},
		{Time: 2e9, Key: h("/index.html?x=1"), Size: DefaultSize, Unsized: true}, // a 304, never sized
		{Time: 300e9, Key: h("/apache_pb.gif"), Size: 2326},
	}
	r := NewAccessLogReader("in.test", strings.NewReader(accessLog), Options{SkipBad: true})
	compare(t, drain(t, r), want)
	if r.Skipped() != 2 || r.Filtered() != 2 {
		t.Errorf("skipped %d, filtered %d; want 2 malformed lines and 2 (POST, 404) filtered", r.Skipped(), r.Filtered())
	}

	err := firstError(NewAccessLogReader("in.test", strings.NewReader(accessLog), Options{}))
	wantParseError(t, err, 5, 0, "[timestamp]")
	noGarbage := strings.Replace(accessLog, "garbage line\n", "", 1)
	err = firstError(NewAccessLogReader("in.test", strings.NewReader(noGarbage), Options{}))
	wantParseError(t, err, 6, 0, "status")

	all := NewAccessLogReader("in.test", strings.NewReader(accessLog), Options{SkipBad: true, AccessLog: AccessLogOptions{AllRequests: true}})
	if got := drain(t, all); len(got) != 5 || got[2].Key != h("/form") || got[3].Size != 150 {
		t.Errorf("with AllRequests: %+v, want the 5 well-formed lines", got)
	}
}

// Lines that sent no bytes (HEAD, 304, "-", 0) take the path's last known
// size, or the default size before the path was ever sized; failed and
// non-GET requests size nothing.
func TestAccessLogUnsized(t *testing.T) {
	const log = `1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 1048576
1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "HEAD /a HTTP/1.1" 200 0
1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET /b HTTP/1.1" 304 -
1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "POST /b HTTP/1.1" 200 77
1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET /b HTTP/1.1" 404 66
1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET /b HTTP/1.1" 200 500
1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "HEAD /b HTTP/1.1" 200 -
1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 304 0
1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 2000
1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "HEAD /a HTTP/1.1" 200 0
`
	r := NewAccessLogReader("in.test", strings.NewReader(log), Options{DefaultSize: 4096})
	var sizes []uint32
	for _, q := range drain(t, r) {
		sizes = append(sizes, q.Size)
	}
	want := []uint32{1048576, 1048576, 4096, 500, 500, 1048576, 2000, 2000}
	if fmt.Sprint(sizes) != fmt.Sprint(want) {
		t.Errorf("sizes %v, want %v", sizes, want)
	}
	notes := r.Notes()
	if len(notes) != 1 || notes[0].Kind != NoteSizes || !strings.HasPrefix(notes[0].Text,
		"5 requests carried no size: 4 took their key's last known size, and 1, for keys not sized before, the default size of 4096 bytes") {
		t.Errorf("notes %v", notes)
	}
}

func TestAccessLogVirtualHost(t *testing.T) {
	log := `www.example.com:80 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "curl"` + "\n"
	got := drain(t, NewAccessLogReader("in.test", strings.NewReader(log), Options{AccessLog: AccessLogOptions{WithHost: true}}))
	compare(t, got, []trace.Request{{Key: h("www.example.com:80/a"), Size: 5}})
	got = drain(t, NewAccessLogReader("in.test", strings.NewReader(log), Options{}))
	compare(t, got, []trace.Request{{Key: h("/a"), Size: 5}})
}

const monitorLog = `OK
1339518083.107412 [0 127.0.0.1:60866] "GET" "key1"
1339518083.207412 [0 127.0.0.1:60866] "set" "key1" "hello" "EX" "60"
1339518084.107412 [0 lua] "MGET" "a" "b"
1339518085.000000 [0 127.0.0.1:60866] "SETEX" "k\"q" "30" "v\x00w"
1339518085.5 [0 unix:/tmp/redis.sock] "DEL" "a" "b"
1339518086 [0 127.0.0.1:60866] "PING"
1339518087.0 [0 127.0.0.1:60866] "EXPIRE" "key1" "10"
not a monitor line
1339518088.0 [0 127.0.0.1:60866] "GET" "unterminated
1339518089.0 [0 127.0.0.1:60866] "FOOBAR" "x"
1339518090.0 [0 127.0.0.1:60866] "MSET" "m1" "12" "m2" "3456"
1339518091.0 [0 127.0.0.1:60866] "SET" "p" "v" "PX" "1500"
`

func TestMonitor(t *testing.T) {
	// Sizes by hand: key length + value length, escapes counted as one byte
	// (k\"q is 3 bytes, v\x00w is 3); PX 1500 ms rounds up to 2 s; reads
	// take the key's last known size (EXPIRE's key1: 9), or 1 byte.
	want := []trace.Request{
		{Time: 0, Key: h("key1"), Size: 1, Op: trace.OpGet, Unsized: true}, // never sized: looked up, not admitted
		{Time: 100e6, Key: h("key1"), Size: 9, TTL: 60, Op: trace.OpSet},
		{Time: 1e9, Key: h("a"), Size: 1, Op: trace.OpGet, Unsized: true},
		{Time: 1e9, Key: h("b"), Size: 1, Op: trace.OpGet, Continues: true, Unsized: true},
		{Time: 1892588e3, Key: h(`k\"q`), Size: 6, TTL: 30, Op: trace.OpSet},
		{Time: 2392588e3, Key: h("a"), Size: 1, Op: trace.OpDelete},
		{Time: 2392588e3, Key: h("b"), Size: 1, Op: trace.OpDelete, Continues: true},
		{Time: 3892588e3, Key: h("key1"), Size: 9, TTL: 10, Op: trace.OpExpire},
		{Time: 6892588e3, Key: h("m1"), Size: 4, Op: trace.OpSet},
		{Time: 6892588e3, Key: h("m2"), Size: 6, Op: trace.OpSet, Continues: true},
		{Time: 7892588e3, Key: h("p"), Size: 2, TTL: 2, Op: trace.OpSet},
	}
	r := NewMonitorReader("in.test", strings.NewReader(monitorLog), Options{SkipBad: true})
	compare(t, drain(t, r), want)
	if r.Skipped() != 2 {
		t.Errorf("skipped %d, want 2 malformed lines", r.Skipped())
	}
	notes := r.Notes()
	// 11 requests: MGET a b, DEL a b and MSET m1 m2 are 3 of 2 keys, the 5 others of 1.
	if len(notes) != 3 || !strings.HasPrefix(notes[0].Text, "4 requests carried no size: 1 took their key's last known size, and 3,") ||
		notes[1].Text != "11 keys in 8 requests of 1 to 2 keys (mean 1.4), grouped by command (MGET, MSET, HMGET, DEL …)" ||
		notes[2].Text != "2 commands were not read as requests (no key, or not modelled): FOOBAR 1, PING 1" {
		t.Errorf("notes %q", notes)
	}
	err := firstError(NewMonitorReader("in.test", strings.NewReader(monitorLog), Options{}))
	wantParseError(t, err, 9, 0, "time")
	err = firstError(NewMonitorReader("in.test", strings.NewReader(`1.5 [0 x] "SET" "k"`), Options{}))
	wantParseError(t, err, 1, 0, "at least 2 arguments")
	err = firstError(NewMonitorReader("in.test", strings.NewReader(`1.5 [0 x] "SET" "k" "v" "EX" "soon"`), Options{}))
	wantParseError(t, err, 1, 0, `EX: expected an integer expiry, got "soon"`)
}

// monitorWant is one expected request of testdata/redis.monitor.
type monitorWant struct {
	op   trace.Op
	key  uint64
	size uint32
	ttl  uint32
	same bool
}

// TestMonitorCapture reads a capture of a real redis-server 7.0 (redis-cli
// monitor while redis-cli ran the commands by hand, a MULTI/EXEC, a
// pipeline through redis-cli --pipe, and an EVAL), against expectations
// worked out by hand from the commands.
func TestMonitorCapture(t *testing.T) {
	fk := func(key, field string) uint64 { return h(key + "\x00" + field) }
	get := func(k uint64, size uint32) monitorWant { return monitorWant{trace.OpGet, k, size, 0, false} }
	set := func(k uint64, size, ttl uint32) monitorWant { return monitorWant{trace.OpSet, k, size, ttl, false} }
	del := func(k uint64, size uint32) monitorWant { return monitorWant{trace.OpDelete, k, size, 0, false} }
	same := func(w monitorWant) monitorWant { w.same = true; return w }
	// Size = key length + value length; a hash, its key's length plus its
	// fields' and values' lengths.
	head := []monitorWant{
		set(h("k1"), 7, 100),                       // set k1 hello ex 100
		{trace.OpGet, h("k1"), 7, 100, false},      // get k1: carries the TTL it was set with
		set(h("a"), 2, 0), same(set(h("b"), 3, 0)), // mset a 1 b 22
		get(h("a"), 2), same(get(h("b"), 3)), // mget a b c: c never sized, 1 byte
		same(get(h("c"), 1)), //
		set(h("k1"), 9, 100), // append k1 XY: 7 + 2, keeping what remains of EX 100 (99.95 s, rounded up)
		set(h("cnt"), 4, 0),  // incr cnt: a new key, "1"
		set(h("cnt"), 4, 0),  // incrby cnt 5: keeps its size
	}
	hashKey := []monitorWant{
		set(h("h"), 10, 0), // hset h f1 v1 f2 vv2: 1 + (2+2) + (2+3)
		get(h("h"), 10),    // hget h f1
		get(h("h"), 10),    // hmget h f1 f2
		get(h("h"), 10),    // hgetall h
		set(h("h"), 6, 0),  // hdel h f1: 10 - 4
	}
	hashField := []monitorWant{
		set(fk("h", "f1"), 5, 0), same(set(fk("h", "f2"), 6, 0)), // 1 + 2 + 2, 1 + 2 + 3
		get(fk("h", "f1"), 5),                              // hget h f1
		get(fk("h", "f1"), 5), same(get(fk("h", "f2"), 6)), // hmget h f1 f2
		del(fk("h", "f1"), 5), // hdel h f1 (hgetall h: not per field)
	}
	expire := func(k uint64, size, ttl uint32) monitorWant { return monitorWant{trace.OpExpire, k, size, ttl, false} }
	tail := []monitorWant{
		expire(h("k1"), 9, 50),               // expire k1 50
		expire(h("k1"), 9, 1<<32-1),          // pexpireat k1 99999999999999: 98204207450 s away, clamped
		expire(h("k1"), 9, 0),                // persist k1
		get(h("k1"), 9),                      // getex k1 px 5000: a read,
		same(expire(h("k1"), 9, 5)),          // then its new TTL
		get(h("a"), 2), same(del(h("a"), 2)), // getdel a
		del(h("b"), 3), same(del(h("c"), 1)), // del b c
		{trace.OpGet, h("k1"), 9, 5, false}, same(get(h("cnt"), 4)), // exists k1 cnt: k1's TTL from getex
		set(h("m1"), 3, 0), same(get(h("m1"), 3)), // MULTI, SET m1 x, GET m1, EXEC: one request
		set(h("p1"), 4, 0), get(h("p1"), 4), del(h("p1"), 4), // the pipeline
		set(h("lk"), 4, 0), get(h("lk"), 4), // the script's commands
		set(h(`sp ace`), 14, 0), // set "sp ace" "va\"l\\x00": 6 + 8
	}
	for _, fields := range []bool{false, true} {
		want := append(append(append([]monitorWant{}, head...), hashKey...), tail...)
		others := "3 commands were not read as requests (no key, or not modelled): COMMAND 1, ECHO 1, EVAL 1"
		if fields {
			want = append(append(append([]monitorWant{}, head...), hashField...), tail...)
			others = "4 commands were not read as requests (no key, or not modelled): COMMAND 1, ECHO 1, EVAL 1, HGETALL 1"
		}
		f, err := Open("testdata/redis.monitor", Options{Monitor: MonitorOptions{Fields: fields}})
		if err != nil {
			t.Fatal(err)
		}
		reqs := drain(t, f)
		f.Close()
		var got []monitorWant
		for _, r := range reqs {
			got = append(got, monitorWant{r.Op, r.Key, r.Size, r.TTL, r.Continues})
		}
		if len(got) != len(want) {
			t.Fatalf("fields %v: %d requests, want %d:\n%+v", fields, len(got), len(want), got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("fields %v: request %d: got %+v, want %+v", fields, i, got[i], want[i])
			}
		}
		if reqs[1].Time != 12898e3 || reqs[len(reqs)-1].Time != 238679e3 {
			t.Errorf("times %d, %d; want 12.898 ms and 238.679 ms after the first", reqs[1].Time, reqs[len(reqs)-1].Time)
		}
		notes := f.Notes()
		// Unsized: 18 reads and expires (GETEX is both), all but "c" sized before (by hand).
		if len(notes) != 3 || notes[2].Text != others || !strings.Contains(notes[1].Text, "MULTI/EXEC block (1 block)") ||
			!strings.HasPrefix(notes[0].Text, "18 requests carried no size: 17 took their key's last known size, and 1,") {
			t.Errorf("fields %v: notes %q", fields, notes)
		}
	}
}

const jsonLines = `{"time": 100.5, "key": "user:1", "size": 10, "ttl": 60, "op": "get"}
{"key": 42, "time": 101, "extra": {"nested": [1, {"a": "}"}]}, "op": "SET", "size": 20}
{"key": "user:1", "time": 102, "op": "delete", "size": null}

{"time": 103, "size": 5}
{"key": "x", "op": "frobnicate"}
{"key": "x", "size": -1}
not json
{"key": "esc\"aped", "time": 104} trailing
{"key": "user:2", "time": 99.25}
`

func TestJSONLines(t *testing.T) {
	want := []trace.Request{
		{Time: 0, Key: h("user:1"), Size: 10, TTL: 60, Op: trace.OpGet},
		{Time: 500e6, Key: 42, Size: 20, Op: trace.OpSet},
		{Time: 1500e6, Key: h("user:1"), Size: 10, Op: trace.OpDelete},             // size null: user:1's last known size
		{Time: -1250e6, Key: h("user:2"), Size: 1, Op: trace.OpGet, Unsized: true}, // no size, never sized: the default
	}
	r := NewJSONReader("in.test", strings.NewReader(jsonLines), Options{SkipBad: true})
	compare(t, drain(t, r), want)
	if n := r.Notes(); len(n) != 1 || !strings.HasPrefix(n[0].Text, "2 requests carried no size: 1 took their key's last known size, and 1,") {
		t.Errorf("notes %v", n)
	}
	if r.Skipped() != 5 {
		t.Errorf("skipped %d, want 5 malformed lines", r.Skipped())
	}
	for _, c := range []struct {
		line int
		what string
	}{{5, `no "key" field`}, {6, "unknown operation"}, {7, "size"}, {8, "'{'"}, {9, "unexpected text"}} {
		lines := strings.Split(jsonLines, "\n")
		in := strings.Join(append(lines[:3:3], lines[c.line-1]), "\n")
		err := firstError(NewJSONReader("in.test", strings.NewReader(in), Options{}))
		wantParseError(t, err, 4, 0, c.what) // lines 1-3, then the bad one as line 4
	}
}

// A key is a string or a JSON number: a bare word, NaN, true, an object
// or a list was hashed as a key of its text. Numbers in JSON's forms are
// keys, also inside a list of keys.
func TestJSONKeysMustBeStringsOrNumbers(t *testing.T) {
	for _, c := range []struct{ line, what string }{
		{`{"key": abc}`, `column 9: field "key": expected a string or a number, got a bare word: abc`},
		{`{"key": NaN, "size": 1}`, "got a bare word: NaN"},
		{`{"key": true}`, "got a bare word: true"},
		{`{"key": 01}`, "got a bare word: 01"},
		{`{"key": {"id": 1}}`, `got an object: {"id": 1}`},
		{`{"key": [1, 2]}`, "got a list: [1, 2]"},
		{`{"keys": ["a", abc]}`, "keys: key 2: expected a string or a number, got a bare word: abc"},
	} {
		err := firstError(NewJSONReader("in.test", strings.NewReader(c.line), Options{}))
		wantParseError(t, err, 1, 0, c.what)
	}
	in := `{"key": 7}` + "\n" + `{"key": -2.5e3}` + "\n" + `{"keys": [0, "b"]}` + "\n"
	if got := drain(t, NewJSONReader("in.test", strings.NewReader(in), Options{})); len(got) != 4 || got[0].Key != 7 || got[3].Key != h("b") {
		t.Errorf("numeric keys: %+v", got)
	}
}

func TestJSONLinesFieldNames(t *testing.T) {
	in := `{"id": "a", "ts": 5000, "bytes": 7, "kind": "put", "ttl": 3}` + "\n"
	opt := Options{JSON: JSONFields{Key: "id", Time: "ts", Size: "bytes", Op: "kind"}, Line: LineOptions{TimeUnit: 1e6}}
	compare(t, drain(t, NewJSONReader("in.test", strings.NewReader(in), opt)), []trace.Request{{Key: h("a"), Size: 7, TTL: 3, Op: trace.OpSet}})
}

const twitterTrace = `0,abc,10,100,1,get,0
1,abc,10,100,1,set,3600
2,def,5,0,2,delete,0
3,ghi,5,7,2,bogus,0
4,ghi,x,7,2,get,0
5,ghi,5,7,2,get
10,abc,10,100,1,gets,0
`

func TestTwitter(t *testing.T) {
	want := []trace.Request{
		{Time: 0, Key: h("abc"), Size: 110, Op: trace.OpGet},
		{Time: 1e9, Key: h("abc"), Size: 110, TTL: 3600, Op: trace.OpSet},
		{Time: 2e9, Key: h("def"), Size: 5, Op: trace.OpDelete},
		{Time: 10e9, Key: h("abc"), Size: 110, Op: trace.OpGet},
	}
	r := NewTwitterReader("in.test", strings.NewReader(twitterTrace), Options{SkipBad: true})
	compare(t, drain(t, r), want)
	if r.Skipped() != 3 {
		t.Errorf("skipped %d, want 3", r.Skipped())
	}
	err := firstError(NewTwitterReader("in.test", strings.NewReader(twitterTrace), Options{}))
	wantParseError(t, err, 4, 0, "column 6: op: unknown operation")
	lines := strings.Split(twitterTrace, "\n")
	err = firstError(NewTwitterReader("in.test", strings.NewReader(lines[4]), Options{}))
	wantParseError(t, err, 1, 0, "column 3: size")
	err = firstError(NewTwitterReader("in.test", strings.NewReader(lines[5]), Options{}))
	wantParseError(t, err, 1, 0, "expected 7 comma-separated fields")
}
