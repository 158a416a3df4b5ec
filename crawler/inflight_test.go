package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
)

// boundedCrawler is a crawler of o whose reads take from a bound of its own, so a test sees
// every byte it takes and gives back.
func boundedCrawler(t *testing.T, o Options, size int64) (*Crawler, *pageBytes) {
	t.Helper()
	c, err := New(o, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.pages = newPageBytes(size)
	return c, c.pages
}

// bigArticles serves /list linking to n articles of size bytes each, at /a/0 … /a/n-1.
func bigArticles(n, size int) *httptest.Server {
	mux := http.NewServeMux()
	var paths []string
	for i := range n {
		paths = append(paths, fmt.Sprintf("/a/%d", i))
	}
	mux.HandleFunc("/list", serveHTML(links(paths...)))
	page := "<html><body><article>" + strings.Repeat("x", size) + "</article></body></html>"
	mux.HandleFunc("/a/", serveHTML(page))
	return httptest.NewServer(mux)
}

// A pass at parallelism 16, and 16 Fetches at once as a cluster worker of concurrency 16 makes
// them, read no more pages at once than the bound has room for.
func TestPagesBeingReadNeverHoldMoreThanTheBoundWhateverTheParallelism(t *testing.T) {
	for _, driver := range []string{"pass", "fetcher"} {
		t.Run(driver, func(t *testing.T) { boundHolds(t, driver) })
	}
}

func boundHolds(t *testing.T, driver string) {
	const size = 64 << 10
	srv := bigArticles(24, size)
	defer srv.Close()
	o := fastOptions(srv, "/list")
	o.Parallelism = 16
	// Room for two of the pages at once (each is a little over size with its markup), never three.
	c, b := boundedCrawler(t, o, 2*size+4096)
	var reading, most, records atomic.Int64
	handle := func(ctx context.Context, p *article.Page) error {
		if !strings.Contains(string(p.Body), "<article>") {
			return article.ErrNotArticle
		}
		n := reading.Add(1)
		defer reading.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if h := b.held.Load(); h > b.max {
			t.Errorf("%d bytes held while a page is extracted, over the bound of %d", h, b.max)
		}
		time.Sleep(5 * time.Millisecond) // long enough for the other workers to pile up
		records.Add(1)
		return nil
	}
	if driver == "pass" {
		if _, err := c.Run(context.Background(), handle); err != nil {
			t.Fatal(err)
		}
	} else {
		f := c.NewFetcher(nil, nil)
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.Fetch(context.Background(), fmt.Sprintf("%s/a/%d", srv.URL, i), nil, handle); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	if records.Load() != 24 {
		t.Errorf("%d records, want all 24 pages read", records.Load())
	}
	if m := most.Load(); m > 2 {
		t.Errorf("%d pages were extracted at once; the bound has room for 2", m)
	}
	if h := b.held.Load(); h != 0 {
		t.Errorf("%d bytes still held after the run: a read did not give its page back", h)
	}
}

func TestAPageLargerThanTheWholeBoundIsReadAloneRatherThanNever(t *testing.T) {
	srv := bigArticles(3, 256<<10)
	defer srv.Close()
	c, b := boundedCrawler(t, fastOptions(srv, "/list"), 4<<10)
	var records atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := c.Run(ctx, func(ctx context.Context, p *article.Page) error {
		if !strings.Contains(string(p.Body), "<article>") {
			return article.ErrNotArticle
		}
		if h := b.held.Load(); h != b.max {
			t.Errorf("a page of 256 KiB holds %d bytes of a bound of %d; it should take all of it", h, b.max)
		}
		records.Add(1)
		return nil
	})
	if err != nil {
		t.Fatalf("run: %v (a page larger than the bound must not wait for ever)", err)
	}
	if records.Load() != 3 {
		t.Errorf("%d records, want 3", records.Load())
	}
	if h := b.held.Load(); h != 0 {
		t.Errorf("%d bytes still held after the run", h)
	}
}

func TestEveryKindOfPageGivesItsBytesBackInAPassAndInAFetcher(t *testing.T) {
	site := newParitySite()
	srv := httptest.NewServer(site)
	defer srv.Close()
	// A binary body, a handler that fails outright and a feed whose item carries its own body
	// beside the parity site's kinds: every way out of the reader.
	site.HandleFunc("/binary.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"))
	})
	site.HandleFunc("/broken.html", serveHTML(`<html><body><article>broken</article></body></html>`))
	targets := []string{"/news/1.html", "/list.html", "/feed.xml", "/gone.html", "/down.html", "/empty.html",
		"/busy.html", infoCodeURL, "/news/2.html", "/binary.html", "/broken.html"}
	handle := func(ctx context.Context, p *article.Page) error {
		if p.URL.Path == "/broken.html" {
			return errors.New("the extractor failed")
		}
		return parityHandler(ctx, p)
	}
	o := parityOptions(srv, "/seed/")
	for _, target := range targets {
		o.Seeds = append(o.Seeds, srv.URL+target)
	}
	c, b := boundedCrawler(t, o, 1<<20)
	if _, err := c.Run(context.Background(), handle); err != nil {
		t.Fatal(err)
	}
	if h := b.held.Load(); h != 0 {
		t.Errorf("a pass over every kind of page left %d bytes held", h)
	}
	f := c.NewFetcher(nil, nil)
	for _, target := range targets {
		_, _ = f.Fetch(context.Background(), srv.URL+target, nil, handle)
		if h := b.held.Load(); h != 0 {
			t.Errorf("a Fetch of %s left %d bytes held", target, h)
		}
	}
}

