package crawler

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/newsmill/newsmill/extract"
)

func TestTrackingVariantsOfALinkAreFetchedOnceWithoutTheirTracking(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/1.html?utm_source=rss", "/a/1.html", "/a/1.html?spm=a.b.c&from=timeline#comments",
		"/a/2.html?b=2&a=1", "/a/2.html?a=1&b=2&fbclid=x")))
	var mu sync.Mutex
	var queries []string
	site.HandleFunc("/a/1.html", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		serveHTML(article("one"))(w, r)
	})
	site.Handle("/a/2.html", serveHTML(article("two")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawlSite(t, fastOptions(srv, "/?utm_campaign=launch"))
	if site.count("/a/1.html") != 1 || site.count("/a/2.html") != 1 || site.count("/") != 1 {
		t.Errorf("fetched /a/1.html %d, /a/2.html %d, / %d times, want once each", site.count("/a/1.html"), site.count("/a/2.html"), site.count("/"))
	}
	if len(queries) != 1 || queries[0] != "" {
		t.Errorf("/a/1.html was requested with the queries %q, want one request without any", queries)
	}
	if p := r.pages["/a/1.html"]; p == nil || p.URL.RawQuery != "" {
		t.Errorf("the page's URL keeps tracking parameters: %v", pageURL(p))
	}
	if p := r.pages["/a/2.html"]; p == nil || p.URL.RawQuery != "a=1&b=2" {
		t.Errorf("the page's query is not in key order: %v", pageURL(p))
	}
}

func pageURL(p *extract.Page) string {
	if p == nil {
		return "(not handled)"
	}
	return p.URL.String()
}
