package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/newsmill/newsmill/article"
)

// Gate is asked before every request to a host, by a caller whose workers share the hosts with
// other processes (a cluster worker): Acquire waits until a request may go and returns what ends
// it; crawlDelay is what the host's robots.txt asks (0: nothing), which, as in a pass, means one
// request at a time spaced by the longer of it and the source's delay. Pause holds every request
// to the host for d, as a 429 or 503 asks.
type Gate interface {
	Acquire(ctx context.Context, host string, crawlDelay time.Duration) (release func(), err error)
	Pause(ctx context.Context, host string, d time.Duration)
}

// RobotsCache shares robots.txt between processes: the status and body of the last fetch of
// scheme://host/robots.txt.
type RobotsCache interface {
	Robots(ctx context.Context, hostURL string) (status int, body []byte, ok bool)
	SetRobots(ctx context.Context, hostURL string, status int, body []byte)
}

// Link is a link found on a fetched page that the source wants fetched, as the site wrote it
// (the request goes there), with what a feed said about it.
type Link struct {
	URL  string
	Hint *article.Record
}

// Result is what fetching one URL found.
type Result struct {
	URL         string // after redirects, canonical (article.CanonicalURL)
	Claimed     string // the canonical URL an article page names as its own, when on the source
	Kind        Kind   // what the page reader made of the response
	Status      int
	NotModified bool
	// Listing is true for a page that gave no record (a listing) or a feed; its validators, when
	// Validators is not zero, may be kept.
	Listing    bool
	Validators Validators
	// Failure says why a page read whole must be fetched again all the same ("no record", "no
	// record and no links"), as a pass's retry list would; empty otherwise.
	Failure string
	// ItemsFailed counts a feed's items carrying their own body that gave no whole record: the
	// feed may list them whole next time, so it must not answer 304 then.
	ItemsFailed int
	Links       []Link
	Retries     int64
}

// Fetcher fetches one URL at a time for a caller that keeps the frontier itself: a Colly
// collector over the same transport and redirect rules as Run, and the same page reader
// (Crawler.read: charset decoding, feeds, what a page is, links), with the politeness and
// robots.txt delegated to a Gate and a RobotsCache shared between processes.
// It is safe for concurrent use.
type Fetcher struct {
	c      *Crawler
	base   http.RoundTripper
	gate   Gate
	robots RobotsCache
}

// NewFetcher returns a Fetcher of the source's options. gate and robots may be nil: no shared
// politeness (the transport's own back-off still applies) and robots.txt fetched every time.
func (c *Crawler) NewFetcher(gate Gate, robots RobotsCache) *Fetcher {
	tr := newTransport(fetchPolicy{}, c.opts.ConnectTimeout, c.opts.HeaderTimeout)
	if ht, ok := tr.base.(*http.Transport); ok {
		ht.MaxIdleConnsPerHost = max(ht.MaxIdleConnsPerHost, c.opts.Parallelism*2)
	}
	return &Fetcher{c: c, base: tr.base, gate: gate, robots: robots}
}

// Options are the source's options with defaults filled.
func (c *Crawler) Options() Options { return c.opts }

// Wants reports whether a link is fetched at all (scheme, allowed hosts, follow and article
// patterns) and within the trap bounds that are properties of the link itself.
func (c *Crawler) Wants(u *url.URL) bool {
	if !c.wanted(u) {
		return false
	}
	return c.withinLimits(u) == nil
}

// IsArticleURL reports whether a URL is handed to the extractors (stored articles are not
// fetched again).
func (c *Crawler) IsArticleURL(u string) bool { return c.isArticleURL(u) }

// transport is a fresh transport over the shared connections: its host gates (the back-off of
// one fetch) must not outlive the fetch in a long-running worker.
func (f *Fetcher) transport() *transport {
	o := f.c.opts
	base := f.base
	if f.gate != nil {
		base = gatedTransport{base: base, gate: f.gate, retryBase: o.RetryBaseDelay}
	}
	return &transport{base: base, sleep: Sleep, pages: f.c.pages, archive: f.c.rt.archive, policy: fetchPolicy{
		maxRetries: *o.MaxRetries, retryBase: o.RetryBaseDelay, retryMax: o.RetryMaxDelay,
		attemptTimeout: o.Timeout, maxBody: int64(o.MaxBodyBytes),
	}}
}

