package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Files is a set of output files written together: each is first written
// to a temporary file beside its destination (synced to disk), and only
// when every one has been written does Commit rename them all into place,
// so a run that fails, or is interrupted, changes none of its outputs.
// A destination that exists keeps its permissions. Abort (safe to call
// after Commit, and from a signal handler) removes the temporaries.
//
// Only a regular file is ever replaced. A symbolic link is followed: its
// final target is written atomically (the temporary beside the target,
// renamed in the target's directory) and the link stays a link, as a
// program writing through it would leave it. A destination that exists
// and is not a regular file (a device such as /dev/null or /dev/stdout, a
// named pipe, a socket) is written straight through when it is added:
// such a stream cannot be replaced, and cannot be taken back either.
type Files struct {
	mu     sync.Mutex
	staged []stagedFile
}

// stagedFile is a temporary to be renamed over dest; path is the name the
// caller gave (dest is path with its symbolic links followed).
type stagedFile struct{ tmp, dest, path string }

// maxLinks bounds the symbolic links followed from one destination, as
// the kernel's own limit (40 on Linux) does.
const maxLinks = 40

// destination follows path's symbolic links, if any, to the name that is
// written (the target need not exist yet), and returns it with its file
// information (nil if nothing exists there).
func destination(path string) (string, fs.FileInfo, error) {
	for range maxLinks {
		st, err := os.Lstat(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return path, nil, nil
			}
			return "", nil, unwrapPath(err)
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			return path, st, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", nil, unwrapPath(err)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", nil, fmt.Errorf("more than %d symbolic links", maxLinks)
}

// Check fails unless path can be written: its directory exists and a file
// can be created there, and path is not a directory; a device or other
// non-regular file must be open for writing (a named pipe is not opened,
// which would wait for a reader). Commands check every destination before
// any work.
func Check(path string) error {
	dest, st, err := destination(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	switch {
	case st == nil || st.Mode().IsRegular():
	case st.IsDir():
		return fmt.Errorf("cannot write %s: it is a directory", path)
	case st.Mode()&fs.ModeNamedPipe != 0:
		return nil
	default:
		f, err := os.OpenFile(dest, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
		}
		f.Close()
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".check*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
	}
	tmp.Close()
	os.Remove(tmp.Name())
	return nil
}

// unwrapPath drops the temporary file's name from a *fs.PathError.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Add writes path's content with write to a temporary file, to be renamed
// over path (or the file its symbolic links lead to) by Commit; a
// non-regular file is written now, straight through (see Files).
func (f *Files) Add(path string, write func(io.Writer) error) (err error) {
	dest, st, err := destination(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if st != nil && !st.Mode().IsRegular() && !st.IsDir() {
		return writeThrough(path, dest, write)
	}
	// Created and recorded under the lock, so that an Abort from a signal
	// handler cannot run between the two and miss the temporary.
	f.mu.Lock()
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp*")
	if err != nil {
		f.mu.Unlock()
		return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
	}
	f.staged = append(f.staged, stagedFile{tmp: tmp.Name(), dest: dest, path: path})
	f.mu.Unlock()
	defer func() {
		if err != nil {
			tmp.Close()
			f.remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	mode := fs.FileMode(0o644)
	if st != nil {
		mode = st.Mode().Perm()
	}
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeThrough writes to an existing non-regular file, such as a device or
// a named pipe, in place: opened for writing only (truncation means nothing
// to a stream), never replaced.
func writeThrough(path, dest string, write func(io.Writer) error) error {
	out, err := os.OpenFile(dest, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
	}
	if err := write(out); err != nil {
		out.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// remove deletes a temporary and forgets it.
func (f *Files) remove(tmp string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	os.Remove(tmp)
	for i, s := range f.staged {
		if s.tmp == tmp {
			f.staged = append(f.staged[:i], f.staged[i+1:]...)
			return
		}
	}
}

// Commit renames every staged file into place.
func (f *Files) Commit() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.staged) > 0 {
		s := f.staged[0]
		if err := os.Rename(s.tmp, s.dest); err != nil {
			return fmt.Errorf("writing %s: %w", s.path, err)
		}
		f.staged = f.staged[1:]
	}
	return nil
}

// Abort removes the temporaries not yet committed.
func (f *Files) Abort() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.staged {
		os.Remove(s.tmp)
	}
	f.staged = nil
}

// WriteFile writes one file atomically (see Files).
func WriteFile(path string, write func(io.Writer) error) error {
	var f Files
	defer f.Abort()
	if err := f.Add(path, write); err != nil {
		return err
	}
	return f.Commit()
}
