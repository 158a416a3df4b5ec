//go:build unix

package main_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crawlOrStop runs the binary; if it has not ended after a second, it gets one SIGTERM and three
// seconds more, as systemd or docker would give, and then is killed and the test fails.
func crawlOrStop(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Second):
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err = <-done:
		case <-time.After(3 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("crawl %v ignored SIGTERM for 3 s\n%s", args, errb.String())
		}
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return result{code, out.String(), errb.String()}
}

func TestANamedPipeAsStoreConfigOrURLIsRefusedAtOnceWithOneLine(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	page := filepath.Join(dir, "p.html")
	os.WriteFile(page, []byte("<html><body><p>x</p></body></html>"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"store", []string{"--url", page, "--db", fifo}, 1},
		{"stats store", []string{"stats", "--db", fifo}, 1},
		{"config", []string{"--config", fifo}, 2},
		{"url path", []string{"--url", fifo}, 2},
		{"file url", []string{"--url", "file://" + fifo}, 2},
		{"device", []string{"--url", "/dev/zero"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := crawlOrStop(t, tc.args...)
			if time.Since(start) > time.Second {
				t.Errorf("took %s to refuse", time.Since(start).Round(time.Millisecond))
			}
			msg := strings.TrimSpace(r.stderr)
			if r.code != tc.code || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "not a regular file") {
				t.Errorf("exit %d (want %d), stderr:\n%s", r.code, tc.code, r.stderr)
			}
		})
	}
}
