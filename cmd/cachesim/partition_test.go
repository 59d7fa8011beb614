package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// partitionDoc is the part of sweep's JSON a partition test reads.
type partitionDoc struct {
	Partitions []struct {
		Policy         string  `json:"policy"`
		SplitHitRatio  float64 `json:"split_hit_ratio"`
		SharedHitRatio float64 `json:"shared_hit_ratio"`
		Curves         []struct {
			Tenant   string   `json:"tenant"`
			Requests uint64   `json:"requests"`
			Sizes    []int64  `json:"sizes"`
			Hits     []uint64 `json:"hits"`
		} `json:"curves"`
	} `json:"partitions"`
	Partition []struct {
		Tenant         string  `json:"tenant"`
		Size           int64   `json:"size"`
		HitRatio       float64 `json:"hit_ratio"`
		SharedHitRatio float64 `json:"shared_hit_ratio"`
	} `json:"partition"`
}

// Two synthetic tenants with known curves: A uniform over 1,000 keys with
// 70% of the requests, B uniform over 4,000 keys with 30%. A's misses
// cost 7·10⁻⁴ of the requests per object of A's cache up to 1,000, B's
// 7.5·10⁻⁵, so 3,000 objects split about 1,000 to A, 2,000 to B. The
// greedy split equals the brute-force optimum over the sizes swept (every
// pair of sizes within the budget tried), and the shared cache beside it
// is the hit ratio cachesim replay reports for one cache of 3,000.
func TestPartitionTwoTenants(t *testing.T) {
	spec := "mix:0.7*uniform(keys=1000)+0.3*uniform(keys=4000),tenants=true,requests=1e5" // tenants uniform#1, uniform#2
	out, errOut, err := runCLI(t, "sweep", spec, "--sizes", "1000,3000", "--partition", "3000", "--format", "json")
	if err != nil {
		t.Fatal(err, errOut)
	}
	var doc partitionDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Partitions) != 1 || len(doc.Partition) != 2 || len(doc.Partitions[0].Curves) != 2 {
		t.Fatalf("partitions %+v", doc)
	}
	a, b := doc.Partition[0], doc.Partition[1]
	if a.Tenant != "uniform#1" || a.Size < 990 || a.Size > 1080 || a.Size+b.Size != 3000 {
		t.Errorf("split: %s %d, %s %d; want about 1000 and the rest", a.Tenant, a.Size, b.Tenant, b.Size)
	}
	// Brute force over the swept sizes.
	cv := doc.Partitions[0].Curves
	got, best := splitHits(cv, a.Size, b.Size, 3000)
	if got != best {
		t.Errorf("greedy split hits %d, brute force %d", got, best)
	}
	total := float64(cv[0].Requests + cv[1].Requests)
	if math.Abs(doc.Partitions[0].SplitHitRatio-float64(got)/total) > 1e-12 {
		t.Errorf("split hit ratio %g, want %g", doc.Partitions[0].SplitHitRatio, float64(got)/total)
	}
	out, _, err = runCLI(t, "replay", spec, "--size", "3000", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		HitRatio float64 `json:"hit_ratio"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if doc.Partitions[0].SharedHitRatio != rep.HitRatio {
		t.Errorf("shared %g, replay %g", doc.Partitions[0].SharedHitRatio, rep.HitRatio)
	}
}

// Tenants from keys with --tenant-from, per-tenant miss costs, and errors.
func TestPartitionFlags(t *testing.T) {
	mon := writeFile(t, "t.monitor", strings.Repeat(`1700000000 [0 c] "GET" "pred:a:1"
1700000000 [0 c] "SET" "pred:a:1" "v"
1700000000 [0 c] "GET" "pred:b:2"
1700000000 [0 c] "SET" "pred:b:2" "v"
`, 3))
	// Each tenant's 3 gets: the first misses, the 2 others hit in a cache
	// of 1 of its own. With b's misses costing 5, the one object goes to b
	// (saving 10, not 2): miss costs 3 for a + 5 for b's first = 8.
	out, errOut, err := runCLI(t, "sweep", mon, "--tenant-from", "prefix:2", "--partition", "1", "--sizes", "1,2",
		"--miss-cost", "pred:a=1,pred:b=5", "--format", "json")
	if err != nil {
		t.Fatal(err, errOut)
	}
	var doc struct {
		Partitions []struct {
			SplitMissCost float64 `json:"split_miss_cost"`
		} `json:"partitions"`
		Partition []struct {
			Tenant string `json:"tenant"`
			Size   int64  `json:"size"`
		} `json:"partition"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Partition) != 2 || doc.Partition[1].Tenant != "pred:b" || doc.Partition[1].Size != 1 || doc.Partition[0].Size != 0 ||
		doc.Partitions[0].SplitMissCost != 8 {
		t.Errorf("weighted partition %+v", doc)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", mon, "--tenant-from", "prefix:2"}, "give --partition BUDGET"},
		{[]string{"sweep", mon, "--partition", "10"}, "has 0: give --tenant-from"},
		{[]string{"sweep", mon, "--tenant-from", "prefix:2", "--partition", "1", "--miss-cost", "pred:a=1"}, "no price for pred:b"},
		{[]string{"sweep", mon, "--tenant-from", "prefix:2", "--partition", "1", "--miss-cost", "pred:a=1,pred:b=1,pred:c=2"}, "names pred:c"},
		{[]string{"sweep", mon, "--miss-cost", "pred:a=1"}, "weighs the tenants of --partition"},
		{[]string{"sweep", mon, "--partition", "1MiB", "--sizes", "1,2"}, "both in bytes or both in objects"},
		{[]string{"sweep", mon, "--tenant-from", "suffix:1", "--partition", "1"}, "--tenant-from \"suffix:1\""},
		{[]string{"sweep", "zipf:keys=10", "--tenant-from", "prefix:2", "--partition", "1"}, "synthetic workload"},
	} {
		t.Run(caseName(tc.args), func(t *testing.T) {
			_, _, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
			}
		})
	}
}

