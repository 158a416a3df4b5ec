// Package crawler is the fetch stage: it walks seeds, listing pages and feeds with Colly,
// politely, and hands every fetched page, decoded to UTF-8, to a handler. It knows no site's
// markup: links are every <a href> (and feed entry) within the allowed hosts.
package crawler

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gocolly/colly/v2"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/extract"
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
	Timeout      time.Duration // whole request; 0 means 30s
	MaxBodySize  int           // bytes; 0 means 10 MiB
	// LeafArticles stops at pages that gave a record: a one-off run of an article URL gives that
	// article, not its neighbours. Scheduled crawls follow article pages' links too, since that
	// is how a site's category pages are found.
	LeafArticles bool
}

// Defaults for unset options.
const (
	DefaultMaxDepth = 6
	DefaultMaxPages = 10000
)

// Handler receives every fetched page that may be an article. An error wrapping
// extract.ErrNotArticle tells the crawler the page was a listing; other errors are the handler's
// to log.
type Handler func(ctx context.Context, p *extract.Page) error

// Skipper reports whether a URL need not be fetched (an article already stored).
type Skipper func(ctx context.Context, url string) bool

// Stats count what a run did.
type Stats struct {
	Fetched    int64 // responses received (any status)
	NotChanged int64 // 304s
	Skipped    int64 // known URLs not fetched
	Errors     int64 // fetches that failed
}

