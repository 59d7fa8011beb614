package workload

import (
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// readSpec reads every request of a spec, and the tenants' names.
func readSpec(t *testing.T, spec string) ([]trace.Request, []string) {
	t.Helper()
	tr := load(t, spec)
	out := make([]trace.Request, tr.Len())
	for i := range out {
		tr.At(i, &out[i])
	}
	return out, tr.TenantNames
}

// A batch request of 3 entities with 2 groups each is 6 keys in a row:
// entity e's groups are keys 2e-1 and 2e. requests=13 gives 18 keys:
// the third request is completed.
func TestBatchKind(t *testing.T) {
	reqs, _ := readSpec(t, "batch:keys=100,batch=3,groups=2,requests=13")
	if len(reqs) != 18 {
		t.Fatalf("%d keys, want 18 (3 requests of 6)", len(reqs))
	}
	for i, r := range reqs {
		if r.Continues != (i%6 != 0) {
			t.Errorf("key %d: continues %v", i, r.Continues)
		}
		if i%2 == 1 && (r.Key != reqs[i-1].Key+1 || r.Key%2 != 0) {
			t.Errorf("keys %d, %d are not an entity's two groups", reqs[i-1].Key, r.Key)
		}
		if r.Key < 1 || r.Key > 200 {
			t.Errorf("key %d out of 1…200", r.Key)
		}
	}
	// alpha=0: uniform entities; a wide batch distribution keeps its bounds.
	reqs, _ = readSpec(t, "batch:keys=50,alpha=0,batch=uniform:2:4,requests=3000")
	n, sizes := 0, map[int]int{}
	for i, r := range reqs {
		if i > 0 && !r.Continues {
			sizes[n]++
			n = 0
		}
		n++
	}
	sizes[n]++
	if len(sizes) != 3 || sizes[2] == 0 || sizes[3] == 0 || sizes[4] == 0 {
		t.Errorf("batch sizes %v, want 2, 3 and 4", sizes)
	}
}

// A mix with tenants numbers its components from 1 and names them as
// written; a batch component's requests stay whole inside the mix.
func TestMixTenants(t *testing.T) {
	reqs, names := readSpec(t, "mix:0.5*batch(keys=100,batch=5)+0.5*uniform(keys=10),tenants=true,requests=2e4")
	if len(names) != 2 || names[0] != "batch" || names[1] != "uniform" {
		t.Errorf("names %q", names)
	}
	if got := componentNames([]string{"zipf(alpha=2)", "2*uniform", " 0.5*zipf"}); got[0] != "zipf#1" || got[1] != "uniform" || got[2] != "zipf#2" {
		t.Errorf("component names %q", got)
	}
	run := 0
	for i, q := range reqs {
		if q.Tenant != 1 && q.Tenant != 2 {
			t.Fatalf("request %d: tenant %d", i, q.Tenant)
		}
		if q.Continues {
			if q.Tenant != 1 || reqs[i-1].Tenant != 1 {
				t.Fatalf("request %d continues across tenants", i)
			}
			run++
		} else {
			if i > 0 && reqs[i-1].Tenant == 1 && run != 4 {
				t.Fatalf("a batch of %d keys, want 5", run+1)
			}
			run = 0
		}
	}
}
