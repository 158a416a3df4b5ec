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
	"strings"
	"time"

	"github.com/gocolly/colly/v2"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
)

// DefaultUserAgent says who we are and where to complain, as polite crawlers do.
const DefaultUserAgent = "newsmill/1 (+https://github.com/newsmill/newsmill)"

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

// RetryList remembers, per source, the pages whose fetch failed, so that later runs fetch them
// again by URL and the listings that led to them may answer 304 meanwhile. The store implements
// it through the same adapter as ValidatorCache.
type RetryList interface {
	// Retries are the source's URLs waiting to be fetched again.
	Retries(ctx context.Context, source string) ([]Retry, error)
	// Failed counts one more failed run for each failure; the URLs that reached limit failed
	// runs are dropped from the list and returned. An error leaves the failures unremembered.
	Failed(ctx context.Context, source string, failed []Failure, limit int) ([]Retry, error)
	// Done drops URLs that need no fetch any more: fetched now, or stored already.
	Done(ctx context.Context, source string, urls []string) error
}

// Retry is a URL on the retry list: its canonical form, the failed runs so far and the latest
// failure's reason.
type Retry struct {
	URL      string
	Attempts int
	Reason   string
	Depth    int // where the page was last found; 0 when the list does not say
}

// Failure is a page of a run that a later run must fetch again.
type Failure struct {
	URL    string // canonical
	Reason string // "http 404", "empty body", "no record", …
	Depth  int    // link distance from a seed at which the page was found
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
	Revisits   int64 // pages queued from the retry list
	Remembered int64 // failed pages put on the retry list for a later run
}

// Crawler runs one source.
type Crawler struct {
	opts     Options
	follow   []*regexp.Regexp
	articles []*regexp.Regexp
	origins  origins         // where links and redirects may lead
	hosts    map[string]bool // the origins' host names
	log      *zap.Logger
	skip     Skipper
	rt       collaborators
	pages    *pageBytes // the process's bound on the pages being read, shared by every driver
}

// New checks the options (Options.Validate) and fills defaults (Options.WithDefaults); with
// gives the run's collaborators (WithValidatorCache, WithRetryList, WithFetchObserver).
func New(opts Options, log *zap.Logger, skip Skipper, with ...Option) (*Crawler, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("source %q: %w", opts.Name, err)
	}
	opts = opts.WithDefaults()
	c := &Crawler{opts: opts, log: log, skip: skip, pages: sharedPageBytes(opts.MaxBytesInFlight)}
	for _, o := range with {
		o(&c.rt)
	}
	if c.log == nil {
		c.log = zap.NewNop()
	}
	// Validate checked the hosts and compiled the patterns once already; these cannot fail.
	c.origins, _ = newOrigins(opts.AllowedHosts, opts.Seeds)
	c.hosts = c.origins.hostNames()
	c.follow, _ = compileAll(opts.Follow)
	c.articles, _ = compileAll(opts.Articles)
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

// namesArticle reports whether an article URL (isArticleURL) is one for sure: the config's
// article patterns name it, or it carries an info code (Eastmoney's `/a/<number>.html`, the
// mirror's `…/NW….html`, `?infoCode=`). A page there that gives no record is a failed article,
// never a listing, whatever links its navigation bar has.
func (c *Crawler) namesArticle(u *url.URL) bool {
	if len(c.articles) > 0 {
		return true // isArticleURL matched a pattern
	}
	_, ok := article.IDFromURL(u)
	return ok
}

func (c *Crawler) isFollowURL(u string) bool {
	return len(c.follow) == 0 || matchAny(c.follow, u)
}

// wanted decides whether a discovered link is fetched at all.
func (c *Crawler) wanted(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	if !c.sameOrigin(u) {
		return false
	}
	s := u.String()
	if len(c.follow) == 0 && len(c.articles) == 0 {
		return true
	}
	return matchAny(c.follow, s) || matchAny(c.articles, s)
}

// retryList is the source's retry list, or nil when failed pages cost the run its validators
// instead: no store (a one-off run), no validators kept anyway, or retry_attempts 0.
func (c *Crawler) retryList() RetryList {
	if c.rt.cache == nil || c.rt.retries == nil || c.opts.RetryAttempts == nil || *c.opts.RetryAttempts == 0 {
		return nil
	}
	return c.rt.retries
}

// saveValidators keeps the listings' validators only after a run that reached every link it
// found, or put the pages that failed on the retry list. A listing answering 304 next time is
// not read again, so its links must all have been fetched or be fetched by URL: a run that was
// stopped, ran out of budget, or met failures it could not remember saves none.
func (c *Crawler) saveValidators(ctx context.Context, run *runState) {
	if c.rt.cache == nil {
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
		if err := c.rt.cache.SetValidators(ctx, u, v); err != nil {
			c.log.Warn("cannot keep validators", zap.String("url", u), zap.Error(err))
			return
		}
	}
}

// transient reports whether a failed fetch could succeed on a later run, so the listing that led
// to it must not be skipped by a 304 then.
func transient(status int, err error) bool {
	switch {
	case status != 0:
		// A 5xx or 429 is the server's trouble; a 404 or 403 may be an article not yet
		// published everywhere or refused for a while. Either way a later run must try again.
		return true
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

// decodePage turns a 200 response's body into the page the extractors read: refused when empty
// (ErrNotPage) or binary (ErrBinary), else decoded to UTF-8 by its declared or detected charset.
// A pass and a cluster Fetcher read their responses alike through it.
func decodePage(final *url.URL, contentType string, body []byte, hint *article.Record, modified time.Time) (*article.Page, error) {
	if err := readable(body); err != nil {
		return nil, err
	}
	text, _, err := Decode(contentType, body)
	if err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	page := article.NewPage(final, pageType(mt, final), text, time.Now())
	page.Hint = hint
	page.LastModified = modified
	return page, nil
}

// readable refuses 200 responses with nothing to extract. Binary bytes under a text type are
// Decode's to refuse (ErrBinary), since it looks at the bytes anyway.
func readable(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("%w: empty body", ErrNotPage)
	}
	return nil
}

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

// handleItem hands a feed item that carries its own body to the extractors as a page of its own,
// and returns their answer.
func handleItem(ctx context.Context, base, u *url.URL, it FeedItem, hint *article.Record, handle Handler) error {
	item := article.NewPage(u, article.FeedItemType, []byte(it.ContentHTML), time.Now())
	item.Hint = hint
	if item.URL == nil {
		item.URL = base
	}
	return handle(ctx, item)
}

// fillHint completes h with what an earlier hint said (the list that led to a text endpoint).
func fillHint(h, from *article.Record) {
	if from == nil {
		return
	}
	for _, f := range []struct {
		dst *string
		src string
	}{{&h.ID, from.ID}, {&h.URL, from.URL}, {&h.Title, from.Title}, {&h.Source, from.Source}, {&h.Summary, from.Summary}} {
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
