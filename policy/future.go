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
