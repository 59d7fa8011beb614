package sim_test

import (
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
)

// BenchmarkSystem runs the Zipf trace of BenchmarkReplay (with timestamps
// 100µs apart added) through a two-level hierarchy, L1 lru:1000 ×8 over L2
// lru:10000, 50ms backend; one op is one request. Compare with
// BenchmarkReplay/lru (one cache, no system bookkeeping).
func BenchmarkSystem(b *testing.B) {
	base := zipfTrace(b)
	tr := &traces.Trace{Name: "zipf-timed", Keys: base.Keys, Times: make([]int64, base.Len())}
	for i := range tr.Times {
		tr.Times[i] = int64(i) * int64(100*time.Microsecond)
	}
	levels, err := sim.ParseLevels("l1=lru:1000@0.05ms,l2=lru:10000@1ms")
	if err != nil {
		b.Fatal(err)
	}
	lat := sim.LatencyModel{Miss: constantLatency(0.05)}.Latencies(tr)
	for _, c := range []struct {
		name string
		cfg  sim.SystemConfig
	}{
		{"instant", sim.SystemConfig{}},
		{"coalesce", sim.SystemConfig{Stampede: sim.StampedeCoalesce}},
		{"xfetch-ttl60s", sim.SystemConfig{Stampede: sim.StampedeXFetch, Beta: 1, TTL: time.Minute}},
	} {
		b.Run(c.name, func(b *testing.B) {
			cfg := c.cfg
			cfg.Levels, cfg.Instances, cfg.Latency = levels, 8, lat
			b.ReportAllocs()
			var st sim.SystemStats
			for done := 0; done < b.N; done += tr.Len() {
				if st, err = sim.RunSystem(tr, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
			b.ReportMetric(100*st.HitRatio(), "hit%")
		})
	}
}

// constantLatency is a Distribution with one value.
type constantLatency float64

func (c constantLatency) Rand() float64 { return float64(c) }
