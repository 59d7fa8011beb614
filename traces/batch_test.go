package traces

import (
	"slices"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// readAs reads text as a trace file named name with opt, and returns the
// requests, the notes and the tenant names.
func readAs(t *testing.T, name, text string, opt Options) ([]trace.Request, []Note, []string) {
	t.Helper()
	f, err := NewFile(name, strings.NewReader(text), opt)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reqs := drain(t, f)
	return reqs, f.Notes(), f.TenantNames()
}

// groups returns the number of keys of each request, in order.
func groups(reqs []trace.Request) []int {
	var out []int
	for i, r := range reqs {
		if i == 0 || !r.Continues {
			out = append(out, 0)
		}
		out[len(out)-1]++
	}
	return out
}

func noteOf(notes []Note, kind NoteKind) string {
	for _, n := range notes {
		if n.Kind == kind {
			return n.Text
		}
	}
	return ""
}

// A CSV request_id column groups consecutive rows with the same id; the
// same id later again is a new request; an empty id is a request of its
// own. request_id is not mistaken for the key (the first *_id).
func TestCSVRequestID(t *testing.T) {
	csv := "request_id,entity_id,tenant\n" +
		"r1,e1,ranker\nr1,e2,ranker\nr1,e3,ranker\n" +
		"r2,e1,fraud\n" +
		"r1,e4,ranker\nr1,e5,ranker\n" +
		",e6,\n,e7,\n"
	reqs, notes, names := readAs(t, "b.csv", csv, Options{Line: LineOptions{AutoColumns: true}})
	if got, want := groups(reqs), []int{3, 1, 2, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	if reqs[0].Key != ParseKey([]byte("e1")) || reqs[3].Key != reqs[0].Key {
		t.Errorf("keys are not the entity ids: %+v", reqs[:4])
	}
	wantTenants := []uint32{1, 1, 1, 2, 1, 1, 0, 0}
	for i, r := range reqs {
		if r.Tenant != wantTenants[i] {
			t.Errorf("request %d: tenant %d, want %d", i, r.Tenant, wantTenants[i])
		}
	}
	if len(names) != 2 || names[0] != "ranker" || names[1] != "fraud" {
		t.Errorf("tenant names %v", names)
	}
	if n := noteOf(notes, NoteBatches); !strings.Contains(n, "8 keys in 5 requests of 1 to 3 keys") {
		t.Errorf("batch note %q", n)
	}
	if n := noteOf(notes, NoteColumns); !strings.Contains(n, "request = request_id (column 1)") || !strings.Contains(n, "key = entity_id") {
		t.Errorf("columns note %q", n)
	}
}

// A request column named by number groups text traces too.
func TestTextRequestColumn(t *testing.T) {
	reqs, _, _ := readAs(t, "b.txt", "a 7\nb 7\nc 8\nd 9\ne 9\n",
		Options{Format: "text", Line: LineOptions{Columns: Columns{Key: 1, Request: 2}}})
	if got, want := groups(reqs), []int{2, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
}

// JSON lines: a "keys" list is one request of several keys, each sized
// by the line's size; request_id groups lines; tenant names the tenant.
func TestJSONBatches(t *testing.T) {
	in := `{"keys": ["a", "b", 7], "size": 10, "tenant": "m1"}
{"key": "c", "request_id": "q", "size": 5}
{"keys": ["d"], "request_id": "q"}
{"key": "e", "request_id": "q2", "tenant": "m2"}
`
	reqs, notes, names := readAs(t, "b.jsonl", in, Options{})
	if got, want := groups(reqs), []int{3, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	if reqs[2].Key != 7 || reqs[0].Size != 10 || reqs[2].Size != 10 || reqs[3].Size != 5 {
		t.Errorf("keys or sizes wrong: %+v", reqs)
	}
	if !reqs[4].Unsized {
		t.Errorf("d carries no size and was never sized: want unsized")
	}
	if reqs[0].Tenant != 1 || reqs[2].Tenant != 1 || reqs[3].Tenant != 0 || reqs[5].Tenant != 2 {
		t.Errorf("tenants %+v", reqs)
	}
	if len(names) != 2 || names[1] != "m2" {
		t.Errorf("names %v", names)
	}
	if n := noteOf(notes, NoteBatches); !strings.Contains(n, `6 keys in 3 requests`) || !strings.Contains(n, `"keys" list and the "request_id" field`) {
		t.Errorf("batch note %q", n)
	}
}

func TestJSONBatchErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`{"key": "a", "keys": ["b"]}`, "give one"},
		{`{"keys": []}`, "empty"},
		{`{"keys": "a"}`, "list of keys"},
		{`{"keys": ["a" "b"]}`, "expected ','"},
		{`{"size": 3}`, `nor a "keys" list`},
	} {
		err := firstError(NewJSONReader("in.test", strings.NewReader(tc.line+"\n"), Options{}))
		wantParseError(t, err, 1, 0, tc.want)
	}
}

// MONITOR: an MGET is one request of its keys; every command between a
// client's MULTI and EXEC is one request; a line of another client ends
// a block; MULTI and EXEC are not counted as unread commands.
func TestMonitorBatches(t *testing.T) {
	in := `1700000000.000001 [0 127.0.0.1:1] "MGET" "a" "b" "c"
1700000000.000002 [0 127.0.0.1:1] "GET" "d"
1700000000.000003 [0 127.0.0.1:1] "MULTI"
1700000000.000004 [0 127.0.0.1:1] "GET" "e"
1700000000.000005 [0 127.0.0.1:1] "HMGET" "h" "f1" "f2"
1700000000.000006 [0 127.0.0.1:1] "SET" "g" "1"
1700000000.000007 [0 127.0.0.1:1] "EXEC"
1700000000.000008 [0 127.0.0.1:1] "GET" "i"
1700000000.000009 [0 127.0.0.1:2] "MULTI"
1700000000.000010 [0 127.0.0.1:2] "GET" "j"
1700000000.000011 [0 127.0.0.1:3] "GET" "k"
1700000000.000012 [0 127.0.0.1:2] "GET" "l"
`
	reqs, notes, _ := readAs(t, "b.monitor", in, Options{})
	// MGET a b c | d | e h g (HMGET of a whole hash is one key) | i | j | k | l
	if got, want := groups(reqs), []int{3, 1, 3, 1, 1, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	if reqs[6].Op != trace.OpSet || !reqs[6].Continues {
		t.Errorf("the SET in the block: %+v", reqs[6])
	}
	if n := noteOf(notes, NoteCommands); n != "" {
		t.Errorf("MULTI/EXEC counted as unread commands: %q", n)
	}
	if n := noteOf(notes, NoteBatches); !strings.Contains(n, "MULTI/EXEC block (2 blocks)") {
		t.Errorf("batch note %q", n)
	}
	// By field, HMGET reads each field: a request of two keys.
	reqs, _, _ = readAs(t, "b.monitor", `1700000000 [0 c] "HMGET" "h" "f1" "f2"`+"\n", Options{Monitor: MonitorOptions{Fields: true}})
	if got, want := groups(reqs), []int{2}; !slices.Equal(got, want) {
		t.Errorf("HMGET by field: groups %v, want %v", got, want)
	}
}

// The tenant rule takes the first N fields of a string key; keys with
// fewer fields are their whole key.
func TestTenantRule(t *testing.T) {
	rule, err := ParseTenantRule("prefix:2")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, want string }{
		{"pred:model_a:9f1c", "pred:model_a"},
		{"pred:model_a:9f1c:x", "pred:model_a"},
		{"pred:model_b", "pred:model_b"},
		{"session", "session"},
		{"a::b", "a:"},
	} {
		if got := string(rule.Prefix([]byte(tc.key))); got != tc.want {
			t.Errorf("prefix:2 of %q = %q, want %q", tc.key, got, tc.want)
		}
	}
	one, _ := ParseTenantRule("prefix:1:/")
	if got := string(one.Prefix([]byte("svc/a/b"))); got != "svc" {
		t.Errorf("prefix:1:/ of svc/a/b = %q", got)
	}
	for _, bad := range []string{"prefix", "prefix:0", "prefix:x", "suffix:1", "prefix:1:ab"} {
		if _, err := ParseTenantRule(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// Tenants derived from MONITOR keys (as RedisMLCache's pred:{model}:{hash}),
// from CSV keys, and a tenant column winning over the rule.
func TestTenantFromKeys(t *testing.T) {
	rule, _ := ParseTenantRule("prefix:2")
	mon := `1700000000 [0 c] "GET" "pred:model_a:1"
1700000000 [0 c] "MGET" "pred:model_b:1" "pred:model_a:2"
1700000000 [0 c] "SET" "pred:model_b:3" "v"
1700000000 [0 c] "HGET" "feat:user:9" "f"
`
	reqs, _, names := readAs(t, "t.monitor", mon, Options{TenantFrom: &rule})
	want := []uint32{1, 2, 1, 2, 3}
	for i, r := range reqs {
		if r.Tenant != want[i] {
			t.Errorf("request %d: tenant %d, want %d", i, r.Tenant, want[i])
		}
	}
	if strings.Join(names, " ") != "pred:model_a pred:model_b feat:user" {
		t.Errorf("names %v", names)
	}
	reqs, _, names = readAs(t, "t.csv", "key,size\npred:x:1,3\npred:y:2,4\npred:x:9,1\n", Options{TenantFrom: &rule, Line: LineOptions{AutoColumns: true}})
	if reqs[0].Tenant != 1 || reqs[1].Tenant != 2 || reqs[2].Tenant != 1 || len(names) != 2 {
		t.Errorf("CSV tenants %+v %v", reqs, names)
	}
	reqs, _, names = readAs(t, "t.csv", "key,model\npred:x:1,m9\n", Options{TenantFrom: &rule, Line: LineOptions{AutoColumns: true}})
	if reqs[0].Tenant != 1 || names[0] != "m9" {
		t.Errorf("a tenant column should win: %+v %v", reqs, names)
	}
}

// ReadAll keeps the tenant names and the marks; HasBatches sees them.
func TestReadAllBatches(t *testing.T) {
	f, err := NewFile("b.csv", strings.NewReader("request_id,key,tenant\n1,a,x\n1,b,x\n2,c,y\n"), Options{Line: LineOptions{AutoColumns: true}})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ReadAll("b.csv", f)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.HasBatches() || tr.TenantName(2) != "y" || tr.TenantCount() != 2 || tr.TenantName(0) != "" {
		t.Errorf("trace: batches %v, tenants %v %v", tr.HasBatches(), tr.TenantNames, tr.Tenants)
	}
}

// Written as CSV, a trace keeps its requests and tenants: request ids
// number the requests, tenants are written by name (quoted when they hold
// a comma), and the header reads them back.
func TestWriteBatchesRoundTrip(t *testing.T) {
	tr := trace.NewTrace("w", trace.Fields{Marks: true, Tenant: true})
	for _, r := range []trace.Request{{Key: 1, Tenant: 1}, {Key: 2, Continues: true, Tenant: 1}, {Key: 3, Tenant: 2}, {Key: 4}} {
		r.Size = 1
		tr.Append(&r)
	}
	tr.TenantNames = []string{"m,1", "m2"}
	var b strings.Builder
	if err := Write(&b, "csv", tr); err != nil {
		t.Fatal(err)
	}
	want := "key,request_id,tenant\n1,1,\"m,1\"\n2,1,\"m,1\"\n3,2,m2\n4,3,\n"
	if b.String() != want {
		t.Fatalf("wrote %q, want %q", b.String(), want)
	}
	reqs, _, names := readAs(t, "w.csv", b.String(), Options{Line: LineOptions{AutoColumns: true}})
	if got := groups(reqs); !slices.Equal(got, []int{2, 1, 1}) || len(names) != 2 || names[0] != "m,1" || reqs[3].Tenant != 0 {
		t.Errorf("read back: groups %v, names %q, %+v", got, names, reqs)
	}
}
