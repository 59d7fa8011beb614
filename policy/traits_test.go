package policy

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// traitTrace is 20,000 skewed requests of size 1, one a second (so minutes
// and hours of trace time pass), with next-access indices for the offline
// policies.
func traitTrace(times bool) *trace.Trace {
	rng := rand.New(rand.NewPCG(7, 8))
	tr := trace.NewTrace("traits", trace.Fields{Time: true})
	for i := range 20000 {
		r := trace.Request{Key: uint64(rng.IntN(1 + rng.IntN(2000))), Size: 1}
		if times {
			r.Time = int64(i) * int64(time.Second)
		}
		tr.Append(&r)
	}
	tr.NextAccess()
	return tr
}

// payloadSpec is name's spec on the payload model for the redis-*
// policies, whose memory model needs a capacity of a server's memory, so
// that the generic tests' small capacities hold objects.
func payloadSpec(name string) Spec {
	if strings.HasPrefix(name, "redis-") {
		return Spec{Name: name, Params: Params{"memory": "payload"}}
	}
	return Spec{Name: name}
}

// traitHits replays tr through a new cache of policy name (memcached with
// 4 KiB pages, so that its 16 KiB hold a few hundred objects like the
// others' 300) and returns the hit pattern.
func traitHits(t *testing.T, name string, tr *trace.Trace, cfg Config) string {
	t.Helper()
	spec, capacity := payloadSpec(name), int64(300)
	if name == "memcached" {
		spec.Params, capacity = Params{"page": "4096"}, 16384
	}
	cfg.Capacity = capacity
	c, err := New(spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return hitPattern(c, tr)
}

// The declared traits match what each policy does, seen from outside: a
// policy differs between two runs that differ only in what a trait is
// about (the timestamps, the default TTL, the seed) exactly when it declares
// that trait; and it reads the future exactly when it declares Offline.
func TestTraitsMatchBehaviour(t *testing.T) {
	tracestest.SkipUnderRace(t)
	timed, untimed := traitTrace(true), traitTrace(false)
	base := Config{TTL: 10 * time.Minute, Seed: 1} // long enough for the caches to fill and evict
	noTTL, seed2 := base, base
	noTTL.TTL = 0
	seed2.Seed = 2
	for _, name := range Names() {
		info, _ := Lookup(name)
		t.Run(name, func(t *testing.T) {
			want := traitHits(t, name, timed, base)
			for _, tc := range []struct {
				trait Traits
				tr    *trace.Trace
				cfg   Config
			}{
				{TraceTime, untimed, base},
				{Expiry, timed, noTTL},
				{Randomised, timed, seed2},
			} {
				differs := traitHits(t, name, tc.tr, tc.cfg) != want
				if declared := info.Traits.Has(tc.trait); differs != declared {
					t.Errorf("declares %s: %v, but its hits depend on it: %v", tc.trait, declared, differs)
				}
			}
			c, _ := New(Spec{Name: name}, Config{Capacity: 10})
			if UsesFuture(c) != info.Traits.Has(Offline) {
				t.Errorf("declares offline: %v, but reads the future: %v", info.Traits.Has(Offline), UsesFuture(c))
			}
		})
	}
}
