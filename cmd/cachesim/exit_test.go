package main

import (
	"strings"
	"testing"
)

// A panic in main is printed with its stack, runs the cleanups and exits 2;
// the deferred exit used to run during the panic and exit 0 in silence.
func TestPanicExitsNonZero(t *testing.T) {
	defer func() { exit = 0 }()
	var stderr strings.Builder
	code, cleaned := -1, false
	onInterrupt(func() { cleaned = true })
	func() {
		defer finish(&stderr, func(c int) { code = c })
		panic("boom")
	}()
	if code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	if !cleaned {
		t.Error("the cleanups did not run")
	}
	for _, want := range []string{"panic: boom", "TestPanicExitsNonZero"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	// Without a panic, the status main set.
	exit = 1
	func() {
		defer finish(&stderr, func(c int) { code = c })
	}()
	if code != 1 {
		t.Errorf("exit status %d after no panic, want 1", code)
	}
}
