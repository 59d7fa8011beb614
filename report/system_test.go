package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/system"
)

// A sweep report has a column per level and one row per run; hit ratios
// come from the counts (30 of 40 requests, 10 of them in l1).
func TestSystemReportCSV(t *testing.T) {
	st := system.Stats{Stats: sim.Stats{Requests: 40, Hits: 30}, Levels: []system.LevelStats{
		{Name: "l1", Hits: 10, HitRatio: 0.25}, {Name: "l2", Hits: 20, HitRatio: 0.5}}}
	st.Backend.Calls, st.Backend.Load = 10, 0.25
	rep := &SystemReport{Workload: "w", Hierarchy: "l1=lru:1,l2=lru:2", Instances: 1, Writes: "through", Vary: "l2", Unit: "objects",
		Runs: []SystemRun{NewSystemRun("none", 2, st), NewSystemRun("coalesce", 2, st)}}
	var b bytes.Buffer
	if err := rep.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"l2_size", "stampede", "hit_ratio", "l1_hit_ratio", "l2_hit_ratio"}
	if len(rows) != 3 || strings.Join(rows[0][:5], ",") != strings.Join(want, ",") {
		t.Fatalf("header %v; want it to start %v", rows[0], want)
	}
	if got := strings.Join(rows[1][:5], ","); got != "2,none,0.75,0.25,0.5" {
		t.Errorf("row %q; want 2,none,0.75,0.25,0.5", got)
	}
	b.Reset()
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "l2 hit ratio") || !strings.Contains(b.String(), "75.00%") {
		t.Errorf("table:\n%s", b.String())
	}
}
