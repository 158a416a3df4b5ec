package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/newsmill/newsmill/internal/redact"
)

// The lock lives in a sibling file, <store>.holder, which also names the holder. bbolt's own
// flock is on the store file, so deleting or replacing the store would let a second process
// open a fresh store beside a running one; the sibling's lock stays with its name. A lock file
// that was removed (by the holder's Close) between our open and our flock is opened again, so
// two processes never hold locks on two different files of the same name.

// holderPath is the lock file, which names the process that holds the store.
func holderPath(path string) string { return path + ".holder" }

// lockPollEvery is how often a waiting process retries the lock.
const lockPollEvery = 25 * time.Millisecond

// acquire takes the store's lock file: exclusive for a writer, shared for readers, waiting up
// to timeout. A reader that cannot create the lock file (a read-only folder) goes on without it;
// bbolt's lock on the store file still excludes writers.
func acquire(ctx context.Context, path string, exclusive bool, timeout time.Duration) (*os.File, error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	deadline := time.Now().Add(timeout)
	for {
		f, err := os.OpenFile(holderPath(path), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil && !exclusive {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("open store %s: lock: %w", path, err)
		}
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			if same(f, holderPath(path)) {
				return f, nil
			}
			f.Close() // the holder removed it as we opened it: lock the new one
			continue
		}
		f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("open store %s: lock: %w", path, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("open store %s: %w (%s) after waiting %s", path, ErrLocked, readHolder(path), timeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(lockPollEvery):
		}
	}
}

// same reports whether the open file f is the one at path now.
func same(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// writeHolder names this process in the lock file. The command line's URLs are redacted: a
// password given in --url is no business of whoever reads the holder.
func writeHolder(f *os.File) {
	host, _ := os.Hostname()
	msg := fmt.Sprintf("pid %d on %s since %s, %s", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339), strings.Join(redact.Strings(os.Args), " "))
	_ = f.Chmod(0o600) // a lock file left by an older binary was 0644
	if f.Truncate(0) == nil {
		_, _ = f.WriteAt([]byte(msg), 0)
	}
}

func readHolder(path string) string {
	b, err := os.ReadFile(holderPath(path))
	if err != nil || len(b) == 0 {
		return "holder unknown"
	}
	return "held by " + strings.TrimSpace(string(b))
}

// identity is what the store file was when opened: checked before every transaction, so a
// store deleted, replaced or cut short under a running process stops it instead of letting it
// write into a file nobody will open again (or fault on pages that are gone).
type identity struct {
	dev, ino uint64
	size     int64
}

func identify(path string) (identity, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return identity{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return identity{size: fi.Size()}, nil
	}
	return identity{dev: uint64(st.Dev), ino: st.Ino, size: fi.Size()}, nil
}

// checkFile compares the store's path with the file opened. bbolt only ever grows its file, so
// a smaller one was truncated by someone else.
func (s *Store) checkFile() error {
	if s.temp {
		return nil
	}
	now, err := identify(s.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("store %s: %w: deleted", s.path, ErrMoved)
	case err != nil:
		return fmt.Errorf("store %s: %w", s.path, err)
	case now.dev != s.id.dev || now.ino != s.id.ino:
		return fmt.Errorf("store %s: %w: replaced by another file", s.path, ErrMoved)
	case now.size < s.size.Load():
		return fmt.Errorf("store %s: %w: cut from %d to %d bytes", s.path, ErrMoved, s.size.Load(), now.size)
	}
	for old := s.size.Load(); now.size > old && !s.size.CompareAndSwap(old, now.size); old = s.size.Load() {
	}
	return nil
}
