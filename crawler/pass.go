package crawler

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
)

// Run crawls until the frontier is empty, the page budget is spent or ctx is cancelled.
func (c *Crawler) Run(ctx context.Context, handle Handler) (Stats, error) {
	p := c.newPass(ctx, handle)
	p.seed(ctx)
	p.queueRetries(ctx)
	p.fr.run(ctx, p.workers, func(q queued) { p.fetch(ctx, q) })
	p.st.Retries = p.tr.retries.Load()
	p.keepRetries(ctx)
	c.saveValidators(ctx, p.run)
	p.reportSeeds()
	return p.st, ctx.Err()
}

// pass is one Run of a source: the collector and its transport, the frontier, the budgets, the
// politeness state and the counters. Colly's callbacks are its methods; what one request carries
// from callback to callback is a *fetch in the request's own colly.Context.
type pass struct {
	c       *Crawler
	handle  Handler
	st      Stats // updated atomically
	run     *runState
	fr      *frontier
	tr      *transport
	col     *colly.Collector
	robots  *robots
	gate    Gate // the pace of each host: a pass's own hostSlots, where a cluster shares one
	workers int

	book *seedBook // the pages' account for WithSeedOutcomes, or nil

	hintsMu sync.Mutex
	hints   map[string]*article.Record // URL -> what a feed said about it, until it is requested
}

// fetch is one request's state, from the frontier through Colly's callbacks. The callbacks of one
// request run one after another on the worker that made it, so it needs no lock.
type fetch struct {
	key         string          // the canonical form of the URL queued, before any redirect
	depth       int             // link distance from a seed, which is 1
	failed      bool            // a later run must fetch the page again (pass.failed)
	hint        *article.Record // what a feed said about the page, or nil
	contentType string          // as the server declared it, charset included
	started     time.Time       // when Colly sent the request; zero if it refused to
	page        *heldPage       // the body the transport read under the bound, once claimed
}

const ctxFetch = "newsmill.fetch" // key of the *fetch in a request's colly.Context

// newPass builds the collector for one run. ctx is the run's: Colly makes every request with it.
func (c *Crawler) newPass(ctx context.Context, handle Handler) *pass {
	p := &pass{c: c, handle: handle, run: newRunState(c), fr: newFrontier(), hints: map[string]*article.Record{}}
	p.tr = newTransport(fetchPolicy{
		maxRetries:     *c.opts.MaxRetries,
		retryBase:      c.opts.RetryBaseDelay,
		retryMax:       c.opts.RetryMaxDelay,
		attemptTimeout: c.opts.Timeout,
		maxBody:        int64(c.opts.MaxBodyBytes),
	}, c.opts.ConnectTimeout, c.opts.HeaderTimeout)
	if c.rt.transport != nil {
		p.tr.base = c.rt.transport
	}
	p.tr.pages = c.pages
	p.tr.archive = c.rt.archive
	if c.rt.onSeeds != nil {
		p.book = newSeedBook()
	}
	for u, h := range c.opts.seedHints {
		p.hints[u] = h
	}
	// A fixed set of workers fed by our frontier (see frontier.go), which also owns depth and
	// the visited set: no goroutine per link.
	p.workers = min(max(c.opts.Parallelism*len(c.hosts), 1), 64)
	// Keep a connection per worker alive; with fewer idle slots than workers, the others dial
	// (and leave a TIME_WAIT socket) for every page.
	if ht, ok := p.tr.base.(*http.Transport); ok {
		ht.MaxIdleConnsPerHost = max(ht.MaxIdleConnsPerHost, p.workers)
	}
	p.gate = newHostSlots(c.opts.Parallelism, c.opts.Delay)
	if !c.opts.IgnoreRobots {
		p.robots = newRobots(&http.Client{Transport: p.tr, CheckRedirect: c.checkRedirect}, c.opts.UserAgent)
	}

	p.col = c.newCollector(ctx, p.tr)
	p.col.OnRequest(func(r *colly.Request) { p.onRequest(ctx, r) })
	p.col.OnResponseHeaders(p.onHeaders)
	p.col.OnError(func(r *colly.Response, err error) { p.onError(ctx, r, err) })
	p.col.OnResponse(func(r *colly.Response) { p.onResponse(ctx, r) })
	return p
}

