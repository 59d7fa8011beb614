package traces

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// maxZstdWindow is the largest zstd window accepted: 2 GiB, the most the
// zstd tool writes (zstd --long=31); the decoder allocates it only when a
// frame needs it.
const maxZstdWindow = 1 << 31

// compression is one way a file may be compressed, recognised by its first bytes.
type compression struct {
	name  string
	magic []byte
	ext   string
	open  func(io.Reader) (io.ReadCloser, error)
}

var compressions = []compression{
	{"gzip", []byte{0x1f, 0x8b}, ".gz", func(r io.Reader) (io.ReadCloser, error) { return gzip.NewReader(r) }},
	{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}, ".zst", func(r io.Reader) (io.ReadCloser, error) {
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	}},
	{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, ".xz", func(r io.Reader) (io.ReadCloser, error) {
		x, err := xz.NewReader(r)
		return io.NopCloser(x), err
	}},
	{"bzip2", []byte("BZh"), ".bz2", func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(bzip2.NewReader(r)), nil }},
}

// decompress returns a reader of the decompressed contents of br when its
// first bytes say it is compressed (gzip, zstd, xz or bzip2), and the name
// without the compression's extension; otherwise br itself and name. It
// reports whether it decompresses.
func decompress(name string, br *bufio.Reader) (io.ReadCloser, string, bool, error) {
	magic, _ := br.Peek(6)
	for _, c := range compressions {
		if !bytes.HasPrefix(magic, c.magic) {
			continue
		}
		rc, err := c.open(br)
		if err != nil {
			return nil, "", false, fmt.Errorf("%s: looks %s-compressed but cannot be read: %w", name, c.name, err)
		}
		for _, ext := range []string{c.ext, ".zstd", ".gzip"} {
			if strings.EqualFold(filepath.Ext(name), ext) {
				name = strings.TrimSuffix(name, filepath.Ext(name))
				break
			}
		}
		return rc, name, true, nil
	}
	return io.NopCloser(br), name, false, nil
}

// NewCompressor returns a writer that compresses into w as the name's
// extension says (.zst: zstd, .gz: gzip), or passes through for any other
// name. Close flushes it (it does not close w).
func NewCompressor(w io.Writer, name string) (io.WriteCloser, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".zst", ".zstd":
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
	case ".gz":
		return gzip.NewWriter(w), nil
	}
	return nopWriteCloser{w}, nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
