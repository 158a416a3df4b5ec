package main

// The run lifecycle in this process (recover, sink, sources, validators, summary), so that the
// race detector sees the joins between the stages: a sitegen site or a faulting server on
// loopback, a real store, real output files.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errb})
	return result{code, out.String(), errb.String()}
}

func writeConfig(t *testing.T, dir, store, out string, sources ...string) string {
	t.Helper()
	body := fmt.Sprintf("store: %s\noutput: %s\nsources:\n%s", store, out, strings.Join(sources, ""))
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func source(name string, depth int, seeds ...string) string {
	return fmt.Sprintf("  - name: %s\n    seeds: [%s]\n    allowed_hosts: [127.0.0.1]\n    max_depth: %d\n", name, strings.Join(seeds, ", "), depth)
}

// lines reads every JSONL file of dir, failing on a partial line.
func lines(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			t.Fatalf("%s ends in a partial line", f)
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}

func idsIn(ls []string) []string {
	var out []string
	for _, l := range ls {
		if i := strings.Index(l, `"id":"`); i >= 0 {
			rest := l[i+6:]
			out = append(out, rest[:strings.IndexByte(rest, '"')])
		}
	}
	sort.Strings(out)
	return out
}

func TestTwoSourcesStoreEachRecordUnderItsOwnSource(t *testing.T) {
	site := sitegen.New(24)
	srv := httptest.NewServer(site)
	defer srv.Close()
	media := ""
	for _, p := range site.Posts {
		if p.Category != "emnews" {
			media = p.Category
			break
		}
	}
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "s.db", "out",
		source("media", 2, srv.URL+"/category/"+media+".html"),
		source("rolling", 2, srv.URL+"/category/emnews.html"))
	if r := run(t, "--config", cfg); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	want := map[string]string{}
	for _, p := range site.Posts {
		if p.Category == media {
			want[p.ID] = "media"
		}
	}
	for _, p := range site.Posts {
		if want[p.ID] == "" && p.Category == "emnews" {
			want[p.ID] = "rolling"
		}
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.db"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := map[string]string{}
	st.ForEach(context.Background(), func(id string, e store.Entry) error { got[id] = e.Source; return nil })
	for id, src := range want {
		if got[id] != src {
			t.Errorf("id %s stored under source %q, want %q", id, got[id], src)
		}
	}
}

func TestOutputsThatAreNoRegularFileAreRefusedUpFront(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	os.WriteFile(db, nil, 0o600)
	pr, pw, err := os.Pipe() // what /dev/stdout is when the crawl's output is piped
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	pipe := fmt.Sprintf("/proc/self/fd/%d", pw.Fd())
	for _, out := range []string{pipe, "/dev/full", db, t.TempDir()} {
		r := run(t, "--url", "http://127.0.0.1:1/a.html", "--db", db, "--out", out)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, out) {
			t.Errorf("--out %s: exit %d, want 2 with one line naming it:\n%s", out, r.code, r.stderr)
		}
	}
	if fi, _ := os.Stat(db); fi.Size() != 0 {
		t.Errorf("the store file was written to")
	}
}

func TestDashAsOutIsStdout(t *testing.T) {
	site := sitegen.New(3)
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := run(t, "--url", srv.URL+site.Posts[1].Path, "--out", "-")
	if r.code != 0 || len(idsIn(strings.Split(r.stdout, "\n"))) != 1 {
		t.Fatalf("exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat("-"); err == nil {
		os.Remove("-")
		t.Errorf("--out - wrote a file named -")
	}
}

// faultingSite serves site and, at the first article request, runs fault once. While hold is
// set, the articles after the first are held until the run cancels them, and then not served:
// what a run fetches after its fault is then what it asked for, however slow the machine.
type faultingSite struct {
	site     http.Handler
	fault    func()
	hold     atomic.Bool
	articles atomic.Int64  // article requests seen
	served   atomic.Int64  // article pages answered
	giveUp   chan struct{} // closed 10s after the fault: a run that does not stop is served, and fails the test
}

func newFaultingSite(site http.Handler, hold bool, fault func()) *faultingSite {
	f := &faultingSite{site: site, giveUp: make(chan struct{})}
	f.fault = func() {
		fault()
		time.AfterFunc(10*time.Second, func() { close(f.giveUp) })
	}
	f.hold.Store(hold)
	return f
}

func (f *faultingSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.Count(r.URL.Path, "/") > 3 { // /emnews/2022/01/21/x.html
		if f.articles.Add(1) == 1 {
			f.fault()
		} else if f.hold.Load() {
			select {
			case <-r.Context().Done():
				return
			case <-f.giveUp:
			}
		}
		f.served.Add(1)
	}
	f.site.ServeHTTP(w, r)
}

func TestAnOutputFolderDeletedMidRunFailsTheRunStopsFetchingAndLosesNothing(t *testing.T) {
	site := sitegen.New(30)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	h := newFaultingSite(site, true, func() { os.RemoveAll(out) })
	srv := httptest.NewServer(h)
	defer srv.Close()
	cfg := writeConfig(t, dir, "s.db", "out", source("finews", 6, srv.URL+"/", srv.URL+"/category/emnews.html"))
	r := run(t, "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "deleted") {
		t.Fatalf("exit %d, want 1 naming the deleted output\n%s", r.code, r.stderr)
	}
	if served := h.served.Load(); served != 1 {
		t.Errorf("the crawl was answered %d articles (of %d asked for); want it to stop at the first, whose record found the output gone", served, h.articles.Load())
	}
	h.hold.Store(false)
	r = run(t, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
	}
	if got, want := idsIn(lines(t, out)), site.IDs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Log(r.stderr)
		t.Errorf("after the rerun the output holds %d ids, want each of %d once: records were marked emitted that were in no file", len(got), len(want))
	}
}

