package sim

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// PrepareFuture fills t's next-access column when c is an offline policy
// that needs it. It writes to t only when the column is missing: call it
// before any goroutine shares t (Sweep does).
func PrepareFuture(t *trace.Trace, c policy.Cache) {
	if t.Next == nil && policy.UsesFuture(c) {
		t.NextAccess()
	}
}
