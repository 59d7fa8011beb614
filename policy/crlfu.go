package policy

func init() {
	Register(Info{
		Name: "cr-lfu",
		Summary: "churn-resistant LFU (Rodriguez et al., FAST'21, from Cacheus): LFU whose ties among the least " +
			"frequently used go to the most recently accessed, so a churning set of new objects evicts itself " +
			"(as libCacheSim's CR_LFU)",
		New: func(c Config) (Cache, error) { return newCRLFU(c.Capacity), nil },
	})
}

// newCRLFU returns an empty CR-LFU cache: an LFU (counts restart at 1 on
// admission) that evicts, among the objects of the lowest count, the one
// admitted or hit last, as libCacheSim's CR_LFU.c on its own (Cacheus
// couples it to SR-LRU's history; see cacheus.go).
func newCRLFU(capacity int64) *lfu {
	c := newLFU(capacity)
	c.newest = true
	return c
}
