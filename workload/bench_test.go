package workload

import (
	"strconv"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// BenchmarkGenerate measures the generation rate of each kind, reported
// as Mreq/s. The tables are built before the clock starts.
func BenchmarkGenerate(b *testing.B) {
	for _, spec := range []string{
		"zipf:keys=1e6,alpha=0.9",
		"zipf:keys=1e7,alpha=0.9", // rejection-inversion: above the alias table limit
		"zipf:keys=1e6,alpha=0.9,rate=1000,size=lognormal:8:1,ttl=60,write=0.1",
		"uniform:keys=1e6",
		"bursty:keys=1e6",
		"drifting:keys=1e6",
		"scan:keys=1e6",
		"loop:keys=1e6",
		"mix:0.8*zipf(keys=1e6)+0.2*scan",
	} {
		b.Run(spec, func(b *testing.B) {
			w := MustParse(Override(spec, []string{"requests=" + strconv.Itoa(b.N)}))
			r, err := w.Reader()
			if err != nil {
				b.Fatal(err)
			}
			var req trace.Request
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := r.Read(&req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
		})
	}
}