// The first article's extraction holds the whole bound until the stop, so the second waits for
// it: the stop must end that wait and leave nothing held.
func TestAStopWhileAPageWaitsForTheBoundLeavesNothingHeld(t *testing.T) {
	srv := bigArticles(2, 32<<10)
	defer srv.Close()
	for _, driver := range []string{"pass", "fetcher"} {
		t.Run(driver, func(t *testing.T) {
			o := fastOptions(srv, "/list")
			c, b := boundedCrawler(t, o, 32<<10) // one page at a time
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var once sync.Once
			inside := make(chan struct{})
			handle := func(hctx context.Context, p *article.Page) error {
				if !strings.Contains(string(p.Body), "<article>") {
					return article.ErrNotArticle
				}
				once.Do(func() { close(inside) })
				<-hctx.Done() // holds the whole bound until the stop
				return hctx.Err()
			}
			done := make(chan struct{})
			var st Stats
			go func() {
				defer close(done)
				if driver == "pass" {
					st, _ = c.Run(ctx, handle)
					return
				}
				f := c.NewFetcher(nil, nil)
				var wg sync.WaitGroup
				for i := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, _ = f.Fetch(ctx, fmt.Sprintf("%s/a/%d", srv.URL, i), nil, handle)
					}()
				}
				wg.Wait()
			}()
			<-inside
			// The other page is fetched meanwhile (by a pass's second worker, or the second
			// Fetch) and waits for the bound; give it the time to get there.
			time.Sleep(200 * time.Millisecond)
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the stop did not end the reads waiting for the bound")
			}
			if h := b.held.Load(); h != 0 {
				t.Errorf("%d bytes held after the stop", h)
			}
			if !b.sem.TryAcquire(b.max) {
				t.Error("the whole bound is not free after the stop: a permit leaked")
			}
			if st.Errors != 0 {
				t.Errorf("a page cut short by the stop counted as %d fetch errors", st.Errors)
			}
		})
	}
}

func TestTheSourcesOfOneConfigShareOneBound(t *testing.T) {
	a, err := New(Options{Name: "a", Seeds: []string{"https://a.example/"}, MaxBytesInFlight: 3 << 20}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{Name: "b", Seeds: []string{"https://b.example/"}, MaxBytesInFlight: 3 << 20}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Name: "d", Seeds: []string{"https://d.example/"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.pages != b.pages {
		t.Error("two sources with the config's max_bytes_in_flight have a bound each: the process would hold twice the bound")
	}
	if d.pages.max != DefaultMaxBytesInFlight {
		t.Errorf("a crawler with no bound set takes %d bytes, want DefaultMaxBytesInFlight", d.pages.max)
	}
}

func TestABodyOfUnknownLengthHoldsItsSizeOnceReadAndRedirectsAndRobotsGiveTheirsBack(t *testing.T) {
	const size = 3 << 20 // over freeBody: read under the whole body cap, then shrunk to its size
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/list", serveHTML(links("/moved", "/a/1")))
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Location", "/a/2")
		w.WriteHeader(http.StatusMovedPermanently)
		fmt.Fprint(w, "<html><body>moved to <a href=/a/2>/a/2</a></body></html>")
	})
	mux.HandleFunc("/a/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fl := w.(http.Flusher)
		fmt.Fprint(w, "<html><body><article>")
		for range size / (64 << 10) {
			w.Write([]byte(strings.Repeat("y", 64<<10)))
			fl.Flush() // chunked: no Content-Length
		}
		fmt.Fprint(w, "</article></body></html>")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	o := fastOptions(srv, "/list")
	o.IgnoreRobots = false
	o.Parallelism = 1
	c, b := boundedCrawler(t, o, 64<<20)
	var records atomic.Int64
	_, err := c.Run(context.Background(), func(ctx context.Context, p *article.Page) error {
		if !strings.Contains(string(p.Body), "<article>") {
			return article.ErrNotArticle
		}
		if h := b.held.Load(); h != int64(len(p.Body)) {
			t.Errorf("a page of %d bytes holds %d bytes of the bound while extracted; it should hold its size", len(p.Body), h)
		}
		records.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if records.Load() != 2 {
		t.Errorf("%d records, want 2 (one of them through a redirect)", records.Load())
	}
	if h := b.held.Load(); h != 0 {
		t.Errorf("%d bytes held after the run: a redirect's or robots.txt's body kept its bytes", h)
	}
}

func TestTheWaitForTheBoundDoesNotCountAgainstTheAttemptTimeout(t *testing.T) {
	// With a Content-Length the bytes are taken before the body is read: the attempt waits with
	// the response's body unread, its clock stopped.
	page := "<html><body><article>" + strings.Repeat("x", 32<<10) + "</article></body></html>"
	mux := http.NewServeMux()
	mux.HandleFunc("/list", serveHTML(links("/a/0", "/a/1")))
	mux.HandleFunc("/a/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", fmt.Sprint(len(page)))
		fmt.Fprint(w, page)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	o := fastOptions(srv, "/list")
	o.Timeout = 300 * time.Millisecond
	o.MaxRetries = retries(0)
	c, b := boundedCrawler(t, o, 32<<10) // one page at a time
	var records atomic.Int64
	var first atomic.Bool
	st, err := c.Run(context.Background(), func(ctx context.Context, p *article.Page) error {
		if !strings.Contains(string(p.Body), "<article>") {
			return article.ErrNotArticle
		}
		if first.CompareAndSwap(false, true) {
			time.Sleep(time.Second) // the other page waits for the bound three timeouts long
		}
		records.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if records.Load() != 2 || st.Errors != 0 {
		t.Errorf("%d records and %d fetch errors: a page that waited for the bound timed out", records.Load(), st.Errors)
	}
	if h := b.held.Load(); h != 0 {
		t.Errorf("%d bytes held after the run", h)
	}
}
