package policy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/cachesim/cachesim/traces/trace"
)

// An entry stays 32 bytes: the slab's memory and the cache lines a lookup
// touches depend on it.
func TestEntrySize(t *testing.T) {
	if got := unsafe.Sizeof(entry{}); got != 32 {
		t.Errorf("entry is %d bytes, want 32", got)
	}
}

// The policy words of an entry mean something different in every policy,
// so code reads and writes them only through one-line accessors that name
// them (lfu.bucketOf, ttl.expiresAt, segmentOf, …): a selector .word64 or
// .word32 anywhere else is a value whose meaning a reader must guess.
func TestEntryWordsOnlyInAccessors(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			accessor := ok && fn.Body != nil && len(fn.Body.List) == 1
			ast.Inspect(d, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && (sel.Sel.Name == "word64" || sel.Sel.Name == "word32") && !accessor {
					t.Errorf("%s: %s used outside a one-line accessor", fset.Position(sel.Pos()), sel.Sel.Name)
				}
				return true
			})
		}
	}
}

// ARC indexes up to as many ghosts as residents (B1 and B2 hold at most c
// between them), so a cache reserved for c objects holds its 2c
// entries without growing: 100,000 requests over 4,000 keys, with hits
// and ghost hits, leave a capacity-1000 cache's slab at the 2000 reserved
// (growing, it would pass 2000).
func TestHistoryStoreReservesItsGhosts(t *testing.T) {
	for _, name := range []string{"arc"} {
		c, err := New(Spec{Name: name}, Config{Capacity: 1000, Objects: true, SizeHint: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var s *store
		switch c := c.(type) {
		case *arc:
			s = &c.store
		default:
			t.Fatalf("%s is a %T", name, c)
		}
		x := uint64(1)
		for range 100000 {
			x = x*6364136223846793005 + 1442695040888963407
			r := trace.Request{Key: (x >> 33) % 4000, Size: 1}
			c.Access(&r)
		}
		if s.ghosts < 500 || cap(s.nodes) != 2000 {
			t.Errorf("%s: %d ghosts, slab capacity %d; want over 500 ghosts and 2000", name, s.ghosts, cap(s.nodes))
		}
	}
}
