package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/article"
)

func TestLinksAfterAnOffSiteLinkAreStillFollowed(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><body><p><a href="http://finance.eastmoney.com/a/1.html">original</a></p>
<p><a href="/category/zhengquanshibao.html">返回</a></p></body></html>`))
	})
	mux.HandleFunc("/category/zhengquanshibao.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><body><ul><li>nothing yet</li></ul></body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := New(Options{Name: "t", Seeds: []string{srv.URL + "/"}, IgnoreRobots: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]bool{}
	_, err = c.Run(context.Background(), func(ctx context.Context, p *article.Page) error {
		mu.Lock()
		got[p.URL.Path] = true
		mu.Unlock()
		return article.ErrNotArticle
	})
	if err != nil {
		t.Fatal(err)
	}
	if !got["/category/zhengquanshibao.html"] {
		t.Errorf("the category page linked after an off-site link was not fetched; fetched %v", got)
	}
}

// countingSite serves /page/<i> for i < n; each links to the listing / and to its neighbours.
func countingSite(t *testing.T, n int, hits *sync.Map) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := hits.LoadOrStore(r.URL.Path, new(int64))
		atomic.AddInt64(v.(*int64), 1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body><ul>")
		if r.URL.Path == "/" {
			for i := 0; i < n; i++ {
				fmt.Fprintf(w, `<li><a href="/page/%d">%d</a></li>`, i, i)
			}
		} else {
			var i int
			fmt.Sscanf(r.URL.Path, "/page/%d", &i)
			fmt.Fprintf(w, `<li><a href="/">home</a><a href="/page/%d">next</a><a href="/page/%d#top">prev</a></li>`, (i+1)%n, (i+n-1)%n)
		}
		fmt.Fprint(w, "</ul></body></html>")
	}))
}

func TestEveryPageOfADenselyLinkedSiteIsFetchedExactlyOnce(t *testing.T) {
	var hits sync.Map
	srv := countingSite(t, 300, &hits)
	defer srv.Close()
	c, err := New(Options{Name: "t", Seeds: []string{srv.URL + "/"}, IgnoreRobots: true, Parallelism: 8}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Run(context.Background(), func(context.Context, *article.Page) error { return article.ErrNotArticle })
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	hits.Range(func(k, v any) bool {
		pages++
		if n := atomic.LoadInt64(v.(*int64)); n != 1 {
			t.Errorf("%s fetched %d times", k, n)
		}
		return true
	})
	if pages != 301 || st.Fetched != 301 {
		t.Errorf("fetched %d distinct pages (stats %d), want the listing and 300 pages", pages, st.Fetched)
	}
}

func TestMaxDepthCountsLinksFromTheSeed(t *testing.T) {
	var hits sync.Map
	srv := countingSite(t, 50, &hits)
	defer srv.Close()
	// seed /page/0 (depth 1) -> /, /page/1, /page/49 (2) -> every page (3): a depth of 2 stops
	// before the listing's links.
	c, err := New(Options{Name: "t", Seeds: []string{srv.URL + "/page/0"}, IgnoreRobots: true, MaxDepth: 2}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), func(context.Context, *article.Page) error { return article.ErrNotArticle }); err != nil {
		t.Fatal(err)
	}
	var got []string
	hits.Range(func(k, _ any) bool { got = append(got, k.(string)); return true })
	sort.Strings(got)
	if want := []string{"/", "/page/0", "/page/1", "/page/49"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fetched %v, want %v", got, want)
	}
}

func TestACancelledCrawlStopsItsWorkers(t *testing.T) {
	var hits sync.Map
	srv := countingSite(t, 2000, &hits)
	defer srv.Close()
	c, err := New(Options{Name: "t", Seeds: []string{srv.URL + "/"}, IgnoreRobots: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int64
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(ctx, func(context.Context, *article.Page) error {
			if n.Add(1) == 20 {
				cancel()
			}
			return article.ErrNotArticle
		})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if got := n.Load(); got > 200 {
		t.Errorf("%d pages handled after cancelling at 20", got)
	}
}

func TestTokenLinksFindWhatTheTreeFinds(t *testing.T) {
	page := `<!DOCTYPE html><html><head>
<meta property="og:description" content="<p>spilled <a href="/spilled.html">copy</a></p>">
<base href="/news/"><link rel="alternate" type="application/atom+xml" href="/feed.xml">
<link rel="stylesheet" href="/s.css"></head><body>
<a href="a.html#top">a</a> <a href="a.html">again</a> <A HREF=" b.html ">b</A>
<a href="javascript:void(0)">js</a><a href="mailto:x@y">mail</a><a href="#frag">frag</a><a name="x">no href</a>
<script>document.write('<a href="/in-script.html">')</script>
<a href="//other.example/c.html">c</a><base href="/ignored/"><a href="d.html">d</a></body></html>`
	base, _ := url.Parse("http://127.0.0.1/start/index.html")
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	str := func(us []*url.URL) string {
		var out []string
		for _, u := range us {
			out = append(out, u.String())
		}
		return strings.Join(out, " ")
	}
	tree, stream := str(HTMLLinks(base, doc)), str(TokenLinks(base, []byte(page)))
	if tree != stream {
		t.Errorf("links differ:\n tree   %s\n stream %s", tree, stream)
	}
	if !strings.Contains(stream, "http://127.0.0.1/news/a.html") || !strings.Contains(stream, "http://127.0.0.1/feed.xml") {
		t.Errorf("stream links %s lack the base-resolved link or the feed", stream)
	}
}

func FuzzTokenLinksAgreeWithTheTree(f *testing.F) {
	f.Add(`<a href="x">x</a>`)
	f.Add(`<base href="/b/"><a href="y">`)            // base before any link
	f.Add(`<meta content="<a href="/spill">">`)       // the og:description trap
	f.Add(`<table><a href="/t">in table</a><tr><td>`) // foster parenting moves, not drops
	f.Fuzz(func(t *testing.T, page string) {
		base, _ := url.Parse("http://127.0.0.1/p/")
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			return
		}
		// The stream may see links the tree builder drops, never miss one it keeps: a missed
		// link is a page the crawl never reaches.
		stream := map[string]bool{}
		for _, u := range TokenLinks(base, []byte(page)) {
			stream[u.String()] = true
		}
		for _, u := range HTMLLinks(base, doc) {
			if !stream[u.String()] {
				t.Errorf("the tree finds %s, the stream does not", u)
			}
		}
	})
}

func TestStreamedLinksAreTheSameSetWithOrWithoutABase(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1/start/")
	for _, page := range []string{
		`<a href="a.html">a</a><link rel="alternate" type="application/rss+xml" href="/rss"><a href="a.html#x">again</a><a href="/b">b</a>`,
		`<a href="a.html">before the base</a><base href="/news/"><a href="b.html">b</a>`,
	} {
		want := map[string]bool{}
		for _, u := range TokenLinks(base, []byte(page)) {
			want[u.String()] = true
		}
		got := map[string]bool{}
		eachTokenLink(base, []byte(page), func(u *url.URL) { got[u.String()] = true })
		if len(got) != len(want) {
			t.Errorf("%s: streamed %v, want %v", page, got, want)
		}
		for s := range want {
			if !got[s] {
				t.Errorf("%s: stream misses %s", page, s)
			}
		}
	}
}