// Fetch fetches raw once through a Colly collector (with the transport's retries) and reads it
// as Run does (Crawler.read): a feed gives its items as links (items carrying their own article
// are handed to handle), a page the extractors may want is handed to handle, and a followed page
// gives its wanted links. hint is what a feed said about raw, or nil. A failed fetch returns an
// error, and so does an error page sent as 200; Transient tells whether another attempt may
// succeed. A page read whole that must be fetched again all the same (it gave no record) says
// why in Result.Failure.
func (f *Fetcher) Fetch(ctx context.Context, raw string, hint *article.Record, handle Handler) (res Result, err error) {
	u, err := f.target(raw)
	if err != nil {
		return res, err
	}
	tr := f.transport()
	defer func() { res.Retries = tr.retries.Load() }()
	if !f.c.opts.IgnoreRobots {
		crawlDelay, err := f.allowed(ctx, &http.Client{Transport: tr, CheckRedirect: f.c.checkRedirect}, u)
		if err != nil {
			return res, err
		}
		ctx = context.WithValue(ctx, crawlDelayKey{}, crawlDelay)
	}
	got := f.request(ctx, tr, u, hint, handle)
	if got.err != nil {
		return res, f.fetchError(ctx, raw, got.err)
	}
	return f.result(raw, got)
}

// target checks that raw is an http(s) URL of the source's origins.
func (f *Fetcher) target(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !f.c.sameOrigin(u) {
		return nil, fmt.Errorf("fetch %s: %w: not an http(s) URL of the source's origins", raw, ErrBadOptions)
	}
	return u, nil
}

// fetched is what one Fetch's request came to: a response read, or an error without one.
type fetched struct {
	final  *url.URL // canonical, after redirects
	status int
	o      outcome
	err    error
	bytes  int // the body's, for the debug line
}

// request makes the one request of a Fetch with a collector of its own and reads the response.
func (f *Fetcher) request(ctx context.Context, tr *transport, u *url.URL, hint *article.Record, handle Handler) fetched {
	c := f.c
	col := c.newCollector(ctx, tr)
	got := fetched{final: article.CanonicalURL(u)}
	var started time.Time
	var contentType string
	var page *heldPage // the body the transport read under the bound, once claimed
	defer func() { page.done() }()
	col.OnRequest(func(r *colly.Request) {
		if started.IsZero() {
			started = time.Now()
		}
		c.setConditional(ctx, *r.Headers, r.URL)
	})
	col.OnResponseHeaders(func(r *colly.Response) {
		contentType = hideCharset(r)
		if hp := tr.claim(*r.Headers); hp != nil {
			page.done()
			page = hp
		}
	})
	col.OnError(func(r *colly.Response, err error) {
		c.observe(u.Hostname(), r.StatusCode, started)
		got.status = r.StatusCode
		if r.Request != nil {
			got.final = article.CanonicalURL(r.Request.URL)
		}
		switch {
		case r.StatusCode == http.StatusNotModified:
			got.o = outcome{kind: KindNotModified}
		case r.StatusCode != 0:
			got.o = failedStatus(r.StatusCode)
		default:
			got.err = err
		}
	})
	col.OnResponse(func(r *colly.Response) {
		c.observe(u.Hostname(), r.StatusCode, started)
		// As in a pass, the page and its record take the canonical form of the URL fetched.
		got.final, got.status = article.CanonicalURL(r.Request.URL), r.StatusCode
		resp := response{final: got.final, status: r.StatusCode, header: *r.Headers, contentType: contentType, body: r.Body, hint: hint}
		if page != nil {
			resp.body, resp.permit = page.body, page.permit
		}
		got.bytes = len(resp.body) // Colly's r.Body is empty when the page was claimed
		got.o = c.read(ctx, resp, handle)
		if got.o.stopped {
			got.err = got.o.err // no answer read: another worker takes the URL
		}
	})
	if err := col.Request(http.MethodGet, u.String(), nil, nil, nil); err != nil && got.err == nil && got.status == 0 {
		got.err = err // refused before any request was sent
	}
	if !started.IsZero() {
		lerr := got.err
		if lerr == nil {
			lerr = got.o.err
		}
		c.logRequest(got.final.String(), got.status, got.bytes, started, 0, got.o.kind, got.o.extractor, lerr)
	}
	return got
}

