package traces

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// drain reads every request of r; it fails the test on an error.
func drain(t *testing.T, r trace.Reader) []trace.Request {
	t.Helper()
	var out []trace.Request
	for {
		var req trace.Request
		err := r.Read(&req)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("after %d requests: %v", len(out), err)
		}
		out = append(out, req)
	}
}

// firstError reads r until its first error and returns it (nil at a clean end).
func firstError(r trace.Reader) error {
	var req trace.Request
	for {
		if err := r.Read(&req); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// wantParseError checks that err is a ParseError at line (or, for binary
// formats with line 0, at offset) whose message contains what.
func wantParseError(t *testing.T, err error, line int, offset int64, what string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a *ParseError", err)
	}
	if pe.Line != line || (line == 0 && pe.Offset != offset) {
		t.Errorf("error %q at line %d offset %d, want line %d offset %d", err, pe.Line, pe.Offset, line, offset)
	}
	if !strings.Contains(err.Error(), what) || !strings.Contains(err.Error(), "in.test") {
		t.Errorf("error %q does not name the file and say %q", err, what)
	}
}

// compare checks got against want field by field.
func compare(t *testing.T, got, want []trace.Request) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d requests, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
