//go:build unix

package policy_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// BenchmarkPolicies replays cloudPhysicsIO.oracleGeneral.bin (113,872
// requests with sizes and times) through a fresh cache of 256 MiB per
// op, for the policies that keep per-entry state in the shared store
// (and LRU, which keeps none, for comparison). One op is one replay. Besides
// the time per op it reports the process's CPU time per op (cpu-ns/op),
// which other processes on a busy machine disturb much less: compare that
// with benchstat.
//
//	go test -run '^$' -bench Policies -count 5 ./policy/
func BenchmarkPolicies(b *testing.B) {
	tr := loadShared(b, "cloudPhysicsIO.oracleGeneral.bin")
	tr.NextAccess()
	reqs := make([]trace.Request, tr.Len())
	tr.Fill(0, reqs)
	for _, s := range []string{
		"lru", "arc", "belady", "belady-size", "cacheus", "car", "clock", "gdsf",
		"hyperbolic", "lecar", "lfu", "lfuda", "lirs", "memcached", "qdlp", "random",
		"redis-lru", "redis-lfu", "redis-ttl", "s3fifo", "s3fifo-v0", "sieve", "slru",
		"sr-lru", "ttl", "twoq", "wtinylfu",
	} {
		b.Run(s, func(b *testing.B) {
			spec, err := policy.ParseSpec(s)
			if err != nil {
				b.Fatal(err)
			}
			cfg := policy.Config{Capacity: 256 << 20, Seed: 1, TTL: time.Hour}
			var r trace.Request
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				c, err := policy.New(spec, cfg)
				if err != nil {
					b.Fatal(err)
				}
				for i := range reqs {
					r = reqs[i]
					c.Access(&r)
				}
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
