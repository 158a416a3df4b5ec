// Package crawler is the fetch stage: it walks seeds, listing pages and feeds with Colly,
// politely, and hands every fetched page, decoded to UTF-8, to a handler. It knows no site's
// markup: links are every <a href> (and feed entry) within the allowed hosts.
package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
)

// DefaultUserAgent says who we are and where to complain, as polite crawlers do.
const DefaultUserAgent = "newsmill/1 (+https://github.com/newsmill/newsmill)"

// Options describe one source's crawl. New rejects options that cannot work.
type Options struct {
	Name         string
	Seeds        []string
	AllowedHosts []string // empty: the seeds' hosts
	// Follow lists URL patterns whose pages' links are followed; empty: every page's.
	Follow []string
	// Articles lists URL patterns handed to the extractors; empty: every page.
	Articles []string
	// MaxDepth bounds the link distance from a seed (a seed is 1); 0 means DefaultMaxDepth.
	MaxDepth int
	// MaxPages bounds the fetches of one run; 0 means DefaultMaxPages.
	MaxPages     int
	Parallelism  int           // concurrent requests per host; 0 means 2
	Delay        time.Duration // between requests to one host
	UserAgent    string
	IgnoreRobots bool
	// Timeout bounds one attempt: connect, headers and the whole body; 0 means 30s.
	Timeout time.Duration
	// ConnectTimeout bounds the TCP and TLS handshake; 0 means 10s.
	ConnectTimeout time.Duration
	// HeaderTimeout bounds the wait for response headers once the request is sent; 0 means 20s.
	HeaderTimeout time.Duration
	// MaxBodySize caps a body after decompression, in bytes; 0 means 10 MiB. A larger body is a
	// logged skip, never a truncated page.
	MaxBodySize int
	// MaxRetries bounds the retries of a timeout, reset, 429 or 5xx; 0 means DefaultMaxRetries,
	// negative means none.
	MaxRetries int
	// RetryBaseDelay is the first back-off, doubled per retry with jitter; 0 means 500ms.
	RetryBaseDelay time.Duration
	// RetryMaxDelay caps a back-off and the Retry-After we honour; a host asking for longer gets
	// no more requests this run. 0 means 60s.
	RetryMaxDelay time.Duration
	// MaxRedirects bounds one fetch's redirect chain; 0 means 10.
	MaxRedirects int
	// MaxPagesPerHost bounds the fetches per host in one run; 0 means MaxPages.
	MaxPagesPerHost int
	// MaxURLLength refuses longer links (calendar and session traps); 0 means 2048.
	MaxURLLength int
	// MaxQueryParams refuses links with more query parameters; 0 means 8.
	MaxQueryParams int
	// MaxQueryVariants bounds the distinct query strings fetched per path (sort and filter
	// permutations); 0 means 100.
	MaxQueryVariants int
	// Cache, when set, keeps ETag and Last-Modified of listing pages and feeds between runs, so
	// unchanged ones cost a 304.
	Cache ValidatorCache
	// LeafArticles stops at pages that gave a record: a one-off run of an article URL gives that
	// article, not its neighbours. Scheduled crawls follow article pages' links too, since that
	// is how a site's category pages are found.
	LeafArticles bool
	// OnFetch, when set, is called once per response or failed request (status 0 when no
	// response came) with the time from request to response; serve's metrics read it.
	OnFetch FetchObserver

	// articleSeeds makes the seeds articles (FetchItems): the skipper applies to them too.
	articleSeeds bool
	// transport replaces the network below the fetch policy; tests route every host to loopback.
	transport *http.Transport
}

// Defaults for unset options.
const (
	DefaultMaxDepth         = 6
	DefaultMaxPages         = 10000
	DefaultParallelism      = 2
	DefaultTimeout          = 30 * time.Second
	DefaultConnectTimeout   = 10 * time.Second
	DefaultHeaderTimeout    = 20 * time.Second
	DefaultMaxBodySize      = 10 << 20
	DefaultMaxRetries       = 3
	DefaultRetryBaseDelay   = 500 * time.Millisecond
	DefaultRetryMaxDelay    = 60 * time.Second
	DefaultMaxRedirects     = 10
	DefaultMaxURLLength     = 2048
	DefaultMaxQueryParams   = 8
	DefaultMaxQueryVariants = 100
)

