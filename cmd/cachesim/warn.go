package main

import (
	"fmt"
	"io"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
)

// warnClock says when a policy that runs on trace time without expiring
// entries (the Redis and memcached models) replays a trace without
// timestamps; warnTTL covers those that expire entries.
func warnClock(w io.Writer, t *traces.Trace, specs []policy.Spec) {
	if t.Times != nil {
		return
	}
	for _, s := range specs {
		if s.Traits().Has(policy.TraceTime) && !s.Traits().Has(policy.Expiry) {
			fmt.Fprintf(w, "note: %s has no timestamps, so %s sees every request at time 0: "+
				"idle times, LFU decay and bump intervals never advance (give --csv-time)\n", t.Name, s.Name)
			return
		}
	}
}
