package system

import (
	"math"

	"github.com/cachesim/cachesim/traces/trace"
)

// Stampede is what requests for a key do while a backend call for it is in flight.
type Stampede uint8

const (
	// StampedeOff makes fills instantaneous: a miss's value is in the cache
	// for the very next request, as in a plain replay.
	StampedeOff Stampede = iota
	// StampedeNone: a miss occupies the backend for its miss latency, and
	// every request that finds no fresh value meanwhile calls the backend too.
	StampedeNone
	// StampedeCoalesce: requests that find a call in flight wait for it (singleflight).
	StampedeCoalesce
	// StampedeXFetch: as StampedeNone, but a hit recomputes the value early
	// with XFetch's probability (Vattani, Chierichetti, Lowenstein, VLDB 2015).
	StampedeXFetch
)

// StampedeNames are the names of the stampede modes, in the order of their
// values, as ParseStampede reads them.
var StampedeNames = []string{"off", "none", "coalesce", "xfetch"}

// String returns the mode's name, as ParseStampede reads it.
func (m Stampede) String() string { return StampedeNames[m] }

// call is a backend call in flight.
type call struct {
	end    int64  // when it completes
	dur    int64  // how long it takes (XFetch's δ once it completes)
	expiry int64  // when the value it fetches expires
	key    uint64 // whose value it fetches
}

// Ends implements sim.Ending.
func (c call) Ends() int64 { return c.end }

// missLatency returns request i's backend latency in seconds.
func (s *system) missLatency(i int) float64 {
	if s.cfg.Latency == nil {
		return 0
	}
	return s.cfg.Latency.Miss(i)
}

// fetch serves request i, which no level could, from the backend (or by
// waiting for a call in flight) and returns the time it takes, in seconds.
func (s *system) fetch(i int, r *trace.Request, ks *keyState, now int64) float64 {
	if ks.calls > 0 {
		if s.cfg.Stampede == StampedeCoalesce {
			s.st.Backend.Coalesced++
			return float64(ks.end-now) / 1e9
		}
		s.st.Backend.Duplicates++
	}
	return s.call(i, r, ks, now, false)
}

// call makes a backend call for request i at time now and returns its
// latency in seconds. A refresh (XFetch's early recomputation) keeps the
// current value fresh meanwhile; any other call means there is no value
// until it completes (unless fills are instantaneous).
func (s *system) call(i int, r *trace.Request, ks *keyState, now int64, refresh bool) float64 {
	s.st.Backend.Calls++
	d := s.missLatency(i)
	if !s.track {
		return d
	}
	dur := int64(d * 1e9)
	if s.cfg.Stampede == StampedeOff {
		ks.expiry, ks.delta = s.expiryOf(r, now), dur
		return d
	}
	if !refresh {
		ks.expiry = 0
	}
	ks.calls++
	ks.end = max(ks.end, now+dur)
	s.calls.Push(call{end: now + dur, dur: dur, expiry: s.expiryOf(r, now+dur), key: r.Key})
	s.st.Backend.MaxPerKey = max(s.st.Backend.MaxPerKey, int(ks.calls))
	s.st.Backend.MaxConcurrent = max(s.st.Backend.MaxConcurrent, len(s.calls))
	return d
}

// complete applies a call's end: its value is fresh until its expiry.
func (s *system) complete(c call) {
	ks := s.keys[c.key]
	ks.calls--
	ks.expiry = max(ks.expiry, c.expiry)
	ks.delta = c.dur
	if ks.calls == 0 {
		ks.end = 0
	}
	s.keys[c.key] = ks
}

// earlyRecompute is XFetch's test for a hit at time now: recompute when
// now − δ·β·ln(u) ≥ expiry, u uniform in (0, 1], δ the last fetch's
// duration (request i's miss latency before any fetch completed).
func (s *system) earlyRecompute(i int, ks *keyState, now int64) bool {
	if ks.expiry == never || s.cfg.Beta == 0 {
		return false
	}
	delta := float64(ks.delta)
	if ks.delta == 0 {
		delta = s.missLatency(i) * 1e9
	}
	u := 1 - s.rng.Float64()
	return float64(now)-delta*s.cfg.Beta*math.Log(u) >= float64(ks.expiry)
}
