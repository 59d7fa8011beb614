package traces

import (
	"fmt"
	"io"
	"math"

	"github.com/cachesim/cachesim/traces/trace"
)

// oracleRecord is the size of one oracleGeneral record.
const oracleRecord = 24

// OracleReader reads libCacheSim's oracleGeneral binary traces: packed
// little-endian 24-byte records uint32 time_s, uint64 obj_id, uint32
// obj_size, int64 next_access_vtime. Records with obj_size 0 are skipped, as
// libCacheSim does.
type OracleReader struct {
	sc    recordScanner
	next  int64
	start origin // the first timestamp
	badRecords
}

// NewOracleReader returns a reader of oracleGeneral records from r; name is
// used in error messages.
func NewOracleReader(name string, r io.Reader, opt Options) *OracleReader {
	return &OracleReader{sc: newRecordScanner(name, r), badRecords: badRecords{skip: opt.SkipBad}}
}

// Fields reports that oracleGeneral carries times and sizes.
func (o *OracleReader) Fields() trace.Fields { return trace.Fields{Time: true, Size: true} }

// NextAccess returns the next_access_vtime stored in the record last read:
// the 1-based index of the next request for the same object, or -1.
func (o *OracleReader) NextAccess() int64 { return o.next }

// Read fills r with the next request.
func (o *OracleReader) Read(r *trace.Request) error {
	for {
		rec, err := o.sc.next(oracleRecord)
		if err != nil {
			if err = o.handle(err); err != nil {
				return err
			}
			continue
		}
		size := le.Uint32(rec[12:])
		if size == 0 {
			continue
		}
		t := int64(le.Uint32(rec))
		*r = trace.Request{Time: o.start.since(t) * 1e9, Key: le.Uint64(rec[4:]), Size: size}
		o.next = int64(le.Uint64(rec[16:]))
		return nil
	}
}

// ReadBatch fills b with the next requests (see trace.BatchReader): the
// records whole in the buffer are decoded in one loop, without a call
// each; the rest (refills, errors, skipping) go through Read.
func (o *OracleReader) ReadBatch(b []trace.Request) (int, error) {
	sc, n := &o.sc, 0
	for n < len(b) {
		if sc.end-sc.pos < oracleRecord {
			if n > 0 {
				break // the next call refills
			}
			if err := o.Read(&b[0]); err != nil {
				return 0, err
			}
			n = 1
			continue
		}
		pos := sc.pos
		for n < len(b) && sc.end-pos >= oracleRecord {
			rec := sc.buf[pos : pos+oracleRecord]
			pos += oracleRecord
			size := le.Uint32(rec[12:])
			if size == 0 {
				continue
			}
			b[n] = trace.Request{Time: o.start.since(int64(le.Uint32(rec))) * 1e9, Key: le.Uint64(rec[4:]), Size: size}
			o.next = int64(le.Uint64(rec[16:]))
			n++
		}
		sc.off += int64(pos - sc.pos)
		sc.pos = pos
	}
	return n, nil
}

// VSCSI record sizes and the version numbers in the high byte of their ver field.
const (
	vscsi1Record = 32
	vscsi2Record = 40
)

// maxVSCSITime is the latest VSCSI timestamp (in microseconds) whose time in
// nanoseconds fits an int64; later ones are errors, not times that wrap.
const maxVSCSITime = math.MaxInt64 / 1000

// VSCSIReader reads VMware VSCSI block traces, version 1 (32-byte records)
// or 2 (40-byte records), told apart by the version byte of the first
// record. The logical block number is the key, the length the size, and the
// SCSI command the operation (writes are sets, everything else a get).
type VSCSIReader struct {
	sc      recordScanner
	version int
	start   origin // the first timestamp
	badRecords
}

// NewVSCSIReader returns a reader of VSCSI records from r; name is used in
// error messages.
func NewVSCSIReader(name string, r io.Reader, opt Options) *VSCSIReader {
	return &VSCSIReader{sc: newRecordScanner(name, r), badRecords: badRecords{skip: opt.SkipBad}}
}

