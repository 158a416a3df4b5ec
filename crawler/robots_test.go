package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
)

// politeSite serves a listing of n articles and a robots.txt given by the test, and records when
// each article was asked for.
type politeSite struct {
	robots   http.HandlerFunc
	robotsN  atomic.Int64
	mu       sync.Mutex
	articles []time.Time
}

func (s *politeSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/robots.txt":
		s.robotsN.Add(1)
		s.robots(w, r)
	case strings.HasPrefix(r.URL.Path, "/a/"):
		s.mu.Lock()
		s.articles = append(s.articles, time.Now())
		s.mu.Unlock()
		fmt.Fprint(w, "<html><body><p>article</p></body></html>")
	default:
		var b strings.Builder
		for i := range 6 {
			fmt.Fprintf(&b, `<a href="/a/%d">%d</a>`, i, i)
		}
		fmt.Fprintf(w, "<html><body>%s</body></html>", b.String())
	}
}

func politeOptions(srv *httptest.Server, paths ...string) Options {
	o := Options{Name: "polite", Parallelism: 6, RetryBaseDelay: 10 * time.Millisecond, MaxRetries: retries(0)}
	for _, p := range paths {
		o.Seeds = append(o.Seeds, srv.URL+p)
	}
	return o
}

func notArticles(context.Context, *article.Page) error { return article.ErrNotArticle }

func TestRobotsTxtIsFetchedOncePerHostNotOncePerParallelRequest(t *testing.T) {
	// robots.txt is held until all six workers are inside the robots check at once, so the
	// requests that could each fetch it are concurrent however loaded the machine is.
	release := make(chan struct{})
	site := &politeSite{robots: func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
	}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	c, err := New(politeOptions(srv, "/", "/a/10", "/a/11", "/a/12", "/a/13", "/a/14"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.Run(context.Background(), notArticles); done <- err }()
	const workers = 6 // politeOptions' parallelism, one per seed
	in := 0
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if in = goroutinesIn("crawler.(*robots).check("); in >= workers || time.Now().After(deadline) {
			break
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if in < workers {
		t.Fatalf("%d of %d workers were in the robots check while robots.txt was held: the requests were never concurrent", in, workers)
	}
	if n := site.robotsN.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times by %d parallel workers, want 1", n, workers)
	}
	if len(site.articles) != 11 {
		t.Errorf("%d article requests, want 11", len(site.articles))
	}
}

// goroutinesIn counts the goroutines with fn (package-qualified, as a stack trace prints it) on
// their stack.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			count++
		}
	}
	return count
}

func TestRobotsTxtCrawlDelaySpacesTheRequestsToItsHost(t *testing.T) {
	const delay = 150 * time.Millisecond
	site := &politeSite{robots: func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nCrawl-delay: 0.15\n")
	}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	c, err := New(politeOptions(srv, "/"), nil, nil) // parallelism 6, no delay of our own
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), notArticles); err != nil {
		t.Fatal(err)
	}
	times := slices.Clone(site.articles)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	if len(times) != 6 {
		t.Fatalf("%d article requests, want 6", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < delay-10*time.Millisecond {
			t.Errorf("request %d came %s after the one before; Crawl-delay asks for %s", i, gap, delay)
		}
	}
}

func TestStoppingDoesNotWaitForAHangingRobotsTxt(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	site := &politeSite{robots: func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}}
	asked := make(chan struct{})
	srv := httptest.NewServer(served(site, "/robots.txt", asked, false))
	defer srv.Close()
	o := politeOptions(srv, "/")
	o.Timeout = time.Hour // only the run's context may end the wait
	c, err := New(o, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stopsOnCancel(t, c, asked, "while robots.txt hung")
}

// served wraps h and closes reached when a request for path arrives (before it is served) or,
// with after, once it has been answered.
func served(h http.Handler, path string, reached chan struct{}, after bool) http.Handler {
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path && !after {
			once.Do(func() { close(reached) })
		}
		h.ServeHTTP(w, r)
		if r.URL.Path == path && after {
			once.Do(func() { close(reached) })
		}
	})
}

// stopsOnCancel runs c, cancels its context once ready is closed, and fails unless Run returns
// soon after: the waits under test last an hour, so the bound is generous and the figure logged.
func stopsOnCancel(t *testing.T, c *Crawler, ready <-chan struct{}, during string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx, notArticles)
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("the run never reached the wait %s", during)
	}
	cancel()
	cancelled := time.Now()
	select {
	case <-done:
		t.Logf("stopped %s after the cancel", time.Since(cancelled).Round(time.Microsecond))
	case <-time.After(10 * time.Second):
		t.Fatalf("the run was still going 10 s after the cancel %s", during)
	}
}

func TestStoppingDoesNotWaitOutALongDelay(t *testing.T) {
	site := &politeSite{robots: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }}
	listed := make(chan struct{})
	srv := httptest.NewServer(served(site, "/", listed, true))
	defer srv.Close()
	o := politeOptions(srv, "/")
	o.Delay, o.Parallelism = time.Hour, 1
	c, err := New(o, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The listing answered, its links wait out the hour's delay.
	stopsOnCancel(t, c, listed, "during a 1h delay")
	if len(site.articles) != 0 {
		t.Errorf("%d articles fetched during the listing's delay", len(site.articles))
	}
}

// An unreadable robots.txt refuses the page as a dead server would, and is not remembered: the
// next page of the host asks again, so one dropped connection does not close a host for the run.
func TestARobotsTxtThatCannotBeReadRefusesThePageAndIsAskedAgainForTheNext(t *testing.T) {
	var drop atomic.Bool
	drop.Store(true)
	site := &politeSite{robots: func(w http.ResponseWriter, r *http.Request) {
		if drop.Swap(false) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // no response at all
			}
			return
		}
		fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
	}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	o := politeOptions(srv, "/a/10", "/a/11")
	o.Parallelism = 1
	c, err := New(o, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Run(context.Background(), notArticles)
	if err != nil {
		t.Fatal(err)
	}
	if n := site.robotsN.Load(); n != 2 {
		t.Errorf("robots.txt asked %d times, want 2 (the failed read, then once more)", n)
	}
	if len(site.articles) != 1 || st.Errors != 1 {
		t.Errorf("%d article requests and %d errors, want 1 refused and 1 fetched", len(site.articles), st.Errors)
	}
}
