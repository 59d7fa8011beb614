package target

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// respConn is a minimal RESP2 client: pipelined GET/SET/DEL without an
// allocation per command for the replay, and do() for the few control
// commands (AUTH, SELECT, CONFIG, INFO, DBSIZE, FLUSHDB).
type respConn struct {
	c       net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	scratch []byte // a command header being written
	num     []byte // a key or number argument being written
}

var argEX = []byte("EX")

// serverError is an error reply ("-ERR …") from Redis.
type serverError string

func (e serverError) Error() string { return string(e) }

func newRESP(c net.Conn) *respConn {
	return &respConn{c: c, r: bufio.NewReaderSize(c, 64<<10), w: bufio.NewWriterSize(c, 64<<10), scratch: make([]byte, 0, 32), num: make([]byte, 0, 24)}
}

// header writes an array header and the command name.
func (c *respConn) header(n int, name string) {
	c.scratch = append(c.scratch[:0], '*')
	c.scratch = strconv.AppendInt(c.scratch, int64(n), 10)
	c.scratch = append(c.scratch, "\r\n$"...)
	c.scratch = strconv.AppendInt(c.scratch, int64(len(name)), 10)
	c.scratch = append(c.scratch, "\r\n"...)
	c.scratch = append(c.scratch, name...)
	c.scratch = append(c.scratch, "\r\n"...)
	c.w.Write(c.scratch)
}

// bulk writes one bulk string argument.
func (c *respConn) bulk(b []byte) {
	c.scratch = append(c.scratch[:0], '$')
	c.scratch = strconv.AppendInt(c.scratch, int64(len(b)), 10)
	c.scratch = append(c.scratch, "\r\n"...)
	c.w.Write(c.scratch)
	c.w.Write(b)
	c.w.WriteString("\r\n")
}

// key writes a key argument.
func (c *respConn) key(k uint64) {
	c.num = appendKey(c.num[:0], k)
	c.bulk(c.num)
}

func (c *respConn) get(k uint64) { c.header(2, "GET"); c.key(k) }
func (c *respConn) del(k uint64) { c.header(2, "DEL"); c.key(k) }

func (c *respConn) expire(k uint64, ttl uint32) {
	if ttl == 0 {
		c.header(2, "PERSIST")
		c.key(k)
		return
	}
	c.header(3, "EXPIRE")
	c.key(k)
	c.num = strconv.AppendUint(c.num[:0], uint64(ttl), 10)
	c.bulk(c.num)
}

func (c *respConn) set(k uint64, value []byte, ttl uint32) {
	if ttl == 0 {
		c.header(3, "SET")
	} else {
		c.header(5, "SET")
	}
	c.key(k)
	c.bulk(value)
	if ttl > 0 {
		c.bulk(argEX)
		c.num = strconv.AppendUint(c.num[:0], uint64(ttl), 10)
		c.bulk(c.num)
	}
}

func (c *respConn) flush() error                  { return c.w.Flush() }
func (c *respConn) setDeadline(t time.Time) error { return c.c.SetDeadline(t) }
func (c *respConn) close() error                  { return c.c.Close() }

// line reads one reply line without its CRLF; the slice is valid until the next read.
func (c *respConn) line() ([]byte, error) {
	b, err := c.r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("reply line longer than %d bytes: not a Redis server?", c.r.Size())
		}
		return nil, err
	}
	if len(b) < 3 || b[len(b)-2] != '\r' {
		return nil, fmt.Errorf("malformed reply %q: not a Redis server?", b)
	}
	return b[:len(b)-2], nil
}

// Limits on what a reply may declare, so that a server that is not Redis
// (or a corrupt stream) cannot make the client allocate, or wait for,
// absurd amounts: Redis itself refuses bulk strings over 512 MiB
// (proto-max-bulk-len), no reply the client reads has anywhere near a
// million elements, and none nests deeper than a few levels.
const (
	maxBulkLen  = 512 << 20
	maxArrayLen = 1 << 20
	maxDepth    = 8
)

