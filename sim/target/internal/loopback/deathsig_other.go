//go:build !linux

package loopback

import "os/exec"

// dieWithParent does nothing where the kernel has no parent-death signal;
// cachesim's own signal handling still stops the server.
func dieWithParent(*exec.Cmd) {}
