package main

// TEMPORARY: capability checks until the policy package declares them
// (branch policyinfo). Removed at the merge.

import (
	"strings"

	"github.com/cachesim/cachesim/policy"
)

type capability int

const (
	capHonoursTTL capability = iota
	capRandomised
	capClock
	capOffline
)

func has(s policy.Spec, c capability) bool {
	switch c {
	case capHonoursTTL:
		return s.Name == "ttl" || strings.HasPrefix(s.Name, "redis-")
	case capRandomised:
		return s.Name == "random" || strings.HasPrefix(s.Name, "redis-") || s.Name == "belady-size"
	case capClock:
		return strings.HasPrefix(s.Name, "redis-") || s.Name == "memcached" || s.Name == "ttl"
	case capOffline:
		return strings.HasPrefix(s.Name, "belady")
	}
	return false
}

func namesWith(c capability) []string {
	var out []string
	for _, n := range policy.Names() {
		if has(policy.Spec{Name: n}, c) {
			out = append(out, n)
		}
	}
	return out
}
