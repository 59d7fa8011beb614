//go:build !linux

package keymap

// adviseHuge does nothing outside Linux (see huge_linux.go).
func adviseHuge([]slot) {}
