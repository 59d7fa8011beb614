package traces

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// cloudCSV reads cloudPhysicsIO.csv: header version,time,op,size,lbn.
var cloudCSV = Options{Line: LineOptions{Columns: Columns{Key: 5, Time: 2, Op: 3, Size: 4}, Header: true}}

// TestSharedTraces parses every shared trace with format detection and
// checks the request and distinct-key counts of its README.
func TestSharedTraces(t *testing.T) {
	cases := []struct {
		file, format       string
		requests, distinct int
		opt                Options
	}{
		{"cloudPhysicsIO.txt", "text", 113872, 48974, Options{}},
		{"cloudPhysicsIO.csv", "csv", 113872, 48974, cloudCSV},
		{"cloudPhysicsIO.csv", "csv", 113872, 48974, Options{Line: LineOptions{AutoColumns: true}}}, // lbn from the header
		{"cloudPhysicsIO.vscsi", "vscsi", 113872, 48974, Options{}},
		{"cloudPhysicsIO.oracleGeneral.bin", "oracleGeneral", 113872, 48974, Options{}},
		{"oltp.gz", "arc", 914145, 186880, Options{}},
		{"p3.gz", "arc", 3912296, 762543, Options{}},
		{"gli.trace.gz", "lirs", 6015, 2529, Options{}},
		{"loop.trace.gz", "lirs", 505500, 1011, Options{}},
		{"multi2.trace.gz", "lirs", 26311, 5684, Options{}},
		{"sprite.trace.gz", "lirs", 133996, 7075, Options{}},
		{"web07.trace.xz", "cache2k", 76118, 20484, Options{}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			p := tracestest.Path(t, c.file)
			f, err := Open(p, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Format != c.format {
				t.Errorf("detected %s, want %s", f.Format, c.format)
			}
			tr, err := ReadAll(c.file, f)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Len() != c.requests || tr.DistinctKeys() != c.distinct {
				t.Errorf("%d requests, %d distinct keys; README says %d and %d", tr.Len(), tr.DistinctKeys(), c.requests, c.distinct)
			}
		})
	}
}

// TestCloudPhysicsFormatsSameSequence checks that the four encodings of
// cloudPhysicsIO hold the same key sequence, and that CSV and VSCSI agree on
// sizes, times and operations too.
func TestCloudPhysicsFormatsSameSequence(t *testing.T) {
	load := func(name string, opt Options) *trace.Trace {
		tr, _, err := Load(tracestest.Path(t, name), opt)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	txt := load("cloudPhysicsIO.txt", Options{})
	csv := load("cloudPhysicsIO.csv", cloudCSV)
	vs := load("cloudPhysicsIO.vscsi", Options{})
	og := load("cloudPhysicsIO.oracleGeneral.bin", Options{})
	for name, tr := range map[string]*trace.Trace{"csv": csv, "vscsi": vs, "oracleGeneral": og} {
		if !equalKeys(tr.Keys, txt.Keys) {
			t.Errorf("%s keys differ from the text file's", name)
		}
	}
	var a, b trace.Request
	for i := 0; i < csv.Len(); i++ {
		csv.At(i, &a)
		vs.At(i, &b)
		// The CSV has whole seconds, VSCSI microseconds: times agree within a second.
		if a.Size != b.Size || a.Op != b.Op || a.Time-b.Time >= 1e9 || b.Time-a.Time >= 1e9 {
			t.Fatalf("request %d: CSV %+v, VSCSI %+v", i, a, b)
		}
	}
}

// TestNextAccessMatchesShared checks NextAccess against the
// next_access_vtime libCacheSim stored in the shared oracleGeneral file.
func TestNextAccessMatchesShared(t *testing.T) {
	f, err := os.Open(tracestest.Path(t, "cloudPhysicsIO.oracleGeneral.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewOracleReader("og", f, Options{})
	tr := trace.NewTrace("og", r.Fields())
	var stored []int64
	var req trace.Request
	for {
		if err := r.Read(&req); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		tr.Append(&req)
		stored = append(stored, r.NextAccess())
	}
	got := NextAccessVtime(tr)
	last := 0
	for i := range got {
		if got[i] != stored[i] {
			t.Fatalf("request %d: computed next access %d, stored %d", i, got[i], stored[i])
		}
		if got[i] == -1 {
			last++
		}
	}
	if last != 48974 {
		t.Errorf("%d requests without a next access, want one per distinct key (48,974)", last)
	}
}

// TestRoundTripTextOracleText converts the shared text trace to
// oracleGeneral and back and expects the same text, byte for byte (the
// original lacks only the final newline).
func TestRoundTripTextOracleText(t *testing.T) {
	p := tracestest.Path(t, "cloudPhysicsIO.txt")
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	tr, _, err := Load(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var og bytes.Buffer
	if err := Write(&og, "oracleGeneral", tr); err != nil {
		t.Fatal(err)
	}
	if og.Len() != 24*tr.Len() {
		t.Fatalf("oracleGeneral output is %d bytes, want 24 per request", og.Len())
	}
	f, err := NewFile("x.oracleGeneral.bin", &og, Options{})
	if err != nil || f.Format != "oracleGeneral" {
		t.Fatalf("reading back: %v (format %v)", err, f)
	}
	back, err := ReadAll("back", f)
	if err != nil {
		t.Fatal(err)
	}
	var txt bytes.Buffer
	if err := Write(&txt, "text", back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSuffix(txt.Bytes(), []byte("\n")), bytes.TrimSuffix(orig, []byte("\n"))) {
		t.Error("text -> oracleGeneral -> text changed the trace")
	}
}