// newCollector is the Colly collector of a pass or of one Fetch, over tr. Colly makes every
// request with ctx.
func (c *Crawler) newCollector(ctx context.Context, tr http.RoundTripper) *colly.Collector {
	col := colly.NewCollector(
		colly.AllowURLRevisit(),
		colly.UserAgent(c.opts.UserAgent),
		colly.StdlibContext(ctx),
		// The transport caps the body after decompression and fails instead of truncating;
		// Colly's own cap would cut pages silently, before gunzip.
		colly.MaxBodySize(0),
	)
	col.WithTransport(tr)
	// The transport bounds every attempt; a client-wide timeout would also cut retries short.
	col.SetRequestTimeout(0)
	col.SetRedirectHandler(c.checkRedirect)
	// robots.txt and the per-host pace are the driver's (a pass's robots and hostSlots, a
	// Fetcher's RobotsCache and Gate): Colly's fetch robots.txt without the run's context and
	// sleep their delay through a stop.
	col.IgnoreRobotsTxt = true
	return col
}

// hideCharset keeps the declared Content-Type for our own decoder and shows Colly the media
// type alone: Colly would otherwise convert the body by the header and get lying headers wrong.
func hideCharset(r *colly.Response) string {
	ct := r.Headers.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		r.Headers.Set("Content-Type", mt)
	}
	return ct
}

// seed queues the source's seeds. They are fetched even when stored: they are listing pages and
// feeds, the way in.
func (p *pass) seed(ctx context.Context) {
	for _, s := range p.c.opts.Seeds {
		u, _ := url.Parse(s)
		cu := article.CanonicalURL(u)
		if !p.fr.markSeen(cu.String()) {
			continue
		}
		if p.c.opts.articleSeeds && p.c.skip != nil && p.c.skip(ctx, cu.String()) {
			atomic.AddInt64(&p.st.Skipped, 1)
			p.book.note(cu.String(), func(a *pageAccount) { a.stored = true })
			continue
		}
		if err := p.run.admit(cu); err != nil {
			atomic.AddInt64(&p.st.Refused, 1)
			p.c.log.Warn("seed refused", zap.String("url", s), zap.Error(err))
			continue
		}
		p.fr.push(u.String(), 1)
	}
}

// queueRetries queues the source's retry list beside its seeds, at the depth each was found, as links
// found on a seed: off-source, stored and over-budget URLs are refused as any link would be.
// The listings that led to these pages may answer 304; this is how the pages are reached.
func (p *pass) queueRetries(ctx context.Context) {
	rl := p.c.retryList()
	if rl == nil {
		return
	}
	list, err := rl.Retries(ctx, p.c.opts.Name)
	if err != nil {
		// The list stays as it is for the next run; this one fetches what it finds.
		p.c.log.Warn("cannot read the retry list; its pages wait for the next run", zap.Error(err))
		return
	}
	queued := 0
	for _, r := range list {
		u, err := url.Parse(r.URL)
		if err != nil || !p.c.wanted(u) {
			// allowed_hosts or the patterns changed since: the page is no longer the source's.
			p.run.drop(r.URL)
			continue
		}
		cu := article.CanonicalURL(u)
		s := cu.String()
		if !p.fr.markSeen(s) {
			p.run.drop(r.URL) // a seed now, fetched as one
			continue
		}
		if p.c.skip != nil && p.c.skip(ctx, s) {
			atomic.AddInt64(&p.st.Skipped, 1)
			p.run.drop(r.URL) // stored since, under this URL or its info code
			continue
		}
		if err := p.run.admit(cu); err != nil {
			atomic.AddInt64(&p.st.Refused, 1)
			p.c.log.Debug("retry refused", zap.String("url", s), zap.Error(err))
			continue // stays on the list for a run with budget left
		}
		p.run.retry(s)
		// At the depth it was found: a retried listing follows its links no deeper than then.
		depth := r.Depth
		if depth < 2 {
			depth = 2
		}
		p.fr.push(u.String(), min(depth, p.c.opts.MaxDepth))
		queued++
	}
	atomic.AddInt64(&p.st.Revisits, int64(queued))
	if queued > 0 {
		p.c.log.Info("fetching pages that failed in earlier runs again", zap.Int("pages", queued))
	}
}

