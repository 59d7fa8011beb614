package policy

import (
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// invariantExempt are the policies the accounting invariants leave out,
// with the reason; each has a golden case instead (recipe_test.go).
var invariantExempt = map[string]string{
	"memcached": "its capacity is slab pages, not objects",
}

// Every policy keeps its accounting straight: it never holds more than its
// capacity, and in object mode (every size 1) it holds exactly Used()
// objects — ghosts and history kept by ARC, LIRS, 2Q or S3-FIFO must not
// count. memcached is left out: its capacity is slab pages, not objects.
func TestAccountingInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	reqs := make([]trace.Request, 20000)
	for i := range reqs {
		reqs[i] = trace.Request{Key: uint64(rng.IntN(1 + rng.IntN(2000))), Size: 1, Time: int64(i) * 1e9}
	}
	tr := trace.NewTrace("random", trace.Fields{Time: true})
	for i := range reqs {
		tr.Append(&reqs[i])
	}
	tr.NextAccess()
	for _, name := range Names() {
		if _, ok := invariantExempt[name]; ok {
			continue
		}
		for _, capacity := range []int64{1, 7, 100, 1500} {
			c, err := New(Spec{Name: name}, Config{Capacity: capacity, Seed: 1, Objects: true})
			if err != nil {
				t.Fatal(err)
			}
			var r trace.Request
			for i := 0; i < tr.Len(); i++ {
				tr.At(i, &r)
				c.Access(&r)
				if c.Used() > c.Capacity() {
					t.Fatalf("%s(%d): used %d > capacity after request %d", name, capacity, c.Used(), i)
				}
			}
			if int64(c.Len()) != c.Used() {
				t.Errorf("%s(%d): Len %d but Used %d (every object has size 1)", name, capacity, c.Len(), c.Used())
			}
		}
	}
}

// Contains tells, for every policy and without changing anything, whether
// the next access will hit: on a random trace without expiry, Contains
// before each request equals the hit Access then reports, and calling it
// twice changes no later result.
func TestContainsPredictsHits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	reqs := make([]trace.Request, 8000)
	for i := range reqs {
		reqs[i] = trace.Request{Key: uint64(rng.IntN(1 + rng.IntN(600))), Size: 1 + uint32(rng.IntN(3)), Time: int64(i) * 1e6}
	}
	tr := trace.NewTrace("random", trace.Fields{Time: true, Size: true})
	for i := range reqs {
		tr.Append(&reqs[i])
	}
	tr.NextAccess()
	specs := []Spec{}
	for _, name := range Names() {
		specs = append(specs, Spec{Name: name})
	}
	for _, f := range []string{"lru+tinylfu", "arc+doorkeeper", "lirs+bloom"} {
		s, err := ParseSpec(f)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	for _, spec := range specs {
		for _, capacity := range []int64{20, 300} {
			c, err := New(spec, Config{Capacity: capacity, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			var r trace.Request
			for i := 0; i < tr.Len(); i++ {
				tr.At(i, &r)
				want := c.Contains(r.Key)
				if c.Contains(r.Key) != want {
					t.Fatalf("%s(%d): Contains changed its own answer at request %d", spec, capacity, i)
				}
				if hit := c.Access(&r); hit != want {
					t.Fatalf("%s(%d): request %d for key %d: Contains said %v, Access hit %v", spec, capacity, i, r.Key, want, hit)
				}
			}
		}
	}
}
