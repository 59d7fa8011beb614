package policy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// goldenFiles are the tests that compare a policy with an independent
// reference: libCacheSim's published or hand-computed figures, the real Go
// cache libraries, a real memcached or redis-server.
var goldenFiles = []string{
	"libcachesim_test.go",
	"libcachesim_hand_test.go",
	"libraries_test.go",
	"memcached_test.go",
	"redismem_server_test.go",
	"fidelity_test.go",
	"optimal_test.go",
}

// The README's "add a policy" recipe promises that a registered policy is
// tested without further work: the invariant suites (invariants_test.go)
// run over every registered name, and a policy they leave out
// (invariantExempt) must have a golden case instead. A new policy that is
// exempted without a golden case, or an exemption naming no registered
// policy, fails here.
func TestEveryPolicyHasAGoldenOrInvariantCase(t *testing.T) {
	golden := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range goldenFiles {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					golden[s] = true
				}
			}
			return true
		})
	}
	registered := map[string]bool{}
	var covered, withGolden int
	for _, name := range Names() {
		registered[name] = true
		_, exempt := invariantExempt[name]
		switch {
		case exempt && !golden[name]:
			t.Errorf("%s is left out of the invariant suites (%s) and has no golden case in %v", name, invariantExempt[name], goldenFiles)
		case !exempt:
			covered++
		}
		if golden[name] {
			withGolden++
		}
	}
	for name := range invariantExempt {
		if !registered[name] {
			t.Errorf("invariantExempt names %q, which is not a registered policy", name)
		}
	}
	t.Logf("%d policies: %d in the invariant suites, %d with a golden case", len(registered), covered, withGolden)
}
