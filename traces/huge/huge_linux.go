package huge

import (
	"syscall"
	"unsafe"
)

// advise asks for huge pages over the n bytes at p (p page-aligned).
func advise(p unsafe.Pointer, n uintptr) {
	_ = syscall.Madvise(unsafe.Slice((*byte)(p), n), syscall.MADV_HUGEPAGE)
}
