package report

import (
	"strings"
	"testing"

	"github.com/cachesim/cachesim/sim"
)

// TestRoundUp: hand-computed roundings up to two significant figures in
// the unit shown, and to a given step.
func TestRoundUp(t *testing.T) {
	const KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
	for _, c := range []struct {
		size  int64
		bytes bool
		to    int64
		want  int64
	}{
		{6232933, true, 0, 6 * MiB},     // 5.944 MiB
		{13767803, true, 0, 14 * MiB},   // 13.13 MiB
		{130 * MiB, true, 0, 130 * MiB}, // two figures already
		{64 * MiB, true, 0, 64 * MiB},
		{512 * MiB, true, 0, 512 * MiB},        // a whole number of MiB stays
		{512*MiB + 1, true, 0, 520 * MiB},      // 512.000001 MiB
		{1899069, true, 0, 1992295},            // 1.811 MiB → 1.9 MiB (1992294.4 B, rounded up to a byte)
		{1992295, true, 0, 1992295},            // 1.9 MiB stays
		{1010*KiB + 512, true, 0, MiB},         // 1100 KiB would be past 1023 KiB
		{1000 * KiB, true, 0, 1000 * KiB},      // two figures
		{3 * GiB / 2, true, 0, 3 * GiB / 2},    // 1.5 GiB
		{1537 * MiB, true, 0, 1717986919},      // 1.501 GiB → 1.6 GiB, 1717986918.4 B
		{999, true, 0, 999},                    // whole bytes stay
		{1537, true, 0, 1639},                  // 1.501 KiB → 1.6 KiB = 1638.4 B: 1639 B
		{1234, false, 0, 1300},                 // objects
		{12345, false, 0, 13000},               //
		{1250, false, 0, 1300},                 //
		{1000, false, 0, 1000},                 //
		{99, false, 0, 99},                     //
		{130 * MiB, true, 64 * MiB, 192 * MiB}, // --round-to 64MiB
		{128 * MiB, true, 64 * MiB, 128 * MiB}, // a multiple stays
		{6232933, true, MiB, 6 * MiB},          // --round-to 1MiB
		{12345, false, 1000, 13000},            // --round-to 1000 (objects)
		{6232933, true, 1, 6232933},            // --round-to 1 keeps the swept size
	} {
		if got := RoundUp(c.size, c.bytes, c.to); got != c.want {
			t.Errorf("RoundUp(%d, %v, %d) = %d, want %d", c.size, c.bytes, c.to, got, c.want)
		}
	}
}

// TestRecommendationsRounded: the target rule picks the swept 5.944 MiB
// (6232933 B, the first to reach 50%); the recommendation and the plan say
// 6 MiB, rounded up from it, with its hit ratio; --round-to 64MiB makes it
// 64 MiB, and --round-to 1 keeps it.
func TestRecommendationsRounded(t *testing.T) {
	sweep := func(to int64) (*Sweep, string) {
		s := &Sweep{Workload: "w", Unit: "bytes"}
		for i, size := range []int64{1 << 20, 6232933, 64 << 20} {
			s.Points = append(s.Points, sim.Point{Policy: "lru", Size: size, Stats: sim.Stats{Requests: 100, Hits: uint64(30 + 25*i)}})
		}
		s.Recommend(RecommendConfig{Bytes: true, MinGain: -1, Target: 0.5, RoundTo: to})
		var b strings.Builder
		if err := s.WriteTable(&b); err != nil {
			t.Fatal(err)
		}
		return s, b.String()
	}
	s, out := sweep(0)
	r := s.Recommendations[0]
	if r.Size != 6232933 || r.RoundedSize != 6<<20 || r.HitRatio != 0.55 || s.Plans[0].RoundedSize != 6<<20 {
		t.Errorf("recommendation %+v, plan %+v; want 6232933 rounded to 6291456 at 55%%", r, s.Plans[0])
	}
	for _, want := range []string{"recommended for lru by target: 6 MiB (rounded up from 5.944 MiB)",
		"lru: 6 MiB (target; rounded up from 5.944 MiB, whose figures follow): hit ratio 55.00%",
		"sizes rounded up to two significant figures"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if s, out := sweep(64 << 20); s.Recommendations[0].RoundedSize != 64<<20 || !strings.Contains(out, "rounded up to a multiple of 64 MiB") {
		t.Errorf("--round-to 64MiB: %+v\n%s", s.Recommendations[0], out)
	}
	if s, out := sweep(1); s.Recommendations[0].RoundedSize != 6232933 || strings.Contains(out, "rounded") {
		t.Errorf("--round-to 1: %+v\n%s", s.Recommendations[0], out)
	}
}
