package report

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMarginalGainUnevenSizes: the sizes 1 MiB, 2 MiB, 64 MiB of a trace
// whose footprint (1.5 MiB) fits in 2 MiB: hit ratios 93.41%, 99.70%,
// 99.70%. The step to 2 MiB gains 6.29 pp over one doubling, the step to
// 64 MiB nothing over five: 2 MiB is where the gains end (a rule that took
// the first step below the threshold picked 64 MiB).
func TestMarginalGainUnevenSizes(t *testing.T) {
	c := handCurve([]int64{1 << 20, 2 << 20, 64 << 20}, []float64{0.9341, 0.9970, 0.9970})
	r := MarginalGain(c, RecommendConfig{MinGain: 1, Bytes: true, Ceiling: 0.9970, Footprint: 3 << 19})
	if !r.Found || r.Size != 2<<20 {
		t.Fatalf("got %+v, want 2 MiB", r)
	}
	if !strings.Contains(r.Note, "as much as an unlimited cache") || strings.Contains(r.Note, "sweep larger") {
		t.Errorf("note %q: want the share of the ceiling and no advice to sweep further", r.Note)
	}
}

// TestMarginalGainPerDoubling: 1 → 10%, 2 → 20%, 1024 → 25%. The last step
// gains 5 pp, but over log2(512) = 9 doublings: 0.556 pp per doubling, below
// 1. The step to 2 gains 10 pp in one doubling. So 2 is recommended at 1 pp
// and nothing at 0.5 pp (the last step's 0.556 is not below it).
func TestMarginalGainPerDoubling(t *testing.T) {
	c := handCurve([]int64{1, 2, 1024}, []float64{0.10, 0.20, 0.25})
	per := c.GainsPerDoubling(RequestHitRatio)
	if per[0] != 0 || math.Abs(per[1]-10) > 1e-9 || math.Abs(per[2]-5.0/9) > 1e-9 {
		t.Errorf("gains per doubling %v, want 0, 10, 0.556", per)
	}
	if r := MarginalGain(c, RecommendConfig{MinGain: 1}); !r.Found || r.Size != 2 {
		t.Errorf("1 pp: got %+v, want 2", r)
	}
	r := MarginalGain(c, RecommendConfig{MinGain: 0.5})
	if r.Found || !strings.Contains(r.Note, "sweep larger sizes") || !strings.Contains(r.Note, "+0.556") {
		t.Errorf("0.5 pp: got %+v, want not reached with the last step's +0.556 pp", r)
	}
}

// TestMarginalGainFlatStart: 10…160 objects hit 0, 0, 0, 50%, 60% (a loop
// that starts to fit at 80). Gains per doubling: 0, 0, 50, 10. Every step
// after 160 is unknown, so 160 qualifies only when it holds every object.
func TestMarginalGainFlatStart(t *testing.T) {
	c := handCurve([]int64{10, 20, 40, 80, 160}, []float64{0, 0, 0, 0.5, 0.6})
	if r := MarginalGain(c, RecommendConfig{MinGain: 1, Footprint: 160, Ceiling: 0.6}); !r.Found || r.Size != 160 ||
		!strings.Contains(r.Note, "holds every object") {
		t.Errorf("footprint 160: got %+v, want 160, holding every object", r)
	}
	for _, fp := range []int64{0, 1000} {
		r := MarginalGain(c, RecommendConfig{MinGain: 1, Footprint: fp})
		if r.Found || !strings.Contains(r.Note, "sweep larger sizes") {
			t.Errorf("footprint %d: got %+v, want not reached, sweep larger sizes", fp, r)
		}
	}
}

// TestMarginalGainFloor: a curve flat from the start at 0.5% gains nothing,
// but 0.5% is below the floor (1%, or a tenth of a 90% ceiling, 9%).
// A curve of 5%, 5.5%, 6%, 6.2% (gains per doubling 0.5, 0.5, 0.2) flattens
// from its first size, but with a 58% ceiling the floor is 5.8%: the first
// size from there that reaches it is 4 (6%).
func TestMarginalGainFloor(t *testing.T) {
	flat := handCurve([]int64{10, 20, 40}, []float64{0.005, 0.005, 0.005})
	r := MarginalGain(flat, RecommendConfig{MinGain: 1, Ceiling: 0.9, Footprint: 1000})
	if r.Found || !strings.Contains(r.Note, "9.00% (a tenth of the unlimited cache's 90.00%)") || !strings.Contains(r.Note, "sweep larger sizes") {
		t.Errorf("flat at 0.5%%: got %+v, want none below the 9%% floor", r)
	}
	if r := MarginalGain(flat, RecommendConfig{MinGain: 1}); r.Found || !strings.Contains(r.Note, "1%") {
		t.Errorf("flat at 0.5%%, no ceiling: got %+v, want none below 1%%", r)
	}
	if r := MarginalGain(flat, RecommendConfig{MinGain: 1, Ceiling: 0.005, Footprint: 40}); r.Found || !strings.Contains(r.Note, "no size is worth a cache") {
		t.Errorf("ceiling 0.5%%: got %+v, want no size worth a cache", r)
	}
	slow := handCurve([]int64{1, 2, 4, 8}, []float64{0.05, 0.055, 0.06, 0.062})
	if r := MarginalGain(slow, RecommendConfig{MinGain: 1, Ceiling: 0.58}); !r.Found || r.Size != 4 {
		t.Errorf("slow: got %+v, want 4", r)
	}
	if r := MarginalGain(handCurve([]int64{1}, []float64{0.5}), RecommendConfig{MinGain: 1}); r.Found {
		t.Errorf("one point gave a recommendation: %+v", r)
	}
}

func TestWriteFileLeavesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	os.WriteFile(p, []byte("old"), 0o644)
	err := WriteFile(p, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return errors.New("boom")
	})
	if err == nil || !strings.Contains(err.Error(), "out.csv") {
		t.Fatalf("error %v should name the file", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("the old file was changed to %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	if err := WriteFile(p, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Fatalf("content %q", b)
	}
}