// system replay drops one tenant's entries with --invalidate-tenant: by
// hand (as sim/system's TestInvalidateTenant), keys pred:a:1 and pred:b:2
// written (and cached, write-through) at 0s, then read in one MGET at 0s,
// 5s and 15s, dropped at 10s: 4 hits when every entry goes, 5 when only
// pred:a's do; 2 of 3 requests served whole either way.
func TestSystemInvalidateTenant(t *testing.T) {
	mon := writeFile(t, "t.monitor", `1700000000 [0 c] "MSET" "pred:a:1" "v" "pred:b:2" "v"
1700000000 [0 c] "MGET" "pred:a:1" "pred:b:2"
1700000005 [0 c] "MGET" "pred:a:1" "pred:b:2"
1700000015 [0 c] "MGET" "pred:a:1" "pred:b:2"
`)
	for _, tc := range []struct {
		name  string
		extra []string
		hits  int
	}{{"every tenant", nil, 4}, {"one tenant", []string{"--invalidate-tenant", "pred:a", "--tenant-from", "prefix:2"}, 5}} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"system", "replay", mon, "--policy", "lru", "--size", "10", "--invalidate-every", "10s", "--format", "json"}, tc.extra...)
			out, errOut, err := runCLI(t, args...)
			if err != nil {
				t.Fatal(err, errOut)
			}
			var rep struct {
				Runs []struct {
					Hits  int `json:"hits"`
					Batch struct {
						Requests int `json:"requests"`
						Hits     int `json:"hits"`
					} `json:"batch"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if r := rep.Runs[0]; r.Hits != tc.hits || r.Batch.Requests != 3 || r.Batch.Hits != 2 {
				t.Errorf("%v: %+v, want %d hits and 2 of 3 requests whole", tc.extra, r, tc.hits)
			}
		})
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"system", "replay", mon, "--policy", "lru", "--size", "10", "--invalidate-tenant", "pred:a"}, "give the period"},
		{[]string{"system", "replay", mon, "--policy", "lru", "--size", "10", "--invalidate-every", "10s", "--invalidate-tenant", "pred:a"}, "has no tenants"},
		{[]string{"system", "replay", mon, "--policy", "lru", "--size", "10", "--invalidate-every", "10s", "--invalidate-tenant", "pred:c", "--tenant-from", "prefix:2"}, `"pred:c": no such tenant`},
		{[]string{"system", "replay", mon, "--policy", "lru", "--size", "10", "--tenant-from", "prefix:2"}, "for --invalidate-tenant: give it"},
	} {
		t.Run(caseName(tc.args), func(t *testing.T) {
			_, _, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
			}
		})
	}
}

// splitHits returns the hits of two tenants' curves at sizes a and b, and
// the most hits of any pair of swept sizes (or none) within budget.
func splitHits(cv []struct {
	Tenant   string   `json:"tenant"`
	Requests uint64   `json:"requests"`
	Sizes    []int64  `json:"sizes"`
	Hits     []uint64 `json:"hits"`
}, a, b, budget int64) (got, best uint64) {
	at := func(c int, i int) (int64, uint64) {
		if i < 0 {
			return 0, 0
		}
		return cv[c].Sizes[i], cv[c].Hits[i]
	}
	for i := -1; i < len(cv[0].Sizes); i++ {
		for j := -1; j < len(cv[1].Sizes); j++ {
			s0, h0 := at(0, i)
			s1, h1 := at(1, j)
			if s0+s1 <= budget {
				best = max(best, h0+h1)
			}
			if s0 == a && s1 == b {
				got = h0 + h1
			}
		}
	}
	return got, best
}