// Crawler runs one source.
type Crawler struct {
	opts     Options
	follow   []*regexp.Regexp
	articles []*regexp.Regexp
	hosts    map[string]bool
	log      *zap.Logger
	skip     Skipper
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
		if len(opts.AllowedHosts) == 0 {
			c.hosts[strings.ToLower(u.Hostname())] = true
		}
	}
	for _, h := range opts.AllowedHosts {
		c.hosts[strings.ToLower(strings.TrimSpace(h))] = true
	}
	for _, s := range opts.Seeds {
		u, _ := url.Parse(s)
		if !c.hosts[strings.ToLower(u.Hostname())] {
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
	if c.opts.Parallelism <= 0 {
		c.opts.Parallelism = 2
	}
	if c.opts.UserAgent == "" {
		c.opts.UserAgent = DefaultUserAgent
	}
	if c.opts.Timeout <= 0 {
		c.opts.Timeout = 30 * time.Second
	}
	if c.opts.MaxBodySize <= 0 {
		c.opts.MaxBodySize = 10 << 20
	}
	return c, nil
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
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	if !c.hosts[strings.ToLower(u.Hostname())] {
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
	var budget atomic.Int64
	budget.Store(int64(c.opts.MaxPages))

	// Colly runs synchronously inside a fixed set of workers fed by our frontier (see
	// frontier.go), which also owns depth and the visited set: no goroutine per link.
	fr := newFrontier()
	workers := min(max(c.opts.Parallelism*len(c.hosts), 1), 64)
	col := colly.NewCollector(
		colly.AllowURLRevisit(),
		colly.UserAgent(c.opts.UserAgent),
		colly.StdlibContext(ctx),
		colly.MaxBodySize(c.opts.MaxBodySize),
	)
	col.IgnoreRobotsTxt = c.opts.IgnoreRobots
	col.SetRequestTimeout(c.opts.Timeout)
	// Keep a connection per worker alive: net/http keeps 2 per host by default, and the other
	// workers would dial (and leave a TIME_WAIT socket) for every page.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = workers
	col.WithTransport(tr)
	var rules []*colly.LimitRule
	for h := range c.hosts {
		// One rule per host: a glob shared by several hosts would share one semaphore.
		rules = append(rules, &colly.LimitRule{DomainGlob: h, Parallelism: c.opts.Parallelism, Delay: c.opts.Delay})
	}
	if err := col.Limits(rules); err != nil {
		return st, fmt.Errorf("%w: source %q: %v", ErrBadOptions, c.opts.Name, err)
	}

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
		atomic.AddInt64(&st.Fetched, boolInt(r.StatusCode != 0))
		if r.StatusCode == http.StatusNotModified {
			atomic.AddInt64(&st.NotChanged, 1)
			return
		}
		atomic.AddInt64(&st.Errors, 1)
		if r.StatusCode != 0 {
			err = fmt.Errorf("%w %d", ErrHTTPStatus, r.StatusCode)
		}
		c.log.Warn("fetch failed", zap.String("url", r.Request.URL.String()), zap.Error(err))
	})
	col.OnResponse(func(r *colly.Response) {
		atomic.AddInt64(&st.Fetched, 1)
		v, _ := types.LoadAndDelete(r.Request.ID)
		ct, _ := v.(string)
		final := r.Request.URL
		fr.markSeen(final.String()) // a redirect's target is not fetched again
		depth, _ := r.Ctx.GetAny(ctxDepth).(int)
		body, _, err := Decode(ct, r.Body)
		if err != nil {
			atomic.AddInt64(&st.Errors, 1)
			c.log.Warn("skip page", zap.String("url", final.String()), zap.Error(err))
			return
		}
		mt, _, _ := mime.ParseMediaType(ct)
		page := extract.NewPage(final, pageType(mt, final), body, time.Now())
		links, isFeed := c.links(page)
		if !isFeed && c.isArticleURL(final.String()) {
			err := handle(ctx, page)
			if c.opts.LeafArticles && !errors.Is(err, extract.ErrNotArticle) {
				return
			}
		}
		if !isFeed && !c.isFollowURL(final.String()) {
			return
		}
		for _, u := range links {
			if ctx.Err() != nil {
				return
			}
			if !c.wanted(u) {
				continue // an off-site link (the original on eastmoney.com) does not end the page's links
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
			if !fr.markSeen(s) {
				continue
			}
			if budget.Add(-1) < 0 {
				return
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
		if budget.Add(-1) < 0 {
			break
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
		if q.depth == 1 {
			atomic.AddInt64(&st.Errors, 1)
			c.log.Warn("fetch failed", zap.String("url", q.url), zap.Error(err))
			return
		}
		budget.Add(1) // not fetched: give the page back to the budget
		c.log.Debug("not queued", zap.String("url", q.url), zap.Error(err))
	})
	return st, ctx.Err()
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

// links returns the page's outgoing links, and whether the page was a feed (whose items are
// always followed and never offered to the extractors).
func (c *Crawler) links(p *extract.Page) ([]*url.URL, bool) {
	base := p.URL
	if f, err := ParseFeed(base, p.ContentType, p.Body); err == nil {
		var out []*url.URL
		for _, s := range append(itemURLs(f), f.Feeds...) {
			if u, err := base.Parse(s); err == nil {
				out = append(out, u)
			}
		}
		return out, true
	}
	if !p.IsHTML() {
		return nil, false
	}
	doc, err := p.Doc()
	if err != nil {
		return nil, false
	}
	return HTMLLinks(base, doc), false
}

func itemURLs(f *Feed) []string {
	out := make([]string, 0, len(f.Items))
	for _, it := range f.Items {
		out = append(out, it.URL)
	}
	return out
}

// HTMLLinks resolves every a[href] and alternate feed link of doc against base (or the page's
// <base href>), without fragments, each once.
func HTMLLinks(base *url.URL, doc *goquery.Document) []*url.URL {
	if b, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if bu, err := base.Parse(b); err == nil {
			base = bu
		}
	}
	seen := map[string]bool{}
	var out []*url.URL
	add := func(href string) {
		href = strings.TrimSpace(href)
		if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(href, "javascript:") || strings.HasPrefix(href, "mailto:") {
			return
		}
		u, err := base.Parse(href)
		if err != nil {
			return
		}
		u.Fragment = ""
		if s := u.String(); !seen[s] {
			seen[s] = true
			out = append(out, u)
		}
	}
	doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) { add(s.AttrOr("href", "")) })
	doc.Find(`link[rel="alternate"][href]`).Each(func(_ int, s *goquery.Selection) {
		t := s.AttrOr("type", "")
		if strings.Contains(t, "rss") || strings.Contains(t, "atom") {
			add(s.AttrOr("href", ""))
		}
	})
	return out
}
