package report

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/sim"
)

func curve(sizes []int64, hits []uint64) Curve {
	c := Curve{Policy: "p"}
	for i := range sizes {
		c.Points = append(c.Points, sim.Point{Policy: "p", Size: sizes[i], Stats: sim.Stats{Requests: 1000, Hits: hits[i]}})
	}
	return c
}

func TestMarginalGain(t *testing.T) {
	// Hit ratios 10%, 30%, 40%, 40.05%, 40.5%: gains +20, +10, +0.05, +0.45 pp.
	// The first gain below 0.1 pp is at size 4, even though a later step gains more.
	c := curve([]int64{1, 2, 3, 4, 5}, []uint64{100, 300, 400, 400, 405})
	c.Points[3].Hits, c.Points[3].Requests = 40050, 100000
	r := MarginalGain(c, 0.1, false)
	if !r.Found || r.Size != 4 {
		t.Fatalf("got %+v, want size 4", r)
	}
	// With a 15 pp threshold the third size (gain 10) is the first below.
	if r := MarginalGain(c, 15, false); !r.Found || r.Size != 3 {
		t.Fatalf("threshold 15: got %+v, want size 3", r)
	}
	// Never below the threshold: not found, and the note says to sweep further.
	r = MarginalGain(curve([]int64{1, 2}, []uint64{100, 300}), 0.1, false)
	if r.Found || !strings.Contains(r.Note, "sweep larger sizes") {
		t.Fatalf("got %+v", r)
	}
	if r := MarginalGain(curve([]int64{1}, []uint64{1}), 0.1, false); r.Found {
		t.Fatalf("one point gave a recommendation: %+v", r)
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