// Validators are a response's HTTP cache validators.
type Validators struct {
	ETag         string
	LastModified string
}

// ValidatorCache remembers validators between runs (the store implements it through a small
// adapter, so the crawler knows nothing of bbolt).
type ValidatorCache interface {
	Validators(ctx context.Context, url string) (Validators, bool)
	SetValidators(ctx context.Context, url string, v Validators) error
}

// Handler receives every fetched page that may be an article. An error wrapping
// article.ErrNotArticle tells the crawler the page was a listing; other errors are the handler's
// to log.
type Handler func(ctx context.Context, p *article.Page) error

// Skipper reports whether a URL need not be fetched (an article already stored).
type Skipper func(ctx context.Context, url string) bool

// Stats count what a run did.
type Stats struct {
	Fetched    int64 // responses received (any status)
	NotChanged int64 // 304s
	Skipped    int64 // known URLs not fetched
	Errors     int64 // fetches that failed
	Retries    int64 // attempts after the first
	Refused    int64 // links refused by a crawl-trap bound or the page budget
}

// Crawler runs one source.
type Crawler struct {
	opts     Options
	follow   []*regexp.Regexp
	articles []*regexp.Regexp
	hosts    map[string]bool // allowed host names
	origins  map[string]bool // allowed host:port (origin.go)
	log      *zap.Logger
	skip     Skipper
	hints    sync.Map // URL -> *article.Record a feed gave for it, until it is requested
}

// New checks the options and fills defaults.
func New(opts Options, log *zap.Logger, skip Skipper) (*Crawler, error) {
	if len(opts.Seeds) == 0 {
		return nil, fmt.Errorf("%w: source %q: no seeds", ErrBadOptions, opts.Name)
	}
	c := &Crawler{opts: opts, hosts: map[string]bool{}, log: log, skip: skip}
	if c.log == nil {
		c.log = zap.NewNop()
	}
	for _, s := range opts.Seeds {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%w: source %q: seed %q is not an http(s) URL", ErrBadOptions, opts.Name, s)
		}
	}
	c.hosts, c.origins = originPorts(opts.Seeds, opts.AllowedHosts)
	for _, s := range opts.Seeds {
		u, _ := url.Parse(s)
		if !c.sameOrigin(u) {
			return nil, fmt.Errorf("%w: source %q: seed %q is outside allowed_hosts", ErrBadOptions, opts.Name, s)
		}
	}
	var err error
	if c.follow, err = compileAll(opts.Follow); err != nil {
		return nil, fmt.Errorf("%w: source %q: follow: %v", ErrBadOptions, opts.Name, err)
	}
	if c.articles, err = compileAll(opts.Articles); err != nil {
		return nil, fmt.Errorf("%w: source %q: articles: %v", ErrBadOptions, opts.Name, err)
	}
	if c.opts.MaxDepth <= 0 {
		c.opts.MaxDepth = DefaultMaxDepth
	}
	if c.opts.MaxPages <= 0 {
		c.opts.MaxPages = DefaultMaxPages
	}
	for name, v := range map[string]int64{"max_pages_per_host": int64(opts.MaxPagesPerHost), "max_url_length": int64(opts.MaxURLLength),
		"max_query_params": int64(opts.MaxQueryParams), "max_query_variants": int64(opts.MaxQueryVariants), "max_redirects": int64(opts.MaxRedirects),
		"max_body_bytes": int64(opts.MaxBodySize), "timeout": int64(opts.Timeout), "connect_timeout": int64(opts.ConnectTimeout),
		"header_timeout": int64(opts.HeaderTimeout), "retry_base_delay": int64(opts.RetryBaseDelay), "retry_max_delay": int64(opts.RetryMaxDelay)} {
		if v < 0 {
			return nil, fmt.Errorf("%w: source %q: %s must not be negative", ErrBadOptions, opts.Name, name)
		}
	}
	setDefault(&c.opts.Parallelism, DefaultParallelism)
	setDefault(&c.opts.Timeout, DefaultTimeout)
	setDefault(&c.opts.ConnectTimeout, DefaultConnectTimeout)
	setDefault(&c.opts.HeaderTimeout, DefaultHeaderTimeout)
	setDefault(&c.opts.MaxBodySize, DefaultMaxBodySize)
	setDefault(&c.opts.MaxRetries, DefaultMaxRetries)
	if c.opts.MaxRetries < 0 {
		c.opts.MaxRetries = 0
	}
	setDefault(&c.opts.RetryBaseDelay, DefaultRetryBaseDelay)
	setDefault(&c.opts.RetryMaxDelay, DefaultRetryMaxDelay)
	setDefault(&c.opts.MaxRedirects, DefaultMaxRedirects)
	setDefault(&c.opts.MaxPagesPerHost, c.opts.MaxPages)
	setDefault(&c.opts.MaxURLLength, DefaultMaxURLLength)
	setDefault(&c.opts.MaxQueryParams, DefaultMaxQueryParams)
	setDefault(&c.opts.MaxQueryVariants, DefaultMaxQueryVariants)
	if c.opts.UserAgent == "" {
		c.opts.UserAgent = DefaultUserAgent
	}
	return c, nil
}