// failed accounts for a page a later run must fetch again. A page reached through a link goes on
// the retry list, so the listing that led to it may still answer 304 next time; a seed (the way
// in), or any page of a source without a retry list, leaves the run incomplete instead, and the
// listings are read whole next time.
func (p *pass) failed(f *fetch, reason string) {
	f.failed = true
	if f.depth > 1 && f.key != "" && p.c.retryList() != nil {
		p.run.remember(f.key, reason, f.depth)
		atomic.AddInt64(&p.st.Remembered, 1)
		return
	}
	p.run.incomplete()
}

// keepRetries updates the retry list with the run's outcome, before the validators are saved:
// only a failure remembered lets the listing that led to it answer 304 next time, so a list
// that cannot be written leaves the run incomplete. A stopped run changes nothing: it keeps no
// validators either, and its URLs are still on the list.
func (p *pass) keepRetries(ctx context.Context) {
	rl := p.c.retryList()
	if rl == nil || ctx.Err() != nil {
		return
	}
	failed, done := p.run.retryChanges()
	if len(failed) > 0 {
		dropped, err := rl.Failed(ctx, p.c.opts.Name, failed, *p.c.opts.RetryAttempts)
		if err != nil {
			p.c.log.Warn("cannot remember the failed pages; listings will be fetched whole next time", zap.Int("pages", len(failed)), zap.Error(err))
			p.run.incomplete()
		}
		for _, r := range dropped {
			p.c.log.Info(fmt.Sprintf("giving up on URL after %d failed runs", r.Attempts), zap.String("url", r.URL), zap.String("reason", r.Reason))
		}
	}
	if len(done) > 0 {
		// Left on the list, a URL is fetched once more next run or skipped as stored: no loss.
		if err := rl.Done(ctx, p.c.opts.Name, done); err != nil {
			p.c.log.Warn("cannot take fetched pages off the retry list", zap.Int("pages", len(done)), zap.Error(err))
		}
	}
}

// fetch makes one request of the frontier: robots.txt, the host's pace, then Colly.
func (p *pass) fetch(ctx context.Context, q queued) {
	u, err := url.Parse(q.url)
	if err != nil {
		return
	}
	var crawlDelay time.Duration
	if p.robots != nil {
		if crawlDelay, err = p.robots.check(ctx, u); err != nil {
			p.notFetched(ctx, u, q.depth, err)
			return
		}
	}
	release, err := p.gate.Acquire(ctx, strings.ToLower(u.Hostname()), crawlDelay)
	if err != nil {
		p.notFetched(ctx, u, q.depth, err)
		return
	}
	defer release()
	key := article.CanonicalURL(u).String()
	f := &fetch{key: key, depth: q.depth, hint: p.takeHint(key)}
	// The page's bytes go back to the bound once the response is dealt with: its record is in
	// the pipeline's queue, its links in the frontier.
	defer func() { f.page.done(); f.page = nil }()
	rc := colly.NewContext()
	rc.Put(ctxFetch, f)
	err = p.col.Request(http.MethodGet, q.url, nil, rc, nil)
	if err == nil || !f.started.IsZero() {
		return // fetched; a failed fetch was counted and logged by onError
	}
	p.notFetched(ctx, u, q.depth, err)
}

