package keymap

import (
	"syscall"
	"unsafe"
)

// hugeBytes is the smallest table that adviseHuge asks huge pages for:
// two 2 MiB pages.
const hugeBytes = 4 << 20

// adviseHuge asks the kernel to back a new table with transparent huge
// pages (madvise MADV_HUGEPAGE: where the kernel's THP setting is
// "madvise", as on the bench machine, it uses them only when asked), before
// anything touches it. A big table is written all over
// as it fills, so it faults in every 4 KiB page one at a time otherwise:
// on the exact p3 curve (a 16 MiB numbering, grown from 16 slots) those
// faults were a third of the system time. The advice is only a hint;
// it costs nothing when the kernel declines.
func adviseHuge(s []slot) {
	if len(s)*int(unsafe.Sizeof(slot{})) < hugeBytes {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(slot{})))
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
