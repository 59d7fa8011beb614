package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// handCSV is the hand-worked trace of sim's TestFreshHandWorked as a CSV:
// keys a and b, a change row at 3 s (the redeploy at 13 s is a flag).
const handCSV = `key,time,op
a,0,get
b,1,get
a,2,get
a,3,change
a,4,get
b,5,get
a,9,get
a,10,get
b,12,set
b,14,get
a,15,get
a,16,delete
a,17,get
a,18,get
`

// TestFreshCSVEndToEnd reads change rows from a CSV and gives the stale
// hits worked by hand in sim's TestFreshHandWorked: TTL 10 s, 7 hits of 11
// reads, 4 stale; push invalidation 5 hits, none stale, 2 messages.
func TestFreshCSVEndToEnd(t *testing.T) {
	path := writeFile(t, "hand.csv", handCSV)
	out, _, err := runCLI(t, "fresh", path, "--ttls", "10s", "--redeploy-at", "13s", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%v: %d rows\n%s", err, len(rows), out)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, want := range []map[string]string{
		{"ttl_s": "10", "push": "false", "requests": "11", "hits": "7", "stale_hits": "4", "backend_calls": "4", "invalidations": "0", "changes": "2"},
		{"ttl_s": "", "push": "true", "requests": "11", "hits": "5", "stale_hits": "0", "backend_calls": "6", "invalidations": "2", "invalidated": "3"},
	} {
		for k, v := range want {
			if got := rows[i+1][col[k]]; got != v {
				t.Errorf("row %d: %s = %q, want %q", i+1, k, got, v)
			}
		}
	}
}

// Change rows are no requests in any command: replay counts 11 reads of
// the 14 rows (1 set, 1 delete, 1 change apart), and --count-writes, which
// would count them, is refused.
func TestChangeRowsAreNoRequests(t *testing.T) {
	path := writeFile(t, "hand.csv", handCSV)
	out, _, err := runCLI(t, "replay", path, "--size", "10", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct{ Requests, Sets, Deletes uint64 }
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Requests != 11 || r.Sets != 1 || r.Deletes != 1 {
		t.Errorf("replay: %+v, want 11 reads, 1 set, 1 delete", r)
	}
	if _, _, err := runCLI(t, "sweep", path, "--sizes", "5,10", "--count-writes"); err == nil || !strings.Contains(err.Error(), "change rows are no requests") {
		t.Errorf("sweep --count-writes on change rows: %v", err)
	}
	if _, _, err := runCLI(t, "mrc", path, "--count-writes"); err == nil || !strings.Contains(err.Error(), "change rows are no requests") {
		t.Errorf("mrc --count-writes (streamed) on change rows: %v", err)
	}
	if _, _, err := runCLI(t, "fresh", "zipf:keys=100,requests=1000,rate=10", "--ttls", "1s"); err == nil || !strings.Contains(err.Error(), "--change-rate") {
		t.Errorf("fresh without changes: %v, want the flags that add some", err)
	}
	if _, _, err := runCLI(t, "fresh", "zipf:keys=100,requests=1000", "--change-rate", "1/h"); err == nil || !strings.Contains(err.Error(), "no timestamps") {
		t.Errorf("fresh without timestamps: %v", err)
	}
}