// notFetched accounts for a URL refused before any request was sent: robots.txt (or a dead
// server, which fails there first), a stop. A seed refused leaves the run incomplete.
func (p *pass) notFetched(ctx context.Context, u *url.URL, depth int, err error) {
	p.run.giveBack(u)
	if ctx.Err() != nil {
		return
	}
	if errors.Is(err, ErrRobots) {
		// The site forbids the page now: no later run may fetch it either.
		p.run.settle(article.CanonicalURL(u).String())
	}
	p.book.note(article.CanonicalURL(u).String(), func(a *pageAccount) {
		a.disallowed, a.err = disallowed(err), err
	})
	if depth == 1 {
		atomic.AddInt64(&p.st.Errors, 1)
		p.run.incomplete()
		p.c.log.Warn("fetch failed", zap.String("url", u.String()), zap.Error(err))
		return
	}
	p.c.log.Debug("not queued", zap.String("url", u.String()), zap.Error(err))
}

func fetchOf(ctx *colly.Context) *fetch {
	if ctx == nil {
		return &fetch{}
	}
	if f, ok := ctx.GetAny(ctxFetch).(*fetch); ok {
		return f
	}
	return &fetch{}
}

// onRequest runs as Colly sends a request (again for each redirect hop).
func (p *pass) onRequest(ctx context.Context, r *colly.Request) {
	f := fetchOf(r.Ctx)
	if f.started.IsZero() {
		f.started = time.Now()
	}
	p.c.setConditional(ctx, *r.Headers, r.URL)
}

// onHeaders keeps the declared charset for our own decoder (hideCharset) and claims the body
// the transport read under the bound, before Colly would copy it.
func (p *pass) onHeaders(r *colly.Response) {
	f := fetchOf(r.Ctx)
	f.contentType = hideCharset(r)
	if hp := p.tr.claim(*r.Headers); hp != nil {
		f.page.done() // a page claimed before cannot be, but would leak
		f.page = hp
	}
}

// observed reports the request to the run's FetchObserver.
func (p *pass) observed(r *colly.Response) {
	if r == nil || r.Request == nil {
		return
	}
	p.c.observe(r.Request.URL.Hostname(), r.StatusCode, fetchOf(r.Ctx).started)
}

// logRequest is the pass's debug line of one request (Crawler.logRequest).
func (p *pass) logRequest(r *colly.Response, f *fetch, kind Kind, extractor string, err error) {
	if r == nil || r.Request == nil {
		return
	}
	n := len(r.Body)
	if f.page != nil {
		n = len(f.page.body) // claimed from the transport: Colly's copy is empty
	}
	p.c.logRequest(r.Request.URL.String(), r.StatusCode, n, f.started, f.depth, kind, extractor, err)
}

// onError counts and logs a failed fetch; a 304 is no failure but an unchanged listing.
func (p *pass) onError(ctx context.Context, r *colly.Response, err error) {
	p.observed(r)
	f := fetchOf(r.Ctx)
	if r.StatusCode == http.StatusNotModified {
		atomic.AddInt64(&p.st.Fetched, 1)
		atomic.AddInt64(&p.st.NotChanged, 1)
		p.run.settle(f.key)
		p.book.note(f.key, func(a *pageAccount) { a.answered, a.notModified = true, true })
		p.logRequest(r, f, KindNotModified, "", nil)
		return
	}
	if ctx.Err() != nil {
		return // the run is stopping: a fetch cut short is not the server's failure
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is logged in its own field
	}
	atomic.AddInt64(&p.st.Fetched, boolInt(r.StatusCode != 0))
	o := failedFetch(err)
	if r.StatusCode != 0 {
		o = failedStatus(r.StatusCode)
	}
	p.account(ctx, f, o)
	p.book.note(f.key, func(a *pageAccount) { a.err, a.failure = o.err, o.failure })
	p.logRequest(r, f, o.kind, "", o.err)
	msg := "fetch failed"
	if errors.Is(o.err, ErrBodyTooLarge) || errors.Is(o.err, ErrBadEncoding) {
		msg = "skip page"
	}
	p.c.log.Warn(msg, zap.String("url", r.Request.URL.String()), zap.Error(o.err))
}