func TestAStoreDeletedMidRunStopsTheRunAndNoFreshStoreIsOpenedBesideIt(t *testing.T) {
	site := sitegen.New(12)
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	h := newFaultingSite(site, false, func() { os.Remove(db) })
	srv := httptest.NewServer(h)
	defer srv.Close()
	cfg := writeConfig(t, dir, "s.db", "out", source("finews", 3, srv.URL+"/"))
	r := run(t, "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "store file was changed") {
		t.Fatalf("exit %d, want 1 naming the deleted store\n%s", r.code, r.stderr)
	}
}

func TestTwoStoresOnOneOutputFolderAreRefused(t *testing.T) {
	site := sitegen.New(3)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	a := writeConfig(t, dir, "a.db", "out", source("a", 2, srv.URL+"/"))
	if r := run(t, "--config", a); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	other := t.TempDir()
	b := writeConfig(t, other, "b.db", filepath.Join(dir, "out"), source("b", 2, srv.URL+"/"))
	r := run(t, "--config", b)
	if r.code != 1 || !strings.Contains(r.stderr, filepath.Join(dir, "a.db")) {
		t.Fatalf("a second store on the folder: exit %d, want 1 naming the owner\n%s", r.code, r.stderr)
	}
}

// A --url run writing into a file of a config's output folder would track that file's size on
// its own, and the owner's crash recovery would cut its lines: only the folder's store may write.
func TestAnOutFileInsideAnotherStoresOutputFolderIsRefused(t *testing.T) {
	site := sitegen.New(3)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	a := writeConfig(t, dir, "a.db", "out", source("a", 2, srv.URL+"/"))
	if r := run(t, "--config", a); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "out", "newsmill-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("output files %v", files)
	}
	before, _ := os.ReadFile(files[0])
	for _, db := range []string{filepath.Join(t.TempDir(), "b.db"), ""} {
		args := []string{"--url", srv.URL + site.Posts[0].Path, "--out", files[0]}
		if db != "" {
			args = append(args, "--db", db)
		}
		r := run(t, args...)
		if r.code != 1 || !strings.Contains(r.stderr, filepath.Join(dir, "a.db")) {
			t.Errorf("--db %q into the folder of a.db: exit %d, want 1 naming the owner\n%s", db, r.code, r.stderr)
		}
	}
	if after, _ := os.ReadFile(files[0]); string(after) != string(before) {
		t.Errorf("the owner's file changed: %d bytes, was %d", len(after), len(before))
	}
	// The owner's own store may still write there.
	if r := run(t, "--url", srv.URL+site.Posts[0].Path, "--out", files[0], "--db", filepath.Join(dir, "a.db")); r.code != 0 {
		t.Errorf("the owning store: exit %d\n%s", r.code, r.stderr)
	}
}

