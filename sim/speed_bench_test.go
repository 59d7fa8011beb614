package sim_test

import (
	"strconv"
	"sync"
	"testing"

	lru "github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

var (
	loadBenchCache = map[string]*trace.Trace{}
	loadBenchMu    sync.Mutex
)

// loadBench loads a shared trace or the 10M-request Zipf(0.9, 1M keys)
// workload once per process.
func loadBench(b *testing.B, name string) *trace.Trace {
	loadBenchMu.Lock()
	defer loadBenchMu.Unlock()
	if t, ok := loadBenchCache[name]; ok {
		return t
	}
	var t *trace.Trace
	if name == "zipf10M" {
		t = zipf(b, 1_000_000, 10_000_000, 0.9)
	} else {
		var err error
		if t, _, err = traces.Load(tracestest.Path(b, name), traces.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	loadBenchCache[name] = t
	return t
}

// perRequest reports requests/second for b.N requests.
func perRequest(b *testing.B) {
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
}

// BenchmarkReplayTraces replays in-memory oltp, p3 and the 10M Zipf
// workload through each policy at 10% of the footprint; one op is one request.
func BenchmarkReplayTraces(b *testing.B) {
	for _, name := range []string{"oltp.gz", "p3.gz", "zipf10M"} {
		tr := loadBench(b, name)
		objs, _ := tr.Footprint()
		for _, pol := range []string{"lru", "fifo", "lfu", "clock", "sieve", "arc", "s3fifo"} {
			b.Run(name+"/"+pol, func(b *testing.B) {
				for done := 0; done < b.N; done += tr.Len() {
					c, _ := policy.New(policy.Spec{Name: pol}, policy.Config{Capacity: int64(objs / 10)})
					sim.Replay(tr, c, sim.Options{Objects: true})
				}
				perRequest(b)
			})
		}
	}
}

// BenchmarkCurveVsReplays compares the one-pass LRU curve at K sizes with K
// replays of LRU on p3; one op is one request of one pass.
func BenchmarkCurveVsReplays(b *testing.B) {
	tr := loadBench(b, "p3.gz")
	objs, _ := tr.Footprint()
	for _, k := range []int{10, 100} {
		sizes := sim.Sizes{Values: sim.LogSizes(int64(objs)/1000, int64(objs), k)}
		b.Run("curve/K="+itoa(len(sizes.Values)), func(b *testing.B) {
			for done := 0; done < b.N; done += tr.Len() {
				sim.LRUCurve(tr, sizes)
			}
			perRequest(b)
		})
	}
	b.Run("one-replay", func(b *testing.B) {
		for done := 0; done < b.N; done += tr.Len() {
			sim.Replay(tr, policy.NewLRU(int64(objs/10)), sim.Options{Objects: true})
		}
		perRequest(b)
	})
}

// BenchmarkYardstick runs this LRU and hashicorp/golang-lru/v2's simplelru
// on the same key sequence (10M Zipf requests, 100,000 entries); one op is
// one request.
func BenchmarkYardstick(b *testing.B) {
	tr := loadBench(b, "zipf10M")
	const capacity = 100_000
	b.Run("cachesim-lru", func(b *testing.B) {
		c := policy.NewLRU(capacity)
		r := trace.Request{Size: 1}
		for i := 0; i < b.N; i++ {
			r.Key = tr.Keys[i%len(tr.Keys)]
			c.Access(&r)
		}
	})
	b.Run("hashicorp-simplelru", func(b *testing.B) {
		c, _ := lru.NewLRU[uint64, struct{}](capacity, nil)
		for i := 0; i < b.N; i++ {
			k := tr.Keys[i%len(tr.Keys)]
			if _, ok := c.Get(k); !ok {
				c.Add(k, struct{}{})
			}
		}
	})
}

// BenchmarkSHARDS reports the mean absolute error of the SHARDS-adj LRU
// curve against the exact one (40 log-spaced sizes from 0.1% of the
// footprint up) and its cost; compare ns/op with BenchmarkCurveVsReplays.
func BenchmarkSHARDS(b *testing.B) {
	for _, name := range []string{"p3.gz", "zipf10M"} {
		tr := loadBench(b, name)
		objs, _ := tr.Footprint()
		sizes := sim.Sizes{Values: sim.LogSizes(int64(objs)/1000, int64(objs), 40)}
		exact, _ := sim.LRUCurve(tr, sizes)
		for _, rate := range []float64{0.1, 0.01, 0.001} {
			b.Run(name+"/R="+ftoa(rate), func(b *testing.B) {
				var est []sim.Stats
				for done := 0; done < b.N; done += tr.Len() {
					s := traces.NewSampler(tr.Reader(), rate)
					sample, _ := traces.ReadAll("s", s)
					est = sim.SHARDSCurve(sample, 0, s.Seen, rate, sizes)
				}
				perRequest(b)
				b.ReportMetric(meanAbsError(est, exact), "MAE")
			})
		}
	}
}

func itoa(v int) string { return ftoa(float64(v)) }

func ftoa(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}
