package crawler

// A fault-injecting server on loopback: every way a real server fails, throttles or lies, and
// what the crawler must do about it.

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/newsmill/newsmill/article"
)

// faultSite is a mux with per-path hit counters and request times.
type faultSite struct {
	*http.ServeMux
	mu    sync.Mutex
	hits  map[string][]time.Time
	heads map[string][]http.Header
}

func newFaultSite() *faultSite {
	return &faultSite{ServeMux: http.NewServeMux(), hits: map[string][]time.Time{}, heads: map[string][]http.Header{}}
}

func (s *faultSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path] = append(s.hits[r.URL.Path], time.Now())
	s.heads[r.URL.Path] = append(s.heads[r.URL.Path], r.Header.Clone())
	s.mu.Unlock()
	s.ServeMux.ServeHTTP(w, r)
}

func (s *faultSite) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hits[path])
}

func (s *faultSite) times(path string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.hits[path]...)
}

func (s *faultSite) header(path string, i int) http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.heads[path]) {
		return nil
	}
	return s.heads[path][i]
}

// links is a listing page linking to paths.
func links(paths ...string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><title>list</title></head><body><ul>")
	for _, p := range paths {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, p, p)
	}
	b.WriteString("</ul></body></html>")
	return b.String()
}

func articleHTML(title string) string {
	return "<!DOCTYPE html><html><head><title>" + title + "</title></head><body><h1>" + title + "</h1><p>正文段落。</p></body></html>"
}

func serveHTML(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
}

// run is one crawl of srv with fast retry timings, recording what reached the handler and the log.
type run struct {
	stats Stats
	err   error
	pages map[string]*article.Page
	logs  *observer.ObservedLogs
}

func (r *run) logged(substr string) bool {
	for _, e := range r.logs.All() {
		line := e.Message
		for _, f := range e.Context {
			line += " " + f.Key + "=" + f.String
			if f.Interface != nil {
				line += fmt.Sprint(f.Interface)
			}
		}
		if strings.Contains(line, substr) {
			return true
		}
	}
	return false
}

