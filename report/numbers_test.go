package report

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/system"
	"github.com/cachesim/cachesim/traces"
)

// TestNumbersForPeople: hand-written renderings; none has an exponent.
func TestNumbersForPeople(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Count(0), "0"},
		{Count(999), "999"},
		{Count(1000), "1,000"},
		{Count(int64(-1234567)), "-1,234,567"},
		{Count(uint64(math.MaxUint64)), "18,446,744,073,709,551,615"},
		{Count(int64(math.MinInt64)), "-9,223,372,036,854,775,808"},
		{Sig(4.92e6, 3), "4,920,000"},
		{Sig(73_520_000, 4), "73,520,000"},
		{Sig(3.14159, 3), "3.14"},
		{Sig(2.5, 4), "2.5"},
		{Sig(0.0000123, 2), "0.000012"},
		{Sig(1234.5, 6), "1,234.5"},
		{Sig(-0.5, 3), "-0.5"},
		{Sig(999.96, 4), "1,000"}, // rounds up into the next decade
		{Sig(0, 3), "0"},
		{Amount(63_330.4), "63,330"},
		{Amount(999.996), "1,000"},
		{Amount(-1_503_500.2), "-1,503,500"},
		{Amount(21.774), "21.77"},
		{Amount(0.12), "0.12"},
		{Amount(0.000304), "0.000304"},
		{Amount(0), "0"},
		{Param(0.0001), "0.0001"},
		{Param(1e-5), "0.00001"},
		{Param(1e6), "1000000"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// exponent matches a number written with an exponent: 4.92e+06, 1e-05.
var exponent = regexp.MustCompile(`\d[eE][+-]?\d`)

// TestTablesHaveNoExponents renders the tables of a sweep (with the cost
// rule, a latency report and a plan), a replay, an inspection and a system
// run on large values and asserts that no number in them has an exponent.
func TestTablesHaveNoExponents(t *testing.T) {
	const n = 73_520_000 // requests
	var pts []sim.Point
	for i, size := range []int64{1 << 30, 4 << 30, 16 << 30} {
		lat := &sim.Histogram{}
		lat.AddN(0.001, n/2)
		lat.AddN(4321.5, n/2) // over an hour: seconds past 1,000
		pts = append(pts, sim.Point{Policy: "lru", Size: size, Stats: sim.Stats{Requests: n, Hits: uint64(n / 4 * (i + 1)),
			Bytes: 1 << 50, ByteHits: 1 << 48, Evictions: 49_200_000, Latency: lat}})
	}
	uncached := &sim.Histogram{}
	uncached.AddN(4321.5, n)
	s := &Sweep{Workload: "big", Requests: n, Unit: "bytes", Points: pts, RequestRate: 4.92e6,
		Ceiling: &sim.Ceiling{Requests: n, Misses: 4_920_000, Bytes: 1 << 50, MissBytes: 1 << 45}, Footprint: 1 << 50,
		Latency: NewLatencyReport(pts, uncached, Load{Rate: 4.92e6, Rows: n})}
	s.Cost = &CostModel{MemoryPerGiBMonth: 1e6, MissCost: 1e-5, RequestRate: 4.92e6}
	s.Recommend(RecommendConfig{MinGain: 1e6, Sensitivity: 1e-5, Target: 0.5, Cost: s.Cost, Bytes: true})
	var b bytes.Buffer
	if err := s.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	st := pts[2].Stats
	rp := NewReplay("big", "lru", sim.Size{N: 1 << 40, Unit: sim.Bytes}, st, 49_200_000, time.Millisecond)
	if err := rp.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	in := &Inspection{Format: "csv", Skipped: 12_345_678, Summary: &traces.Summary{Requests: n, DistinctKeys: 49_200_000,
		FootprintObjects: 49_200_000, FootprintBytes: 1 << 50, RequestedBytes: 1 << 52, HasTime: true, SpanSeconds: 10, RatePerSec: 7.352e7,
		Gets: n, ObjectSize: traces.Percentiles{P50: 7.352e7, P90: 1e9, P99: 1e10, Max: 1e12, Mean: 7.352e7},
		ReuseDistance: traces.Percentiles{P50: 1e6, P90: 1e7, P99: 1e8, Max: 1e9, Mean: 7.352e7}}}
	if err := in.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	sys := system.Stats{Stats: st, Span: int64(time.Hour)}
	sys.Backend.Calls, sys.Backend.PerSecond = n, 4.92e6
	sys.Writes.MaxDirty, sys.Writes.MeanDirty, sys.Writes.MaxDirtyBytes, sys.Writes.MeanDirtyBytes = 49_200_000, 4.92e7, 1<<50, 7.352e14
	sys.Sets = 1
	rep := &SystemReport{Workload: "big", Hierarchy: "l1=lru:1GiB", Runs: []SystemRun{NewSystemRun("off", 0, sys)}}
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, line := range strings.Split(out, "\n") {
		if exponent.MatchString(line) {
			t.Errorf("a number with an exponent: %s", line)
		}
	}
	for _, want := range []string{"73,520,000", "4,920,000", "49,200,000", "4,320s", "73,500,000,000"} {
		if !strings.Contains(out, want) {
			t.Errorf("the tables do not show %s:\n%s", want, out)
		}
	}
}
