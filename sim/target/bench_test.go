package target

import (
	"fmt"
	"testing"

	"github.com/cachesim/cachesim/sim/target/targettest"
)

// BenchmarkRedisReplay measures replay throughput against a local Redis
// (Zipf(0.9), 10k keys of 100 bytes, 100k requests, no memory limit) with
// and without pipelining, over one and four clients:
//
//	go test ./sim/target -run '^$' -bench RedisReplay -benchtime 5x
func BenchmarkRedisReplay(b *testing.B) {
	tr := zipf(b, "zipf:keys=10000,requests=100000,alpha=0.9,size=100,seed=1")
	tg := open(b, "redis://"+targettest.Redis(b), Config{DB: -1})
	for _, o := range []Options{{Pipeline: 1, Concurrency: 1}, {Pipeline: 32, Concurrency: 1}, {Pipeline: 1, Concurrency: 4}, {Pipeline: 32, Concurrency: 4}} {
		b.Run(fmt.Sprintf("pipeline=%d/clients=%d", o.Pipeline, o.Concurrency), func(b *testing.B) {
			var reqs float64
			var secs float64
			for range b.N {
				res, err := Replay(tg, tr, 0, o)
				if err != nil {
					b.Fatal(err)
				}
				reqs += float64(res.Requests)
				secs += res.Elapsed.Seconds()
			}
			b.ReportMetric(reqs/secs, "requests/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}
