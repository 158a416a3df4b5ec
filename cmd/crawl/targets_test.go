package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A bare path is a local target only when it exists; one that is there but no regular file or
// folder is named for what it is, so the two mistakes read differently.
func TestABarePathIsMissingOrNotARegularFileEachInItsOwnWords(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	post := filepath.Join(dir, "post.md")
	if err := os.WriteFile(post, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing"), "is neither an http(s) URL nor an existing file"},
		{fifo, "is a named pipe (FIFO)"},
	} {
		_, err := parseTargets([]arg{{value: c.path, where: "--url"}})
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a usage error saying %q", c.path, err, c.want)
		}
	}
	for _, p := range []string{dir, post} {
		got, err := parseTargets([]arg{{value: p, where: "--url"}})
		if err != nil || len(got) != 1 || got[0].local != p {
			t.Errorf("%s: targets %+v, err %v; want the path read from disk", p, got, err)
		}
	}
}
