package workload

import (
	"bytes"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

// every kind with every common feature turned on.
var allKinds = []string{
	"zipf:keys=1e4,alpha=0.8",
	"uniform:keys=1e4",
	"bursty:keys=1e4,burst-every=1,burst-len=0.5",
	"drifting:keys=1e4,drift=0.1",
	"scan:keys=1e4,length=100",
	"loop:keys=500",
	"mix:0.7*zipf(keys=1e3)+0.2*scan(length=50)+0.1*bursty(keys=100,hot=10)",
	"batch:keys=1e4,batch=uniform:1:30,groups=2,drift=0.5",
}

const features = ",requests=2e4,rate=500,size=lognormal:8:1,ttl=30,write=0.1"

// render writes the workload as text, every field included.
func render(t *testing.T, spec string) []byte {
	t.Helper()
	w, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Reader()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw, err := traces.NewWriter("text", &buf, trace.Fields{Time: true, Size: true, TTL: true, Op: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := traces.Copy(tw, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDeterministic: the same seed gives byte-identical output, from a
// fresh Parse, from a second Reader and from the spec String renders; a
// different seed gives different output.
func TestDeterministic(t *testing.T) {
	for _, spec := range allKinds {
		spec += features
		a := render(t, spec+",seed=1")
		if b := render(t, spec+",seed=1"); !bytes.Equal(a, b) {
			t.Errorf("%s: same seed, different output", spec)
		}
		w := MustParse(spec + ",seed=1")
		if b := render(t, w.String()); !bytes.Equal(a, b) {
			t.Errorf("%s: String() %q does not give the same stream", spec, w)
		}
		if b := render(t, spec+",seed=2"); bytes.Equal(a, b) {
			t.Errorf("%s: seeds 1 and 2 give the same output", spec)
		}
		// A batch stream completes its last request (at most 30×2 keys).
		if n := bytes.Count(a, []byte("\n")); n != 20000 && !(strings.HasPrefix(spec, "batch") && n > 20000 && n < 20060) {
			t.Errorf("%s: %d lines, want 20000", spec, n)
		}
	}
}

// TestFields: each stream fills the fields it says it does, and only those.
func TestFields(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want trace.Fields
	}{
		{"zipf", trace.Fields{}},
		{"zipf:size=100", trace.Fields{Size: true}},
		{"zipf:rate=10,ttl=5,write=0.5", trace.Fields{Time: true, TTL: true, Op: true}},
		{"bursty", trace.Fields{Time: true}},
	} {
		w := MustParse(Override(tc.spec, []string{"requests=1000"}))
		if got := w.Fields(); got != tc.want {
			t.Errorf("%s: Fields() = %+v, want %+v", tc.spec, got, tc.want)
		}
		tr := load(t, w.String())
		if got := tr.Fields(); got != tc.want { // the columns that carry information
			t.Errorf("%s: the requests carry %+v, want %+v", tc.spec, got, tc.want)
		}
	}
}

// TestSizes: every key keeps one size, and the sizes of distinct keys
// follow the distribution: over ~86,000 keys the median of a lognormal is
// e^MU and of a Pareto XM·2^(1/ALPHA) within 2% (their standard errors are
// about 0.5%), and uniform sizes stay within [MIN, MAX] with mean
// (MIN+MAX)/2 ± 0.5.
func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		size           string
		median         float64
		lo, hi, mean   float64
		checkMeanRange bool
	}{
		{size: "lognormal:8:1", median: math.Exp(8)},
		{size: "pareto:1000:2", median: 1000 * math.Sqrt2, lo: 1000},
		{size: "uniform:100:200", lo: 100, hi: 200, mean: 150, checkMeanRange: true},
		{size: "4096", lo: 4096, hi: 4096, mean: 4096, checkMeanRange: true},
		{size: "constant:7", lo: 7, hi: 7, mean: 7, checkMeanRange: true},
	} {
		tr := load(t, "uniform:keys=1e5,requests=2e5,size="+tc.size)
		first := map[uint64]uint32{}
		for i, k := range tr.Keys {
			if s, ok := first[k]; ok && s != tr.Sizes[i] {
				t.Fatalf("size=%s: key %d has sizes %d and %d", tc.size, k, s, tr.Sizes[i])
			}
			first[k] = tr.Sizes[i]
		}
		var sizes []float64
		for _, s := range first {
			sizes = append(sizes, float64(s))
		}
		slices.Sort(sizes)
		if tc.median > 0 {
			if m := sizes[len(sizes)/2]; math.Abs(m/tc.median-1) > 0.02 {
				t.Errorf("size=%s: median %.0f, want %.0f ± 2%%", tc.size, m, tc.median)
			}
		}
		if sizes[0] < tc.lo || (tc.hi > 0 && sizes[len(sizes)-1] > tc.hi) {
			t.Errorf("size=%s: sizes from %g to %g, want within [%g, %g]", tc.size, sizes[0], sizes[len(sizes)-1], tc.lo, tc.hi)
		}
		if tc.checkMeanRange {
			sum := 0.0
			for _, s := range sizes {
				sum += s
			}
			if m := sum / float64(len(sizes)); math.Abs(m-tc.mean) > 0.5 {
				t.Errorf("size=%s: mean %.2f, want %g ± 0.5", tc.size, m, tc.mean)
			}
			if tc.hi > tc.lo && (sizes[0] != tc.lo || sizes[len(sizes)-1] != tc.hi) {
				t.Errorf("size=%s: the end points %g and %g never occur", tc.size, tc.lo, tc.hi)
			}
		}
	}
}

// TestWriteAndTTL: write=0.2 makes 20% ± 0.5% of 10^5 requests sets (the
// standard error is 0.13%), and every request carries the TTL.
func TestWriteAndTTL(t *testing.T) {
	tr := load(t, "zipf:requests=1e5,write=0.2,ttl=300")
	sets := 0
	for i, op := range tr.Ops {
		if op == trace.OpWrite {
			sets++
		}
		if tr.TTLs[i] != 300 {
			t.Fatalf("request %d: TTL %d, want 300", i, tr.TTLs[i])
		}
	}
	if f := float64(sets) / float64(tr.Len()); math.Abs(f-0.2) > 0.005 {
		t.Errorf("write fraction %.4f, want 0.2 ± 0.005", f)
	}
}

// TestLoopAndScan checks the sequences by hand: loop cycles through its
// range; scan reads runs of consecutive keys of the given length.
func TestLoopAndScan(t *testing.T) {
	tr := load(t, "loop:keys=3,start=5,requests=7")
	if want := []uint64{5, 6, 7, 5, 6, 7, 5}; !slices.Equal(tr.Keys, want) {
		t.Errorf("loop: %v, want %v", tr.Keys, want)
	}
	tr = load(t, "scan:keys=100,start=1000,length=10,requests=1000")
	for i, k := range tr.Keys {
		if k < 1000 || k >= 1100 {
			t.Fatalf("scan: key %d outside 1000…1099", k)
		}
		if i%10 != 0 {
			if prev := tr.Keys[i-1]; k != prev+1 && !(prev == 1099 && k == 1000) {
				t.Fatalf("scan: request %d is %d after %d, want the next key", i, k, prev)
			}
		}
	}
}

// TestMix: each component supplies its share of the requests (±1%; the
// standard error over 10^5 requests is 0.13%), in its own key range.
func TestMix(t *testing.T) {
	tr := load(t, "mix:of=3*zipf(keys=100)+loop(keys=10),requests=1e5")
	loop := 0
	for _, k := range tr.Keys {
		switch {
		case k >= 1 && k <= 100:
		case k >= mixOffset+1 && k <= mixOffset+10:
			loop++
		default:
			t.Fatalf("key %d is in neither component's range", k)
		}
	}
	if f := float64(loop) / float64(tr.Len()); math.Abs(f-0.25) > 0.01 {
		t.Errorf("loop share %.4f, want 0.25 ± 0.01", f)
	}
	tr = load(t, "mix:zipf(keys=100)+loop(keys=10),disjoint=false,requests=1000")
	for _, k := range tr.Keys {
		if k < 1 || k > 100 {
			t.Fatalf("disjoint=false: key %d outside 1…100", k)
		}
	}
}

// TestParseErrors: bad specs fail with errors that say what is valid.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"zap:keys=1", "valid: zipf, uniform, bursty, drifting, scan, loop, mix"},
		{"zipf:alpah=1", "valid: keys, alpha, requests, seed, rate, size, ttl, write"},
		{"zipf:alpha=0", "alpha=\"0\": expected a number > 0"},
		{"zipf:alpha=x", "expected a number"},
		{"zipf:keys=0", "keys=\"0\": expected a whole number from 1"},
		{"zipf:keys=1.5", "expected a whole number"},
		{"zipf:requests=-1", "requests=\"-1\""},
		{"zipf:keys=1,keys=2", "given twice"},
		{"zipf:keys", "is not key=value"},
		{"zipf:write=2", "a fraction from 0 to 1"},
		{"zipf:size=gamma:1:2", "uniform:MIN:MAX"},
		{"zipf:size=uniform:5:2", "MIN <= MAX"},
		{"zipf:size=0", "from 1 to 4294967295"},
		{"bursty:keys=10,hot=20", "at most keys"},
		{"mix", "mix needs of="},
		{"mix:zipf(seed=1)", "belong to the mix"},
		{"mix:0*zipf", "weight \"0\""},
		{"mix:zipf(keys=1", "missing ')'"},
		{"mix:mix(of=zipf)", "unknown kind \"mix\""},
		{"mix:zipf,disjoint=maybe", "true or false"},
	} {
		_, err := Parse(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.spec, err, tc.want)
		}
	}
}

