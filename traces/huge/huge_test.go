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

// MakeTable aligns tables from half a page up, zeroed, and leaves smaller
// ones to make.
func TestMakeTable(t *testing.T) {
	for _, c := range []int{Page / 2 / 8, Page/8 - 1, Page/8 + 5} {
		s := MakeTable[uint64](c, c)
		p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
		if len(s) != c || cap(s) != c || p%Page != 0 {
			t.Fatalf("MakeTable(%d): len %d cap %d, %d bytes past a huge page", c, len(s), cap(s), p%Page)
		}
		for i := range s {
			if s[i] != 0 {
				t.Fatalf("slot %d is not zero", i)
			}
			s[i] = uint64(i)
		}
	}
	if s := MakeTable[uint64](10, Page/2/8-1); cap(s) != Page/2/8-1 || len(s) != 10 {
		t.Fatalf("a small table: len %d cap %d", len(s), cap(s))
	}
}

// Room has room for c elements, empty, which appends fill without moving
// it, big (advised in part) or small.
func TestRoom(t *testing.T) {
	for _, c := range []int{0, 1, 1000, 3 * Page / 8, 5*Page/8 + 3} {
		s := Room[uint64](c)
		if len(s) != 0 || cap(s) != c {
			t.Fatalf("Room(%d): len %d cap %d", c, len(s), cap(s))
		}
		if c == 0 {
			continue
		}
		start := unsafe.SliceData(s[:1])
		for i := range c {
			s = append(s, uint64(i)^0x5a5a)
		}
		if unsafe.SliceData(s) != start {
			t.Fatalf("Room(%d) moved as it filled", c)
		}
		for i, v := range s {
			if v != uint64(i)^0x5a5a {
				t.Fatalf("Room(%d)[%d] = %d", c, i, v)
			}
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
