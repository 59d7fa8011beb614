package traces

import (
	"slices"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// The writes of keys matching --monitor-changes writes:PATTERN, and PUBLISH
// on publish:CHANNEL, are changes of the truth; other writes stay writes.
func TestMonitorChanges(t *testing.T) {
	log := `1700000000 [0 c] "GET" "feature:1"
1700000001 [0 c] "SET" "feature:1" "v2"
1700000002 [0 c] "SET" "pred:1" "0.5"
1700000003 [0 c] "MSET" "feature:1" "a" "feature:2" "b"
1700000004 [0 c] "MSET" "feature:1" "a" "pred:2" "b"
1700000005 [0 c] "DEL" "feature:2"
1700000006 [0 c] "PUBLISH" "changes" "pred:1"
1700000007 [0 c] "PUBLISH" "other" "pred:1"
1700000008 [0 c] "HSET" "feature:3" "f" "v"
`
	ops := func(opt Options) []trace.Op {
		reqs, _, _ := readAs(t, "c.monitor", log, opt)
		var out []trace.Op
		for _, r := range reqs {
			out = append(out, r.Op)
		}
		return out
	}
	g, s, d, c := trace.OpGet, trace.OpSet, trace.OpDelete, trace.OpChange
	for _, tc := range []struct {
		flag string
		want []trace.Op
	}{
		{"", []trace.Op{g, s, s, s, s, s, s, d, s}},
		// GET; SET feature:1 → change; SET pred:1; MSET of two features →
		// two changes; a mixed MSET stays two writes; DEL feature:2 →
		// change; PUBLISH is no request without a channel; HSET → change.
		{"writes:feature:*", []trace.Op{g, c, s, c, c, s, s, c, c}},
		{"publish:changes", []trace.Op{g, s, s, s, s, s, s, d, c, s}},
	} {
		opt, err := ParseFlags(map[string]string{"monitor-changes": tc.flag})
		if tc.flag == "" {
			opt, err = ParseFlags(nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := ops(opt); !slices.Equal(got, tc.want) {
			t.Errorf("--monitor-changes %q: ops %v, want %v", tc.flag, got, tc.want)
		}
	}
	for _, bad := range []string{"feature:*", "writes:", "publish:", "writes:[x"} {
		if _, err := ParseFlags(map[string]string{"monitor-changes": bad}); err == nil {
			t.Errorf("--monitor-changes %q: no error", bad)
		}
	}
}
