package traces

import (
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/traces/tracestest"
)

// TestOrigin: a trace whose first timestamp is a clock time (between 2000
// and 2100) knows when it started; times since a recording began do not.
func TestOrigin(t *testing.T) {
	nov14 := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC) // Unix time 1700000000
	cases := []struct {
		name, data string
		opt        Options
		want       time.Time
	}{
		{"epoch seconds", "1700000000,a\n1700000060,b\n", Options{Format: "csv", Line: LineOptions{Columns: Columns{Time: 1, Key: 2}}}, nov14},
		{"epoch milliseconds", "1700000000250,a\n", Options{Format: "csv", Line: LineOptions{Columns: Columns{Time: 1, Key: 2}, TimeUnit: 1e6}},
			nov14.Add(250 * time.Millisecond)},
		{"seconds since start", "0,a\n12.5,b\n", Options{Format: "csv", Line: LineOptions{Columns: Columns{Time: 1, Key: 2}}}, time.Time{}},
		{"1970s", "86400,a\n", Options{Format: "csv", Line: LineOptions{Columns: Columns{Time: 1, Key: 2}}}, time.Time{}},
		{"no times", "a\nb\n", Options{Format: "text"}, time.Time{}},
		{"access log", `10.0.0.1 - - [14/Nov/2023:22:13:20 +0000] "GET /a HTTP/1.1" 200 10 "-" "curl"` + "\n", Options{Format: "accesslog"}, nov14},
		{"access log in another zone", `10.0.0.1 - - [15/Nov/2023:00:13:20 +0200] "GET /a HTTP/1.1" 200 10 "-" "curl"` + "\n", Options{Format: "accesslog"}, nov14},
		{"json lines", `{"key":"a","time":1700000000}` + "\n", Options{Format: "jsonl"}, nov14},
	}
	for _, k := range cases {
		f, err := NewFile("in.test", strings.NewReader(k.data), k.opt)
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		tr, err := ReadAll("in.test", f)
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		if !tr.Origin.Equal(k.want) {
			t.Errorf("%s: origin %v, want %v", k.name, tr.Origin, k.want)
		}
	}
}

// TestOriginShared: the shared cloudPhysicsIO files count seconds from the
// start of the recording (the CSV's first, 5,633,898 s, would be March
// 1970), not clock time.
func TestOriginShared(t *testing.T) {
	for _, name := range []string{"cloudPhysicsIO.csv", "cloudPhysicsIO.oracleGeneral.bin", "cloudPhysicsIO.vscsi"} {
		tr, _, err := Load(tracestest.Path(t, name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !tr.Origin.IsZero() {
			t.Errorf("%s: origin %v, want none", name, tr.Origin)
		}
	}
}
