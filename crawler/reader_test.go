package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/newsmill/newsmill/article"
)

// verdict is what a driver made of one page: a record, a listing (or feed), a failure a later
// attempt must fetch again (with the reason the retry list keeps), or an unchanged page; the
// links it queued and whether the page's validators were kept.
type verdict struct {
	kind       string // "record", "listing", "failed", "not modified", or what went wrong
	reason     string // of a failure
	links      []string
	validators bool
}

func (o verdict) String() string {
	s := o.kind
	if o.reason != "" {
		s += " (" + o.reason + ")"
	}
	if len(o.links) > 0 {
		s += fmt.Sprintf(", links %v", o.links)
	}
	if o.validators {
		s += ", validators kept"
	}
	return s
}

// memRetries is a RetryList in memory that remembers what a run said failed.
type memRetries struct {
	mu     sync.Mutex
	failed map[string]string // URL -> reason
}

func (l *memRetries) Retries(context.Context, string) ([]Retry, error) { return nil, nil }
func (l *memRetries) Done(context.Context, string, []string) error     { return nil }
func (l *memRetries) Failed(_ context.Context, _ string, fs []Failure, _ int) ([]Retry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range fs {
		l.failed[f.URL] = f.Reason
	}
	return nil, nil
}

// parityHandler stands for the extractors: a page with an <article> gives a record, a page
// that says the server is busy is an error page, anything else is no article.
func parityHandler(ctx context.Context, p *article.Page) error {
	switch body := string(p.Body); {
	case strings.Contains(body, "<article>"):
		return nil
	case strings.Contains(body, "temporarily busy"):
		return fmt.Errorf("%w: the server is busy", article.ErrErrorPage)
	default:
		return fmt.Errorf("%w: no article body", article.ErrNotArticle)
	}
}

// paritySite serves one page of each kind; /seed/X links to X, so that in a pass X is found
// at depth 2 as an article or listing usually is, and /x/N are articles the pages link to.
type paritySite struct {
	*http.ServeMux
	mu   sync.Mutex
	hits []string
}

func (s *paritySite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits = append(s.hits, r.URL.Path)
	s.mu.Unlock()
	s.ServeMux.ServeHTTP(w, r)
}

func (s *paritySite) reset() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hits
	s.hits = nil
	return h
}

const (
	infoCodeURL = "/a/202612071234567890.html"
	parityETag  = `"v1"`
)

func newParitySite() *paritySite {
	s := &paritySite{ServeMux: http.NewServeMux()}
	// Every page carries an ETag, as real servers' pages do: only a listing's may be kept.
	page := func(ct, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", parityETag)
			if r.Header.Get("If-None-Match") == parityETag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", ct)
			fmt.Fprint(w, body)
		}
	}
	html := func(body string) http.HandlerFunc { return page("text/html; charset=utf-8", body) }
	s.HandleFunc("/seed/", func(w http.ResponseWriter, r *http.Request) {
		serveHTML(links(strings.TrimPrefix(r.URL.Path, "/seed")))(w, r)
	})
	s.HandleFunc("/x/", serveHTML("<html><body><article>linked</article></body></html>"))
	s.HandleFunc("/news/1.html", html(`<html><body><article>正文</article></body></html>`))
	s.HandleFunc("/list.html", html(links("/x/1", "/x/2")))
	s.HandleFunc("/unchanged.html", html(links("/x/1", "/x/2")))
	s.HandleFunc("/feed.xml", page("application/rss+xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`+
		`<item><title>one</title><link>/x/1</link></item><item><title>two</title><link>/x/2</link></item></channel></rss>`))
	s.HandleFunc("/gone.html", http.NotFound)
	s.HandleFunc("/down.html", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	s.HandleFunc("/empty.html", html(""))
	s.HandleFunc("/busy.html", html(`<html><body><nav><a href="/x/1">home</a></nav><p>Service temporarily busy</p></body></html>`))
	s.HandleFunc(infoCodeURL, html(`<html><body><nav><a href="/x/1">home</a></nav><p>loading…</p></body></html>`))
	s.HandleFunc("/news/2.html", html(`<html><body><p>nothing here</p></body></html>`))
	return s
}

// parityOptions are one source over the site: no article patterns (every page is offered to the
// extractors), no retries within a fetch, conditional requests on.
func parityOptions(srv *httptest.Server, seed string) Options {
	o := fastOptions(srv, seed)
	o.MaxRetries, o.MaxDepth, o.Parallelism = retries(0), 3, 1
	return o
}