// Fields reports that VSCSI carries times, sizes and operations.
func (v *VSCSIReader) Fields() trace.Fields { return trace.Fields{Time: true, Size: true, Op: true} }

// vscsiVersion returns the version of a record that starts with b (at
// least 32 bytes), or 0 when it is neither v1 nor v2.
func vscsiVersion(b []byte) int {
	switch {
	case b[15] == 1 && b[14] == 0: // v1: ver (0x0100) at bytes 14-15
		return 1
	case b[3] == 2: // v2: ver at bytes 2-3
		return 2
	}
	return 0
}

// Read fills r with the next request.
func (v *VSCSIReader) Read(r *trace.Request) error {
	for {
		err := v.read(r)
		if err == nil {
			return nil
		}
		if err = v.handle(err); err != nil {
			return err
		}
	}
}

func (v *VSCSIReader) read(r *trace.Request) error {
	if v.version == 0 {
		head, err := v.sc.peek(vscsi1Record)
		if err != nil {
			return err
		}
		if v.version = vscsiVersion(head); v.version == 0 {
			v.sc.next(vscsi1Record) // a skipping reader moves on
			return &ParseError{File: v.sc.name, Offset: 0, Err: fmt.Errorf("not a VSCSI trace: no version 1 or 2 in the first record's ver field (bytes % x)", head[:16])}
		}
	}
	n := vscsi1Record
	if v.version == 2 {
		n = vscsi2Record
	}
	rec, err := v.sc.next(n)
	if err != nil {
		return err
	}
	if got := vscsiVersion(rec); got != v.version {
		return &ParseError{File: v.sc.name, Offset: v.sc.offset(n), Err: fmt.Errorf("expected a VSCSI version %d record, found version byte %d", v.version, got)}
	}
	var cmd uint16
	*r = trace.Request{}
	if v.version == 1 {
		cmd = le.Uint16(rec[12:])
		r.Size = le.Uint32(rec[4:])
	} else {
		cmd = le.Uint16(rec[0:])
		r.Size = le.Uint32(rec[8:])
	}
	r.Key = le.Uint64(rec[16:])
	t := le.Uint64(rec[24:])
	if t > maxVSCSITime {
		return &ParseError{File: v.sc.name, Offset: v.sc.offset(n), Err: fmt.Errorf("timestamp %d µs is past 2^63 ns, the latest time a request can have (a corrupt record?)", t)}
	}
	r.Time = v.start.since(int64(t)) * 1e3 // microseconds
	if scsiWrite(uint8(cmd)) {
		r.Op = trace.OpWrite
	}
	return nil
}

// scsiWrite reports whether a SCSI opcode is a WRITE(6/10/12/16).
func scsiWrite(op uint8) bool { return op == 0x0a || op == 0x2a || op == 0xaa || op == 0x8a }

// Cache2kReader reads cache2k traces: a stream of big-endian int32 keys.
// They carry no sizes: every request has Options.DefaultSize (1 byte
// unless set).
type Cache2kReader struct {
	sc   recordScanner
	size uint32
	badRecords
}

// NewCache2kReader returns a reader of cache2k keys from r; name is used in
// error messages.
func NewCache2kReader(name string, r io.Reader, opt Options) *Cache2kReader {
	return &Cache2kReader{sc: newRecordScanner(name, r), size: defaultSize(opt.DefaultSize), badRecords: badRecords{skip: opt.SkipBad}}
}

// Fields reports that cache2k traces carry keys only (and sizes when the
// default size is not 1).
func (c *Cache2kReader) Fields() trace.Fields { return trace.Fields{Size: c.size != 1} }

// Notes says when every request took a default size other than 1.
func (c *Cache2kReader) Notes() []Note { return unsizedNotes(c.size) }

// Read fills r with the next request.
func (c *Cache2kReader) Read(r *trace.Request) error {
	for {
		rec, err := c.sc.next(4)
		if err != nil {
			if err = c.handle(err); err != nil {
				return err
			}
			continue
		}
		*r = trace.Request{Key: uint64(int64(int32(be.Uint32(rec)))), Size: c.size}
		return nil
	}
}
