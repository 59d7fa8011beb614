package policy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
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
