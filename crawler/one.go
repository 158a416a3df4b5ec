package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/temoto/robotstxt"

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
	Status      int
	NotModified bool
	// Listing is true for a page that gave no record (a listing) or a feed; its validators, when
	// Validators is not zero, may be kept.
	Listing    bool
	Validators Validators
	Links      []Link
	Retries    int64
}

// Fetcher fetches one URL at a time for a caller that keeps the frontier itself: the same
// transport, redirect rules, charset decoding, feed reading and link rules as Run, with the
// politeness and robots.txt delegated to a Gate and a RobotsCache shared between processes.
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
	if len(u.String()) > c.opts.MaxURLLength || countParams(u.Query()) > c.opts.MaxQueryParams {
		return false
	}
	return true
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
	return &transport{base: base, sleep: Sleep, policy: fetchPolicy{
		maxRetries: *o.MaxRetries, retryBase: o.RetryBaseDelay, retryMax: o.RetryMaxDelay,
		attemptTimeout: o.Timeout, maxBody: int64(o.MaxBodyBytes),
	}}
}

// Fetch fetches raw once (with the transport's retries) and reads it as Run would: a feed gives
// its items as links (items carrying their own article are handed to handle), a page the
// extractors may want is handed to handle, and a followed page gives its wanted links. hint is
// what a feed said about raw, or nil. A failed fetch returns an error; Transient tells whether
// another attempt may succeed.
func (f *Fetcher) Fetch(ctx context.Context, raw string, hint *article.Record, handle Handler) (Result, error) {
	c := f.c
	var res Result
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !c.sameOrigin(u) {
		return res, fmt.Errorf("fetch %s: %w: not an http(s) URL of the source's origins", raw, ErrBadOptions)
	}
	tr := f.transport()
	defer func() { res.Retries = tr.retries.Load() }()
	client := &http.Client{Transport: tr, CheckRedirect: c.checkRedirect}
	if !c.opts.IgnoreRobots {
		crawlDelay, err := f.allowed(ctx, client, u)
		if err != nil {
			return res, err
		}
		ctx = context.WithValue(ctx, crawlDelayKey{}, crawlDelay)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w", raw, err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if c.opts.Cache != nil {
		if v, ok := c.opts.Cache.Validators(ctx, article.CanonicalURL(u).String()); ok {
			if v.ETag != "" {
				req.Header.Set("If-None-Match", v.ETag)
			}
			if v.LastModified != "" {
				req.Header.Set("If-Modified-Since", v.LastModified)
			}
		}
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		f.observe(u, 0, start)
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		// The transport fails with ErrHTTPStatus only for a 429 or 5xx it gave up retrying.
		if ctx.Err() == nil && (errors.Is(err, ErrHTTPStatus) || errors.Is(err, ErrHostBackoff) || transient(0, err)) {
			return res, fmt.Errorf("fetch %s: %w: %w", raw, ErrTransient, err)
		}
		return res, fmt.Errorf("fetch %s: %w", raw, err)
	}
	defer resp.Body.Close()
	f.observe(u, resp.StatusCode, start)
	// As in a pass, the page and its record take the canonical form of the URL fetched.
	final := article.CanonicalURL(resp.Request.URL)
	res.URL, res.Status = final.String(), resp.StatusCode
	if resp.StatusCode == http.StatusNotModified {
		res.NotModified, res.Listing = true, true
		return res, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return res, fmt.Errorf("fetch %s: %w", raw, &StatusError{Code: resp.StatusCode})
	}
	body, err := io.ReadAll(resp.Body) // already in memory, capped and decompressed by the transport
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w", raw, err)
	}
	lm, _ := http.ParseTime(resp.Header.Get("Last-Modified")) // zero when absent or unreadable
	page, err := decodePage(final, resp.Header.Get("Content-Type"), body, hint, lm)
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w", raw, err)
	}
	// A feed is read by a pass's own reader; only its crawler and handler are needed.
	links, hints, isFeed := (&pass{c: c, handle: handle}).feedLinks(ctx, page)
	listing := isFeed || !c.isArticleURL(final.String())
	if !isFeed && c.isArticleURL(final.String()) {
		err := handle(ctx, page)
		listing = errors.Is(err, article.ErrNotArticle)
		if !listing && page.IsHTML() {
			// The URL an article names as its own is this article, stored under that name too.
			if cu := claimedCanonical(final, page.Body); cu != nil && c.sameOrigin(cu) {
				res.Claimed = cu.String()
			}
		}
		if c.opts.LeafArticles && !listing {
			return res, nil
		}
	}
	res.Listing = listing
	if listing {
		res.Validators = Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	}
	if !isFeed && !c.isFollowURL(final.String()) {
		return res, nil
	}
	next := slices.Values(links)
	if !isFeed {
		next = pageLinks(page)
	}
	seen := map[string]bool{}
	for l := range next {
		if !c.Wants(l) {
			continue
		}
		cs := article.CanonicalURL(l).String()
		if seen[cs] {
			continue
		}
		seen[cs] = true
		res.Links = append(res.Links, Link{URL: l.String(), Hint: hints[l.String()]})
	}
	return res, nil
}

func (f *Fetcher) observe(u *url.URL, status int, start time.Time) {
	if f.c.opts.OnFetch != nil {
		f.c.opts.OnFetch(u.Hostname(), status, time.Since(start))
	}
}

// Transient reports whether a failed Fetch may succeed when tried again later: a timeout, a
// reset, a 429 or 5xx after the retries, a host pausing us, robots.txt unreachable.
func Transient(err error) bool { return errors.Is(err, ErrTransient) }

// allowed checks robots.txt for u, read from the shared cache or fetched (through the gate) and
// shared, and returns the Crawl-delay it asks of us. An unreachable robots.txt or one answering
// 5xx pauses the host: nothing is known of what it allows.
func (f *Fetcher) allowed(ctx context.Context, client *http.Client, u *url.URL) (time.Duration, error) {
	hostURL := strings.ToLower(u.Scheme + "://" + u.Host)
	status, body, ok := 0, []byte(nil), false
	if f.robots != nil {
		status, body, ok = f.robots.Robots(ctx, hostURL)
	}
	if !ok {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, hostURL+"/robots.txt", nil)
		if err != nil {
			return 0, fmt.Errorf("robots.txt of %s: %w", hostURL, err)
		}
		req.Header.Set("User-Agent", f.c.opts.UserAgent)
		resp, err := client.Do(req)
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		}
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
	rd, err := robotstxt.FromStatusAndBytes(status, body)
	if err != nil {
		return 0, nil // an unreadable robots.txt forbids nothing
	}
	g := rd.FindGroup(f.c.opts.UserAgent)
	if g == nil {
		return 0, nil
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.Query().Encode()
	}
	if !g.Test(path) {
		return 0, fmt.Errorf("%w: %s", ErrRobots, u)
	}
	return g.CrawlDelay, nil
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
