package main_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

// The binary against a listing with an ETag, a dead link and an article that fails once: the
// listing answers 304 from the second run on, the failed article is written by run 2, and the
// dead link is given up after retry_attempts runs.
func TestTheBinaryRetriesFailedPagesByURLAndKeepsTheListings304(t *testing.T) {
	site := sitegen.New(20)
	var rolling []string
	for _, p := range site.Posts {
		if p.Category == "emnews" {
			rolling = append(rolling, p.Path)
		}
	}
	sort.Strings(rolling)
	if len(rolling) < 3 {
		t.Fatalf("%d rolling posts, want 3", len(rolling))
	}
	const listing = "/category/emnews.html"
	dead, flaky := rolling[0], rolling[1]
	var mu sync.Mutex
	hits := map[string]int{}
	flakyFails := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		failFlaky := flakyFails
		mu.Unlock()
		switch {
		case r.URL.Path == dead:
			http.NotFound(w, r)
		case r.URL.Path == flaky && failFlaky:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case r.URL.Path == listing && r.Header.Get("If-None-Match") == `"v1"`:
			w.WriteHeader(http.StatusNotModified)
		default:
			if r.URL.Path == listing {
				w.Header().Set("ETag", `"v1"`)
			}
			site.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	body := fmt.Sprintf("store: ./s.db\noutput: ./out\nsources:\n  - name: rolling\n    seeds: [%s%s]\n    allowed_hosts: [127.0.0.1]\n    max_depth: 2\n    ignore_robots: true\n    max_retries: 0\n    retry_attempts: 3\n", srv.URL, listing)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		r := crawl(t, "--config", cfg)
		if r.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i, r.code, r.stderr)
		}
		mu.Lock()
		got := hits
		hits = map[string]int{}
		flakyFails = false
		mu.Unlock()
		t.Logf("run %d: %v", i, got)
		if i == 1 {
			st := crawl(t, "stats", "--config", cfg)
			_, waiting, _ := strings.Cut(st.stdout, "waiting for retry")
			if !strings.Contains(strings.Join(strings.Fields(waiting), " "), "rolling 2") {
				t.Errorf("stats after run 1 does not count 2 pages of rolling to retry:\n%s", st.stdout)
			}
			continue
		}
		want := map[string]int{listing: 1}
		if i <= 3 {
			want[dead] = 1
		}
		if i == 2 {
			want[flaky] = 1
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("run %d made requests %v; want %v (the listing a 304)", i, got, want)
		}
		if gaveUp := strings.Contains(r.stderr, "giving up on URL after 3 failed runs"); gaveUp != (i == 3) {
			t.Errorf("run %d: giving-up line %v, want it in run 3 only", i, gaveUp)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "out", "*.jsonl"))
	var out strings.Builder
	for _, f := range files {
		b, _ := os.ReadFile(f)
		out.Write(b)
	}
	if !strings.Contains(out.String(), srv.URL+flaky) {
		t.Errorf("the article that failed once was never written")
	}
}
