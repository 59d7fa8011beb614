package policy

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// mustNew builds the cache a spec string names.
func mustNew(t *testing.T, s string, cfg Config) Cache {
	t.Helper()
	spec, err := ParseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A filter follows a '+' in a spec, by name, name:value or name(k=v);
// String writes it back in the parenthesised form; the filter's traits
// join the policy's, and a filtered LRU is no longer a stack algorithm.
func TestFilterSpecs(t *testing.T) {
	for in, want := range map[string]string{
		"lru+tinylfu":                   "lru+tinylfu",
		"LRU + size:1MiB":               "lru+size(max=1MiB)",
		"s3fifo(small=0.2)+prob(p=0.1)": "s3fifo(small=0.2)+prob(p=0.1)",
		"lfu+prob:0.25":                 "lfu+prob(p=0.25)",
		"arc+adaptsize:100000":          "arc+adaptsize(interval=100000)",
	} {
		spec, err := ParseSpec(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if spec.String() != want {
			t.Errorf("%s: written back as %s, want %s", in, spec, want)
		}
	}
	lru, _ := ParseSpec("lru+size:64K")
	if tr := lru.Traits(); !tr.Has(SizeAware) || tr.Has(ExactCurve) {
		t.Errorf("lru+size traits %s: want size-aware and not exact-curve", tr)
	}
	for in, want := range map[string]string{
		"lru+nope":                     `unknown admission filter "nope" (valid: adaptsize, bloom, doorkeeper, prob, size, tinylfu)`,
		"lru+size:lots":                "expected a size from 1 to 2^50 bytes",
		"lru+prob:2":                   "expected a fraction from 0 to 1",
		"lru+tinylfu:3":                "admission filter tinylfu takes no value",
		"lru+tinylfu+size":             "one admission filter at most",
		"lru+size:1K(max=2K)":          "not both",
		"nope+tinylfu":                 `unknown policy "nope"`,
		"lru+size(min=1)":              `has no parameter "min"`,
		"wtinylfu(climber=fast)+bloom": "expected one of simple, caffeine, density, adam, none",
	} {
		if _, err := ParseSpec(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one saying %q", in, err, want)
		}
	}
}

// Every filter declares a consistent schema, as every policy does
// (TestSchemas): defaults within range, values outside refused with what
// the parameter accepts, and byte sizes read with their units.
func TestFilterSchemas(t *testing.T) {
	for _, name := range FilterNames() {
		info, _ := LookupFilter(name)
		if strings.TrimSpace(info.Summary) == "" || strings.Contains(info.Summary, "--") {
			t.Errorf("%s: summary %q empty or names a flag", name, info.Summary)
		}
		if info.Main != "" && !slices.ContainsFunc(info.Params, func(p Param) bool { return p.Name == info.Main }) {
			t.Errorf("%s: main parameter %s is not declared", name, info.Main)
		}
		for _, p := range info.Params {
			checkDefault(t, p)
			for _, bad := range outside(p) {
				_, err := ParseSpec("lru+" + name + "(" + p.Name + "=" + bad + ")")
				if err == nil || !strings.Contains(err.Error(), p.Accepts()) {
					t.Errorf("%s %s=%s: error %v, want one saying %q", name, p.Name, bad, err, p.Accepts())
				}
			}
		}
	}
	for in, want := range map[string]int64{"4096": 4096, "1MiB": 1 << 20, "1.5K": 1536, "2 GB": 2 << 30, "3t": 3 << 40, "7B": 7} {
		if got, ok := parseBytes(in); !ok || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "1.1B", "-1", "1XB", "MiB", "1e30"} {
		if _, ok := parseBytes(in); ok {
			t.Errorf("parseBytes(%q) accepted", in)
		}
	}
}

// Each filter's decisions, worked by hand (object sizes in brackets).
func TestFilterDecisions(t *testing.T) {
	sized := func(pairs ...uint64) []req {
		var r []req
		for i := 0; i < len(pairs); i += 2 {
			r = append(r, req{key: pairs[i], size: uint32(pairs[i+1])})
		}
		return r
	}
	for _, tc := range []struct {
		spec     string
		capacity int64
		seq      []req
		want     string
	}{
		// Sizes below 4 enter, 4 and up never do: 1[5] misses twice, 2[3] hits.
		{"lru+size:4", 10, sized(1, 5, 1, 5, 2, 3, 2, 3, 3, 4, 3, 4), "mmmhmm"},
		// The second miss of a key is admitted, however far apart.
		// 1 is admitted on its second miss and stays while 3, 4, 5 are
		// turned away; 2 too, on its second.
		{"lru+bloom", 2, keys(1, 2, 1, 3, 4, 5, 1, 2, 1), "mmmmmmhmh"},
		{"lru+doorkeeper", 2, keys(1, 2, 1, 3, 4, 5, 1, 2, 1), "mmmmmmhmh"},
		// p = 0 admits nothing; p = 1 everything (plain LRU).
		{"lru+prob:0", 2, keys(1, 1, 2, 2), "mmmm"},
		{"lru+prob:1", 2, keys(1, 1, 2, 2, 3, 1), "mhmhmm"},
		// 2 slots. 1 and 2 enter (room); 1 hits (count 2). 3 (count 1)
		// meets the LRU victim 2 (count 1): not more, rejected. 3 again
		// (count 2) beats 2 and evicts it. 2 (count 2) meets the victim 1
		// (count 2): rejected; 1 hits. Plain LRU: mmhmhmm.
		{"lru+tinylfu", 2, keys(1, 2, 1, 3, 3, 2, 1), "mmhmmmh"},
		{"lru", 2, keys(1, 2, 1, 3, 3, 2, 1), "mmhmhmm"},
		// Without a policy that names its victim, TinyLFU weighs the last
		// evicted object: SIEVE (2 slots) 1 2 3 evicts 1 (room until then);
		// 4 (count 1) meets 1 (count 1): rejected; 4 again (2) beats it.
		{"sieve+tinylfu", 2, keys(1, 2, 3, 4, 4, 4), "mmmmmh"},
	} {
		c := mustNew(t, tc.spec, Config{Capacity: tc.capacity, Seed: 1})
		if got := run(c, tc.seq); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.spec, got, tc.want)
		}
	}
}

