// Package loopback finds free loopback ports and waits for servers on them;
// shared by the target package and its test helpers.
package loopback

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WaitListening waits until addr accepts connections, for at most d.
func WaitListening(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Server is a server process started by Start.
type Server struct {
	// Addr is the host:port it listens on.
	Addr   string
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start runs bin with the arguments args gives for a free port on
// 127.0.0.1 (its output to out, which may be nil) and waits until it
// listens there. A server that exits at once (the port was taken between
// choosing it and binding) is retried on another port, up to three times.
func Start(bin string, args func(port string) []string, out io.Writer) (*Server, error) {
	var last error
	for try := 0; try < 3; try++ {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		p := strconv.Itoa(port)
		cmd := exec.Command(bin, args(p)...)
		cmd.Stdout, cmd.Stderr = out, out
		dieWithParent(cmd)
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		s := &Server{Addr: net.JoinHostPort("127.0.0.1", p), cmd: cmd, exited: make(chan struct{})}
		go func() { cmd.Wait(); close(s.exited) }()
		last = WaitListening(s.Addr, 10*time.Second)
		select {
		case <-s.exited: // whoever listens there, it is not ours
			last = fmt.Errorf("%s exited at once", bin)
		case <-time.After(50 * time.Millisecond):
			if last == nil {
				return s, nil
			}
			s.Stop()
		}
	}
	return nil, last
}

// Stop kills the server and waits for it to end.
func (s *Server) Stop() {
	s.cmd.Process.Kill()
	<-s.exited
}

// MemcachedMemoryArgs are memcached's arguments for a memory limit of mb MiB. Below
// 2 MiB the item size limit (1 MiB by default) must come down to half the
// memory, or memcached refuses to start.
func MemcachedMemoryArgs(mb int64) []string {
	args := []string{"-m", strconv.FormatInt(mb, 10)}
	if mb < 2 {
		args = append(args, "-I", strconv.FormatInt(max(mb, 1)*512, 10)+"k")
	}
	return args
}
