package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/store"
)

// storeList is the retry list over a real store, written at once.
type storeList struct{ st *store.Store }

func (l storeList) Retries(ctx context.Context, source string) ([]Retry, error) {
	rs, err := l.st.Retries(ctx, source)
	var out []Retry
	for _, r := range rs {
		out = append(out, Retry{URL: r.URL, Attempts: r.Attempts, Reason: r.Reason, Depth: r.Depth})
	}
	return out, err
}

func (l storeList) Failed(ctx context.Context, source string, failed []Failure, limit int) ([]Retry, error) {
	var fs []store.Failure
	for _, f := range failed {
		fs = append(fs, store.Failure{URL: f.URL, Reason: f.Reason, Depth: f.Depth})
	}
	dropped, err := l.st.RetryFailed(ctx, source, fs, limit, time.Now())
	var out []Retry
	for _, r := range dropped {
		out = append(out, Retry{URL: r.URL, Attempts: r.Attempts, Reason: r.Reason})
	}
	return out, err
}

func (l storeList) Done(ctx context.Context, source string, urls []string) error {
	return l.st.RetryDone(ctx, source, urls...)
}

// retryStore makes a store in a fresh folder, open for writing, or read-only when ro: then every
// write fails as a store error would.
func retryStore(t *testing.T, ro bool) *store.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := store.Open(context.Background(), path, store.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if ro {
		st.Close()
		if st, err = store.Open(context.Background(), path, store.Options{LockTimeout: time.Second, ReadOnly: true}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// listingWithADeadLink is a listing with an ETag whose second article is a 404.
func listingWithADeadLink() *faultSite {
	site := newFaultSite()
	site.HandleFunc("/", etagged(links("/a/1", "/a/2")))
	site.HandleFunc("/a/1", serveHTML(articleHTML("一")))
	site.HandleFunc("/a/2", http.NotFound)
	return site
}

func TestAFailedPageThatCannotBeRememberedLeavesTheRunIncomplete(t *testing.T) {
	for _, ro := range []bool{false, true} {
		srv := httptest.NewServer(listingWithADeadLink())
		cache := &mapCache{m: map[string]Validators{}}
		st := retryStore(t, ro)
		opts := fastOptions(srv, "/")
		with := []Option{WithValidatorCache(cache), WithRetryList(storeList{st})}
		opts.MaxRetries = retries(0)
		r := crawlSite(t, opts, with...)
		srv.Close()
		remembered := r.logs.FilterMessageSnippet("cannot remember the failed pages").Len() == 0
		switch {
		case !ro && (len(cache.m) != 1 || !remembered):
			t.Errorf("with a working store: %d validators kept, remembered %v; want the listing's kept", len(cache.m), remembered)
		case ro && (len(cache.m) != 0 || remembered):
			t.Errorf("with a store that refuses writes: %d validators kept, failure logged %v; want none kept: the listing's 304 would hide /a/2 for good", len(cache.m), !remembered)
		}
	}
}

func TestASeedThatFailsStillLeavesTheRunIncompleteWithARetryList(t *testing.T) {
	site := newFaultSite()
	site.HandleFunc("/", etagged(links("/a/1")))
	site.HandleFunc("/a/1", serveHTML(articleHTML("一")))
	site.HandleFunc("/feed.xml", http.NotFound)
	srv := httptest.NewServer(site)
	defer srv.Close()
	cache := &mapCache{m: map[string]Validators{}}
	st := retryStore(t, false)
	opts := fastOptions(srv, "/", "/feed.xml")
	with := []Option{WithValidatorCache(cache), WithRetryList(storeList{st})}
	opts.MaxRetries = retries(0)
	crawlSite(t, opts, with...)
	if len(cache.m) != 0 {
		t.Errorf("validators kept after a seed failed: %v", cache.m)
	}
	if rs, _ := st.Retries(context.Background(), opts.Name); len(rs) != 0 {
		t.Errorf("a seed went on the retry list: %+v; seeds are fetched every run anyway", rs)
	}
}

func TestLinksLeftUnvisitedByASpentPageBudgetAreNotRemembered(t *testing.T) {
	site := newFaultSite()
	site.HandleFunc("/", etagged(links("/a/1", "/a/2", "/a/3", "/a/4")))
	site.HandleFunc("/a/", serveHTML(articleHTML("一")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	cache := &mapCache{m: map[string]Validators{}}
	st := retryStore(t, false)
	opts := fastOptions(srv, "/")
	with := []Option{WithValidatorCache(cache), WithRetryList(storeList{st})}
	opts.MaxPages = 3
	crawlSite(t, opts, with...)
	if len(cache.m) != 0 {
		t.Errorf("validators kept after the page budget ran out: %v", cache.m)
	}
	if rs, _ := st.Retries(context.Background(), opts.Name); len(rs) != 0 {
		t.Errorf("links never fetched went on the retry list: %+v; the listing is read whole next time instead", rs)
	}
}

func TestRetriedURLsStoredOrOffTheSourceAreDroppedWithoutAFetch(t *testing.T) {
	site := newFaultSite()
	site.HandleFunc("/", etagged(links("/a/1")))
	site.HandleFunc("/a/", serveHTML(articleHTML("一")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	st := retryStore(t, false)
	ctx := context.Background()
	opts := fastOptions(srv, "/")
	if _, err := st.RetryFailed(ctx, opts.Name, []store.Failure{
		{URL: srv.URL + "/a/stored", Reason: "http 500"},
		{URL: "http://elsewhere.example/a/9", Reason: "http 500"},
		{URL: srv.URL + "/a/healed", Reason: "empty body"},
	}, 5, time.Now()); err != nil {
		t.Fatal(err)
	}
	with := []Option{WithValidatorCache(&mapCache{m: map[string]Validators{}}), WithRetryList(storeList{st})}
	c, err := New(opts, zap.NewNop(), func(_ context.Context, u string) bool { return strings.HasSuffix(u, "/a/stored") }, with...)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]bool{}
	if _, err := c.Run(ctx, func(_ context.Context, p *article.Page) error {
		mu.Lock()
		defer mu.Unlock()
		got[p.URL.Path] = true
		if strings.HasPrefix(p.URL.Path, "/a/") {
			return nil
		}
		return article.ErrNotArticle
	}); err != nil {
		t.Fatal(err)
	}
	if site.count("/a/stored") != 0 || !got["/a/healed"] {
		t.Errorf("stored URL fetched %d times, healed URL handled %v; want 0 and true", site.count("/a/stored"), got["/a/healed"])
	}
	if rs, _ := st.Retries(ctx, opts.Name); len(rs) != 0 {
		t.Errorf("retry list after the run = %+v; want every entry settled", rs)
	}
}

func TestRetryAttemptsZeroKeepsNoRetryListAndNoValidatorsAfterAFailure(t *testing.T) {
	srv := httptest.NewServer(listingWithADeadLink())
	defer srv.Close()
	cache := &mapCache{m: map[string]Validators{}}
	st := retryStore(t, false)
	opts := fastOptions(srv, "/")
	with := []Option{WithValidatorCache(cache), WithRetryList(storeList{st})}
	opts.MaxRetries, opts.RetryAttempts = retries(0), retries(0)
	crawlSite(t, opts, with...)
	rs, _ := st.Retries(context.Background(), opts.Name)
	if len(cache.m) != 0 || len(rs) != 0 {
		t.Errorf("retry_attempts 0: %d validators kept, retry list %+v; want neither", len(cache.m), rs)
	}
}

func TestARetriedURLThatRobotsTxtNowDisallowsLeavesTheList(t *testing.T) {
	site := newFaultSite()
	site.HandleFunc("/robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /a/private\n"))
	})
	site.HandleFunc("/", etagged(links("/a/1")))
	site.HandleFunc("/a/", serveHTML(articleHTML("一")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	st := retryStore(t, false)
	ctx := context.Background()
	opts := fastOptions(srv, "/")
	opts.IgnoreRobots = false
	if _, err := st.RetryFailed(ctx, opts.Name, []store.Failure{{URL: srv.URL + "/a/private", Reason: "http 503"}}, 5, time.Now()); err != nil {
		t.Fatal(err)
	}
	with := []Option{WithValidatorCache(&mapCache{m: map[string]Validators{}}), WithRetryList(storeList{st})}
	crawlSite(t, opts, with...)
	if site.count("/a/private") != 0 {
		t.Errorf("a page robots.txt disallows was fetched")
	}
	if rs, _ := st.Retries(ctx, opts.Name); len(rs) != 0 {
		t.Errorf("retry list = %+v; a page the site forbids would wait on it for ever", rs)
	}
}

func TestARetriedListingFollowsItsLinksNoDeeperThanWhereItWasFound(t *testing.T) {
	site := newFaultSite()
	site.HandleFunc("/", etagged(links("/l/1")))
	site.HandleFunc("/l/1", serveHTML(links("/l/2")))
	var healed atomic.Bool
	site.HandleFunc("/l/2", func(w http.ResponseWriter, r *http.Request) {
		if !healed.Load() {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		serveHTML(links("/a/too-deep"))(w, r)
	})
	site.HandleFunc("/a/", serveHTML(articleHTML("一")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	cache := &mapCache{m: map[string]Validators{}}
	st := retryStore(t, false)
	opts := fastOptions(srv, "/")
	with := []Option{WithValidatorCache(cache), WithRetryList(storeList{st})}
	opts.MaxRetries, opts.MaxDepth = retries(0), 3
	crawlSite(t, opts, with...)
	if rs, _ := st.Retries(context.Background(), opts.Name); len(rs) != 1 || rs[0].Depth != 3 {
		t.Fatalf("retry list after the first run = %+v; want /l/2 at depth 3", rs)
	}
	healed.Store(true)
	crawlSite(t, opts, with...)
	if site.count("/l/2") != 2 || site.count("/l/1") != 1 {
		t.Fatalf("/l/2 fetched %d times, /l/1 %d times; want the retry by URL while / answers 304", site.count("/l/2"), site.count("/l/1"))
	}
	if n := site.count("/a/too-deep"); n != 0 {
		t.Errorf("a link at depth 4 was fetched %d times with max_depth 3: the retried listing was queued shallower than it was found", n)
	}
}
