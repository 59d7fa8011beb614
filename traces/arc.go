package traces

import (
	"io"
	"math"

	"github.com/cachesim/cachesim/traces/trace"
)

// MaxARCCount is the most requests one ARC line may expand to: real traces
// have runs of a few hundred blocks, and a corrupt count must not stream on
// for ever.
const MaxARCCount = 1 << 20

// ARCReader reads the traces of the ARC paper (Megiddo and Modha, FAST'03):
// lines "start count ignore ignore", each expanding to count requests for
// the consecutive keys start … start+count-1 (count at most MaxARCCount).
// Only the first two fields are used. ARC traces carry no sizes: every
// request has Options.DefaultSize (1 byte unless set).
type ARCReader struct {
	sc     lineScanner
	key    uint64 // next key of the current line
	left   uint64 // requests of the current line still to come
	fields [2][]byte
	size   uint32 // every request's: the default size
	badRecords
}

// NewARCReader returns a reader of ARC trace lines from r; name is used in
// error messages.
func NewARCReader(name string, r io.Reader, opt Options) *ARCReader {
	return &ARCReader{sc: newLineScanner(name, r), size: defaultSize(opt.DefaultSize), badRecords: badRecords{skip: opt.SkipBad}}
}

// Fields reports that ARC traces carry keys only (and sizes when the
// default size is not 1).
func (a *ARCReader) Fields() trace.Fields { return trace.Fields{Size: a.size != 1} }

// Notes says when every request took a default size other than 1.
func (a *ARCReader) Notes() []Note { return unsizedNotes(a.size) }

// Read fills r with the next request.
func (a *ARCReader) Read(r *trace.Request) error {
	for a.left == 0 {
		line, err := a.sc.next()
		if err == nil {
			err = a.parse(line)
		}
		if err = a.handle(err); err != nil {
			return err
		}
	}
	*r = trace.Request{Key: a.key, Size: a.size}
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
	if count > MaxARCCount {
		return a.sc.errorf(2, "block count %d: expected at most %d blocks in one line", count, MaxARCCount)
	}
	if count > 0 && start > math.MaxUint64-(count-1) {
		return a.sc.errorf(2, "blocks %d + %d run past the largest block number, 2^64-1", start, count)
	}
	a.key, a.left = start, count
	return nil
}
