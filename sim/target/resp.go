package target

import (
	"bufio"
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

// skip consumes one reply, reporting whether it was a null; error replies
// come back as serverError.
func (c *respConn) skip() (null bool, err error) {
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
		n, err := strconv.Atoi(string(l[1:])) // no allocation: the compiler converts in place
		if err != nil {
			return false, fmt.Errorf("malformed reply %q", l)
		}
		if n < 0 {
			return true, nil
		}
		if l[0] == '$' {
			_, err = c.r.Discard(n + 2)
			return false, err
		}
		for ; n > 0; n-- {
			if _, err := c.skip(); err != nil {
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

func (c *respConn) reply() (any, error) {
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
		n, err := strconv.Atoi(string(l[1:]))
		if err != nil {
			return nil, fmt.Errorf("malformed reply %q", l)
		}
		if n < 0 {
			return nil, nil
		}
		if l[0] == '$' {
			b := make([]byte, n+2)
			if _, err := io.ReadFull(c.r, b); err != nil {
				return nil, err
			}
			return string(b[:n]), nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = c.reply(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q: not a Redis server?", l)
}
