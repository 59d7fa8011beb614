package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/sim/target"
)

// A memcached run reports the slab pages it really held against its limit
// and the memory per item from its chunks: 28 one-MiB pages against 4 MiB
// is 7.0×, and 22,407,944 bytes of chunks for 36,153 items 619.8 bytes each
// (worked by hand). A Redis run has none of these rows.
func TestServerRunSlabRows(t *testing.T) {
	mc := ServerRun{Workload: "w", Target: "memcached", MaxMemory: 4 << 20, Policy: "memcached",
		Server: target.Counters{MemoryLimit: 4 << 20, Keys: 36153, SlabMemory: 28 << 20, ChunkMemory: 22407944, SlabClasses: 28}}
	var b bytes.Buffer
	if err := mc.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"28 MiB / 4 MiB (7.0×)", "28 (each gets its first page even beyond the limit)", "619.8 B"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := (ServerSweep{mc}).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(b.String(), "\n"); !strings.HasSuffix(lines[0], ",slab_memory") || !strings.HasSuffix(lines[1], ","+"29360128") {
		t.Errorf("CSV without the slab memory:\n%s", b.String())
	}
	redis := mc
	redis.Server = target.Counters{MemoryLimit: 4 << 20, Keys: 10, UsedMemory: 1 << 20}
	b.Reset()
	if err := redis.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "slab") {
		t.Errorf("a Redis run reports slabs:\n%s", b.String())
	}
}

// TestServerMismatch: a gap of more than 2 pp between the model of the
// server's policy and the server is reported with the causes the input
// shows; 2 pp or less is not.
func TestServerMismatch(t *testing.T) {
	base := ServerRun{Workload: "t.csv", Target: "redis 7.0", Policy: "allkeys-lru", HitRatio: 0.5, RequestsPerS: 20000,
		TraceHasSizes: true, TraceHasTimes: true, ClockModels: true, MeanObjectBytes: 1000, OverheadPerKey: 60, SimOverhead: 60,
		Simulated: []Predicted{{Policy: "redis-lru(samples=5)", HitRatio: 0.52, DiffPP: 2}, {Policy: "lru", HitRatio: 0.6, DiffPP: 10}}}
	r := base
	r.CheckMismatch()
	if r.Mismatch != nil {
		t.Errorf("2 pp off: %+v, want no mismatch (only the first model, the server's, counts)", r.Mismatch)
	}
	cases := []struct {
		name   string
		change func(*ServerRun)
		causes []string
	}{
		{"nothing to blame", func(*ServerRun) {}, nil},
		{"no sizes, no times", func(r *ServerRun) { r.TraceHasSizes, r.TraceHasTimes, r.MeanObjectBytes = false, false, 1 },
			[]string{"no object sizes", "no timestamps, so it was replayed as fast as it went (20000 requests/s)"}},
		{"no times, no clock", func(r *ServerRun) { r.TraceHasTimes, r.ClockModels = false, false }, nil},
		{"overhead assumed", func(r *ServerRun) { r.SimOverhead = 0 }, []string{"counted 0 B per object, the server measured 60.0 B per key"}},
		{"small objects", func(r *ServerRun) { r.MeanObjectBytes = 100 }, []string{"overhead per key (60.0 B) is large beside the mean object (100.0 B)"}},
		{"refused, fragmented", func(r *ServerRun) { r.Refused, r.Server.Fragmentation = 3, 1.8 },
			[]string{"refused 3 writes", "fragmented (ratio 1.80)"}},
	}
	for _, k := range cases {
		r := base
		r.Simulated = append([]Predicted(nil), base.Simulated...)
		r.Simulated[0].DiffPP = -5
		k.change(&r)
		r.CheckMismatch()
		m := r.Mismatch
		if m == nil || m.DiffPP != -5 || m.Model != "redis-lru(samples=5)" || len(m.Causes) != len(k.causes) {
			t.Errorf("%s: %+v, want -5 pp with %d causes", k.name, m, len(k.causes))
			continue
		}
		for i, want := range k.causes {
			if !strings.Contains(m.Causes[i], want) {
				t.Errorf("%s: cause %q lacks %q", k.name, m.Causes[i], want)
			}
		}
		var b bytes.Buffer
		if err := r.WriteTable(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, "warning: the simulated redis-lru(samples=5) is -5.00 pp off the real hit ratio (more than 2 pp)") ||
			(len(k.causes) == 0) != strings.Contains(out, "no cause this tool can detect") {
			t.Errorf("%s: table:\n%s", k.name, out)
		}
		var sb bytes.Buffer
		if err := (ServerSweep{r, base}).WriteTable(&sb); err != nil {
			t.Fatal(err)
		}
		if strings.Count(sb.String(), "warning:") != 1 {
			t.Errorf("%s: sweep table has %d warnings, want 1:\n%s", k.name, strings.Count(sb.String(), "warning:"), sb.String())
		}
	}
}

// TestServerChartNamesTrace: the live sweep's chart names the trace.
func TestServerChartNamesTrace(t *testing.T) {
	run := ServerRun{Workload: "t.csv", Target: "memcached 1.6", Policy: "lru", MaxMemory: 1 << 20, HitRatio: 0.5,
		Simulated: []Predicted{{Policy: "memcached(overhead=50)", HitRatio: 0.51}}}
	if c := (ServerSweep{run}).Chart(); !strings.HasSuffix(c.Title, ": t.csv") {
		t.Errorf("title %q does not name the trace", c.Title)
	}
}
