package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/article"
)

// site serves a few pages: a listing linking to two articles, one link off-host, one robots-
// disallowed page, and a feed.
func site(t *testing.T) (*httptest.Server, *sync.Map) {
	t.Helper()
	var hits sync.Map
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			hits.Store(r.URL.Path, r.Header.Get("User-Agent"))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/", page(`<html><body><a href="/a/1.html">one</a> <a href="a/2.html#top">two</a>
		<a href="http://elsewhere.invalid/x.html">off</a> <a href="/private/p.html">p</a> <a href="javascript:void(0)">js</a>
		<link rel="alternate" type="application/atom+xml" href="/feed.xml"></body></html>`))
	mux.HandleFunc("/a/1.html", page(`<html><body>article one <a href="/a/3.html">related</a></body></html>`))
	mux.HandleFunc("/a/2.html", page(`<html><body>article two</body></html>`))
	mux.HandleFunc("/a/3.html", page(`<html><body>article three</body></html>`))
	mux.HandleFunc("/private/p.html", page(`private`))
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, r.Header.Get("User-Agent"))
		fmt.Fprint(w, `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>f</title><link href="/a/4.html" rel="alternate"/></entry></feed>`)
	})
	mux.HandleFunc("/a/4.html", page(`<html><body>article four</body></html>`))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &hits
}

func paths(m *sync.Map) []string {
	var out []string
	m.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	sort.Strings(out)
	return out
}

// articlesUnder treats /a/ pages as articles, everything else as a listing.
func articlesUnder(got *sync.Map) Handler {
	return func(ctx context.Context, p *article.Page) error {
		if !strings.HasPrefix(p.URL.Path, "/a/") {
			return article.ErrNotArticle
		}
		got.Store(p.URL.Path, string(p.Body))
		return nil
	}
}

func TestCrawlFollowsLinksAndFeedsWithinTheHostAndObeysRobots(t *testing.T) {
	srv, hits := site(t)
	c, err := New(Options{Seeds: []string{srv.URL + "/"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got sync.Map
	st, err := c.Run(context.Background(), articlesUnder(&got))
	if err != nil {
		t.Fatal(err)
	}
	want := "/ /a/1.html /a/2.html /a/3.html /a/4.html /feed.xml"
	if g := strings.Join(paths(hits), " "); g != want {
		t.Errorf("fetched %s\nwant    %s", g, want)
	}
	if st.Fetched != 6 || st.Errors != 0 {
		t.Errorf("stats = %+v", st)
	}
	var ua string
	hits.Range(func(_, v any) bool { ua = v.(string); return false })
	if !strings.Contains(ua, "newsmill") || !strings.Contains(ua, "+http") {
		t.Errorf("user agent %q does not name newsmill and a contact URL", ua)
	}
}

func TestLeafArticlesStopsAtPagesThatGaveARecord(t *testing.T) {
	srv, hits := site(t)
	c, _ := New(Options{Seeds: []string{srv.URL + "/a/1.html"}, LeafArticles: true}, nil, nil)
	var got sync.Map
	if _, err := c.Run(context.Background(), articlesUnder(&got)); err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(paths(hits), " "); g != "/a/1.html" {
		t.Errorf("an article seed with LeafArticles fetched %s", g)
	}
}

func TestArticlePatternsDecideWhatTheExtractorsSee(t *testing.T) {
	srv, _ := site(t)
	c, _ := New(Options{Seeds: []string{srv.URL + "/"}, Follow: []string{`/$`}, Articles: []string{`/a/[12]\.html$`}}, nil, nil)
	var got sync.Map
	if _, err := c.Run(context.Background(), articlesUnder(&got)); err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(paths(&got), " "); g != "/a/1.html /a/2.html" {
		t.Errorf("handed to the extractors: %s", g)
	}
}

func TestKnownArticleURLsAreNotFetchedAgain(t *testing.T) {
	srv, hits := site(t)
	skip := func(ctx context.Context, u string) bool { return strings.HasSuffix(u, "/a/1.html") }
	c, _ := New(Options{Seeds: []string{srv.URL + "/"}}, nil, skip)
	var got sync.Map
	st, _ := c.Run(context.Background(), articlesUnder(&got))
	if _, fetched := hits.Load("/a/1.html"); fetched || st.Skipped != 1 {
		t.Errorf("known URL fetched=%v, skipped=%d", fetched, st.Skipped)
	}
}

func TestMaxPagesBoundsARun(t *testing.T) {
	srv, hits := site(t)
	c, _ := New(Options{Seeds: []string{srv.URL + "/"}, MaxPages: 2, Parallelism: 1}, nil, nil)
	var got sync.Map
	c.Run(context.Background(), articlesUnder(&got))
	if n := len(paths(hits)); n != 2 {
		t.Errorf("fetched %d pages with max_pages 2: %v", n, paths(hits))
	}
}

func TestBadOptionsAreRejectedBeforeAnyFetch(t *testing.T) {
	for name, o := range map[string]Options{
		"no seeds":         {},
		"not http":         {Seeds: []string{"ftp://x/"}},
		"seed off allowed": {Seeds: []string{"http://a.example/"}, AllowedHosts: []string{"b.example"}},
		"bad pattern":      {Seeds: []string{"http://a.example/"}, Follow: []string{"("}},
	} {
		if _, err := New(o, nil, nil); !errors.Is(err, ErrBadOptions) {
			t.Errorf("%s: err = %v, want ErrBadOptions", name, err)
		}
	}
}

func TestHTMLLinksResolveAgainstBaseHrefAndDropFragments(t *testing.T) {
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<base href="http://h.example/dir/"><a href="x.html#f">x</a><a href="x.html">again</a><a href="mailto:a@b">m</a><a href="#top">top</a>`))
	base, _ := url.Parse("http://other.example/page")
	var got []string
	for _, u := range HTMLLinks(base, doc) {
		got = append(got, u.String())
	}
	if strings.Join(got, " ") != "http://h.example/dir/x.html" {
		t.Errorf("links = %v", got)
	}
}

