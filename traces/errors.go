package traces

import (
	"fmt"
	"io"
)

var errEOF = io.EOF

// ParseError reports a malformed record, in the manner of encoding/csv.ParseError:
// the file, the line (or the byte offset of a binary record), the column when
// known, and what was expected.
type ParseError struct {
	File   string // file name as given by the user
	Line   int    // 1-based line number; 0 for binary formats
	Offset int64  // byte offset of the record, for binary formats
	Column int    // 1-based column; 0 when not applicable
	Err    error  // what was wrong
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d: column %d: %v", e.File, e.Line, e.Column, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	default:
		return fmt.Sprintf("%s: byte offset %d: %v", e.File, e.Offset, e.Err)
	}
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Skipper is implemented by readers that can skip malformed records
// (Options.SkipBad) and count them.
type Skipper interface {
	Skipped() int
}

// Filterer is implemented by readers of logs that drop well-formed records
// which are not cache operations (failed or non-GET HTTP requests, Redis
// commands other than reads, writes and deletes), and count them.
type Filterer interface {
	Filtered() int
}
