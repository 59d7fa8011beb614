// Package tracestest locates the shared real traces (../shared/traces beside
// the repository) for tests. They are not part of the repository: a test that
// needs one skips when it is missing, except under CI (CI set), where a
// missing trace is a failure.
package tracestest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the shared traces directory.
func Dir() string {
	if d := os.Getenv("CACHESIM_TRACES"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	// file is <repo>/traces/tracestest/tracestest.go
	repo := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	return filepath.Join(repo, "..", "shared", "traces")
}

// Path returns the path of the shared trace name, skipping the test (or
// failing it under CI) when the file is not there.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join(Dir(), name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("shared trace %s is missing (CI is set, so this fails rather than skips): %v", p, err)
		}
		tb.Skipf("shared trace %s not found: %v", p, err)
	}
	return p
}

// SkipUnderRace skips a slow test that runs on one goroutine (a replay
// checked against reference figures, a long randomised comparison) when
// the race detector is on: it finds nothing there and multiplies the time
// by five or more. make test runs the packages that have such tests again
// without it, so CI still runs them.
func SkipUnderRace(tb testing.TB) {
	tb.Helper()
	if Race {
		tb.Skip("single-goroutine and slow: run without -race (make test does)")
	}
}
