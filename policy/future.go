package policy

// needsFuture is implemented by offline policies that read each request's
// Next field (the index of the next request for the same key). The simulator
// fills that field (trace.Trace.NextAccess) before replaying through a cache
// that reports true. The policies that implement it declare the Offline
// trait (TestTraitsMatchBehaviour checks that they agree).
type needsFuture interface {
	NeedsFuture() bool
}

// UsesFuture reports whether c needs Request.Next filled in.
func UsesFuture(c Cache) bool {
	f, ok := c.(needsFuture)
	return ok && f.NeedsFuture()
}

// clocked is implemented by the offline policies that score by the distance
// from the current request to an object's next one (BeladySize): they need
// the current request's index in the trace, which they cannot count
// themselves, since a request may reach a cache as no call (a change row,
// a miss of an unsized read), one (a read, a delete) or two (a write
// replacing a cached copy: Remove, then Access).
type clocked interface {
	setNow(i int64)
}

// Clock returns the function a replay calls with each request's index in
// the trace before the request reaches c, or nil when c has no use for it.
func Clock(c Cache) func(i int64) {
	if k, ok := c.(clocked); ok {
		return k.setNow
	}
	return nil
}