// fetchError is the error of a request that got no response.
func (f *Fetcher) fetchError(ctx context.Context, raw string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	// The transport fails with ErrHTTPStatus only for a 429 or 5xx it gave up retrying.
	if ctx.Err() == nil && (errors.Is(err, ErrHTTPStatus) || errors.Is(err, ErrHostBackoff) || transient(0, err)) {
		return fmt.Errorf("fetch %s: %w: %w", raw, ErrTransient, err)
	}
	return fmt.Errorf("fetch %s: %w", raw, err)
}

// result turns the reader's outcome into what the caller's frontier needs.
func (f *Fetcher) result(raw string, got fetched) (Result, error) {
	o := got.o
	res := Result{URL: got.final.String(), Status: got.status, Kind: o.kind}
	switch {
	case o.kind == KindNotModified:
		res.NotModified, res.Listing = true, true
		return res, nil
	case o.unread:
		return res, fmt.Errorf("fetch %s: %w", raw, o.err)
	}
	res.Failure, res.ItemsFailed = o.failure, o.itemsFailed
	res.Listing = o.listing()
	res.Validators = o.keep
	if o.claimed != nil {
		res.Claimed = o.claimed.String()
	}
	for _, l := range uniqueLinks(o.links) {
		if f.c.withinLimits(l.url) == nil {
			res.Links = append(res.Links, Link{URL: l.url.String(), Hint: l.hint})
		}
	}
	if o.failure == "error page" {
		// A "server busy" page sent as 200 is the server's trouble, as a 503 is: the caller
		// tries it again (the links it read are in res all the same).
		return res, fmt.Errorf("fetch %s: %w: %w", raw, ErrTransient, o.err)
	}
	return res, nil
}

// Transient reports whether a failed Fetch may succeed when tried again later: a timeout, a
// reset, a 429 or 5xx after the retries, a host pausing us, robots.txt unreachable, an error
// page sent as 200.
func Transient(err error) bool { return errors.Is(err, ErrTransient) }

// allowed checks robots.txt for u, read from the shared cache or fetched (through the gate) and
// shared, and returns the Crawl-delay it asks of us. An unreachable robots.txt or one answering
// 5xx pauses the host: nothing is known of what it allows.
func (f *Fetcher) allowed(ctx context.Context, client *http.Client, u *url.URL) (time.Duration, error) {
	hostURL := robotsOrigin(u)
	status, body, ok := 0, []byte(nil), false
	if f.robots != nil {
		status, body, ok = f.robots.Robots(ctx, hostURL)
	}
	if !ok {
		var err error
		status, body, err = getRobots(ctx, client, hostURL, f.c.opts.UserAgent)
		if err != nil || status >= 500 {
			if f.gate != nil && ctx.Err() == nil {
				f.gate.Pause(ctx, u.Host, f.c.opts.RetryBaseDelay)
			}
			if err == nil {
				err = &StatusError{Code: status}
			}
			return 0, fmt.Errorf("%w: %w: %s: %v", ErrTransient, ErrRobotsUnreachable, hostURL, err)
		}
		if f.robots != nil {
			f.robots.SetRobots(ctx, hostURL, status, body)
		}
	}
	g, err := robotsGroup(status, body, f.c.opts.UserAgent)
	if err != nil {
		return 0, nil // an unreadable robots.txt forbids nothing
	}
	return robotsVerdict(g, u)
}

// crawlDelayKey carries a host's Crawl-delay from the robots.txt check to the gate.
type crawlDelayKey struct{}

// gatedTransport asks the Gate before every request, holds the slot until the body is read, and
// turns a 429 or 503 into a pause of the host for every process sharing the gate.
type gatedTransport struct {
	base      http.RoundTripper
	gate      Gate
	retryBase time.Duration
}

func (g gatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	crawlDelay, _ := req.Context().Value(crawlDelayKey{}).(time.Duration)
	release, err := g.gate.Acquire(req.Context(), req.URL.Host, crawlDelay)
	if err != nil {
		return nil, err
	}
	resp, err := g.base.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		d := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if d == 0 {
			d = g.retryBase
		}
		g.gate.Pause(req.Context(), req.URL.Host, d)
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

type releasingBody struct {
	io.ReadCloser
	release func()
	done    bool
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	if !b.done {
		b.done = true
		b.release()
	}
	return err
}
