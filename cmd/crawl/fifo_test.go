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

// refuseWithin is how long a refusal may take: a binary that opens a named pipe nobody writes
// waits for ever, so the bound only has to be longer than a start on a loaded machine.
const refuseWithin = 10 * time.Second

// crawlOrStop runs the binary and says how long it took to end on its own. If it has not ended
// after refuseWithin, the test fails and the binary gets one SIGTERM and three seconds more, as
// systemd or docker would give, and then is killed.
func crawlOrStop(t *testing.T, args ...string) (result, time.Duration) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(refuseWithin):
		t.Errorf("crawl %v still running after %s: it waits on the pipe", args, refuseWithin)
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err = <-done:
		case <-time.After(3 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("crawl %v ignored SIGTERM for 3 s\n%s", args, errb.String())
		}
	}
	took := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return result{code, out.String(), errb.String()}, took
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
			r, took := crawlOrStop(t, tc.args...)
			t.Logf("refused in %s", took.Round(time.Millisecond))
			msg := strings.TrimSpace(r.stderr)
			if tc.args[0] == "--url" && r.code == 1 {
				// a crawl's last line is its summary, also when it stopped before crawling
				last := strings.LastIndexByte(msg, '\n')
				if last < 0 || !strings.HasPrefix(msg[last+1:], "newsmill: 0 pages fetched") {
					t.Errorf("the last line is not the summary:\n%s", r.stderr)
				}
				msg = msg[:max(last, 0)]
			}
			says := strings.Contains(msg, "named pipe") || strings.Contains(msg, "character device")
			if r.code != tc.code || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "not a regular file") || !says {
				t.Errorf("exit %d (want %d), stderr:\n%s", r.code, tc.code, r.stderr)
			}
		})
	}
}

// A pipe is a fair --urls-from (`--urls-from <(grep … list)`), but a named pipe nobody writes
// must not hold the run, deaf to SIGTERM, until a writer comes.
func TestURLsFromANamedPipeWithoutAWriterEndsAtOnce(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "urls")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	r, took := crawlOrStop(t, "--urls-from", fifo)
	t.Logf("ended in %s", took.Round(time.Millisecond))
	if r.code != 2 || !strings.Contains(r.stderr, "no URL") {
		t.Errorf("exit %d after %s (want 2, no URL in it), stderr:\n%s", r.code, took.Round(time.Millisecond), r.stderr)
	}
}
