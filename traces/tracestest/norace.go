//go:build !race

package tracestest

// Race reports whether the tests run under the race detector.
const Race = false
