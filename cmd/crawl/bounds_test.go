package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValuesThatWouldCrashTheRunExitTwoBeforeAnythingIsFetched(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(cfg, []byte("store: ./s.db\noutput: ./out\nsources:\n  - name: x\n    seeds: [http://127.0.0.1:1/]\n    parallelism: 9223372036854775807\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--config", cfg}, {"serve", "--config", cfg}} {
		r := crawl(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "line 6: sources[0].parallelism") {
			t.Errorf("crawl %v: exit %d, want 2 naming line 6 and the key\n%s", args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "s.db")); err == nil {
		t.Error("a refused config must not create the store")
	}
}

func TestANegativeLockTimeoutFlagExitsTwo(t *testing.T) {
	r := crawl(t, "--url", "http://127.0.0.1:1/", "--db", filepath.Join(t.TempDir(), "s.db"), "--lock-timeout", "-5s")
	if r.code != 2 || !strings.Contains(r.stderr, "--lock-timeout") {
		t.Fatalf("exit %d, want 2 naming the flag\n%s", r.code, r.stderr)
	}
}
