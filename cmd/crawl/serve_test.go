package main_test

// serve: the real binary on a real store, a site and /metrics on 127.0.0.1.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

// serving is a running `crawl serve`.
type serving struct {
	cmd    *exec.Cmd
	addr   string // of /metrics, read from the "serving" log line
	stderr *strings.Builder
	lines  chan string
	done   chan error
	// drained is closed once every line serve wrote is in stderr.
	drained chan struct{}
}

func startServe(t *testing.T, cfg string) *serving {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--config", cfg)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serving{cmd: cmd, stderr: &strings.Builder{}, lines: make(chan string, 1024), done: make(chan error, 1), drained: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.After(10 * time.Second)
	for s.addr == "" {
		select {
		case line, ok := <-s.lines:
			if !ok {
				t.Fatalf("serve exited before listening:\n%s", s.stderr)
			}
			s.stderr.WriteString(line + "\n")
			var entry struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "serving" {
				s.addr = entry.Addr
			}
		case <-deadline:
			t.Fatalf("no \"serving\" line within 10s:\n%s", s.stderr)
		}
	}
	go func() { // keep draining so serve never blocks on a full pipe
		defer close(s.drained)
		for line := range s.lines {
			s.stderr.WriteString(line + "\n")
		}
	}()
	return s
}

func (s *serving) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric returns the value of one sample line of the exposition ("name{labels}"), -1 if absent.
func metric(body, sample string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// stop sends SIGTERM and returns the exit code, failing if serve takes longer than bound.
func (s *serving) stop(t *testing.T, bound time.Duration) int {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		<-s.drained // the last lines ("stopped") may still be on their way to stderr
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(bound):
		t.Fatalf("serve still running %v after SIGTERM", bound)
		return -1
	}
}

func writeServeConfig(t *testing.T, dir, seed, extra string) string {
	t.Helper()
	cfg := filepath.Join(dir, "serve.yaml")
	// The schedule is once a year: the pass under test is the start-up one, and no tick comes
	// during the test to make the counts move.
	body := fmt.Sprintf("store: ./data/finews.db\noutput: ./out\nlisten: 127.0.0.1:0\nrun_on_start: true\n%ssources:\n  - name: finews\n    seeds: [%s]\n    allowed_hosts: [127.0.0.1]\n    schedule: \"0 0 1 1 *\"\n", extra, seed)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestServeRunsAPassAtStartAndItsMetricsCountTheRecordsWritten(t *testing.T) {
	site := sitegen.New(24)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeServeConfig(t, dir, srv.URL+"/, "+srv.URL+"/category/emnews.html", "lock_timeout: 300ms\n")
	s := startServe(t, cfg)

	var body string
	deadline := time.Now().Add(30 * time.Second)
	for metric(body, `newsmill_passes_total{result="ok",source="finews"}`) < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("no ok pass within 30s\nmetrics:\n%s\nlog:\n%s", body, s.stderr)
		}
		time.Sleep(100 * time.Millisecond)
		_, body = s.get(t, "/metrics")
	}
	n := float64(len(site.IDs()))
	if got := metric(body, `newsmill_records_written_total{source="finews"}`); got != n {
		t.Errorf("records written = %v, want the site's %v ids", got, n)
	}
	if got := metric(body, `newsmill_store_ids`); got != n {
		t.Errorf("store ids = %v, want %v", got, n)
	}
	if got := metric(body, `newsmill_pages_fetched_total{code="200",source="finews"}`); got < n {
		t.Errorf("pages fetched with 200 = %v, want at least the %v articles", got, n)
	}
	if got := metric(body, `newsmill_duplicates_total{source="finews"}`); got < 1 {
		t.Errorf("duplicates = %v: the site's media articles have rolling-news twins", got)
	}
	if got := metric(body, `newsmill_fetch_duration_seconds_count{source="finews"}`); got < n {
		t.Errorf("latency histogram saw %v fetches", got)
	}
	if got := metric(body, `newsmill_last_success_timestamp_seconds{source="finews"}`); got < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last success = %v, not just now", got)
	}
	if got := metric(body, `newsmill_store_size_bytes`); got <= 0 {
		t.Errorf("store size = %v", got)
	}
	if recs := readDir(t, filepath.Join(dir, "out")); len(recs) != len(site.IDs()) {
		t.Errorf("output has %d records, want %d", len(recs), len(site.IDs()))
	}
	if code, b := s.get(t, "/healthz"); code != 200 || strings.TrimSpace(b) != "ok" {
		t.Errorf("/healthz = %d %q", code, b)
	}

	if got := metric(body, `newsmill_build_info{goversion="`+runtime.Version()+`",revision="unknown",version="(devel)"}`); got != 1 {
		t.Errorf("build info of a test build = %v, want 1 with its version labels\n%s", got, body)
	}

	// Between passes serve holds nothing: the store tools work while it lives.
	if r := crawl(t, "stats", "--config", cfg); r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("ids       %d\n", len(site.IDs()))) {
		t.Errorf("stats while serve runs: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := crawl(t, "export", "--config", cfg); r.code != 0 || len(parseJSONL(t, r.stdout)) != len(site.IDs()) {
		t.Errorf("export while serve runs: exit %d, %d records\n%s", r.code, len(parseJSONL(t, r.stdout)), r.stderr)
	}
	if r := crawl(t, "forget", "--config", cfg, "--id", site.IDs()[0]); r.code != 0 || strings.TrimSpace(r.stdout) != site.IDs()[0] {
		t.Errorf("forget while serve runs: exit %d %q\n%s", r.code, r.stdout, r.stderr)
	}

	start := time.Now()
	if code := s.stop(t, 10*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0\n%s", code, s.stderr)
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(s.stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no \"stopped\" line:\n%s", s.stderr)
	}
	// stopped: the tools still work, and the id forgotten while serve ran stays forgotten
	if r := crawl(t, "stats", "--config", cfg); r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("ids       %d", len(site.IDs())-1)) {
		t.Errorf("stats after serve stopped: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestServeStopsMidPassOnSIGTERMAndKeepsWholeLines(t *testing.T) {
	site := sitegen.New(60)
	// After its first ten requests the pass is held: each later one waits until serve, stopping,
	// cancels it. The signal then lands mid-pass however slow the machine is.
	const before = 10
	var asked atomic.Int64
	release := make(chan struct{})
	held := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asked.Add(1) > before {
			select {
			case <-r.Context().Done():
				return
			case <-release:
			}
		}
		site.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(held)
	defer srv.Close()
	defer close(release) // before the server closes: it waits for its handlers
	dir := t.TempDir()
	s := startServe(t, writeServeConfig(t, dir, srv.URL+"/", ""))
	for deadline := time.Now().Add(30 * time.Second); asked.Load() <= before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the pass asked for %d pages in 30s, want more than %d before the signal\n%s", asked.Load(), before, s.stderr)
		}
	}
	if code := s.stop(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM mid-pass, want 0\n%s", code, s.stderr)
	}
	recs := readDir(t, filepath.Join(dir, "out")) // fails on a torn last line
	if len(recs) >= len(site.IDs()) {
		t.Errorf("the pass was not stopped: %d of %d records", len(recs), len(site.IDs()))
	}
	if !strings.Contains(s.stderr.String(), `"result":"interrupted"`) {
		t.Errorf("pass not reported as interrupted:\n%s", s.stderr)
	}
}

