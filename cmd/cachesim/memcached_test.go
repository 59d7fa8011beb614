package main

import (
	"strings"
	"testing"
)

// memcached's capacity is its memory limit: object counts are refused,
// naming the fix.
func TestMemcachedNeedsByteSizes(t *testing.T) {
	for _, args := range [][]string{
		{"sweep", "--policy", "lru,memcached", "--sizes", "100,1000"},
		{"replay", "--policy", "memcached(factor=2)", "--size", "1000"},
	} {
		t.Run(caseName(args), func(t *testing.T) {
			_, _, err := runCLI(t, args...)
			if err == nil || !strings.Contains(err.Error(), "is a server's memory limit in bytes: give the sizes a unit (64MiB) or --bytes") {
				t.Errorf("%v: %v", args, err)
			}
		})
	}
}

// Objects of 100, 1,000 and 10,000 bytes take three slab classes (192,
// 1,184 and 11,104-byte chunks), each with a page: 3 MiB at a limit of 1
// or 2 MiB, so the sweep notes that those sizes change nothing.
func TestMemcachedSweepNotesHeldMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString("key,size\n")
	for r := 0; r < 3; r++ {
		b.WriteString("1,100\n2,1000\n3,10000\n")
	}
	trace := writeFile(t, "three.csv", b.String())
	_, errOut, err := runCLI(t, "sweep", trace, "--policy", "memcached", "--sizes", "1MiB,2MiB,8MiB", "-q")
	if err != nil {
		t.Fatal(err)
	}
	want := "note: memcached holds 3 MiB at 1 MiB, the smallest size"
	if !strings.Contains(errOut, want) || !strings.Contains(errOut, "below 3 MiB (2 of the sizes) the size changes nothing") {
		t.Errorf("stderr %q, want a note %q…", errOut, want)
	}
}
