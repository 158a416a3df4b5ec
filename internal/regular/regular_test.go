//go:build unix

package regular

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestOnlyARegularFileIsReadAndOnlyUpToTheLimit(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("12345"), 0o644)
	if b, err := ReadFile(file, 5); err != nil || string(b) != "12345" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	if _, err := ReadFile(file, 4); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), file) {
		t.Errorf("over the limit: %v", err)
	}
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for path, kind := range map[string]string{dir: "a directory", fifo: "a named pipe", "/dev/zero": "a character device"} {
		if _, err := ReadFile(path, 0); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), path+" is "+kind) {
			t.Errorf("%s: %v", path, err)
		}
	}
	if err := Check(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}