// TestIsSpecAndOverride covers spec recognition and flag overrides.
func TestIsSpecAndOverride(t *testing.T) {
	for s, want := range map[string]bool{"zipf:keys=1": true, "Mix:zipf": true, "zipf": true, "trace.txt": false, "c:/x.txt": false} {
		if IsSpec(s) != want {
			t.Errorf("IsSpec(%q) = %v, want %v", s, !want, want)
		}
	}
	for _, tc := range []struct {
		spec string
		set  []string
		want string
	}{
		{"zipf", []string{"keys=5"}, "zipf:keys=5"},
		{"zipf:keys=1,alpha=2", []string{"keys=5"}, "zipf:alpha=2,keys=5"},
		{"mix:a(x=1,y=2),requests=3", []string{"requests=4"}, "mix:a(x=1,y=2),requests=4"},
	} {
		if got := Override(tc.spec, tc.set); got != tc.want {
			t.Errorf("Override(%q, %v) = %q, want %q", tc.spec, tc.set, got, tc.want)
		}
	}
}

// TestDefault: the built-in workload is Zipf over 1,000 keys, 10,000 requests.
func TestDefault(t *testing.T) {
	r, err := Default.Reader()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := traces.ReadAll("default", r)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 10000 || slices.Max(tr.Keys) > 1000 || slices.Min(tr.Keys) < 1 {
		t.Errorf("default workload: %d requests, keys %d…%d", tr.Len(), slices.Min(tr.Keys), slices.Max(tr.Keys))
	}
	var req trace.Request
	if err := r.Read(&req); err != io.EOF {
		t.Errorf("after the last request: %v, want io.EOF", err)
	}
}
