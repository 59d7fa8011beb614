package traces

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// maxLine is the longest line a line-based reader accepts.
const maxLine = 1 << 20

// lineScanner yields the non-blank lines of a text trace without their line
// ends or surrounding spaces, counting line numbers for error messages. The
// returned slice is valid until the next call. It allocates nothing per line.
type lineScanner struct {
	name string
	br   *bufio.Reader
	line int // number of the line last returned
	// skipStars also skips lines that are "*" (the LIRS trace convention).
	skipStars bool
	// long says the line last reported was longer than maxLine: the next
	// call drops its rest (for a skipping reader) before reading on.
	long bool
	// err, once set, is returned by every later call: the rest of a long
	// line ran past maxDrop.
	err error
}

// maxDrop is how much of an over-long line a skipping reader drops before
// giving up on the file: no text trace has such a line (/dev/zero has one
// that never ends).
const maxDrop = 64 << 20

func newLineScanner(name string, r io.Reader) lineScanner {
	if r == nil {
		return lineScanner{name: name} // parses lines given to it, reads none
	}
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < maxLine {
		br = bufio.NewReaderSize(r, maxLine)
	}
	return lineScanner{name: name, br: br}
}

// next returns the next non-blank line, or io.EOF after the last one.
func (s *lineScanner) next() ([]byte, error) {
	if s.long {
		s.long = false
		s.dropLong()
	}
	if s.err != nil {
		return nil, s.err
	}
	for {
		line, err := s.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Report it now, at the limit: its rest is dropped only if
			// the reader goes on (skipping bad lines).
			s.line++
			s.long = true
			return nil, s.errorf(0, "line longer than 1 MiB; is this really a text trace?")
		}
		if len(line) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, readError(fmt.Sprintf("%s: line %d", s.name, s.line+1), err)
		}
		s.line++
		if s.line == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || (s.skipStars && len(line) == 1 && line[0] == '*') {
			continue
		}
		return line, nil
	}
}

// dropLong drops the rest of the over-long line last reported, up to
// maxDrop bytes; past that it sets s.err.
func (s *lineScanner) dropLong() {
	dropped := 0
	for {
		rest, err := s.br.ReadSlice('\n')
		dropped += len(rest)
		switch {
		case err == bufio.ErrBufferFull && dropped > maxDrop:
			s.err = fmt.Errorf("%s:%d: a line longer than %d MiB; this is no text trace", s.name, s.line, maxDrop>>20)
			return
		case err == bufio.ErrBufferFull:
			continue
		case err != nil && err != io.EOF:
			s.err = readError(fmt.Sprintf("%s: line %d", s.name, s.line), err)
		}
		return
	}
}

// errorf returns a ParseError for the current line and the given 1-based column (0: none).
func (s *lineScanner) errorf(col int, format string, args ...any) *ParseError {
	return &ParseError{File: s.name, Line: s.line, Column: col, Err: fmt.Errorf(format, args...)}
}

// badRecords implements SkipBad for every reader: with skip set, a malformed
// record is counted and dropped; otherwise its error is returned.
type badRecords struct {
	skip    bool
	skipped int
}

// Skipped returns how many malformed records were skipped.
func (b *badRecords) Skipped() int { return b.skipped }

// handle returns nil when err is to be skipped (and counts it), else err.
// A record the key filter dropped (errDropped) is skipped uncounted.
func (b *badRecords) handle(err error) error {
	if err == errDropped {
		return nil
	}
	if err == nil || !b.skip {
		return err
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		b.skipped++
		return nil
	}
	return err
}

// recordScanner yields fixed-size binary records straight out of its own
// buffer, tracking the byte offset of each for error messages.
type recordScanner struct {
	name     string
	r        io.Reader
	buf      []byte
	pos, end int
	off      int64 // file offset of buf[pos]
	eof      bool
}

func newRecordScanner(name string, r io.Reader) recordScanner {
	return recordScanner{name: name, r: r, buf: make([]byte, 1<<18)}
}

// next returns the next n-byte record (valid until the next call), io.EOF
// at a clean end, or a ParseError for a truncated last record.
func (s *recordScanner) next(n int) ([]byte, error) {
	if s.end-s.pos < n {
		if err := s.fill(n); err != nil {
			return nil, err
		}
	}
	rec := s.buf[s.pos : s.pos+n]
	s.pos += n
	s.off += int64(n)
	return rec, nil
}

// peek is next without consuming the record.
func (s *recordScanner) peek(n int) ([]byte, error) {
	if s.end-s.pos < n {
		if err := s.fill(n); err != nil {
			return nil, err
		}
	}
	return s.buf[s.pos : s.pos+n], nil
}

// offset returns the byte offset of the record last returned, given its size.
func (s *recordScanner) offset(n int) int64 { return s.off - int64(n) }

func (s *recordScanner) fill(n int) error {
	copy(s.buf, s.buf[s.pos:s.end])
	s.end -= s.pos
	s.pos = 0
	for s.end < n && !s.eof {
		m, err := s.r.Read(s.buf[s.end:])
		s.end += m
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			return readError(fmt.Sprintf("%s: byte offset %d", s.name, s.off+int64(s.end-s.pos)), err)
		}
	}
	if s.end >= n {
		return nil
	}
	if s.end == 0 {
		return io.EOF
	}
	left := s.end
	s.pos, s.end = 0, 0 // a skipping reader sees a clean end next time
	return &ParseError{File: s.name, Offset: s.off, Err: fmt.Errorf("truncated record: %d bytes left, expected a whole %d-byte record", left, n)}
}

// le and be are short names for the byte orders of the binary formats.
var (
	le = binary.LittleEndian
	be = binary.BigEndian
)

// wrap returns err as a ParseError for the current line and the given column.
func (s *lineScanner) wrap(col int, err error) *ParseError {
	return &ParseError{File: s.name, Line: s.line, Column: col, Err: err}
}

// readError describes a failed read at where; a compressed stream that ends
// early is said to be truncated.
func readError(where string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: the compressed data ends early (truncated file?): %w", where, err)
	}
	if errors.Is(err, zstd.ErrWindowSizeExceeded) {
		return fmt.Errorf("%s: %w: the file was compressed with a window over 2 GiB (zstd --long=32 or more); recompress it with zstd --long=31 or less", where, err)
	}
	return fmt.Errorf("%s: %w", where, err)
}
