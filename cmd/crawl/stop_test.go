package main_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// systemd and docker give a stopping service 60 s and 10 s; the binary must stop well inside
// that however the site behaves.
func TestSIGTERMStopsWithin3sDuringAHangingRobotsTxtOrALongDelay(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		hangRobots  bool
	}{
		{"robots.txt never answers", "    timeout: 1h\n", true},
		{"a delay of an hour between requests", "    delay: 1h\n    parallelism: 1\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			var asked atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked.Add(1)
				if r.URL.Path == "/robots.txt" {
					if tc.hangRobots {
						select {
						case <-release:
						case <-r.Context().Done():
						}
					}
					http.NotFound(w, r)
					return
				}
				fmt.Fprint(w, `<html><body><a href="/a/1">1</a><a href="/a/2">2</a></body></html>`)
			}))
			defer srv.Close()
			defer close(release)
			dir := t.TempDir()
			cfg := filepath.Join(dir, "c.yaml")
			body := fmt.Sprintf("store: ./s.db\noutput: ./out\nsources:\n  - name: s\n    seeds: [%s/]\n%s", srv.URL, tc.extra)
			if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(binary, "--config", cfg)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Signal once the run waits: on robots.txt, or in the delay after the listing.
			want := int64(2)
			if tc.hangRobots {
				want = 1
			}
			for deadline := time.Now().Add(10 * time.Second); asked.Load() < want; {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the site was never asked\n%s", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
			signalled := time.Now()
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if took := time.Since(signalled); took > 3*time.Second {
					t.Errorf("took %s to stop", took)
				}
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
					t.Errorf("exit %v, want 130\n%s", err, stderr.String())
				}
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 10 s after SIGTERM\n%s", stderr.String())
			}
		})
	}
}
