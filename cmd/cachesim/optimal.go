package main

import "github.com/cachesim/cachesim/policy"

// optimalSpec is the offline optimum `sweep --optimal` adds: Belady's MIN
// with bypass (the exact optimum) for object counts, belady-size (libCacheSim's
// offline bound; the exact byte optimum is NP-hard) for bytes.
func optimalSpec(bytes bool) policy.Spec {
	if bytes {
		return policy.Spec{Name: "belady-size"}
	}
	return policy.Spec{Name: "belady", Params: policy.Params{"bypass": "true"}}
}

// addOptimal appends the optimum to specs (unless given already) and
// returns the name reports use for it.
func addOptimal(specs []policy.Spec, bytes bool) ([]policy.Spec, string) {
	opt := optimalSpec(bytes)
	for _, s := range specs {
		if s.String() == opt.String() {
			return specs, opt.String()
		}
	}
	return append(specs, opt), opt.String()
}