// length parses the declared length of a bulk string or array reply line
// l ("$n" or "*n"): -1 for a null, an error if it is malformed or over the
// limits.
func length(l []byte, depth int) (int, error) {
	n, err := strconv.Atoi(string(l[1:])) // no allocation: the compiler converts in place
	if err != nil || n < -1 {
		return 0, fmt.Errorf("malformed reply %q: not a Redis server?", l)
	}
	if l[0] == '$' && n > maxBulkLen {
		return 0, fmt.Errorf("reply declares a string of %d bytes, over Redis's limit of %d: not a Redis server?", n, maxBulkLen)
	}
	if l[0] == '*' && n > maxArrayLen {
		return 0, fmt.Errorf("reply declares an array of %d elements, over %d: not a Redis server?", n, maxArrayLen)
	}
	if l[0] == '*' && depth >= maxDepth {
		return 0, fmt.Errorf("reply nests arrays more than %d deep: not a Redis server?", maxDepth)
	}
	return n, nil
}

// skip consumes one reply, reporting whether it was a null; error replies
// come back as serverError.
func (c *respConn) skip() (null bool, err error) { return c.skipAt(0) }

// skipAt is skip for a reply nested depth arrays deep.
func (c *respConn) skipAt(depth int) (null bool, err error) {
	l, err := c.line()
	if err != nil {
		return false, err
	}
	switch l[0] {
	case '+', ':':
		return false, nil
	case '-':
		return false, serverError(l[1:])
	case '$', '*':
		n, err := length(l, depth)
		if err != nil {
			return false, err
		}
		if n < 0 {
			return true, nil
		}
		if l[0] == '$' {
			_, err = c.r.Discard(n + 2)
			return false, err
		}
		for ; n > 0; n-- {
			if _, err := c.skipAt(depth + 1); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("unexpected reply %q: not a Redis server?", l)
}

func (c *respConn) readGet() (bool, error) {
	null, err := c.skip()
	return !null && err == nil, err
}

func (c *respConn) readSet() (bool, error) {
	_, err := c.skip()
	if err == nil {
		return true, nil
	}
	if se, ok := err.(serverError); ok && strings.HasPrefix(string(se), "OOM") {
		return false, nil // the value does not fit even after evicting
	}
	return false, err
}

func (c *respConn) readDel() error { _, err := c.skip(); return err }

func (c *respConn) readExpire() error { _, err := c.skip(); return err }

// do sends one command and returns its reply: a string (simple or bulk),
// an int64, nil, or a []any; an error reply is a serverError.
func (c *respConn) do(args ...string) (any, error) {
	c.c.SetDeadline(time.Now().Add(dialTimeout))
	c.header(len(args), args[0])
	for _, a := range args[1:] {
		c.bulk([]byte(a))
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	return c.reply()
}

func (c *respConn) reply() (any, error) { return c.replyAt(0) }

// replyAt is reply for a reply nested depth arrays deep. Memory grows with
// the bytes and elements that actually arrive, never with what a reply
// declares.
func (c *respConn) replyAt(depth int) (any, error) {
	l, err := c.line()
	if err != nil {
		return nil, err
	}
	switch l[0] {
	case '+':
		return string(l[1:]), nil
	case '-':
		return nil, serverError(l[1:])
	case ':':
		return strconv.ParseInt(string(l[1:]), 10, 64)
	case '$', '*':
		n, err := length(l, depth)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		if l[0] == '$' {
			var b bytes.Buffer
			if _, err := io.CopyN(&b, c.r, int64(n)+2); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return nil, err
			}
			return string(b.Bytes()[:n]), nil
		}
		out := make([]any, 0, min(n, 64))
		for ; n > 0; n-- {
			v, err := c.replyAt(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q: not a Redis server?", l)
}
