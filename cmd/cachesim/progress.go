package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is a progress bar on a terminal, or nothing.
type progress struct{ bar *progressbar.ProgressBar }

// longWork is the number of request replays past which a sweep shows progress.
const longWork = 20_000_000

// newProgress shows a bar of total steps on w when w is a terminal, the
// user did not ask for quiet, and the work (steps × requests) is long.
func newProgress(w io.Writer, quiet bool, total int, perStep int64, what string) progress {
	if int64(total)*perStep < longWork {
		return progress{}
	}
	return newBar(w, quiet, total, what)
}

// newBar shows a bar of total steps on w when w is a terminal and the user
// did not ask for quiet, however short the work.
func newBar(w io.Writer, quiet bool, total int, what string) progress {
	f, ok := w.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return progress{}
	}
	return progress{progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
	)}
}

// Add advances the bar by one step.
func (p progress) Add() {
	if p.bar != nil {
		p.bar.Add(1)
	}
}

// AddN advances the bar by n steps (safe from several goroutines).
func (p progress) AddN(n int) {
	if p.bar != nil {
		p.bar.Add(n)
	}
}

// Finish clears the bar.
func (p progress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
