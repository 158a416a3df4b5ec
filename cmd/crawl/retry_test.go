package main

// Failed pages are fetched again by URL from the store's retry list, so the listing that led to
// them keeps its validators and answers 304: a config crawl in this process against a sitegen
// site whose listing carries an ETag, a real store, real output files.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

const retryListing = "/category/emnews.html"

// retrySite serves a sitegen site with an ETag on its rolling-news listing, counts the requests
// per path and the listing's 304s, and answers the paths in faults with their fault while the
// fault is set.
type retrySite struct {
	site *sitegen.Site
	mu   sync.Mutex
	hits map[string]int
	n304 int
	// faults maps a path to its fault; a path is healed by deleting it.
	faults map[string]http.HandlerFunc
}

func newRetrySite(n int) *retrySite {
	return &retrySite{site: sitegen.New(n), hits: map[string]int{}, faults: map[string]http.HandlerFunc{}}
}

func (s *retrySite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	fault := s.faults[r.URL.Path]
	if r.URL.Path == retryListing && r.Header.Get("If-None-Match") == `"listing"` {
		s.n304++
		s.mu.Unlock()
		w.Header().Set("ETag", `"listing"`)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.mu.Unlock()
	if fault != nil {
		fault(w, r)
		return
	}
	if r.URL.Path == retryListing {
		w.Header().Set("ETag", `"listing"`)
	}
	s.site.ServeHTTP(w, r)
}

// take returns the requests per path and the listing's 304s since the last take.
func (s *retrySite) take() (map[string]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, n := s.hits, s.n304
	s.hits, s.n304 = map[string]int{}, 0
	return h, n
}

func (s *retrySite) heal(paths ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range paths {
		delete(s.faults, p)
	}
}

// rollingPosts are the paths of the posts on the rolling-news listing.
func (s *retrySite) rollingPosts(t *testing.T, want int) []string {
	t.Helper()
	var out []string
	for _, p := range s.site.Posts {
		if p.Category == "emnews" {
			out = append(out, p.Path)
		}
	}
	if len(out) < want {
		t.Fatalf("the site has %d rolling posts, the test needs %d", len(out), want)
	}
	sort.Strings(out)
	return out
}

func retryConfig(t *testing.T, dir, srvURL, extra string) string {
	return writeConfig(t, dir, filepath.Join(dir, "s.db"), filepath.Join(dir, "out"),
		source("rolling", 2, srvURL+retryListing)+"    ignore_robots: true\n    max_retries: 0\n"+extra)
}

func openRO(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.db"), store.Options{ReadOnly: true, LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func sameHits(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for p, n := range want {
		if got[p] != n {
			return false
		}
	}
	return true
}

func TestFailedArticlesAreFetchedAgainByURLWhileTheirListingAnswers304(t *testing.T) {
	site := newRetrySite(40)
	posts := site.rollingPosts(t, 5)
	victims := posts[1:4]
	site.faults[victims[0]] = http.NotFound
	site.faults[victims[1]] = func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "busy", http.StatusInternalServerError) }
	site.faults[victims[2]] = func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Content-Type", "text/html") }
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := retryConfig(t, dir, srv.URL, "")
	ctx := context.Background()

	if r := run(t, "--config", cfg); r.code != 0 {
		t.Fatalf("run 1: exit %d\n%s", r.code, r.stderr)
	}
	hits, _ := site.take()
	st := openRO(t, dir)
	_, kept, err := st.Validators(ctx, srv.URL+retryListing)
	retries, rerr := st.Retries(ctx, "rolling")
	st.Close()
	if err != nil || !kept {
		t.Fatalf("run 1 kept no validators for the listing (%v) although its failed pages were remembered; hits %v", err, hits)
	}
	if rerr != nil || len(retries) != 3 {
		t.Fatalf("retry list after run 1 = %+v, %v; want the 3 failed articles", retries, rerr)
	}
	reasons := map[string]string{}
	for _, r := range retries {
		reasons[strings.TrimPrefix(r.URL, srv.URL)] = r.Reason
	}
	if reasons[victims[0]] != "http 404" || reasons[victims[1]] != "http 500" || reasons[victims[2]] != "empty body" {
		t.Errorf("reasons = %v; want http 404, http 500, empty body", reasons)
	}

	site.heal(victims...)
	if r := run(t, "--config", cfg); r.code != 0 {
		t.Fatalf("run 2: exit %d\n%s", r.code, r.stderr)
	}
	hits, n304 := site.take()
	want := map[string]int{retryListing: 1, victims[0]: 1, victims[1]: 1, victims[2]: 1}
	if n304 != 1 || !sameHits(hits, want) {
		t.Errorf("run 2 made requests %v with %d 304s; want the listing's 304 and the 3 failed articles once each", hits, n304)
	}
	written := map[string]bool{}
	for _, l := range lines(t, filepath.Join(dir, "out")) {
		for _, p := range posts {
			if strings.Contains(l, `"url":"`+srv.URL+p+`"`) {
				written[p] = true
			}
		}
	}
	for _, p := range posts {
		if !written[p] {
			t.Errorf("%s was never written", p)
		}
	}

	if r := run(t, "--config", cfg); r.code != 0 {
		t.Fatalf("run 3: exit %d\n%s", r.code, r.stderr)
	}
	if hits, n304 := site.take(); n304 != 1 || !sameHits(hits, map[string]int{retryListing: 1}) {
		t.Errorf("run 3 made requests %v with %d 304s; want the listing's 304 alone", hits, n304)
	}
	st = openRO(t, dir)
	defer st.Close()
	if counts, _ := st.RetryCounts(ctx); counts["rolling"] != 0 {
		t.Errorf("retry list after the articles were written: %v, want empty", counts)
	}
}

