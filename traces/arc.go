package traces

import "io"

// ARCReader reads the traces of the ARC paper (Megiddo and Modha, FAST'03):
// lines "start count ignore ignore", each expanding to count requests for
// the consecutive keys start … start+count-1. Only the first two fields are
// used.
type ARCReader struct {
	sc     lineScanner
	key    uint64 // next key of the current line
	left   uint64 // requests of the current line still to come
	fields [2][]byte
	badRecords
}

// NewARCReader returns a reader of ARC trace lines from r; name is used in
// error messages.
func NewARCReader(name string, r io.Reader, opt Options) *ARCReader {
	return &ARCReader{sc: newLineScanner(name, r), badRecords: badRecords{skip: opt.SkipBad}}
}

// Fields reports that ARC traces carry keys only.
func (a *ARCReader) Fields() Fields { return Fields{} }

// Read fills r with the next request.
func (a *ARCReader) Read(r *Request) error {
	for a.left == 0 {
		line, err := a.sc.next()
		if err == nil {
			err = a.parse(line)
		}
		if err = a.handle(err); err != nil {
			return err
		}
	}
	*r = Request{Key: a.key, Size: 1}
	a.key++
	a.left--
	return nil
}

// parse sets the key range of one line.
func (a *ARCReader) parse(line []byte) error {
	if splitSpace(line, a.fields[:]) < 2 {
		return a.sc.errorf(0, "expected \"start count ignore ignore\", found %q", line)
	}
	start, ok := parseUint(a.fields[0])
	if !ok {
		return a.sc.errorf(1, "start block: expected a non-negative integer, got %q", a.fields[0])
	}
	count, ok := parseUint(a.fields[1])
	if !ok {
		return a.sc.errorf(2, "block count: expected a non-negative integer, got %q", a.fields[1])
	}
	a.key, a.left = start, count
	return nil
}