// The admission rate counts the misses let in and turned away.
func TestAdmissionCounts(t *testing.T) {
	c := mustNew(t, "lru+bloom", Config{Capacity: 2})
	run(c, keys(1, 1, 1, 2, 3, 2))
	if a, r := c.(Admitter).Admissions(); a != 2 || r != 3 {
		t.Errorf("admitted %d, rejected %d; want 2 (1, 2) and 3 (1, 2, 3 first seen)", a, r)
	}
}

// AdaptSize's model, checked by symmetry: two objects of one size and one
// rate in a cache with room for one are each cached half the time, so the
// modelled hit ratio is 1/2 whatever c.
func TestAdaptSizeModelSymmetry(t *testing.T) {
	f := &adaptSize{capacity: 100, rates: []float64{3, 3}, sizes: []float64{100, 100}}
	for _, log2c := range []float64{4, 8, 20} {
		if h := f.hitRatio(log2c); math.Abs(h-0.5) > 1e-6 {
			t.Errorf("c = 2^%g: modelled hit ratio %g, want 0.5", log2c, h)
		}
	}
}

// AdaptSize learns to keep out the large objects that crowd out small
// popular ones: after its first tunings, c is far below the large size, and
// LRU behind it hits more than LRU alone.
func TestAdaptSizeTunes(t *testing.T) {
	var seq []req
	for i := range 8000 {
		seq = append(seq, req{key: uint64(i % 20), size: 100})           // 20 popular small objects: 2,000 bytes
		seq = append(seq, req{key: 1_000_000 + uint64(i), size: 10_000}) // one-hit wonders of 10 KB
	}
	c := mustNew(t, "lru+adaptsize:2000", Config{Capacity: 20_000, Seed: 1})
	plain := newLRU(20_000)
	behind, alone := strings.Count(run(c, seq), "h"), strings.Count(run(plain, seq), "h")
	if a := c.(*filtered).filter.(*adaptSize); a.c > 2000 {
		t.Errorf("c = %.0f after tuning, want it well below the 10,000-byte objects", a.c)
	}
	if behind <= alone {
		t.Errorf("lru+adaptsize %d hits, plain lru %d", behind, alone)
	}
}

