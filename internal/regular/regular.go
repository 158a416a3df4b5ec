// Package regular refuses paths that are not regular files before anything opens them.
package regular

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Check returns the stat error of path (fs.ErrNotExist for a missing one), or ErrNotRegular
// naming path and what it is instead. It stats, never opens: opening a named pipe waits for a
// writer.
func Check(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return checkMode(path, info.Mode())
}

func checkMode(path string, m fs.FileMode) error {
	if m.IsRegular() {
		return nil
	}
	return fmt.Errorf("%s is %s, %w", path, Kind(m), ErrNotRegular)
}

// Kind names a file mode's type for an error message.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m.IsRegular():
		return "a regular file"
	}
	return "not a regular file"
}

// ReadFile reads a regular file of at most limit bytes (no limit when limit <= 0). The file is
// opened without blocking and checked again once open, so a pipe swapped in after Check cannot
// hang the read either.
func ReadFile(path string, limit int64) ([]byte, error) {
	if err := Check(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkMode(path, info.Mode()); err != nil {
		return nil, err
	}
	if limit > 0 && info.Size() > limit {
		return nil, fmt.Errorf("%s: %w: %d bytes, over the limit of %d", path, ErrTooLarge, info.Size(), limit)
	}
	r := io.Reader(f)
	if limit > 0 {
		r = io.LimitReader(f, limit+1)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if limit > 0 && int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %w: over the limit of %d bytes", path, ErrTooLarge, limit)
	}
	return b, nil
}

// NotRegular reports whether path exists and is something other than a regular file (a
// device, a pipe, a directory), with its mode for the caller's error. A missing path, or one
// that cannot be stat'ed, is not reported: creating or opening it says what is wrong.
func NotRegular(path string) (fs.FileMode, bool) {
	info, err := os.Stat(path)
	if err != nil || info.Mode().IsRegular() {
		return 0, false
	}
	return info.Mode(), true
}
