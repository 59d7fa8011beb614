package policy_test

import (
	"fmt"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// Replay a seven-request trace through LRU and FIFO caches of three
// objects. On a b c a d a b, LRU hits the second and third a (d evicts b,
// the least recently used; b then evicts c): 2 hits, 2 evictions. FIFO hits
// only the first a: d evicts a, the oldest admitted, so a misses and evicts
// b, which misses and evicts c: 1 hit, 3 evictions.
func ExampleNew() {
	tr := trace.NewTrace("abcadab", trace.Fields{})
	for _, key := range []uint64{'a', 'b', 'c', 'a', 'd', 'a', 'b'} {
		tr.Append(&trace.Request{Key: key, Size: 1})
	}
	for _, name := range []string{"lru", "fifo"} {
		spec, err := policy.ParseSpec(name)
		if err != nil {
			fmt.Println(err)
			return
		}
		c, err := policy.New(spec, policy.Config{Capacity: 3})
		if err != nil {
			fmt.Println(err)
			return
		}
		st := sim.Replay(tr, c, sim.Options{Objects: true})
		fmt.Printf("%s: %d hits of %d requests, %d evictions\n", spec, st.Hits, st.Requests, st.Evictions)
	}
	// Output:
	// lru: 2 hits of 7 requests, 2 evictions
	// fifo: 1 hits of 7 requests, 3 evictions
}

// ParseSpec checks a spec's parameters against the policy's schema before
// any work: a value out of range fails with what the parameter accepts.
// Spec.Traits says what the policy needs and does.
func ExampleParseSpec() {
	spec, err := policy.ParseSpec("s3fifo(small=0.2)")
	fmt.Println(spec, err)
	_, err = policy.ParseSpec("s3fifo(small=2)")
	fmt.Println(err)
	spec, _ = policy.ParseSpec("redis-ttl")
	fmt.Println(spec.Traits())
	fmt.Println(spec.Traits().Has(policy.Expiry), spec.Traits().Has(policy.Offline))
	// Output:
	// s3fifo(small=0.2) <nil>
	// policy s3fifo: parameter small=2: expected a fraction from 0 to 1
	// trace-time, expiry, randomised
	// true false
}

// Lookup gives a policy's declared parameters: what a listing prints.
func ExampleLookup() {
	info, _ := policy.Lookup("twoq")
	for _, p := range info.Params {
		fmt.Printf("%s=%s: %s; %s\n", p.Name, p.Default, p.Help, p.Accepts())
	}
	// Output:
	// in=0.25: share of the capacity for A1in; a fraction from 0 to 1
	// out=0.5: ghost A1out size as a share of the capacity; a number from 0 to 10
}
