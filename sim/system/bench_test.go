package system

import (
	"testing"
	"time"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
)

// zipfTrace is the trace of sim's BenchmarkReplay: 1,000,000 requests over
// 100,000 keys, exponent 0.9.
func zipfTrace(b *testing.B) *trace.Trace {
	r, err := workload.Zipf{Keys: 100_000, Requests: 1_000_000, Alpha: 0.9, Seed: 1}.Reader()
	if err != nil {
		b.Fatal(err)
	}
	tr, err := traces.ReadAll("zipf", r)
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// BenchmarkSystem runs the Zipf trace of BenchmarkReplay (with timestamps
// 100µs apart added) through a two-level hierarchy, L1 lru:1000 ×8 over L2
// lru:10000, 50ms backend; one op is one run of the 1,000,000 requests,
// and Mreq/s the requests per second. Compare with BenchmarkReplay/lru
// (one cache, no system bookkeeping).
func BenchmarkSystem(b *testing.B) {
	base := zipfTrace(b)
	tr := &trace.Trace{Name: "zipf-timed", Keys: base.Keys, Times: make([]int64, base.Len())}
	for i := range tr.Times {
		tr.Times[i] = int64(i) * int64(100*time.Microsecond)
	}
	levels, err := ParseLevels("l1=lru:1000@0.05ms,l2=lru:10000@1ms")
	if err != nil {
		b.Fatal(err)
	}
	lat := constLatencies(tr, 0.05)
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"instant", Config{}},
		{"coalesce", Config{Stampede: StampedeCoalesce}},
		{"xfetch-ttl60s", Config{Stampede: StampedeXFetch, Beta: 1, TTL: time.Minute}},
	} {
		b.Run(c.name, func(b *testing.B) {
			cfg := c.cfg
			cfg.Levels, cfg.Instances, cfg.Latency = levels, 8, lat
			b.ReportAllocs()
			var st Stats
			runs := 0
			for b.Loop() {
				if st, err = Run(tr, cfg); err != nil {
					b.Fatal(err)
				}
				runs++
			}
			b.ReportMetric(float64(runs*tr.Len())/b.Elapsed().Seconds()/1e6, "Mreq/s")
			b.ReportMetric(100*st.HitRatio(), "hit%")
		})
	}
}
