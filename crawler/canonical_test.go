package crawler

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/newsmill/newsmill/article"
)

func TestTrackingVariantsOfALinkAreFetchedOnceAndReadInCanonicalForm(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/1.html?utm_source=rss", "/a/1.html", "/a/1.html?spm=a.b.c&from=timeline#comments",
		"/a/2.html?b=2&a=1", "/a/2.html?a=1&b=2&fbclid=x")))
	var mu sync.Mutex
	var queries []string
	site.HandleFunc("/a/1.html", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		serveHTML(articleHTML("one"))(w, r)
	})
	site.Handle("/a/2.html", serveHTML(articleHTML("two")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawlSite(t, fastOptions(srv, "/?utm_campaign=launch"))
	if site.count("/a/1.html") != 1 || site.count("/a/2.html") != 1 || site.count("/") != 1 {
		t.Errorf("fetched /a/1.html %d, /a/2.html %d, / %d times, want once each", site.count("/a/1.html"), site.count("/a/2.html"), site.count("/"))
	}
	// The link is requested as the site wrote it (the first one met); only the page's URL, the
	// record's, is canonical.
	if len(queries) != 1 || queries[0] != "utm_source=rss" {
		t.Errorf("/a/1.html was requested with the queries %q, want the first link's", queries)
	}
	if p := r.pages["/a/1.html"]; p == nil || p.URL.RawQuery != "" {
		t.Errorf("the page's URL keeps tracking parameters: %v", pageURL(p))
	}
	if p := r.pages["/a/2.html"]; p == nil || p.URL.RawQuery != "a=1&b=2" {
		t.Errorf("the page's query is not in key order: %v", pageURL(p))
	}
}

func pageURL(p *article.Page) string {
	if p == nil {
		return "(not handled)"
	}
	return p.URL.String()
}

func TestAnArticleIsNotFetchedAgainUnderTheURLItNamesAsCanonical(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/story?id=1", "/list2")))
	// The article names its clean URL; the second listing links to that URL.
	site.Handle("/a/story", serveHTML(`<html><head><link rel="canonical" href="/a/1.html"></head><body><h1>one</h1></body></html>`))
	site.Handle("/list2", serveHTML(links("/a/1.html")))
	site.Handle("/a/1.html", serveHTML(articleHTML("one")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.Parallelism = 1 // the article before the second listing
	r := crawlSite(t, opts)
	if site.count("/a/story") != 1 || site.count("/a/1.html") != 0 {
		t.Errorf("fetched /a/story %d and /a/1.html %d times, want 1 and 0:\n%s", site.count("/a/story"), site.count("/a/1.html"), r.dump())
	}
}

func TestClaimedCanonicalReadsTheHeadOnlyAndKeepsToTheSite(t *testing.T) {
	base, _ := url.Parse("https://www.example.com/a?id=1")
	for body, want := range map[string]string{
		`<link rel="Canonical" href="/a/1.html?utm_source=x">`:                                           "https://www.example.com/a/1.html",
		`<meta property="og:url" content="https://m.example.com/a/1"><link rel="canonical" href="/c">`:   "https://www.example.com/c",
		`<link rel="canonical" href="https://evil.example.org/a">`:                                       "",
		`<link rel="canonical" href="https://evil.example.org/a"><meta property="og:url" content="/og">`: "https://www.example.com/og",
		`</head><body><link rel="canonical" href="/late">`:                                               "",
	} {
		got := ""
		if u := claimedCanonical(base, []byte("<html><head>"+body)); u != nil {
			got = u.String()
		}
		if got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}

func TestAListingNamingAnotherAsCanonicalDoesNotHideIt(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/list?page=2")))
	// Page 2 of a listing naming page 1 as canonical, a common way to mark pagination.
	site.Handle("/list", serveHTML(`<html><head><link rel="canonical" href="/list-first"></head><body><a href="/list-first">1</a></body></html>`))
	site.Handle("/list-first", serveHTML(links("/a/1.html")))
	site.Handle("/a/1.html", serveHTML(articleHTML("one")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawlSite(t, fastOptions(srv, "/"))
	if site.count("/list-first") != 1 || site.count("/a/1.html") != 1 {
		t.Errorf("the first page was hidden by the second's claim:\n%s", r.dump())
	}
}