func TestADeadLinkIsGivenUpAfterRetryAttemptsRunsAndTheListingAnswers304Throughout(t *testing.T) {
	site := newRetrySite(20)
	posts := site.rollingPosts(t, 2)
	dead := posts[0]
	site.faults[dead] = http.NotFound
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := retryConfig(t, dir, srv.URL, "    retry_attempts: 3\n")
	var perRun []map[string]int
	for i := 1; i <= 5; i++ {
		r := run(t, "--config", cfg)
		if r.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i, r.code, r.stderr)
		}
		hits, n304 := site.take()
		perRun = append(perRun, hits)
		t.Logf("run %d: %d requests, %d of them 304: %v", i, total(hits), n304, hits)
		if i > 1 && n304 != 1 {
			t.Errorf("run %d: the listing answered %d 304s, want 1: a dead link must not cost it its validators", i, n304)
		}
		gaveUp := strings.Contains(r.stderr, "giving up on URL after 3 failed runs")
		if gaveUp != (i == 3) {
			t.Errorf("run %d: giving-up line logged %v, want it in run 3 only\n%s", i, gaveUp, r.stderr)
		}
	}
	if perRun[0][dead] != 1 || perRun[0][retryListing] != 1 {
		t.Errorf("run 1 made requests %v; want the listing and the dead link once each", perRun[0])
	}
	for i, hits := range perRun[1:] {
		want := map[string]int{retryListing: 1}
		if i+2 <= 3 {
			want[dead] = 1
		}
		if !sameHits(hits, want) {
			t.Errorf("run %d made requests %v; want %v", i+2, hits, want)
		}
	}
	st := openRO(t, dir)
	defer st.Close()
	if counts, _ := st.RetryCounts(context.Background()); counts["rolling"] != 0 {
		t.Errorf("the dead link is still on the retry list: %v", counts)
	}
}

func TestStatsCountsTheURLsWaitingForRetryBySource(t *testing.T) {
	site := newRetrySite(20)
	posts := site.rollingPosts(t, 3)
	site.faults[posts[0]] = http.NotFound
	site.faults[posts[1]] = http.NotFound
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := retryConfig(t, dir, srv.URL, "")
	if r := run(t, "--config", cfg); r.code != 0 {
		t.Fatalf("crawl: exit %d\n%s", r.code, r.stderr)
	}
	r := run(t, "stats", "--config", cfg)
	if r.code != 0 {
		t.Fatalf("stats: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "waiting for retry") || !strings.Contains(r.stdout, "rolling") || !containsLine(r.stdout, "rolling", "2") {
		t.Errorf("stats does not show 2 URLs of rolling waiting for retry:\n%s", r.stdout)
	}
	if r := run(t, "forget", "--config", cfg, "--retries", "rolling"); r.code != 0 {
		t.Fatalf("forget --retries: exit %d\n%s", r.code, r.stderr)
	}
	st := openRO(t, dir)
	defer st.Close()
	if counts, _ := st.RetryCounts(context.Background()); counts["rolling"] != 0 {
		t.Errorf("forget --retries left %v", counts)
	}
}

// containsLine reports whether some line of the section after "waiting for retry" holds both.
func containsLine(out, a, b string) bool {
	_, sec, ok := strings.Cut(out, "waiting for retry")
	if !ok {
		return false
	}
	for _, l := range strings.Split(sec, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && f[0] == a && f[1] == b {
			return true
		}
	}
	return false
}

func total(hits map[string]int) int {
	n := 0
	for _, v := range hits {
		n += v
	}
	return n
}

func TestAFailedPageWithAPasswordInItsURLIsNotStoredAndItsRunKeepsNoValidators(t *testing.T) {
	site := newRetrySite(20)
	posts := site.rollingPosts(t, 2)
	site.faults[posts[0]] = http.NotFound
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	withPass := strings.Replace(srv.URL, "http://", "http://bob:s3cret@", 1)
	cfg := retryConfig(t, dir, withPass, "")
	r := run(t, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "cannot remember the failed pages") {
		t.Errorf("no line says the failed page could not be remembered:\n%s", r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "s.db")); strings.Contains(string(b), "s3cret") {
		t.Errorf("the store file holds the password")
	}
	st := openRO(t, dir)
	defer st.Close()
	_, kept, _ := st.Validators(context.Background(), srv.URL+retryListing)
	if kept {
		t.Errorf("the listing's validators were kept although its failed page was not remembered: its 304 would hide the page")
	}
}