// setDefault fills an unset (zero) option; a negative one is left for New to read as "none".
func setDefault[T int | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

func compileAll(pats []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range pats {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %v", p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// isArticleURL: with no article patterns every page is offered to the extractors.
func (c *Crawler) isArticleURL(u string) bool {
	return len(c.articles) == 0 || matchAny(c.articles, u)
}

func (c *Crawler) isFollowURL(u string) bool {
	return len(c.follow) == 0 || matchAny(c.follow, u)
}

// wanted decides whether a discovered link is fetched at all.
func (c *Crawler) wanted(u *url.URL) bool {
	if !c.sameOrigin(u) {
		return false
	}
	s := u.String()
	if len(c.follow) == 0 && len(c.articles) == 0 {
		return true
	}
	return matchAny(c.follow, s) || matchAny(c.articles, s)
}

// Run crawls until the frontier is empty, the page budget is spent or ctx is cancelled.
func (c *Crawler) Run(ctx context.Context, handle Handler) (Stats, error) {
	var st Stats
	run := newRunState(c)
	tr := newTransport(fetchPolicy{
		maxRetries:     c.opts.MaxRetries,
		retryBase:      c.opts.RetryBaseDelay,
		retryMax:       c.opts.RetryMaxDelay,
		attemptTimeout: c.opts.Timeout,
		maxBody:        int64(c.opts.MaxBodySize),
	}, c.opts.ConnectTimeout, c.opts.HeaderTimeout)
	if c.opts.transport != nil {
		tr.base = c.opts.transport
	}

	// Colly runs synchronously inside a fixed set of workers fed by our frontier (see
	// frontier.go), which also owns depth and the visited set: no goroutine per link.
	fr := newFrontier()
	workers := min(max(c.opts.Parallelism*len(c.hosts), 1), 64)
	// Keep a connection per worker alive; with fewer idle slots than workers, the others dial
	// (and leave a TIME_WAIT socket) for every page.
	if ht, ok := tr.base.(*http.Transport); ok {
		ht.MaxIdleConnsPerHost = max(ht.MaxIdleConnsPerHost, workers)
	}
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
	col.IgnoreRobotsTxt = c.opts.IgnoreRobots
	var rules []*colly.LimitRule
	for h := range c.hosts {
		// One rule per host: a glob shared by several hosts would share one semaphore.
		// Colly matches the rule against URL.Host, which carries the port when there is one.
		re := "^" + regexp.QuoteMeta(h) + `(:\d+)?$`
		rules = append(rules, &colly.LimitRule{DomainRegexp: re, Parallelism: c.opts.Parallelism, Delay: c.opts.Delay})
	}
	if err := col.Limits(rules); err != nil {
		return st, fmt.Errorf("%w: source %q: %v", ErrBadOptions, c.opts.Name, err)
	}

	if c.opts.Cache != nil {
		col.OnRequest(func(r *colly.Request) {
			v, ok := c.opts.Cache.Validators(ctx, r.URL.String())
			if !ok {
				return
			}
			if v.ETag != "" {
				r.Headers.Set("If-None-Match", v.ETag)
			}
			if v.LastModified != "" {
				r.Headers.Set("If-Modified-Since", v.LastModified)
			}
		})
	}
	c.observe(col)
	// Feed items' hints travel by request ID: Colly shares Ctx between a page and the links it
	// visits, and a redirect changes the URL.
	var hintByID sync.Map
	col.OnRequest(func(r *colly.Request) {
		if h, ok := c.hints.LoadAndDelete(r.URL.String()); ok {
			hintByID.Store(r.ID, h)
		}
	})
	var types sync.Map // request ID -> declared Content-Type (colly shares Ctx between parent and child)
	col.OnResponseHeaders(func(r *colly.Response) {
		// Keep the declared charset for our own decoder and hide it from Colly, which would
		// otherwise convert the body by the header alone and get lying headers wrong.
		ct := r.Headers.Get("Content-Type")
		types.Store(r.Request.ID, ct)
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			r.Headers.Set("Content-Type", mt)
		}
	})
	col.OnError(func(r *colly.Response, err error) {
		types.Delete(r.Request.ID)
		hintByID.Delete(r.Request.ID)
		if r.StatusCode == http.StatusNotModified {
			atomic.AddInt64(&st.Fetched, 1)
			atomic.AddInt64(&st.NotChanged, 1)
			return
		}
		if ctx.Err() != nil {
			return // the run is stopping: a fetch cut short is not the server's failure
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is logged in its own field
		}
		atomic.AddInt64(&st.Fetched, boolInt(r.StatusCode != 0))
		atomic.AddInt64(&st.Errors, 1)
		if r.StatusCode != 0 {
			err = fmt.Errorf("%w %d %s", ErrHTTPStatus, r.StatusCode, http.StatusText(r.StatusCode))
		}
		if transient(r.StatusCode, err) {
			run.incomplete()
		}
		msg := "fetch failed"
		if errors.Is(err, ErrBodyTooLarge) || errors.Is(err, ErrBadEncoding) {
			msg = "skip page"
		}
		c.log.Warn(msg, zap.String("url", r.Request.URL.String()), zap.Error(err))
	})
	col.OnResponse(func(r *colly.Response) {
		atomic.AddInt64(&st.Fetched, 1)
		v, _ := types.LoadAndDelete(r.Request.ID)
		ct, _ := v.(string)
		final := r.Request.URL
		fr.markSeen(final.String()) // a redirect's target is not fetched again
		depth, _ := r.Ctx.GetAny(ctxDepth).(int)
		if err := readable(r.Body); err != nil {
			atomic.AddInt64(&st.Errors, 1)
			c.log.Warn("skip page", zap.String("url", final.String()), zap.Error(err))
			return
		}
		body, _, err := Decode(ct, r.Body)
		if err != nil {
			atomic.AddInt64(&st.Errors, 1)
			c.log.Warn("skip page", zap.String("url", final.String()), zap.Error(err))
			return
		}
		mt, _, _ := mime.ParseMediaType(ct)
		page := article.NewPage(final, pageType(mt, final), body, time.Now())
		if h, ok := hintByID.LoadAndDelete(r.Request.ID); ok {
			page.Hint = h.(*article.Record)
		}
		links, isFeed := c.links(ctx, page, handle)
		listing := isFeed || !c.isArticleURL(final.String())
		if !isFeed && c.isArticleURL(final.String()) {
			err := handle(ctx, page)
			listing = errors.Is(err, article.ErrNotArticle)
			if c.opts.LeafArticles && !listing {
				return
			}
		}
		if listing {
			// Only listings and feeds are asked "changed since?": an article is either stored
			// (and not fetched at all) or must be fetched whole.
			run.keepValidators(final.String(), r.Headers)
		}
		if !isFeed && !c.isFollowURL(final.String()) {
			return
		}
		next := slices.Values(links)
		if !isFeed {
			next = pageLinks(page)
		}
		for u := range next {
			if ctx.Err() != nil {
				return
			}
			if !c.wanted(u) {
				continue
			}
			s := u.String()
			if depth+1 > c.opts.MaxDepth || fr.isSeen(s) {
				continue
			}
			if c.skip != nil && c.isArticleURL(s) && c.skip(ctx, s) {
				if fr.markSeen(s) {
					atomic.AddInt64(&st.Skipped, 1)
				}
				continue
			}
			if err := run.admit(u); err != nil {
				atomic.AddInt64(&st.Refused, 1)
				c.log.Debug("link refused", zap.String("url", s), zap.Error(err))
				continue
			}
			if !fr.markSeen(s) {
				run.giveBack(u) // queued meanwhile by another page
				continue
			}
			fr.push(s, depth+1)
		}
	})
	col.OnRequest(func(r *colly.Request) { r.Ctx.Put(ctxStarted, true) })

	for _, s := range c.opts.Seeds {
		u, _ := url.Parse(s)
		// Seeds are fetched even when stored: they are listing pages and feeds, the way in.
		if !fr.markSeen(u.String()) {
			continue
		}
		if c.opts.articleSeeds && c.skip != nil && c.skip(ctx, u.String()) {
			atomic.AddInt64(&st.Skipped, 1)
			continue
		}
		if err := run.admit(u); err != nil {
			atomic.AddInt64(&st.Refused, 1)
			c.log.Warn("seed refused", zap.String("url", s), zap.Error(err))
			continue
		}
		fr.push(u.String(), 1)
	}
	fr.run(ctx, workers, func(q queued) {
		rc := colly.NewContext()
		rc.Put(ctxDepth, q.depth)
		err := col.Request(http.MethodGet, q.url, nil, rc, nil)
		if err == nil || rc.GetAny(ctxStarted) != nil {
			return // fetched; a failed fetch was counted and logged by OnError
		}
		// Colly refused before fetching: robots.txt (a dead server fails here), a filter.
		if u, perr := url.Parse(q.url); perr == nil {
			run.giveBack(u)
		}
		if q.depth == 1 {
			atomic.AddInt64(&st.Errors, 1)
			run.incomplete()
			c.log.Warn("fetch failed", zap.String("url", q.url), zap.Error(err))
			return
		}
		c.log.Debug("not queued", zap.String("url", q.url), zap.Error(err))
	})
	st.Retries = tr.retries.Load()
	c.saveValidators(ctx, run)
	return st, ctx.Err()
}

// saveValidators keeps the listings' validators only after a run that reached every link it
// found. A listing answering 304 next time is not read again, so its links must all have been
// fetched: a run that was stopped, ran out of budget or met transient failures saves none.
func (c *Crawler) saveValidators(ctx context.Context, run *runState) {
	if c.opts.Cache == nil {
		return
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	if ctx.Err() != nil || run.partial {
		if len(run.validators) > 0 {
			c.log.Info("run incomplete: listings will be fetched whole next time", zap.Int("listings", len(run.validators)))
		}
		return
	}
	for u, v := range run.validators {
		if err := c.opts.Cache.SetValidators(ctx, u, v); err != nil {
			c.log.Warn("cannot keep validators", zap.String("url", u), zap.Error(err))
			return
		}
	}
}

// transient reports whether a failed fetch could succeed on a later run, so the listing that led
// to it must not be skipped by a 304 then.
func transient(status int, err error) bool {
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		return true
	case status != 0:
		return false // 4xx: the page is gone or forbidden; another run changes nothing
	case errors.Is(err, ErrBodyTooLarge), errors.Is(err, ErrBadEncoding), errors.Is(err, ErrRedirect):
		return false
	}
	var already *colly.AlreadyVisitedError
	return !errors.As(err, &already)
}

// checkRedirect bounds a redirect chain, refuses loops and keeps the crawl on its hosts.
func (c *Crawler) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.opts.MaxRedirects {
		return fmt.Errorf("%w: more than %d redirects from %s", ErrRedirect, c.opts.MaxRedirects, via[0].URL)
	}
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return fmt.Errorf("%w: redirect loop back to %s after %d hops", ErrRedirect, req.URL, len(via))
		}
	}
	if !c.sameOrigin(req.URL) {
		return fmt.Errorf("%w: redirect to %s leaves the allowed hosts", ErrRedirect, req.URL)
	}
	return nil
}