// onResponse reads a fetched page (Crawler.read) and acts on what it is: the retry list for a
// failure, the visited set for an article's claimed URL, the validators of a listing, the
// frontier for its links.
func (p *pass) onResponse(ctx context.Context, r *colly.Response) {
	p.observed(r)
	atomic.AddInt64(&p.st.Fetched, 1)
	f := fetchOf(r.Ctx)
	// The page, its record and the visited set take the canonical form of the URL fetched
	// (after redirects: a redirect's target is not fetched again).
	final := article.CanonicalURL(r.Request.URL)
	p.fr.markSeen(final.String())
	resp := response{final: final, status: r.StatusCode, header: *r.Headers, contentType: f.contentType, body: r.Body, hint: f.hint}
	if f.page != nil {
		resp.body, resp.permit = f.page.body, f.page.permit
	}
	o := p.c.read(ctx, resp, p.book.counting(f.key, p.handle))
	if o.stopped {
		return // the run is stopping, as in onError
	}
	p.account(ctx, f, o)
	p.book.note(f.key, func(a *pageAccount) {
		a.answered = true
		if o.kind == KindFailed {
			a.err, a.failure = o.err, o.failure
		}
	})
	p.logRequest(r, f, o.kind, o.extractor, o.err)
	if o.unread {
		p.c.log.Warn("skip page", zap.String("url", final.String()), zap.Error(o.err))
		return
	}
	if o.claimed != nil {
		// The URL an article names as its own is this article: not fetched again under it.
		p.fr.markSeen(o.claimed.String())
	}
	if o.keep != (Validators{}) {
		p.run.keepValidators(final.String(), o.keep)
	}
	for _, l := range o.links {
		if ctx.Err() != nil {
			return
		}
		queued := p.follow(ctx, l.url, f.depth+1, l.hint)
		if p.book != nil {
			if s := article.CanonicalURL(l.url).String(); queued || p.fr.isSeen(s) {
				p.book.link(f.key, s)
			}
		}
	}
}

// account puts a failed fetch on the retry list (pass.failed) or settles the URL: fetched, or
// failed in a way no later run would do better with.
func (p *pass) account(_ context.Context, f *fetch, o outcome) {
	if o.unread {
		atomic.AddInt64(&p.st.Errors, 1)
	}
	if o.failure != "" {
		p.failed(f, o.failure)
		return
	}
	p.run.settle(f.key)
}

// follow queues a link found at depth, unless it is off the source, too deep, seen, stored
// already or refused by a budget. It reports whether the link was queued. A feed item's hint is
// kept only while its link waits in the frontier: hints of items skipped or refused would
// otherwise stay for the whole run.
//
// One page per canonical URL (article.CanonicalURL): tracking parameters, default port and query
// order do not make another page. The visited set, the budgets and the store see the canonical
// form; the request goes to the link as the site wrote it, so a signed or order-sensitive query
// is never rewritten.
func (p *pass) follow(ctx context.Context, u *url.URL, depth int, hint *article.Record) bool {
	if !p.c.wanted(u) {
		return false
	}
	cu := article.CanonicalURL(u)
	s := cu.String()
	if depth > p.c.opts.MaxDepth || p.fr.isSeen(s) {
		return false
	}
	if p.c.skip != nil && p.c.isArticleURL(s) && p.c.skip(ctx, s) {
		if p.fr.markSeen(s) {
			atomic.AddInt64(&p.st.Skipped, 1)
		}
		p.book.note(s, func(a *pageAccount) { a.stored = true })
		return false
	}
	if err := p.run.admit(cu); err != nil {
		atomic.AddInt64(&p.st.Refused, 1)
		p.c.log.Debug("link refused", zap.String("url", s), zap.Error(err))
		return false
	}
	if !p.fr.markSeen(s) {
		p.run.giveBack(cu) // queued meanwhile by another page
		return false
	}
	if hint != nil {
		p.hintsMu.Lock()
		p.hints[s] = hint // taken in canonical form
		p.hintsMu.Unlock()
	}
	p.fr.push(u.String(), depth)
	return true
}

// takeHint hands over what a feed said about url, once.
func (p *pass) takeHint(url string) *article.Record {
	p.hintsMu.Lock()
	defer p.hintsMu.Unlock()
	h := p.hints[url]
	delete(p.hints, url)
	return h
}
