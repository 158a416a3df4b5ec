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

// recordingGate is a Gate that lets everything through and remembers what it was asked.
type recordingGate struct {
	mu       sync.Mutex
	acquired []time.Duration // the crawl delay of each Acquire
	released int
	paused   []time.Duration
}

func (g *recordingGate) Acquire(_ context.Context, _ string, crawlDelay time.Duration) (func(), error) {
	g.mu.Lock()
	g.acquired = append(g.acquired, crawlDelay)
	g.mu.Unlock()
	return func() { g.mu.Lock(); g.released++; g.mu.Unlock() }, nil
}

func (g *recordingGate) Pause(_ context.Context, _ string, d time.Duration) {
	g.mu.Lock()
	g.paused = append(g.paused, d)
	g.mu.Unlock()
}

func TestAFetcherAsksTheGateForEveryRequestWithTheCrawlDelayAndHonoursRobots(t *testing.T) {
	var pageHits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private\nCrawl-delay: 1\n")
		case "/list.html":
			pageHits.Add(1)
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("ETag", `"l1"`)
			fmt.Fprint(w, `<html><body><a href="/a.html">a</a> <a href="/a.html#x">again</a> <a href="/private/b.html">b</a> <a href="https://elsewhere.example/c">c</a></body></html>`)
		case "/private/b.html":
			pageHits.Add(1)
		case "/busy.html":
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	c, err := New(Options{Name: "t", Seeds: []string{srv.URL + "/"}, MaxRetries: new(int)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	gate := &recordingGate{}
	f := c.NewFetcher(gate, nil)
	ctx := context.Background()
	notArticle := func(context.Context, *article.Page) error { return article.ErrNotArticle }

	res, err := f.Fetch(ctx, srv.URL+"/list.html", nil, notArticle)
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, l := range res.Links {
		links = append(links, strings.TrimPrefix(l.URL, srv.URL))
	}
	if strings.Join(links, " ") != "/a.html /private/b.html" {
		t.Errorf("links %v: want the source's links once each, without fragments or other hosts", links)
	}
	if !res.Listing || res.Validators.ETag != `"l1"` {
		t.Errorf("listing %v, validators %+v", res.Listing, res.Validators)
	}
	// robots.txt, then the page with the host's Crawl-delay; each slot given back.
	if fmt.Sprint(gate.acquired) != "[0s 1s]" || gate.released != 2 {
		t.Errorf("gate asked %v, released %d; want robots.txt then the page with its 1s Crawl-delay", gate.acquired, gate.released)
	}

	_, err = f.Fetch(ctx, srv.URL+"/private/b.html", nil, notArticle)
	if !errors.Is(err, ErrRobots) || Transient(err) || pageHits.Load() != 1 {
		t.Errorf("a disallowed page: err %v (transient %v), %d page requests", err, Transient(err), pageHits.Load())
	}

	_, err = f.Fetch(ctx, srv.URL+"/busy.html", nil, notArticle)
	if !Transient(err) || fmt.Sprint(gate.paused) != "[2s]" {
		t.Errorf("a 503 with Retry-After 2: err %v, transient %v, pauses %v; want the host paused 2s for everyone", err, Transient(err), gate.paused)
	}
}

// BenchmarkFetcherFetchOfAListing is one cluster Fetch of a small listing over loopback: the
// Colly collector each Fetch builds is part of its cost.
func BenchmarkFetcherFetchOfAListing(b *testing.B) {
	srv := httptest.NewServer(serveHTML(links("/a/1", "/a/2", "/a/3")))
	defer srv.Close()
	c, err := New(Options{Name: "b", Seeds: []string{srv.URL + "/"}, IgnoreRobots: true, MaxRetries: new(int)}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	f := c.NewFetcher(nil, nil)
	notArticle := func(context.Context, *article.Page) error { return article.ErrNotArticle }
	b.ReportAllocs()
	for b.Loop() {
		if res, err := f.Fetch(context.Background(), srv.URL+"/list.html", nil, notArticle); err != nil || len(res.Links) != 3 {
			b.Fatalf("%d links, %v", len(res.Links), err)
		}
	}
}