func TestPasswordsInURLsReachNoLogRecordOrHolder(t *testing.T) {
	site := sitegen.New(3)
	srv := httptest.NewServer(site)
	defer srv.Close()
	withPass := strings.Replace(srv.URL, "http://", "http://bob:s3cret@", 1)
	dead := "http://bob:s3cret@127.0.0.1:1/gone.html"
	db := filepath.Join(t.TempDir(), "s.db")
	r := run(t, "--url", withPass+site.Posts[1].Path, "--url", dead, "--db", db, "--log-level", "debug")
	if r.code != 3 { // the dead URL gave no record
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Errorf("the password shows:\nstdout %s\nstderr %s", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, `"url":"`+srv.URL+site.Posts[1].Path+`"`) {
		t.Errorf("record url keeps user information: %s", r.stdout)
	}
	if !strings.Contains(r.stderr, "bob:xxxxx@") {
		t.Errorf("the failed URL is not logged, masked:\n%s", r.stderr)
	}
	if r := run(t, "--url", "ftp://bob:s3cret@127.0.0.1/x"); r.code != 2 || strings.Contains(r.stderr, "s3cret") {
		t.Errorf("a usage error shows the password: exit %d\n%s", r.code, r.stderr)
	}
}

func TestAStoreThatIsADirectoryIsReportedAsADirectory(t *testing.T) {
	db := t.TempDir()
	r := run(t, "--url", "http://127.0.0.1:1/a.html", "--db", db)
	if r.code != 1 || !strings.Contains(r.stderr, "directory") || strings.Contains(r.stderr, "corrupt") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

func TestForgettingATornRecordLeavesNoTornLine(t *testing.T) {
	dir := t.TempDir()
	db, out := filepath.Join(dir, "s.db"), filepath.Join(dir, "o.jsonl")
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	whole := `{"id":"NW1","body":"b"}`
	os.WriteFile(out, []byte(whole+"\n"), 0o644)
	if _, _, err := st.Commit(context.Background(), []store.Item{{ID: "NW1", Line: []byte(whole)}}); err != nil {
		t.Fatal(err)
	}
	torn := `{"id":"NW2","body":"a longer body"}`
	if _, _, err := st.Commit(context.Background(), []store.Item{{ID: "NW2", Line: []byte(torn), Target: out, Offset: int64(len(whole) + 1)}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// Power lost half way through the second line.
	f, _ := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(torn[:12])
	f.Close()
	if r := run(t, "forget", "--db", db, "--id", "NW2"); r.code != 0 {
		t.Fatalf("forget: exit %d\n%s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != whole+"\n" {
		t.Errorf("after forget the file holds %q, want only the whole line", b)
	}
}

func TestAnArticleThatFailedOnceIsWrittenByTheNextRunDespiteTheListingsValidators(t *testing.T) {
	site := sitegen.New(6)
	var failing atomic.Bool
	failing.Store(true)
	victim := ""
	for _, p := range site.Posts {
		if p.Category == "emnews" {
			victim = p.Path
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == victim && failing.Load() {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/category/emnews.html" {
			w.Header().Set("ETag", `"listing"`)
			if r.Header.Get("If-None-Match") == `"listing"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	db, out := filepath.Join(dir, "s.db"), filepath.Join(dir, "o.jsonl")
	listing := srv.URL + "/category/emnews.html"
	for i := range 3 {
		if r := run(t, "--url", listing, "--db", db, "--out", out); r.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i, r.code, r.stderr)
		}
		failing.Store(false)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), srv.URL+victim) {
		t.Errorf("the article whose first fetch was a 404 was never written: the listing's 304 hid it")
	}
}

func TestARunFirstWritesWhatTheLastOneLeftInTheOutboxThenSummarizes(t *testing.T) {
	site := sitegen.New(6)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "s.db", "out", source("finews", 6, srv.URL+"/", srv.URL+"/category/emnews.html"))
	// A run killed between its store commit and its write.
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	left := `{"id":"NW1","body":"left by a killed run"}`
	target := filepath.Join(dir, "out", time.Now().UTC().Format("newsmill-2006-01-02.jsonl"))
	if _, _, err := st.Commit(context.Background(), []store.Item{{ID: "NW1", Line: []byte(left), Target: target}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	r := run(t, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	got := lines(t, filepath.Join(dir, "out"))
	if len(got) == 0 || got[0] != left {
		t.Errorf("the outbox's line is not first in the file: %v", got)
	}
	if n := len(idsIn(got)); n != len(site.IDs())+1 {
		t.Errorf("%d lines, want the recovered one and %d new", n, len(site.IDs()))
	}
	last := strings.TrimSpace(r.stderr)
	last = last[strings.LastIndexByte(last, '\n')+1:]
	if !strings.Contains(r.stderr, "recovered unconfirmed lines") || !strings.Contains(last, fmt.Sprintf("%d new records", len(site.IDs()))) {
		t.Errorf("no recovery logged, or the last line is not the summary:\n%s", r.stderr)
	}
}

func TestAnArticleAnsweredOnceByAServerBusyPageIsWrittenByTheNextRunThoughItsURLHasNoInfoCode(t *testing.T) {
	busy, err := os.ReadFile("../../testdata/generic/busy-200.html")
	if err != nil {
		t.Fatal(err)
	}
	story := func(n int) string {
		return fmt.Sprintf(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>沿江港口第%d季度吞吐量再创新高_滨江财经网</title>
<meta property="article:published_time" content="2024-03-0%dT09:30:00+08:00"></head><body>
<div class="topnav"><a href="/">首页</a> <a href="/news/">要闻</a></div>
<article><h1>沿江港口第%d季度吞吐量再创新高</h1>
<p>记者从港口管理部门获悉，沿江主要港口本季度集装箱吞吐量同比增长一成以上，其中外贸航线增幅最为明显。</p>
<p>业内人士表示，航线加密和通关效率提升是吞吐量增长的主要原因，预计下一季度仍将保持平稳增长。</p></article></body></html>`, n, n, n)
	}
	paths := []string{"/news/2024/03/01/port-1.html", "/news/2024/03/02/port-2.html", "/news/2024/03/03/port-3.html"}
	victim := paths[1]
	var failing atomic.Bool
	failing.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/news/":
			w.Header().Set("ETag", `"listing"`)
			if r.Header.Get("If-None-Match") == `"listing"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			var b strings.Builder
			b.WriteString(`<html><head><title>要闻_滨江财经网</title></head><body><ul>`)
			for i, p := range paths {
				fmt.Fprintf(&b, `<li><a href="%s">沿江港口第%d季度吞吐量再创新高</a></li>`, p, i+1)
			}
			b.WriteString(`</ul></body></html>`)
			w.Write([]byte(b.String()))
		case victim:
			if failing.Load() {
				w.Write(busy)
				return
			}
			w.Write([]byte(story(2)))
		case paths[0]:
			w.Write([]byte(story(1)))
		case paths[2]:
			w.Write([]byte(story(3)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	db, out := filepath.Join(dir, "s.db"), filepath.Join(dir, "o.jsonl")
	for i := range 2 {
		if r := run(t, "--url", srv.URL+"/news/", "--db", db, "--out", out); r.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i, r.code, r.stderr)
		}
		failing.Store(false)
	}
	got := lines(t, filepath.Dir(out))
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), srv.URL+victim) {
		t.Errorf("the article that answered 'server busy' once was never written: the listing's 304 hid it (%d lines)", len(got))
	}
	if n := strings.Count(string(b), "\n"); n != 3 {
		t.Errorf("%d records written, want the 3 articles once each:\n%s", n, b)
	}
}

func TestAStoreMadeAnewBesideTheOutputItWroteIsRefusedInsteadOfWritingEveryArticleAgain(t *testing.T) {
	site := sitegen.New(8)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "s.db", "out", source("rolling", 2, srv.URL+"/category/emnews.html"))
	if r := run(t, "--config", cfg); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	out := filepath.Join(dir, "out")
	before := lines(t, out)
	if len(before) == 0 {
		t.Fatal("the first run wrote nothing")
	}
	// The store is lost (a container volume that was not kept); the output folder is not.
	if err := os.Remove(filepath.Join(dir, "s.db")); err != nil {
		t.Fatal(err)
	}
	r := run(t, "--config", cfg)
	if r.code != ExitFailed || !strings.Contains(r.stderr, "another store") || !strings.Contains(r.stderr, ".newsmill.lock") {
		t.Fatalf("exit %d; want 1 saying the store was replaced and which file to remove:\n%s", r.code, r.stderr)
	}
	if after := lines(t, out); len(after) != len(before) {
		t.Fatalf("%d lines after the refused run, %d before", len(after), len(before))
	}
	// Removing the lock file is the documented way to write everything again on purpose.
	os.Remove(filepath.Join(out, ".newsmill.lock"))
	if r := run(t, "--config", cfg); r.code != 0 {
		t.Fatalf("after the lock file was removed: exit %d\n%s", r.code, r.stderr)
	}
	if after := lines(t, out); len(after) != 2*len(before) {
		t.Errorf("%d lines after writing everything again, want %d", len(after), 2*len(before))
	}
}