// A schedule may keep serve quiet for hours; its first log lines say when each source runs, in
// the zone the schedule is read in.
func TestServeSaysWhenEachSourceRunsFirstInItsSchedulesZone(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("store: s.db\noutput: out\nlisten: 127.0.0.1:0\ntimezone: Asia/Shanghai\nsources:\n"+
		"  - name: a\n    seeds: [http://127.0.0.1:1/]\n    schedule: \"0 0 1 1 *\"\n"+
		"  - name: b\n    seeds: [http://127.0.0.1:1/b]\n    schedule: \"CRON_TZ=America/New_York 0 0 1 1 *\"\n"), 0o644)
	s := startServe(t, cfg)
	if code := s.stop(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, s.stderr)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	newYork, _ := time.LoadLocation("America/New_York")
	for _, want := range []string{
		fmt.Sprintf(`"msg":"scheduled","source":"a","schedule":"0 0 1 1 *","next":"%d-01-01T00:00:00+08:00"`, time.Now().In(shanghai).Year()+1),
		fmt.Sprintf(`"msg":"scheduled","source":"b","schedule":"CRON_TZ=America/New_York 0 0 1 1 *","next":"%d-01-01T00:00:00-05:00"`, time.Now().In(newYork).Year()+1),
	} {
		if !strings.Contains(s.stderr.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, s.stderr)
		}
	}
}

func TestServeRefusesASourceWithoutASchedule(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("store: s.db\noutput: out\nsources:\n  - name: a\n    seeds: [http://127.0.0.1:1/]\n"), 0o644)
	r := crawl(t, "serve", "--config", cfg)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"c.yaml", "line 4", "sources[0].schedule"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("error lacks %q: %s", want, r.stderr)
		}
	}
}

func TestServeOnAnAddressInUseExitsOne(t *testing.T) {
	busy := httptest.NewServer(http.NotFoundHandler())
	defer busy.Close()
	dir := t.TempDir()
	cfg := writeServeConfig(t, dir, "http://127.0.0.1:1/", "")
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(b), "127.0.0.1:0", strings.TrimPrefix(busy.URL, "http://"), 1)), 0o644)
	r := crawl(t, "serve", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "cannot serve metrics") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}
