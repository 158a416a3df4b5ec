package main_test

// What QA found where the features of issues 16–20 meet, each through the real binary.

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

func TestAnArchiveFlagNamingTheOutputFolderOrStoreIsRefusedAsTheConfigKeyIs(t *testing.T) {
	site := sitegen.New(2)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL+"/")
	for _, args := range [][]string{
		{"--config", cfg, "--archive", filepath.Join(dir, "out")},
		{"--config", cfg, "--archive", filepath.Join(dir, "data", "finews.db")},
		{"--url", srv.URL + site.Posts[0].Path, "--db", filepath.Join(dir, "u.db"), "--archive", filepath.Join(dir, "u.db")},
		{"--url", srv.URL + site.Posts[0].Path, "--out", filepath.Join(dir, "u.jsonl"), "--archive", filepath.Join(dir, "u.jsonl")},
	} {
		r := crawl(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "--archive") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("crawl %v: exit %d, want 2 and one line naming --archive\n%s", args, r.code, r.stderr)
		}
	}
	warcs, _ := filepath.Glob(filepath.Join(dir, "out", "*.warc.gz"))
	if len(warcs) != 0 {
		t.Errorf("WARC files were written into the output folder: %v", warcs)
	}
	if _, err := os.Stat(filepath.Join(dir, "u.db")); err == nil {
		t.Errorf("a refused run made its store")
	}
}

func TestExportRefusesFlagsItWouldSilentlyIgnore(t *testing.T) {
	site := sitegen.New(2)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	if r := crawl(t, "--url", srv.URL+site.Posts[0].Path, "--db", db, "--archive", filepath.Join(dir, "arch")); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"--clusters", "--raw"},
		{"--clusters", "--revisions", "all"},
		{"--raw", "--revisions", "all"},
	} {
		r := crawl(t, append([]string{"export", "--db", db, "--archive", filepath.Join(dir, "arch")}, args...)...)
		if r.code != 2 || r.stdout != "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("export %v: exit %d, %d bytes on stdout; want 2, nothing written, one line\n%s", args, r.code, len(r.stdout), r.stderr)
		}
	}
}

func TestAFullArchiveDiskIsOneErrorLineSayingItOnceThenTheSummary(t *testing.T) {
	site := sitegen.New(60)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	arch := filepath.Join(dir, "arch")
	os.Mkdir(arch, 0o755)
	if err := syscall.Mount("tmpfs", arch, "tmpfs", 0, "size=16k"); err != nil {
		t.Skipf("cannot mount a small tmpfs (%v)", err)
	}
	defer syscall.Unmount(arch, 0)
	cfg := writeConfig(t, dir, srv.URL+"/, "+srv.URL+"/category/emnews.html")
	r := crawl(t, "--config", cfg, "--archive", arch)
	var errLines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "crawl: ") {
			errLines = append(errLines, l)
		}
	}
	if r.code != 1 || len(errLines) != 1 || strings.Count(errLines[0], "no space left on device") != 1 || !strings.HasPrefix(r.lastStderrLine(), "newsmill: ") {
		t.Fatalf("exit %d, want 1 with one crawl: line naming the full disk once, the summary last\n%s", r.code, strings.Join(errLines, "\n"))
	}
}

func TestReextractFromAMissingArchiveFolderIsOneLineNotOneWarningPerID(t *testing.T) {
	site := sitegen.New(20)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeHistoryConfig(t, dir, srv.URL+"/", "")
	if r := crawl(t, "--config", cfg); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	file := filepath.Join(dir, "finews.yaml")
	for _, arch := range []string{filepath.Join(dir, "moved-away"), file} {
		r := crawl(t, "reextract", "--config", cfg, "--archive", arch)
		if r.code != 2 || !strings.Contains(r.stderr, arch) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("reextract --archive %s: exit %d, want 2 and one line naming it\n%s", arch, r.code, r.stderr)
		}
	}
}

func TestAWARCFileWithNoWholeRecordIsNamedAsSuchNotAsACutArchive(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string][]byte{
		"empty.warc.gz": nil,
		"junk.warc.gz":  []byte("<html>this is no gzip and no WARC, whatever its name says</html>\n"),
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		r := crawl(t, "--url", "file://"+p)
		var last string
		for _, l := range strings.Split(r.stderr, "\n") {
			if strings.HasPrefix(l, "crawl: ") {
				last = l
			}
		}
		if r.code != 3 || strings.Contains(r.stderr, "ends inside a record") || !strings.Contains(last, "holds no whole WARC record") || !strings.Contains(last, p) {
			t.Errorf("%s: exit %d; want 3 and a crawl: line saying the file holds no WARC record\n%s", name, r.code, r.stderr)
		}
	}
}

func TestExtractOfAnEmptyOrBinaryPageExitsThreeAsCrawlURLDashDoes(t *testing.T) {
	for name, in := range map[string]string{"empty": "", "binary": "<html>\x00\x00\x00<body>hi</body>"} {
		ex := crawlIn(t, in, "extract", "-")
		url := crawlIn(t, in, "--url", "-")
		if ex.code != 3 || url.code != 3 || strings.Contains(ex.stderr, "usage") {
			t.Errorf("%s stdin: extract exit %d, --url - exit %d; want 3 for both, no usage error\n%s", name, ex.code, url.code, ex.stderr)
		}
	}
}

func TestReextractStoppedBySIGINTSaysSoInWordsAndExits130(t *testing.T) {
	site := sitegen.New(1500)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeHistoryConfig(t, dir, srv.URL+"/, "+srv.URL+"/category/emnews.html", "    parallelism: 8\n")
	if r := crawl(t, "--config", cfg); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, dry := range []bool{false, true} {
		args := []string{"reextract", "--config", cfg}
		if dry {
			args = append(args, "--dry-run")
		}
		cmd := exec.Command(binary, args...)
		var errb strings.Builder
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // the re-extraction of 1,500 pages is under way
		cmd.Process.Signal(os.Interrupt)
		err := cmd.Wait()
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Skipf("reextract (dry run %v) finished before the signal", dry)
		}
		if ee.ExitCode() != 130 || strings.Contains(errb.String(), "context canceled") || !strings.Contains(errb.String(), "stopped by signal") {
			t.Errorf("dry run %v: exit %d; want 130 and a line saying it was stopped by a signal\n%s", dry, ee.ExitCode(), errb.String())
		}
	}
}
