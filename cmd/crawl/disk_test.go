package main_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

func TestFullDiskExitsOneWithWholeLinesAndTheNextRunCompletesTheSet(t *testing.T) {
	site := sitegen.New(30)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	if err := syscall.Mount("tmpfs", out, "tmpfs", 0, "size=16k"); err != nil {
		t.Skipf("cannot mount a small tmpfs (%v); output's fault-injecting test covers short writes", err)
	}
	defer syscall.Unmount(out, 0)
	cfg := writeConfig(t, dir, srv.URL+"/, "+srv.URL+"/category/emnews.html")

	r := crawl(t, "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "no space left on device") || !strings.Contains(r.stderr, "output is not writable") {
		t.Fatalf("exit %d, want 1 naming the full disk\n%s", r.code, r.stderr)
	}
	// Whole lines only; a batch that did not fit was cut back whole, so this may be none.
	if written := readDir(t, out); len(written) >= len(site.IDs()) {
		t.Fatalf("all %d records fit in 16k: the disk never filled", len(written))
	}

	// Space is freed: what was committed to the store but not written is written now, once.
	if err := syscall.Mount("tmpfs", out, "tmpfs", syscall.MS_REMOUNT, "size=4m"); err != nil {
		t.Fatal(err)
	}
	if r := crawl(t, "--config", cfg); r.code != 0 {
		t.Fatalf("exit %d after space was freed\n%s", r.code, r.stderr)
	}
	checkExactlyOnce(t, out, site)
}
