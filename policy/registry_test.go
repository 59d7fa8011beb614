package policy

import "testing"

// Same compares what the specs build, defaults and spellings of numbers
// included, admission filters too.
func TestSpecSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"lru", "lru", true},
		{"lru", "LRU", true},
		{"s3fifo", "s3fifo(small=0.1)", true},
		{"s3fifo(small=0.1)", "s3fifo(small=0.10)", true},
		{"s3fifo(small=0.1,threshold=2)", "s3fifo(threshold=2,small=0.1)", true},
		{"s3fifo(small=0.1)", "s3fifo(small=0.2)", false},
		{"lru", "lfu", false},
		{"lru", "lru+bloom", false},
		{"lru+prob:0.5", "lru+prob(p=0.50)", true},
		{"lru+prob:0.5", "lru+prob:0.25", false},
		{"lru+prob", "lru+bloom", false},
	} {
		a, err := ParseSpec(c.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseSpec(c.b)
		if err != nil {
			t.Fatal(err)
		}
		if a.Same(b) != c.same || b.Same(a) != c.same {
			t.Errorf("%s and %s: Same %v, want %v", c.a, c.b, a.Same(b), c.same)
		}
	}
}