// filteredSpecs are the compositions the shared invariants run: every
// filter in front of policies of each family.
func filteredSpecs() []string {
	var specs []string
	for i, f := range FilterNames() {
		for _, p := range []string{"lru", "fifo", "s3fifo", "arc", "lirs", "wtinylfu", "sieve"} {
			if (i+len(p))%2 == 0 || p == "lru" {
				specs = append(specs, p+"+"+f)
			}
		}
	}
	return specs
}

// A filtered cache keeps the invariants of TestRemoveRandomized: never over
// capacity, removes exact and not evictions, ghosts forgotten (the cache
// behind the filter is checked).
func TestFilteredRemovesAndCapacity(t *testing.T) {
	for _, s := range filteredSpecs() {
		spec, err := ParseSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		for ci, capacity := range []int64{1, 30} {
			ops := removeTrace(uint64(100*ci+len(s)), 1000, int(4*capacity), 1)
			checkRemoves(t, fmt.Sprintf("%s/objects/%d", s, capacity), spec, Config{Capacity: capacity, Seed: 1}, ops, true)
		}
		ops := removeTrace(uint64(len(s)), 1000, 24, 200)
		checkRemoves(t, s+"/bytes/600", spec, Config{Capacity: 600, Seed: 1}, ops, false)
	}
}

// Once warm, a filtered cache allocates nothing per request, hit or miss,
// admitted or not.
func TestFilteredDoesNotAllocate(t *testing.T) {
	for _, s := range append(filteredSpecs(), "otter", "otter(initial-capacity=true)", "ristretto",
		"wtinylfu(climber=adam)", "wtinylfu(climber=none,doorkeeper=true)", "wtinylfu(climber=density)",
		"wtinylfu(climber=caffeine)") {
		c := mustNew(t, s, Config{Capacity: 500, Seed: 1})
		r := trace.Request{Size: 1}
		for k := range 20_000 {
			r.Key = uint64(k*k) % 1500
			c.Access(&r)
		}
		k := 0
		if a := testing.AllocsPerRun(2000, func() {
			k++
			r.Key = uint64(k*k) % 1500
			c.Access(&r)
		}); a != 0 {
			t.Errorf("%s: %.2f allocations per request", s, a)
		}
	}
}

// Every filter declares Randomised exactly when the seed changes its
// decisions (on the traits trace, behind LRU).
func TestFilterTraits(t *testing.T) {
	base := traitTrace(true)
	tr := trace.NewTrace("sized", trace.Fields{Time: true, Size: true})
	for i := range base.Len() { // sizes from 1 to 4,000 bytes, so that size-aware filters have something to weigh
		var r trace.Request
		base.At(i, &r)
		r.Size = uint32(1 + r.Key*7%4000)
		tr.Append(&r)
	}
	for _, name := range FilterNames() {
		info, _ := LookupFilter(name)
		hits := func(seed uint64) string {
			return hitPattern(mustNew(t, "lru+"+name, Config{Capacity: 300 * 2000, Seed: seed}), tr)
		}
		if differs := hits(1) != hits(2); differs != info.Traits.Has(Randomised) {
			t.Errorf("%s declares randomised: %v, but the seed changes its hits: %v", name, info.Traits.Has(Randomised), differs)
		}
	}
}
