package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"sync"
	"syscall"
)

// cleanups are what must happen if the process is interrupted: temporary
// files removed, a server's settings restored, a spawned server stopped.
// Each runs at most once, whether from the interrupt or from the normal
// path (see onInterrupt).
var cleanups struct {
	mu   sync.Mutex
	next int
	fns  map[int]func()
}

// onInterrupt registers f to run if the process is interrupted (SIGINT,
// SIGTERM, SIGHUP) before release is called. The returned release runs f now if
// run is true, and forgets it either way; f runs at most once.
func onInterrupt(f func()) (release func(run bool)) {
	var once sync.Once
	g := func() { once.Do(f) }
	cleanups.mu.Lock()
	if cleanups.fns == nil {
		cleanups.fns = map[int]func(){}
	}
	id := cleanups.next
	cleanups.next++
	cleanups.fns[id] = g
	cleanups.mu.Unlock()
	return func(run bool) {
		cleanups.mu.Lock()
		delete(cleanups.fns, id)
		cleanups.mu.Unlock()
		if run {
			g()
		}
	}
}

// runCleanups runs every registered cleanup, newest first, and forgets
// them. main runs them at the end of every run too, so that what a failed
// command staged is removed.
func runCleanups() {
	cleanups.mu.Lock()
	ids := make([]int, 0, len(cleanups.fns))
	for id := range cleanups.fns {
		ids = append(ids, id)
	}
	fns := cleanups.fns
	cleanups.fns = nil
	cleanups.mu.Unlock()
	sort.Sort(sort.Reverse(sort.IntSlice(ids)))
	for _, id := range ids {
		fns[id]()
	}
}

// exitCode is the conventional exit status after a signal: 128 + its number.
func exitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// withSignals returns a context cancelled on SIGINT, SIGTERM or SIGHUP (the
// terminal closed, an SSH session dropped). On a signal the context is
// cancelled, the cleanups run (temporaries removed, servers restored and
// stopped) and the process exits with 128 + the signal's number: 130 for
// Ctrl-C, 143 for SIGTERM, 129 for SIGHUP.
func withSignals(stderr io.Writer, exit func(int)) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig, ok := <-ch
		if !ok {
			return
		}
		fmt.Fprintf(stderr, "\ncachesim: %s: stopping\n", sig)
		cancel()
		runCleanups()
		exit(exitCode(sig))
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel()
	}
}
