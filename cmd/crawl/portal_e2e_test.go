package main_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

// A portal of short Chinese items, each page flanked by "related" and "24小时热门" link boxes,
// crawled from its category pages: the generic extractor must take every item once and no
// category, home, tag or search page, however many links an item page carries.
func TestPortalCrawlFromCategoryPagesEmitsEveryShortItemOnceAndNoListing(t *testing.T) {
	site := sitegen.NewPortal(30)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "portal.yaml")
	body := fmt.Sprintf("store: ./data/portal.db\noutput: ./out\nsources:\n  - name: portal\n    seeds: [%s/local/, %s/finance/, %s/sports/]\n    allowed_hosts: [127.0.0.1]\n",
		srv.URL, srv.URL, srv.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Second)
	r := crawl(t, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	recs := readDir(t, filepath.Join(dir, "out"))

	byPath := map[string]sitegen.Item{}
	for _, it := range site.Items {
		byPath[it.Path] = it
	}
	var got []string
	for _, rec := range recs {
		path := strings.TrimPrefix(rec.URL, srv.URL)
		got = append(got, path)
		it, ok := byPath[path]
		if !ok {
			t.Errorf("record for a page that is no article: %s (%q)", path, rec.Title)
			continue
		}
		if rec.Title != it.Title || rec.Extractor != "generic" {
			t.Errorf("%s: title %q by %s, want %q by generic (no site suffix)", path, rec.Title, rec.Extractor, it.Title)
		}
		if rec.Body != strings.Join(it.Paras, "\n\n") {
			t.Errorf("%s: body %q, want the item's own text only", path, rec.Body)
		}
		published, err := time.Parse(time.RFC3339, rec.PublishedAt)
		if err != nil {
			t.Errorf("%s: published_at %q", path, rec.PublishedAt)
			continue
		}
		wantSource := map[string]string{"byline": "page", "label": "page", "meta": "page", "url": "url", "none": "fetched"}[it.DateKind]
		if !it.LastModified.IsZero() {
			wantSource = "http"
		}
		if rec.DateSource != wantSource {
			t.Errorf("%s (%s): date_source %q, want %q", path, it.DateKind, rec.DateSource, wantSource)
		}
		if !strings.HasSuffix(rec.PublishedAt, "+08:00") {
			t.Errorf("%s (%s): published_at %s is not in Beijing time", path, it.DateKind, rec.PublishedAt)
		}
		switch {
		case !it.LastModified.IsZero():
			if !published.Equal(it.LastModified) {
				t.Errorf("%s: published_at %s, want its Last-Modified %s", path, rec.PublishedAt, it.LastModified)
			}
		case it.DateKind == "none":
			if published.Before(started) || published.After(time.Now().Add(time.Second)) {
				t.Errorf("%s: undated page published_at %v, want its fetch time", path, published)
			}
		case !published.Equal(it.Published):
			t.Errorf("%s (%s): published_at %s, want %s in +08:00", path, it.DateKind, rec.PublishedAt, it.Published.Format(time.RFC3339))
		}
	}
	sort.Strings(got)
	if want := site.ArticlePaths(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("emitted %d records, want each of the %d items once:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	if len(site.Listings) < 8 {
		t.Fatalf("the portal has %d listing pages; the test needs its home, tag, search and paginated category pages", len(site.Listings))
	}
}
