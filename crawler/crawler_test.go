package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmill/newsmill/extract"
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
	_, err = c.Run(context.Background(), func(ctx context.Context, p *extract.Page) error {
		mu.Lock()
		got[p.URL.Path] = true
		mu.Unlock()
		return extract.ErrNotArticle
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
	st, err := c.Run(context.Background(), func(context.Context, *extract.Page) error { return extract.ErrNotArticle })
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
	if _, err := c.Run(context.Background(), func(context.Context, *extract.Page) error { return extract.ErrNotArticle }); err != nil {
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
		_, err := c.Run(ctx, func(context.Context, *extract.Page) error {
			if n.Add(1) == 20 {
				cancel()
			}
			return extract.ErrNotArticle
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