// passOutcome crawls /seed/<target> in one pass and reads what became of target.
func passOutcome(t *testing.T, srv *httptest.Server, site *paritySite, target string, cache *mapCache) verdict {
	t.Helper()
	rl := &memRetries{failed: map[string]string{}}
	c, err := New(parityOptions(srv, "/seed"+target), nil, nil, WithValidatorCache(cache), WithRetryList(rl))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	record := false
	site.reset()
	st, err := c.Run(context.Background(), func(ctx context.Context, p *article.Page) error {
		err := parityHandler(ctx, p)
		if p.URL.Path == target && err == nil {
			mu.Lock()
			record = true
			mu.Unlock()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var o verdict
	for _, h := range site.reset() {
		if h != target && !strings.HasPrefix(h, "/seed/") && !slices.Contains(o.links, h) {
			o.links = append(o.links, h)
		}
	}
	slices.Sort(o.links)
	key := srv.URL + target
	v, kept := cache.Validators(context.Background(), key)
	o.validators = kept && v.ETag == parityETag && st.NotChanged == 0
	switch reason, failed := rl.failed[key]; {
	case st.NotChanged > 0:
		o.kind = "not modified"
	case failed:
		o.kind, o.reason = "failed", reason
	case record:
		o.kind = "record"
	default:
		o.kind = "listing"
	}
	return o
}

// fetcherOutcome fetches target once as a cluster worker does and reads the Result.
func fetcherOutcome(t *testing.T, srv *httptest.Server, target string, cache *mapCache) verdict {
	t.Helper()
	c, err := New(parityOptions(srv, "/"), nil, nil, WithValidatorCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	record := false
	res, err := c.NewFetcher(nil, nil).Fetch(context.Background(), srv.URL+target, nil, func(ctx context.Context, p *article.Page) error {
		err := parityHandler(ctx, p)
		record = record || err == nil
		return err
	})
	var o verdict
	for _, l := range res.Links {
		o.links = append(o.links, strings.TrimPrefix(l.URL, srv.URL))
	}
	slices.Sort(o.links)
	o.validators = res.Listing && res.Validators.ETag == parityETag && !res.NotModified
	var se *StatusError
	switch {
	case res.Failure != "":
		o.kind, o.reason = "failed", res.Failure
	case errors.As(err, &se):
		o.kind, o.reason = "failed", fmt.Sprintf("http %d", se.Code)
	case errors.Is(err, ErrNotPage):
		o.kind, o.reason = "failed", "empty body"
	case err != nil:
		o.kind, o.reason = "error", err.Error()
	case res.NotModified:
		o.kind = "not modified"
	case record:
		o.kind = "record"
	case res.Listing:
		o.kind = "listing"
	default:
		o.kind = "neither a record nor a listing"
	}
	return o
}

func TestAPassAndAClusterFetcherMakeTheSameOfEveryKindOfPage(t *testing.T) {
	site := newParitySite()
	srv := httptest.NewServer(site)
	defer srv.Close()
	cases := []struct {
		sentence  string
		target    string
		unchanged bool // the page's validators are known from an earlier run
		want      string
	}{
		{"an article gives its record and keeps no validators", "/news/1.html", false,
			"record"},
		{"a listing gives its links and keeps its validators", "/list.html", false,
			"listing, links [/x/1 /x/2], validators kept"},
		{"a feed gives its items as links and keeps its validators", "/feed.xml", false,
			"listing, links [/x/1 /x/2], validators kept"},
		{"a 404 is a failure fetched again later", "/gone.html", false,
			"failed (http 404)"},
		{"a 503 is a failure fetched again later", "/down.html", false,
			"failed (http 503)"},
		{"an empty 200 is a failure fetched again later", "/empty.html", false,
			"failed (empty body)"},
		{"an error page sent as 200 is a failure fetched again later, its links followed", "/busy.html", false,
			"failed (error page), links [/x/1]"},
		{"an article URL with an info code that gives no record is a failure, not a listing, its links followed", infoCodeURL, false,
			"failed (no record), links [/x/1]"},
		{"a page with no record and no links is a failure, not a listing", "/news/2.html", false,
			"failed (no record and no links)"},
		{"a listing that answers 304 is unchanged", "/unchanged.html", true,
			"not modified"},
	}
	for _, tc := range cases {
		t.Run(tc.sentence, func(t *testing.T) {
			cache := func() *mapCache {
				m := &mapCache{m: map[string]Validators{}}
				if tc.unchanged {
					m.m[srv.URL+tc.target] = Validators{ETag: parityETag}
				}
				return m
			}
			pass := passOutcome(t, srv, site, tc.target, cache())
			fetcher := fetcherOutcome(t, srv, tc.target, cache())
			if pass.String() != tc.want {
				t.Errorf("one machine's pass: %s; want %s", pass, tc.want)
			}
			if fetcher.String() != tc.want {
				t.Errorf("a cluster's Fetcher: %s; want %s", fetcher, tc.want)
			}
		})
	}
}