// readable refuses 200 responses with nothing to extract. Binary bytes under a text type are
// Decode's to refuse (ErrBinary), since it looks at the bytes anyway.
func readable(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("%w: empty body", ErrNotPage)
	}
	return nil
}

// Keys of the per-request colly context.
const (
	ctxDepth   = "newsmill.depth"   // link distance from a seed, which is 1
	ctxStarted = "newsmill.started" // set once colly sends the request
)

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// pageType is the media type the extractors see; raw posts served as text/plain are markdown.
func pageType(mt string, u *url.URL) string {
	if strings.HasSuffix(u.Path, ".md") || strings.HasSuffix(u.Path, ".markdown") {
		return "text/markdown"
	}
	return mt
}

// links returns a feed's links and whether the page was a feed (whose items are always followed
// and never offered to the extractors; items that carry their own body are handed over as
// pages); an HTML page's links come from pageLinks, after the extractors, so that the tree they
// built is reused.
func (c *Crawler) links(ctx context.Context, p *article.Page, handle Handler) ([]*url.URL, bool) {
	base := p.URL
	if f, err := ParseFeed(base, p.ContentType, p.Body); err == nil {
		var out []*url.URL
		var off []string
		for _, it := range f.Items {
			u, err := base.Parse(it.URL)
			if err != nil || it.URL == "" {
				u = nil
			}
			if u != nil && !c.sameOrigin(u) {
				// Not fetched, and a body it carries is not used either: a feed vouches for its own
				// site only, and a foreign link with a body would become a record with that
				// site's URL and whatever id the entry claims.
				off = append(off, u.String())
				continue
			}
			hint := itemHint(u, it)
			// A text endpoint reached from a list names only the body: the list's hint for it
			// gives the title, time and source.
			fillHint(hint, p.Hint)
			// An Eastmoney JSON item's body is the article (text endpoints deliver nothing else);
			// an Atom or RSS item's content is a copy of a page we can fetch, and the page, with
			// its categories, tags and links, is what the extractors know.
			if it.ContentHTML != "" && (f.Kind == "json" || u == nil || !c.wanted(u)) {
				handleItem(ctx, base, u, it, hint, handle)
				continue
			}
			if u != nil {
				c.hints.Store(u.String(), hint)
				out = append(out, u)
			}
		}
		for _, s := range f.Feeds {
			if u, err := base.Parse(s); err == nil {
				out = append(out, u)
			}
		}
		if len(off) > 0 {
			// Said once per feed: a list whose articles live on another host (Eastmoney's 7×24
			// list and finance.eastmoney.com) needs that host in allowed_hosts.
			c.log.Info("feed items off the allowed hosts not fetched", zap.String("url", base.String()),
				zap.Int("items", len(off)), zap.String("first", off[0]))
		}
		return out, true
	}
	return nil, false
}

