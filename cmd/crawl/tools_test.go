package main_test

// stats, export, forget and health: the real binary on a store filled by a real crawl.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

// filled crawls a generated site into a fresh store and returns the config, the site and the
// records the crawl wrote.
func filled(t *testing.T, n int) (string, *sitegen.Site, []record) {
	t.Helper()
	site := sitegen.New(n)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL+"/, "+srv.URL+"/category/emnews.html")
	if r := crawl(t, "--config", cfg); r.code != 0 {
		t.Fatalf("crawl: exit %d\n%s", r.code, r.stderr)
	} else if strings.Contains(r.stderr, "\r") {
		t.Errorf("progress drawn on a pipe:\n%q", r.stderr)
	}
	return cfg, site, readDir(t, filepath.Join(dir, "out"))
}

func TestStatsCountsIDsBySourceAndDayAndShowsTheLastRun(t *testing.T) {
	cfg, site, _ := filled(t, 12)
	r := crawl(t, "stats", "--config", cfg)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	n := len(site.IDs())
	today := time.Now().UTC().Format("2006-01-02")
	for _, want := range []string{
		fmt.Sprintf("ids       %d\n", n),
		fmt.Sprintf("  finews  %d\n", n),
		fmt.Sprintf("  %s  finews  %d\n", today, n),
		fmt.Sprintf("%d new records", n), // the last run's summary line
		"finews.db", " bytes",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stats lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestExportReEmitsTheStoredRecordsExactlyAsWritten(t *testing.T) {
	cfg, _, written := filled(t, 12)
	r := crawl(t, "export", "--config", cfg, "--since", time.Now().UTC().Format("2006-01-02"))
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	out, _ := os.ReadFile(filepath.Join(filepath.Dir(cfg), "out", "newsmill-"+time.Now().UTC().Format("2006-01-02")+".jsonl"))
	got := parseJSONL(t, r.stdout)
	if len(got) != len(written) || strings.Join(ids(got), ",") != strings.Join(ids(written), ",") {
		t.Fatalf("exported %d records, want the %d written", len(got), len(written))
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.Contains(string(out), line+"\n") {
			t.Errorf("exported line differs from the written one: %.120s", line)
		}
	}
	if !strings.Contains(r.stderr, fmt.Sprintf("%d records", len(written))) {
		t.Errorf("stderr: %q", r.stderr)
	}
	// a window that ended before the crawl holds nothing
	r = crawl(t, "export", "--config", cfg, "--since", "2020-01-01", "--until", "2020-01-02T00:00:00Z")
	if r.code != 0 || r.stdout != "" {
		t.Errorf("export of an empty window: exit %d, %d bytes", r.code, len(r.stdout))
	}
	for _, bad := range [][]string{{"--since", "yesterday"}, {"--since", "2024-02-01", "--until", "2024-01-01"}, {"--db", "x.db"}} {
		if r := crawl(t, append([]string{"export", "--config", cfg}, bad...)...); r.code != 2 {
			t.Errorf("export %v: exit %d, want 2\n%s", bad, r.code, r.stderr)
		}
	}
}

func TestForgetMakesTheNextCrawlEmitTheIDAgain(t *testing.T) {
	cfg, site, written := filled(t, 9)
	victim := written[0].ID
	r := crawl(t, "forget", "--config", cfg, "--id", victim, "--id", "NW000")
	if r.code != 0 || strings.TrimSpace(r.stdout) != victim || !strings.Contains(r.stderr, "1 ids forgotten") {
		t.Fatalf("forget: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	again := crawl(t, "--config", cfg)
	if again.code != 0 || !strings.Contains(again.lastStderrLine(), " 1 new records") {
		t.Fatalf("crawl after forget: exit %d, %s", again.code, again.lastStderrLine())
	}
	recs := readDir(t, filepath.Join(filepath.Dir(cfg), "out"))
	if len(recs) != len(site.IDs())+1 || recs[len(recs)-1].ID != victim {
		t.Errorf("after forget and a crawl: %d records, ids %v; want %d with %s again at the end", len(recs), ids(recs), len(site.IDs())+1, victim)
	}
}

func TestForgetBeforeTomorrowEmptiesTheStore(t *testing.T) {
	cfg, site, _ := filled(t, 6)
	tomorrow := time.Now().UTC().Add(24 * time.Hour).Format("2006-01-02")
	r := crawl(t, "forget", "--config", cfg, "--before", tomorrow)
	if r.code != 0 || len(strings.Fields(r.stdout)) != len(site.IDs()) {
		t.Fatalf("forget --before: exit %d, forgot %q\n%s", r.code, r.stdout, r.stderr)
	}
	if r := crawl(t, "stats", "--config", cfg); !strings.Contains(r.stdout, "ids       0\n") {
		t.Errorf("stats after forgetting everything:\n%s", r.stdout)
	}
	if r := crawl(t, "forget", "--config", cfg); r.code != 2 {
		t.Errorf("forget with nothing to forget named: exit %d, want 2", r.code)
	}
}

func TestStoreToolsWaitForAServePassThenRefuseNamingItOrRunWhenItEnds(t *testing.T) {
	site := sitegen.New(30)
	// serve's start-up pass, and so its hold on the store, is held after its third request
	// until the test lets it go on (or serve, stopping, cancels the request).
	const before = 3
	var asked atomic.Int64
	release := make(chan struct{})
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asked.Add(1) > before {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer letGo()
	dir := t.TempDir()
	s := startServe(t, writeServeConfig(t, dir, srv.URL+"/, "+srv.URL+"/category/emnews.html", ""))
	defer s.stop(t, 10*time.Second)
	for deadline := time.Now().Add(30 * time.Second); asked.Load() <= before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the pass asked for %d pages in 30s, want it held mid-pass after %d:\n%s", asked.Load(), before, s.stderr)
		}
	}
	db := filepath.Join(dir, "data", "finews.db")
	start := time.Now()
	r := crawl(t, "stats", "--db", db, "--lock-timeout", "300ms")
	if r.code != 1 || !strings.Contains(r.stderr, "in use by another process") || !strings.Contains(r.stderr, "serve --config") {
		t.Fatalf("stats during a pass: exit %d\n%s", r.code, r.stderr)
	}
	if time.Since(start) < 250*time.Millisecond {
		t.Errorf("gave up before the lock timeout")
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("the refusal should be one line:\n%s", r.stderr)
	}
	// With time to wait, the tool runs as soon as the pass lets go of the store.
	letGo()
	r = crawl(t, "export", "--db", db, "--lock-timeout", "60s")
	if r.code != 0 || len(parseJSONL(t, r.stdout)) != len(site.IDs()) {
		t.Errorf("export waiting out the pass: exit %d, %d of %d records\n%s", r.code, len(parseJSONL(t, r.stdout)), len(site.IDs()), r.stderr)
	}
}

func TestHealthAsksServesHealthz(t *testing.T) {
	dir := t.TempDir()
	srv := httptest.NewServer(sitegen.New(3))
	defer srv.Close()
	s := startServe(t, writeServeConfig(t, dir, srv.URL+"/", ""))
	if r := crawl(t, "health", "--addr", s.addr); r.code != 0 || strings.TrimSpace(r.stdout) != "ok" {
		t.Errorf("health of a running serve: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	s.stop(t, 10*time.Second)
	if r := crawl(t, "health", "--addr", s.addr, "--timeout", "1s"); r.code != 1 || !strings.Contains(r.stderr, "unhealthy") {
		t.Errorf("health of a stopped serve: exit %d %s", r.code, r.stderr)
	}
}
