package sim

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSizes(t *testing.T) {
	cases := []struct {
		in    string
		want  []int64
		bytes bool
	}{
		{"50:500:50", []int64{50, 100, 150, 200, 250, 300, 350, 400, 450, 500}, false},
		{"100,1000,10000,25000", []int64{100, 1000, 10000, 25000}, false},
		{"1000,100,100", []int64{100, 1000}, false},
		{"1e3", []int64{1000}, false},
		{"64KiB,16MiB,1GiB", []int64{64 << 10, 16 << 20, 1 << 30}, true},
		{"1KB,1MB,1GB,1TB", []int64{1 << 10, 1 << 20, 1 << 30, 1 << 40}, true},
		{"1k,2m,512b", []int64{512, 1 << 10, 2 << 20}, true},
		{"1.5GiB", []int64{3 << 29}, true},
		{"1MiB:4MiB:1MiB", []int64{1 << 20, 2 << 20, 3 << 20, 4 << 20}, true},
		{"1:1000:log4", []int64{1, 10, 100, 1000}, false},
		{"1MiB:1GiB:log11", []int64{1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20, 128 << 20, 256 << 20, 512 << 20, 1 << 30}, true},
	}
	for _, c := range cases {
		got, err := ParseSizes(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got.Values, c.want) || got.Bytes != c.bytes {
			t.Errorf("%q: got %v bytes=%v, want %v bytes=%v", c.in, got.Values, got.Bytes, c.want, c.bytes)
		}
	}
	if got, _ := ParseSizes("10:1000:log"); len(got.Values) != DefaultLogPoints || got.Values[0] != 10 || got.Values[9] != 1000 {
		t.Errorf("default log range: %v", got.Values)
	}
}

// TestParseSizesErrors: malformed specs, and any size of 0 or below (a
// cache that holds nothing), are refused with the accepted forms.
func TestParseSizesErrors(t *testing.T) {
	for _, in := range []string{"", "abc", "10:5:1", "1:10", "1:10:0", "1:10:-1", "1MiB,100", "1:10:log1", "0:10:log", "5XB", "1.5", "-3",
		"0", "0B", "0,100", "0:100:50", "0MiB:4MiB:1MiB", "100,-1"} {
		_, err := ParseSizes(in)
		if err == nil {
			t.Errorf("%q accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), "accepted forms") || strings.HasPrefix(in, "0") && !strings.Contains(err.Error(), "size 0 holds nothing") {
			t.Errorf("%q: error does not show the accepted forms: %v", in, err)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for _, c := range []struct {
		v     int64
		bytes bool
		want  string
	}{{1000, false, "1000"}, {512, true, "512 B"}, {1 << 20, true, "1 MiB"}, {3 << 29, true, "1.5 GiB"}, {64 << 10, true, "64 KiB"}} {
		if got := FormatSize(c.v, c.bytes); got != c.want {
			t.Errorf("FormatSize(%d, %v) = %q, want %q", c.v, c.bytes, got, c.want)
		}
	}
}

// A Size renders for people and as text that ParseSize reads back.
func TestSizeText(t *testing.T) {
	for _, c := range []struct {
		in         string
		size       Size
		text, show string
	}{
		{"1000", Size{1000, Objects}, "1000", "1000"},
		{"64MiB", Size{64 << 20, Bytes}, "64MiB", "64 MiB"},
		{"1.5GB", Size{3 << 29, Bytes}, "1536MiB", "1.5 GiB"},
		{"1000B", Size{1000, Bytes}, "1000B", "1000 B"},
		{"2K", Size{2048, Bytes}, "2KiB", "2 KiB"},
	} {
		got, err := ParseSize(c.in)
		if err != nil || got != c.size {
			t.Errorf("ParseSize(%q) = %v, %v; want %v", c.in, got, err, c.size)
			continue
		}
		text, _ := got.MarshalText()
		var back Size
		if string(text) != c.text || back.UnmarshalText(text) != nil || back != c.size || got.String() != c.show {
			t.Errorf("%v: text %q (back %v), shown %q; want %q, %q", c.size, text, back, got.String(), c.text, c.show)
		}
	}
}
