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
type Files struct {
	mu     sync.Mutex
	staged []stagedFile
}

type stagedFile struct{ tmp, path string }

// Check fails unless path can be written: its directory exists and a file
// can be created there, and path is not a directory. Commands check every
// destination before any work.
func Check(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("cannot write %s: it is a directory", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".check*")
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
// over path by Commit.
func (f *Files) Add(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
	}
	f.mu.Lock()
	f.staged = append(f.staged, stagedFile{tmp: tmp.Name(), path: path})
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
	if st, err := os.Stat(path); err == nil {
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
		if err := os.Rename(s.tmp, s.path); err != nil {
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