func (r *run) dump() string {
	var b strings.Builder
	for _, e := range r.logs.All() {
		fmt.Fprintf(&b, "%s %s", e.Level, e.Message)
		for k, v := range e.ContextMap() {
			fmt.Fprintf(&b, " %s=%v", k, v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func fastOptions(srv *httptest.Server, seeds ...string) Options {
	o := Options{Name: "faults", IgnoreRobots: true, RetryBaseDelay: 10 * time.Millisecond, RetryMaxDelay: 3 * time.Second,
		Timeout: 2 * time.Second, ConnectTimeout: time.Second, HeaderTimeout: time.Second, Parallelism: 4}
	for _, s := range seeds {
		o.Seeds = append(o.Seeds, srv.URL+s)
	}
	return o
}

func crawlSite(t *testing.T, opts Options, with ...Option) *run {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	c, err := New(opts, zap.New(core), nil, with...)
	if err != nil {
		t.Fatal(err)
	}
	r := &run{pages: map[string]*article.Page{}, logs: logs}
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r.stats, r.err = c.Run(ctx, func(_ context.Context, p *article.Page) error {
		mu.Lock()
		defer mu.Unlock()
		r.pages[p.URL.Path] = p
		if strings.HasPrefix(p.URL.Path, "/a/") {
			return nil
		}
		return article.ErrNotArticle
	})
	return r
}

func TestSlowServerIsCutAtTheTimeoutRetriedAndReportedAsATimeout(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/slow")))
	release := make(chan struct{})
	defer close(release)
	site.HandleFunc("/a/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.HeaderTimeout, opts.Timeout, opts.MaxRetries = 150*time.Millisecond, 300*time.Millisecond, retries(2)
	start := time.Now()
	r := crawlSite(t, opts)
	if n := site.count("/a/slow"); n != 3 {
		t.Errorf("slow page requested %d times, want 1 + 2 retries", n)
	}
	if _, ok := r.pages["/a/slow"]; ok {
		t.Error("a page that never answered reached the handler")
	}
	if !r.logged("/a/slow") || !r.logged("timeout") || !r.logged("gave up after 3 attempts") {
		t.Errorf("the timeout is not logged with the URL and the attempts:\n%s", r.dump())
	}
	// Three attempts of 300 ms and their backoff; without the timeout the page never answers,
	// so the bound is generous and the figure logged.
	took := time.Since(start)
	t.Logf("the crawl took %s", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("the crawl took %s: the timeout did not cut the wait", took)
	}
	if r.stats.Errors != 1 || r.stats.Retries != 2 {
		t.Errorf("stats = %+v, want 1 error after 2 retries", r.stats)
	}
}

func TestBodyThatStallsMidwayIsCutByTheWholeBodyTimeout(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/trickle")))
	site.HandleFunc("/a/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body><p>first bytes"))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // headers came fast; the body never ends
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.Timeout, opts.MaxRetries = 300*time.Millisecond, retries(0)
	r := crawlSite(t, opts)
	if _, ok := r.pages["/a/trickle"]; ok {
		t.Error("half a body reached the handler")
	}
	if !r.logged("no complete response within 300ms") {
		t.Errorf("the stalled body is not reported as a timeout:\n%s", r.dump())
	}
}

func TestResetMidBodyIsRetriedAndTheRetryIsHandled(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/reset")))
	var n atomic.Int32
	site.HandleFunc("/a/reset", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			// Half a page, then a reset: the client must not take the half for the whole.
			conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html><body><p>half"))
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
			return
		}
		serveHTML(articleHTML("重置后成功"))(w, r)
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawlSite(t, fastOptions(srv, "/"))
	p, ok := r.pages["/a/reset"]
	if !ok || !strings.Contains(string(p.Body), "重置后成功") {
		t.Fatalf("the retried page did not reach the handler (hits %d):\n%s", site.count("/a/reset"), r.dump())
	}
	if r.stats.Retries != 1 || r.stats.Errors != 0 || site.count("/a/reset") != 2 {
		t.Errorf("stats = %+v after %d requests, want 1 retry and no error", r.stats, site.count("/a/reset"))
	}
}

func TestTooManyRequestsWaitsForRetryAfterThenSucceeds(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/limited")))
	var n atomic.Int32
	site.HandleFunc("/a/limited", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		serveHTML(articleHTML("限流之后"))(w, r)
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawlSite(t, fastOptions(srv, "/"))
	hits := site.times("/a/limited")
	if len(hits) != 2 {
		t.Fatalf("limited page requested %d times, want 2:\n%s", len(hits), r.dump())
	}
	if gap := hits[1].Sub(hits[0]); gap < 950*time.Millisecond {
		t.Errorf("retried after %s; the server asked for 1s", gap)
	}
	if _, ok := r.pages["/a/limited"]; !ok {
		t.Error("the page did not reach the handler after the wait")
	}
}

func TestRetryAfterLongerThanTheMaximumStopsRequestsToThatHost(t *testing.T) {
	site := newFaultSite()
	var paths []string
	for i := 0; i < 5; i++ {
		paths = append(paths, fmt.Sprintf("/a/%d", i))
	}
	site.Handle("/", serveHTML(links(paths...)))
	site.HandleFunc("/a/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.Parallelism = 1
	r := crawlSite(t, opts)
	total := 0
	for _, p := range paths {
		total += site.count(p)
	}
	if total != 1 {
		t.Errorf("%d requests after the host asked for an hour's pause, want only the one that was told", total)
	}
	if !r.logged("asked for a pause of 1h0m0s") {
		t.Errorf("the pause is not explained:\n%s", r.dump())
	}
}

func TestServerErrorThenSuccessIsRetriedWithBackoff(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/flaky")))
	var n atomic.Int32
	site.HandleFunc("/a/flaky", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		serveHTML(articleHTML("第三次成功"))(w, r)
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.RetryBaseDelay = 100 * time.Millisecond
	r := crawlSite(t, opts)
	hits := site.times("/a/flaky")
	if len(hits) != 3 {
		t.Fatalf("flaky page requested %d times, want 3", len(hits))
	}
	// Full jitter over base<<attempt: the first wait is in [50ms,100ms], the second in [100ms,200ms].
	if g1, g2 := hits[1].Sub(hits[0]), hits[2].Sub(hits[1]); g1 < 45*time.Millisecond || g2 < 95*time.Millisecond {
		t.Errorf("waits %s and %s: no exponential back-off", g1, g2)
	}
	if _, ok := r.pages["/a/flaky"]; !ok || r.stats.Errors != 0 {
		t.Errorf("page not handled after the retries; stats %+v", r.stats)
	}
}

func TestPersistentServerErrorGivesUpAfterTheRetryBound(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/down")))
	site.HandleFunc("/a/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.MaxRetries = retries(3)
	r := crawlSite(t, opts)
	if n := site.count("/a/down"); n != 4 {
		t.Errorf("requested %d times, want 4 (1 + max_retries 3)", n)
	}
	if !r.logged("503 Service Unavailable") || !r.logged("gave up after 4 attempts") {
		t.Errorf("the failure is not logged clearly:\n%s", r.dump())
	}
}

func TestRedirectLoopIsDetectedAndLogged(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/loop1")))
	site.Handle("/a/loop1", http.RedirectHandler("/a/loop2", http.StatusFound))
	site.Handle("/a/loop2", http.RedirectHandler("/a/loop1", http.StatusFound))
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawlSite(t, fastOptions(srv, "/"))
	if n := site.count("/a/loop1") + site.count("/a/loop2"); n > 3 {
		t.Errorf("%d requests around the loop", n)
	}
	if !r.logged("redirect loop") {
		t.Errorf("the loop is not named:\n%s", r.dump())
	}
}

func TestRedirectChainIsBoundedAndOffHostRedirectsAreRefused(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/chain/0", "/a/away")))
	site.HandleFunc("/a/chain/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/a/chain/"))
		http.Redirect(w, r, fmt.Sprintf("/a/chain/%d", n+1), http.StatusFound)
	})
	site.Handle("/a/away", http.RedirectHandler("http://elsewhere.invalid/", http.StatusMovedPermanently))
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.MaxRedirects = 4
	r := crawlSite(t, opts)
	if n := site.count("/a/chain/5") + site.count("/a/chain/6"); n != 0 {
		t.Errorf("followed the chain past max_redirects")
	}
	if !r.logged("more than 4 redirects") || !r.logged("leaves the allowed hosts") {
		t.Errorf("redirect refusals are not explained:\n%s", r.dump())
	}
}

func TestEndlessPaginationStopsAtThePageBudgetWithAWarning(t *testing.T) {
	site := newFaultSite()
	site.HandleFunc("/page/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/page/"))
		serveHTML(links(fmt.Sprintf("/page/%d", n+1)))(w, r)
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/page/0")
	opts.MaxDepth, opts.MaxPages = 1000, 25
	r := crawlSite(t, opts)
	if r.stats.Fetched != 25 {
		t.Errorf("fetched %d pages, want the budget of 25", r.stats.Fetched)
	}
	if !r.logged("page budget of 25 spent") {
		t.Errorf("the spent budget is not logged:\n%s", r.dump())
	}
}

func TestPerHostCapURLLengthAndQueryExplosionsBoundACrawlTrap(t *testing.T) {
	site := newFaultSite()
	var ls []string
	for i := 0; i < 30; i++ {
		ls = append(ls, fmt.Sprintf("/cal?day=%d", i)) // a calendar: one path, endless queries
	}
	ls = append(ls, "/a/"+strings.Repeat("x", 300), "/a/q?a=1&b=2&c=3&d=4&e=5")
	site.Handle("/", serveHTML(links(ls...)))
	site.HandleFunc("/cal", serveHTML(links()))
	site.HandleFunc("/a/", serveHTML(articleHTML("x")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.MaxQueryVariants, opts.MaxURLLength, opts.MaxQueryParams = 10, 200, 4
	r := crawlSite(t, opts)
	if n := site.count("/cal"); n != 10 {
		t.Errorf("calendar fetched %d times, want max_query_variants 10", n)
	}
	if len(r.pages) != 2 || r.stats.Refused != 22 {
		t.Errorf("handled %d paths, refused %d links; want home and /cal, 20 days + the long url + the 5-parameter url refused", len(r.pages), r.stats.Refused)
	}

	opts = fastOptions(srv, "/")
	opts.MaxPagesPerHost = 5
	r = crawlSite(t, opts)
	if r.stats.Fetched != 5 || !r.logged("page budget of 5 for 127.0.0.1 spent") {
		t.Errorf("fetched %d with a per-host cap of 5:\n%s", r.stats.Fetched, r.dump())
	}
}

func TestHugeBodyIsALoggedSkipNotAHalfPage(t *testing.T) {
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/huge", "/a/huge-chunked", "/a/ok")))
	huge := "<html><body>" + strings.Repeat("<p>很长的一段。</p>", 100000) + "</body></html>"
	site.HandleFunc("/a/huge", serveHTML(huge))
	site.HandleFunc("/a/huge-chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 100; i++ { // no Content-Length: the cap must hold while reading
			w.Write([]byte(huge[:20000]))
			w.(http.Flusher).Flush()
		}
	})
	site.HandleFunc("/a/ok", serveHTML(articleHTML("正常")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.MaxBodyBytes = 1 << 20
	r := crawlSite(t, opts)
	for _, p := range []string{"/a/huge", "/a/huge-chunked"} {
		if _, ok := r.pages[p]; ok {
			t.Errorf("%s reached the handler", p)
		}
		if site.count(p) != 1 {
			t.Errorf("%s requested %d times: a too-large body is not worth a retry", p, site.count(p))
		}
	}
	if !r.logged("exceeds 1048576 bytes") || !r.logged("/a/huge-chunked") {
		t.Errorf("the skip is not logged with the URL and the cap:\n%s", r.dump())
	}
	if _, ok := r.pages["/a/ok"]; !ok {
		t.Error("a normal page beside them was lost")
	}
}

func TestGzipBombIsCappedAfterDecompression(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 64; i++ { // 64 MiB of zeros in about 64 KiB
		zw.Write(zeros)
	}
	zw.Close()
	var small bytes.Buffer
	zw = gzip.NewWriter(&small)
	zw.Write([]byte(articleHTML("压缩页面")))
	zw.Close()

	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/bomb", "/a/gz")))
	gz := func(b []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(b)
		}
	}
	site.HandleFunc("/a/bomb", gz(bomb.Bytes()))
	site.HandleFunc("/a/gz", gz(small.Bytes()))
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.MaxBodyBytes = 1 << 20
	r := crawlSite(t, opts)
	if _, ok := r.pages["/a/bomb"]; ok {
		t.Error("the bomb reached the handler")
	}
	if !r.logged("exceeds 1048576 bytes after decompression") {
		t.Errorf("the bomb is not logged as too large:\n%s", r.dump())
	}
	if p, ok := r.pages["/a/gz"]; !ok || !strings.Contains(string(p.Body), "压缩页面") {
		t.Errorf("an honest gzip page was not decompressed")
	}
	if h := site.header("/a/gz", 0); h == nil || !strings.Contains(h.Get("Accept-Encoding"), "gzip") {
		t.Errorf("gzip not offered: %v", h)
	}
}

func TestWrongCharsetHeaderIsLeftToDecodeNotConvertedByColly(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(`<html><head><meta charset="gbk"><title>字符集</title></head><body><p>页面用国标码编写。</p></body></html>`)
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/gbk")))
	const declared = "text/html; charset=iso-8859-1" // the header lies; the bytes and <meta> say GBK
	site.HandleFunc("/a/gbk", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", declared)
		w.Write([]byte(gbk))
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawlSite(t, fastOptions(srv, "/"))
	p, ok := r.pages["/a/gbk"]
	if !ok {
		t.Fatalf("page not handled:\n%s", r.dump())
	}
	want, _, err := Decode(declared, []byte(gbk))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Body, want) || !utf8.Valid(p.Body) {
		t.Errorf("the handler got bytes other than Decode's reading of the raw body and the declared type")
	}
	if p.ContentType != "text/html" {
		t.Errorf("content type %q", p.ContentType)
	}
}

func TestBinaryAndEmptyBodiesAreLoggedSkips(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 200)...)
	site := newFaultSite()
	site.Handle("/", serveHTML(links("/a/png", "/a/empty")))
	site.HandleFunc("/a/png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(png)
	})
	site.HandleFunc("/a/empty", func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Content-Type", "text/html") })
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawlSite(t, fastOptions(srv, "/"))
	if len(r.pages) != 1 {
		t.Errorf("handled %d pages, want only the listing", len(r.pages))
	}
	if !r.logged("binary content (image/png) served as text/html") || !r.logged("empty body") || !r.logged("/a/empty") {
		t.Errorf("skips not logged with their reasons:\n%s", r.dump())
	}
}

func TestRobotsTxtIsObeyedAndTheUserAgentNamesAContactURL(t *testing.T) {
	site := newFaultSite()
	site.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /a/private\n")
	})
	site.Handle("/", serveHTML(links("/a/private", "/a/public")))
	site.HandleFunc("/a/", serveHTML(articleHTML("x")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.IgnoreRobots = false
	crawlSite(t, opts)
	if site.count("/a/private") != 0 || site.count("/a/public") != 1 {
		t.Errorf("private %d, public %d requests", site.count("/a/private"), site.count("/a/public"))
	}
	if ua := site.header("/", 0).Get("User-Agent"); !strings.Contains(ua, "+https://") {
		t.Errorf("user agent %q has no contact URL", ua)
	}
}

// mapCache is a ValidatorCache in memory.
type mapCache struct {
	mu sync.Mutex
	m  map[string]Validators
}

func (c *mapCache) Validators(_ context.Context, u string) (Validators, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[u]
	return v, ok
}

func (c *mapCache) SetValidators(_ context.Context, u string, v Validators) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[u] = v
	return nil
}

func etagged(body string) http.HandlerFunc {
	tag := fmt.Sprintf(`"%x"`, len(body))
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", tag)
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		serveHTML(body)(w, r)
	}
}

func TestUnchangedListingCostsA304OnlyAfterACompleteRun(t *testing.T) {
	site := newFaultSite()
	site.HandleFunc("/", etagged(links("/a/1", "/a/2")))
	site.HandleFunc("/a/1", serveHTML(articleHTML("一")))
	var fail atomic.Bool
	fail.Store(true)
	site.HandleFunc("/a/2", func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		serveHTML(articleHTML("二"))(w, r)
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	cache := &mapCache{m: map[string]Validators{}}
	opts := fastOptions(srv, "/")
	with := []Option{WithValidatorCache(cache)}
	opts.MaxRetries = retries(0)

	crawlSite(t, opts, with...)
	if len(cache.m) != 0 {
		t.Fatalf("validators kept after a run whose /a/2 failed: a 304 next time would hide /a/2 for good")
	}
	fail.Store(false)
	r := crawlSite(t, opts, with...)
	if _, ok := r.pages["/a/2"]; !ok || len(cache.m) != 1 {
		t.Fatalf("second run: /a/2 handled %v, %d validators kept", ok, len(cache.m))
	}
	r = crawlSite(t, opts, with...)
	if r.stats.NotChanged != 1 || len(r.pages) != 0 {
		t.Errorf("third run: %d not modified, %d pages handled; want the listing's 304 and nothing else", r.stats.NotChanged, len(r.pages))
	}
	if h := site.header("/", 2); h.Get("If-None-Match") == "" {
		t.Errorf("no conditional request sent")
	}
}
