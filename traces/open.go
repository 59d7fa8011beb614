package traces

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Options says how to read a trace file.
type Options struct {
	// Format is the trace format ("text", "csv", "lirs"); "" detects it from the name.
	Format string
	// Line holds the column layout and parsing options of line-based formats;
	// its Delimiter applies to CSV only (default ','), text splits on whitespace.
	Line LineOptions
}

// Formats lists the trace formats Open understands.
var Formats = []string{"text", "csv", "lirs"}

// File is an open trace: a Reader plus the file to close.
type File struct {
	Reader
	closers []io.Closer
}

// Close closes the decompressor and the file.
func (f *File) Close() error {
	var first error
	for i := len(f.closers) - 1; i >= 0; i-- {
		if err := f.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Fields reports the optional fields the underlying reader fills.
func (f *File) Fields() Fields {
	if d, ok := f.Reader.(Describer); ok {
		return d.Fields()
	}
	return Fields{Time: true, Size: true, TTL: true, Op: true}
}

// Skipped returns how many malformed records were skipped.
func (f *File) Skipped() int {
	if s, ok := f.Reader.(Skipper); ok {
		return s.Skipped()
	}
	return 0
}

// Open opens a trace file, decompressing it when its first bytes say it is
// compressed (gzip), and returns a streaming reader for its format.
func Open(path string, opt Options) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open trace: %w", err)
	}
	f := &File{closers: []io.Closer{fh}}
	br := bufio.NewReaderSize(fh, 1<<16)
	var r io.Reader = br
	magic, _ := br.Peek(4)
	name := path
	if bytes.HasPrefix(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: looks gzip-compressed but cannot be read: %w", path, err)
		}
		f.closers = append(f.closers, gz)
		r = gz
		name = strings.TrimSuffix(path, filepath.Ext(path))
	}
	format := opt.Format
	if format == "" {
		format = DetectFormat(name)
	}
	lo := opt.Line
	switch format {
	case "text":
		lo.Delimiter = 0
	case "lirs":
		lo.Delimiter, lo.SkipStars = 0, true
	case "csv":
		if lo.Delimiter == 0 {
			lo.Delimiter = ','
		}
	default:
		f.Close()
		return nil, fmt.Errorf("unknown trace format %q (known: %s)", format, strings.Join(Formats, ", "))
	}
	lr, err := NewLineReader(path, r, lo)
	if err != nil {
		f.Close()
		return nil, err
	}
	f.Reader = lr
	return f, nil
}

// DetectFormat guesses a format from a file name (without any compression suffix).
func DetectFormat(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv"
	case ".trace", ".lirs":
		return "lirs"
	}
	return "text"
}

// Load reads a whole trace file into memory.
func Load(path string, opt Options) (t *Trace, skipped int, err error) {
	f, err := Open(path, opt)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	t, err = ReadAll(filepath.Base(path), f)
	if err != nil {
		return nil, 0, err
	}
	return t, f.Skipped(), nil
}
