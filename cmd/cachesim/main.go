// Command cachesim sizes caches: it replays request traces or synthetic
// workloads through eviction policies and reports hit-ratio curves, the size
// past which more memory buys little, and what the cache saves.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"runtime/pprof"
)

func main() {
	defer finish(os.Stderr, os.Exit)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if path := os.Getenv("CACHESIM_CPUPROFILE"); path != "" {
		stopProfile := startProfile(path)
		defer stopProfile()
	}
	if path := os.Getenv("CACHESIM_MEMPROFILE"); path != "" {
		defer writeHeapProfile(path)
	}
	ctx, stop := withSignals(os.Stderr, os.Exit)
	stdout := &checkedWriter{w: os.Stdout}
	root := newRootCmd()
	root.SetOut(stdout)
	err := root.ExecuteContext(ctx)
	if err != nil && ctx.Err() != nil {
		select {} // interrupted: the signal handler cleans up and exits
	}
	stop()
	runCleanups()
	if err == nil || (stdout.err != nil && errors.Is(err, stdout.err)) {
		err = stdout.check()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cachesim:", err)
		exit = 1
	}
}

// gcPercent is the collector's target (GOGC) unless the environment sets
// one. The simulator's heap is mostly big tables without pointers, so a
// collection costs little, while memory the runtime takes fresh from the
// kernel costs a page fault every 4 KiB (about 11 µs each on the bench
// machine, a VM): collecting at half the live heap rather than all of it
// lets the caches a sweep builds one after another reuse what the last
// ones freed. The oltp sweep (54 caches): 1.11 -> 1.01 s and 60 -> 50 MiB,
// page faults 11,000 -> 7,500; mrc and the replays unchanged.
const gcPercent = 50

// exit is the process's exit status, set by main before it returns (so
// that deferred work, such as a profile, still runs).
var exit int

// finish, deferred by main, exits with the status main set. If main is
// panicking instead, it prints the panic and its stack to stderr, runs the
// cleanups (temporaries removed, servers restored) and exits 2, as an
// uncaught panic would: an os.Exit deferred without it would turn every
// panic into a silent exit 0.
func finish(stderr io.Writer, exitWith func(int)) {
	if r := recover(); r != nil {
		fmt.Fprintf(stderr, "cachesim: internal error (please report it): panic: %v\n\n%s", r, debug.Stack())
		runCleanups()
		exit = 2
	}
	exitWith(exit)
}

// checkedWriter is standard output for the commands: it remembers the
// first write error (a full disk, a closed descriptor), which main reports
// when the command ends, however the command wrote (tables ignore the
// errors of their writes).
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// check returns the first write error, worded for the user.
func (c *checkedWriter) check() error {
	if c.err == nil {
		return nil
	}
	err := c.err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // "write /dev/stdout: …" says nothing more
	}
	return fmt.Errorf("writing standard output: %w", err)
}

// startProfile writes a CPU profile of the run to path (for developers:
// CACHESIM_CPUPROFILE=cpu.out cachesim …; go tool pprof cpu.out) and
// returns what stops it.
func startProfile(path string) func() {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cachesim: CPU profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "cachesim: CPU profile:", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// writeHeapProfile writes a heap profile of what is live at the end of the
// run to path (for developers: CACHESIM_MEMPROFILE=mem.out cachesim …;
// go tool pprof -sample_index=inuse_space mem.out).
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cachesim: heap profile:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "cachesim: heap profile:", err)
	}
}
