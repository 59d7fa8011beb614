// Package huge allocates the simulator's big tables so that the kernel
// backs them with transparent huge pages. A table of millions of entries
// filled in random order (a hash table, the counts by stack distance, a
// cache's entries) otherwise faults in every 4 KiB page on its own, and on
// virtual machines such as the bench machine's a fault costs about 11 µs:
// 2.8 ms a MiB, against 0.06 ms a MiB in 2 MiB pages. On the exact p3
// curve those faults were a third of the run.
package huge

import "unsafe"

const (
	// Page is the size of a transparent huge page on x86-64 and arm64
	// (4 KiB base pages).
	Page = 2 << 20
	// MinBytes is the smallest allocation that Make asks huge pages for:
	// the runtime zeroes a reused allocation whole, padding included, so
	// padding smaller ones cost memory (the oltp sweep's peak went from
	// 57 to 65 MiB with a bound of one page, and was no faster).
	MinBytes = 2 * Page
)

// Make returns make([]T, n, c); when that is at least MinBytes it starts
// on a huge-page boundary of a slightly larger allocation (at most 2 MiB
// more address space, which the program never touches: no more memory
// unless the runtime zeroes it for reuse, see MinBytes), and the kernel
// is asked (madvise MADV_HUGEPAGE, Linux only) to back it with huge pages.
// Where the kernel's THP setting is "madvise", as on the bench machine, it
// uses them only when asked; elsewhere the advice costs nothing. T must
// hold no pointers to be worth it (the tables here never do).
func Make[T any](n, c int) []T { return makeFrom[T](n, c, MinBytes, false) }

// MakeTable is Make from half a Page up, for the tables a numbering of a
// trace's keys fills in random order and keeps (its key table, until it
// grows; its numbers by request): few, so their padding costs little
// memory (see MinBytes), and a table of one to four MiB is one or two
// faults instead of 256 to 1024. Its last huge page is advised whole,
// past the table's end: the kernel backs only a whole advised huge page
// with one. Loading oltp for a sweep, that is 2,900 faults fewer, about
// 30 ms of CPU time.
func MakeTable[T any](n, c int) []T { return makeFrom[T](n, c, Page/2, true) }

// makeFrom is Make with huge pages from minBytes up; whole says to
// advise the table's last huge page whole.
func makeFrom[T any](n, c int, minBytes uintptr, whole bool) []T {
	var zero T
	size := unsafe.Sizeof(zero)
	if size == 0 || uintptr(c)*size < minBytes {
		return make([]T, n, c)
	}
	// Over-allocate by a huge page and start at the first boundary: the
	// part before it stays untouched address space.
	extra := int((Page + size - 1) / size)
	need := uintptr(c) * size
	if whole {
		need = (need + Page - 1) &^ (Page - 1)
		extra++
	}
	raw := make([]T, int(need/size)+extra)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	base := (p + Page - 1) &^ (Page - 1)
	skip := int((base - p + size - 1) / size)
	end := (p + uintptr(len(raw))*size) &^ (4<<10 - 1)
	advise(unsafe.Add(unsafe.Pointer(unsafe.SliceData(raw)), base-p), end-base)
	return raw[skip : skip+n : skip+c]
}

// Room returns an empty slice with room for c elements, for a column
// that fills from its start and may stop anywhere (the keys a numbering
// meets, as many as a trace's requests at most): its first 2 to 4 MiB
// stay in ordinary pages, made resident as they are used, and the kernel
// is asked to back the rest with huge pages. A short column costs no
// more memory than make's, and a long one faults once per 2 MiB past its
// start instead of 512 times (p3's keys by number, 5.8 MB: mrc on p3
// took 820 faults fewer).
func Room[T any](c int) []T {
	s := make([]T, 0, c)
	var zero T
	if size := unsafe.Sizeof(zero); size > 0 && c > 0 {
		p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
		from := (p + 2*Page - 1) &^ (Page - 1)
		if to := (p + uintptr(c)*size) &^ (Page - 1); to > from {
			advise(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), from-p), to-from)
		}
	}
	return s
}

// Grow returns s lengthened to n (n > len(s)), the new elements zero, its
// capacity doubled (by Make) when it must grow: columns that grow one
// element at a time copy themselves half as often as with append's growth
// by a quarter, and big ones land in huge pages. The capacity past the
// length is never written, so it costs address space, not memory, until
// it is used.
func Grow[T any](s []T, n int) []T {
	if n > cap(s) {
		g := Make[T](len(s), max(n, 2*cap(s), 256))
		copy(g, s)
		s = g
	}
	clear(s[len(s):n])
	return s[:n]
}

// Append appends v to s, growing it as Grow does.
func Append[T any](s []T, v T) []T {
	s = Grow(s, len(s)+1)
	s[len(s)-1] = v
	return s
}