// pageLinks are an HTML page's links, read from the tree when an extractor already built one
// and streamed from the bytes otherwise.
func pageLinks(p *article.Page) iter.Seq[*url.URL] {
	return func(yield func(*url.URL) bool) {
		if !p.IsHTML() {
			return
		}
		if p.Parsed() {
			if doc, err := p.Doc(); err == nil {
				for _, u := range HTMLLinks(p.URL, doc) {
					if !yield(u) {
						return
					}
				}
				return
			}
		}
		stop := false
		eachTokenLink(p.URL, p.Body, func(u *url.URL) {
			if !stop && !yield(u) {
				stop = true
			}
		})
	}
}

// handleItem hands a feed item that carries its own body to the extractors as a page of its own.
func handleItem(ctx context.Context, base, u *url.URL, it FeedItem, hint *article.Record, handle Handler) {
	item := article.NewPage(u, article.FeedItemType, []byte(it.ContentHTML), time.Now())
	item.Hint = hint
	if item.URL == nil {
		item.URL = base
	}
	_ = handle(ctx, item)
}

// fillHint completes h with what an earlier hint said (the list that led to a text endpoint).
func fillHint(h, from *article.Record) {
	if from == nil {
		return
	}
	for _, f := range []struct {
		dst *string
		src string
	}{{&h.ID, from.ID}, {&h.URL, from.URL}, {&h.Title, from.Title},
		{&h.Source, from.Source}, {&h.Summary, from.Summary}} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	if h.PublishedAt.IsZero() {
		h.PublishedAt = from.PublishedAt
	}
	if len(h.Stocks) == 0 {
		h.Stocks = from.Stocks
	}
}

// itemHint is what a feed said about an article: the page, when fetched, wins; these fill its
// gaps (article.Page.Hint).
func itemHint(u *url.URL, it FeedItem) *article.Record {
	h := &article.Record{Title: it.Title, PublishedAt: it.Published, Source: it.Source, Summary: it.Summary, Stocks: it.Stocks}
	if u != nil {
		h.URL = u.String()
	}
	if id, ok := article.NormalizeID(it.ID); ok {
		h.ID = id
	} else if id, ok := article.IDFromURL(u); ok {
		h.ID = id
	}
	return h
}
