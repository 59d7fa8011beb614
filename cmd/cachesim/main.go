// Command cachesim sizes caches: it replays request traces or synthetic
// workloads through eviction policies and reports hit-ratio curves, the size
// past which more memory buys little, and what the cache saves.
package main

import (
	"fmt"
	"os"
)

func main() {
	ctx, stop := withSignals(os.Stderr, os.Exit)
	err := newRootCmd().ExecuteContext(ctx)
	if err != nil && ctx.Err() != nil {
		select {} // interrupted: the signal handler cleans up and exits
	}
	stop()
	runCleanups()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cachesim:", err)
		os.Exit(1)
	}
}
