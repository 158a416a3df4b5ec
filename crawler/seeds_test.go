package crawler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/newsmill/newsmill/article"
)

func TestSeedOutcomesCreditAPageToEverySeedThatLinksToIt(t *testing.T) {
	site := newFaultSite()
	site.Handle("/list1", serveHTML(links("/a/1")))
	site.Handle("/list2", serveHTML(links("/a/1", "/a/gone")))
	site.Handle("/empty", serveHTML(links()))
	site.Handle("/a/1", serveHTML(articleHTML("one")))
	site.Handle("/a/gone", http.NotFoundHandler())
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/list1", "/list2", "/empty", "/a/missing")
	opts.MaxRetries = retries(0)
	got := map[string]SeedOutcome{}
	crawlSite(t, opts, WithSeedOutcomes(func(o SeedOutcome) { got[strings.TrimPrefix(o.Seed, srv.URL)] = o }))
	if n := site.count("/a/1"); n != 1 {
		t.Errorf("/a/1 fetched %d times, want once", n)
	}
	for seed, want := range map[string]string{
		"/list1":     "answered=true records=1 links=1 failed=0",
		"/list2":     "answered=true records=1 links=2 failed=1",
		"/empty":     "answered=true records=0 links=0 failed=0",
		"/a/missing": "answered=false records=0 links=0 failed=0",
	} {
		o := got[seed]
		if s := fmt.Sprintf("answered=%v records=%d links=%d failed=%d", o.Answered, o.Records, o.Links, o.Failed); s != want {
			t.Errorf("%s: %s, want %s", seed, s, want)
		}
	}
	if o := got["/list2"]; o.FirstFailure != "http 404" || !o.Gave() {
		t.Errorf("/list2: first failure %q, gave %v", o.FirstFailure, o.Gave())
	}
	if o := got["/a/missing"]; o.Err == nil || !strings.Contains(o.Err.Error(), "404") || o.Gave() {
		t.Errorf("/a/missing: err %v, gave %v", o.Err, o.Gave())
	}
}

// dnsFailure is a network where no name resolves, counting the attempts.
type dnsFailure struct{ calls atomic.Int32 }

func (d *dnsFailure) RoundTrip(r *http.Request) (*http.Response, error) {
	d.calls.Add(1)
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: r.URL.Hostname(), IsNotFound: true}}
}

func TestAHostThatDoesNotResolveIsNotRetried(t *testing.T) {
	net := &dnsFailure{}
	opts := Options{Name: "dns", Seeds: []string{"http://nosuch.invalid/"}, IgnoreRobots: true, RetryBaseDelay: 10e6}
	r := crawlSite(t, opts, withTransport(net))
	if n := net.calls.Load(); n != 1 {
		t.Errorf("%d attempts at a name that does not exist, want 1", n)
	}
	if r.stats.Errors != 1 || r.stats.Retries != 0 || !r.logged("no such host") {
		t.Errorf("stats %+v; the failure is not logged as it is:\n%s", r.stats, r.dump())
	}
}

func TestEveryRequestHasADebugLineWithStatusBytesTimeAndDecision(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/1", "/a/gone")))
	site.Handle("/a/1", serveHTML(articleHTML("one")))
	site.Handle("/a/gone", http.NotFoundHandler())
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.MaxRetries = retries(0)
	r := crawlSite(t, opts)
	lines := map[string]map[string]any{}
	for _, e := range r.logs.FilterMessage("crawled").All() {
		m := e.ContextMap()
		lines[strings.TrimPrefix(fmt.Sprint(m["url"]), srv.URL)] = m
	}
	for path, want := range map[string]string{"/": "200 listing", "/a/1": "200 article", "/a/gone": "404 failed"} {
		m := lines[path]
		if m == nil {
			t.Errorf("no debug line for %s:\n%s", path, r.dump())
			continue
		}
		if got := fmt.Sprintf("%v %v", m["status"], m["decision"]); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
		if _, ok := m["took"]; !ok || m["bytes"] == nil {
			t.Errorf("%s: no time or bytes: %v", path, m)
		}
	}
	if b, _ := lines["/a/1"]["bytes"].(int64); b != int64(len(articleHTML("one"))) {
		t.Errorf("/a/1: %v bytes, want %d", lines["/a/1"]["bytes"], len(articleHTML("one")))
	}
}

func TestAClusterFetchLogsTheSameDebugLinePerRequest(t *testing.T) {
	site := newFaultSite()
	site.Handle("/a/1", serveHTML(articleHTML("one")))
	site.Handle("/a/gone", http.NotFoundHandler())
	srv := httptest.NewServer(site)
	defer srv.Close()
	core, logs := observer.New(zapcore.DebugLevel)
	c, err := New(Options{Name: "f", Seeds: []string{srv.URL + "/"}, IgnoreRobots: true, MaxRetries: new(int)}, zap.New(core), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := c.NewFetcher(nil, nil)
	took := func(_ context.Context, p *article.Page) error { p.Extracted = "test"; return nil }
	if _, err := f.Fetch(context.Background(), srv.URL+"/a/1", nil, took); err != nil {
		t.Fatal(err)
	}
	_, _ = f.Fetch(context.Background(), srv.URL+"/a/gone", nil, took)
	got := map[string]string{}
	for _, e := range logs.FilterMessage("crawled").All() {
		m := e.ContextMap()
		got[strings.TrimPrefix(fmt.Sprint(m["url"]), srv.URL)] = fmt.Sprintf("%v %v %v %v", m["status"], m["decision"], m["extractor"], m["bytes"])
	}
	if want := fmt.Sprintf("200 article test %d", len(articleHTML("one"))); got["/a/1"] != want {
		t.Errorf("/a/1: %q, want %q", got["/a/1"], want)
	}
	if !strings.HasPrefix(got["/a/gone"], "404 failed") {
		t.Errorf("/a/gone: %q", got["/a/gone"])
	}
}