// fixtureDir holds the pages written in each site's shape, shared by every package's tests.
var fixtureDir = filepath.Join("..", "testdata")

func TestFeedItemsHintTheirPagesAndJSONBodiesNeedNoFetch(t *testing.T) {
	var hits sync.Map
	mux := http.NewServeMux()
	mux.HandleFunc("/list.json", func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{"list":[
			{"code":"202304120000000001","title":"带正文的条目","showTime":"2023-04-12 18:24:28","mediaName":"示例社","url":"/a/202304120000000001.html","content":"<p>　　条目自带的正文。</p>"},
			{"code":"202304120000000002","title":"需要抓取的条目","showTime":"2023-04-12 19:00:00","mediaName":"示例报","summary":"摘要。","url":"/a/202304120000000002.html"}]}}`)
	})
	mux.HandleFunc("/a/", func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		fmt.Fprint(w, `<html><body><p>页面正文，没有日期。</p></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := New(Options{Seeds: []string{srv.URL + "/list.json"}, IgnoreRobots: true}, nil, nil)
	var mu sync.Mutex
	pages := map[string]*article.Page{}
	c.Run(context.Background(), func(ctx context.Context, p *article.Page) error {
		mu.Lock()
		defer mu.Unlock()
		pages[p.URL.Path] = p
		return nil
	})
	if _, fetched := hits.Load("/a/202304120000000001.html"); fetched {
		t.Error("an item that carries its body was fetched as a page")
	}
	item := pages["/a/202304120000000001.html"]
	if item == nil || item.ContentType != article.FeedItemType || item.Hint == nil || item.Hint.ID != "NW202304120000000001" || !strings.Contains(string(item.Body), "条目自带的正文") {
		t.Fatalf("item page = %+v", item)
	}
	page := pages["/a/202304120000000002.html"]
	if page == nil || page.Hint == nil {
		t.Fatalf("fetched page without its hint: %+v", page)
	}
	if h := page.Hint; h.ID != "NW202304120000000002" || h.Title != "需要抓取的条目" || h.Source != "示例报" || h.Summary != "摘要。" || h.PublishedAt.IsZero() {
		t.Errorf("hint = %+v", h)
	}
}
