package huge

import (
	"testing"
	"unsafe"
)

func TestMakeAlignsBigTables(t *testing.T) {
	type slot struct {
		key uint64
		val int32
	}
	for _, c := range []int{MinBytes / 16, MinBytes/16 + 3, 3 * MinBytes / 16} {
		s := Make[slot](c/2, c)
		if len(s) != c/2 || cap(s) != c {
			t.Fatalf("Make(%d, %d): len %d cap %d", c/2, c, len(s), cap(s))
		}
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(s))); p%Page != 0 {
			t.Errorf("a table of %d slots starts %d bytes past a huge Page", c, p%Page)
		}
		s = s[:c]
		for i := range s {
			if s[i] != (slot{}) {
				t.Fatalf("slot %d is not zero", i)
			}
			s[i] = slot{uint64(i), int32(i)}
		}
	}
}

func TestMakeSmallTables(t *testing.T) {
	s := Make[uint32](10, 1000)
	if len(s) != 10 || cap(s) != 1000 {
		t.Fatalf("len %d cap %d", len(s), cap(s))
	}
	if e := Make[struct{}](5, 5); len(e) != 5 {
		t.Fatalf("len %d", len(e))
	}
}
