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
// between them), and S3-FIFO, 2Q and QD-LP-FIFO at most their ghost
// queue's share (0.9, 0.5 and 0.9 of c, ghostQueue), so a cache reserved for
// c objects holds its entries without growing: 100,000 requests over 4,000
// keys, with hits and ghost hits, leave a capacity-1000 cache's slab at
// the 2000 reserved (growing, it would pass 2000).
func TestHistoryStoreReservesItsGhosts(t *testing.T) {
	for _, name := range []string{"arc", "s3fifo", "twoq", "qdlp", "s3fifo-v0"} {
		c, err := New(Spec{Name: name}, Config{Capacity: 1000, Objects: true, SizeHint: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var s *store
		switch c := c.(type) {
		case *arc:
			s = &c.store
		case *s3fifo:
			s = &c.store
		case *twoQ:
			s = &c.store
		case *qdlp:
			s = &c.store
		case *s3fifoV0:
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
		if s.ghosts < 400 || cap(s.nodes) != 2000 {
			t.Errorf("%s: %d ghosts, slab capacity %d; want over 400 ghosts and 2000", name, s.ghosts, cap(s.nodes))
		}
	}
}

// A ghost queue of 3 bytes, by hand: ghosts of 1 and 1 byte, then one of 2
// forgets the oldest (1+1+2 > 3) and keeps the second; an object of 4 is
// larger than the queue and leaves no ghost. Each counts as an eviction,
// and a ghost is found by the store's lookup but is not cached.
func TestGhostQueueByHand(t *testing.T) {
	s := newHistoryStore(10)
	g := newGhostQueue(3)
	leave := func(key uint64, size uint32) {
		g.remember(&s, s.add(&trace.Request{Key: key, Size: size}))
	}
	leave(1, 1)
	leave(2, 1)
	leave(3, 2)
	leave(4, 4)
	for key, want := range map[uint64]bool{1: false, 2: true, 3: true, 4: false} {
		i, ok := s.lookupKey(key)
		if ok != want || ok && queueOf(s.nodes, i) != inGhost {
			t.Errorf("key %d: remembered %v, want %v", key, ok, want)
		}
		if s.Contains(key) {
			t.Errorf("key %d: a ghost counts as cached", key)
		}
	}
	if g.used != 3 || s.ghosts != 2 || s.Len() != 0 || s.Used() != 0 || s.Evictions() != 4 {
		t.Errorf("queue holds %d bytes, store %d ghosts, %d objects of %d bytes, %d evictions; want 3, 2, 0, 0, 4",
			g.used, s.ghosts, s.Len(), s.Used(), s.Evictions())
	}
	i, _ := s.lookupKey(2)
	g.forget(&s, i)
	if _, ok := s.lookupKey(2); ok || g.used != 2 || s.ghosts != 1 {
		t.Errorf("after forgetting key 2: queue %d bytes, %d ghosts; want 2, 1", g.used, s.ghosts)
	}
}
