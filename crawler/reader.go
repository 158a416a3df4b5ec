package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
)

// The page reader: what a fetched response is (a record, a listing or feed, a failure a later
// attempt must fetch again, an unchanged page), the URL an article claims, the links to follow
// and the validators to keep. A pass and a cluster Fetcher both read every response through
// Crawler.read, so a rule added here holds on one machine and in a cluster alike; they differ
// only in what they do with the outcome (their frontier, politeness gate and robots cache).

// Kind is what a fetched page turned out to be.
type Kind int

const (
	// KindFailed is a page a later attempt must fetch again (Outcome.Failure says why), or one
	// no later attempt would do better with (Outcome.Failure empty, Outcome.Err set).
	KindFailed Kind = iota
	// KindArticle is a page that gave a record.
	KindArticle
	// KindListing is a page that gave no record and is not meant to (a category page).
	KindListing
	// KindFeed is a feed: its items are links, never offered to the extractors as a page.
	KindFeed
	// KindNotModified is a page that answered 304 to a conditional request.
	KindNotModified
)

var kindNames = [...]string{"failed", "article", "listing", "feed", "not modified"}

func (k Kind) String() string { return kindNames[k] }

// response is a fetched response as the reader sees it, whichever driver fetched it.
type response struct {
	final       *url.URL // canonical, after redirects
	status      int
	header      http.Header
	contentType string // as the server declared it, charset included
	body        []byte
	hint        *article.Record // what a feed said about the page, or nil
	// permit is the bytes the transport took of the bound before it read the body; nil for a
	// body that came some other way, which read takes them for.
	permit *permit
}

// found is a link the source wants, as the site wrote it, with what a feed said about it.
type found struct {
	url  *url.URL
	hint *article.Record
}

// outcome is what the reader made of a response.
type outcome struct {
	kind Kind
	// failure is the retry list's reason when a later attempt must fetch the page again
	// ("http 404", "empty body", "error page", "no record", …); empty otherwise.
	failure string
	err     error // what went wrong, for the log; nil for a page read whole
	// unread is a fetch that gave no page to read (a status, a transport error, an empty,
	// binary or undecodable body): a fetch error, where a page the extractors refused is not.
	unread bool
	// notArticle is a page at an article URL that the extractors called no article, failed
	// all the same (namesArticle): its links are still followed, as a listing's are.
	notArticle bool
	claimed    *url.URL // the canonical URL an article names as its own, on the source
	extractor  string   // the extractor of an article's record (article.Page.Extracted)
	links      []found  // wanted by the source (scheme, origins, patterns), in page order
	keep       Validators
	// itemsFailed counts a feed's items with a body of their own that gave no whole record.
	itemsFailed int
	// stopped is a page never read because ctx ended while it waited for the bound on the pages
	// being read (err says so): the run is stopping, the page is not the server's failure.
	stopped bool
}

// listing reports whether the page is one a later run may ask "changed since?".
func (o outcome) listing() bool { return o.kind == KindListing || o.kind == KindFeed }

// failedStatus is the outcome of a response that is neither 2xx nor 304: a later attempt must
// fetch it again, since a 404 may be an article not yet published everywhere and a 5xx or 429 is
// the server's trouble.
func failedStatus(status int) outcome {
	err := &StatusError{Code: status}
	return outcome{kind: KindFailed, failure: failReason(err), err: err, unread: true}
}

// failedFetch is the outcome of a request that got no response (a transport error).
func failedFetch(err error) outcome {
	o := outcome{kind: KindFailed, err: err, unread: true}
	if transient(0, err) || errors.Is(err, ErrHTTPStatus) {
		o.failure = failReason(err)
	}
	return o
}

// failReason says in a few words why a fetch failed, for the retry list: "http 404" (a 5xx the
// transport gave up on says its status the same way), or the error.
func failReason(err error) string {
	var se *StatusError
	if errors.As(err, &se) {
		return fmt.Sprintf("http %d", se.Code)
	}
	return err.Error()
}

// read decides what a response is. handle is offered the page when it may be an article, and
// every feed item that carries its own body.
//
// The page's bytes are taken from the process's bound on the pages being read before its body is
// read (by the transport, r.permit; here for a body that came another way) and given back once
// the driver is done with the response: by then handle has made the record and handed it on (the
// pipeline's queue, or the worker's records to publish), and the page's tree, decoded text and
// the extractors' copies are garbage.
func (c *Crawler) read(ctx context.Context, r response, handle Handler) outcome {
	switch {
	case r.status == http.StatusNotModified:
		return outcome{kind: KindNotModified}
	case r.status < 200 || r.status > 299:
		return failedStatus(r.status)
	}
	if r.permit == nil {
		pm, err := c.pages.take(ctx, int64(len(r.body)))
		if err != nil {
			return outcome{kind: KindFailed, err: fmt.Errorf("page not read: %w", err), stopped: true}
		}
		defer pm.release()
	}
	modified, _ := http.ParseTime(r.header.Get("Last-Modified")) // zero when absent or unreadable
	page, err := decodePage(r.final, r.contentType, r.body, r.hint, modified)
	if err == nil {
		page.Archived = archivedFrom(r.header, r.final.String())
		page.ETag = r.header.Get("ETag")
	}
	if err != nil {
		o := outcome{kind: KindFailed, err: err, unread: true}
		if errors.Is(err, ErrNotPage) {
			o.failure = "empty body" // an empty 200 is a server's hiccup more often than a page
		}
		return o // binary or undecodable: no later run would do better
	}
	if items, failed, ok := c.feedLinks(ctx, page, handle); ok {
		o := outcome{kind: KindFeed, links: items, itemsFailed: failed}
		o.keep = validatorsOf(r.header)
		return o
	}
	o := c.readPage(ctx, page, handle)
	if c.opts.keepPageValidators && o.kind == KindArticle {
		o.keep = validatorsOf(r.header)
	}
	if c.opts.LeafArticles && o.kind != KindListing && !o.notArticle {
		return o // a one-off run of an article URL gives that article, not its neighbours
	}
	if o.kind == KindListing {
		// Only listings and feeds are asked "changed since?": an article is either stored (and
		// not fetched at all) or must be fetched whole, and a failed page must be read whole
		// when fetched again.
		o.keep = validatorsOf(r.header)
	}
	if !c.isFollowURL(r.final.String()) {
		return o
	}
	for u := range pageLinks(page) {
		if ctx.Err() != nil {
			break
		}
		if c.wanted(u) {
			o.links = append(o.links, found{url: u})
		}
	}
	if (o.kind == KindListing || o.notArticle) && c.isArticleURL(r.final.String()) && len(o.links) == 0 {
		// Neither an article nor a listing: a "server busy" or error page served with 200.
		// The article behind it must be fetched again.
		o.kind, o.failure, o.keep = KindFailed, "no record and no links", Validators{}
	}
	return o
}

// readPage offers a page that may be an article to the extractors and classifies their answer.
func (c *Crawler) readPage(ctx context.Context, page *article.Page, handle Handler) outcome {
	final := page.URL
	if !c.isArticleURL(final.String()) {
		return outcome{kind: KindListing}
	}
	err := handle(ctx, page)
	switch {
	case err == nil:
		o := outcome{kind: KindArticle, extractor: page.Extracted}
		if page.IsHTML() {
			// The URL an article names as its own is this article. (A listing's claim is not
			// taken: paginated listings often all name page 1.)
			if cu := claimedCanonical(final, page.Body); cu != nil && c.sameOrigin(cu) {
				o.claimed = cu
			}
		}
		return o
	case errors.Is(err, article.ErrNotArticle) && !c.namesArticle(final):
		return outcome{kind: KindListing}
	case errors.Is(err, article.ErrErrorPage):
		return outcome{kind: KindFailed, failure: "error page", err: err}
	default:
		// The page gave no whole record (cut short, a half-rendered page, or a page at a URL the
		// config's article patterns name or that carries an info code, whatever links its
		// navigation bar has): a later attempt must fetch it again.
		return outcome{kind: KindFailed, failure: "no record", err: err, notArticle: errors.Is(err, article.ErrNotArticle)}
	}
}

func validatorsOf(h http.Header) Validators {
	return Validators{ETag: h.Get("ETag"), LastModified: h.Get("Last-Modified")}
}

// feedLinks reads a page as a feed: it reports whether the page was one, and its wanted items'
// and feeds' links. Items are always followed and never offered to the extractors; items that
// carry their own body are handed over as pages.
func (c *Crawler) feedLinks(ctx context.Context, page *article.Page, handle Handler) ([]found, int, bool) {
	base := page.URL
	f, err := ParseFeed(base, page.ContentType, page.Body)
	if err != nil {
		return nil, 0, false
	}
	var out []found
	failed := 0
	var off []string
	for _, it := range f.Items {
		u, err := base.Parse(it.URL)
		if err != nil || it.URL == "" {
			u = nil
		}
		if u != nil && !c.sameOrigin(u) {
			// Not fetched, and a body it carries is not used either: a feed vouches for its own
			// site only, and a foreign link with a body would become a record with that site's
			// URL and whatever id the entry claims.
			off = append(off, u.String())
			continue
		}
		hint := itemHint(u, it)
		// A text endpoint reached from a list names only the body: the list's hint for it gives
		// the title, time and source.
		fillHint(hint, page.Hint)
		// An Eastmoney JSON item's body is the article (text endpoints deliver nothing else);
		// an Atom or RSS item's content is a copy of a page we can fetch, and the page, with
		// its categories, tags and links, is what the extractors know.
		if it.ContentHTML != "" && (f.Kind == "json" || u == nil || !c.wanted(u)) {
			if err := handleItem(ctx, base, u, it, hint, handle); err != nil && !errors.Is(err, article.ErrNotArticle) {
				failed++
			}
			continue
		}
		if u != nil && c.wanted(u) {
			out = append(out, found{url: u, hint: hint})
		}
	}
	for _, s := range f.Feeds {
		if u, err := base.Parse(s); err == nil && c.wanted(u) {
			out = append(out, found{url: u})
		}
	}
	if len(off) > 0 {
		// Said once per feed: a list whose articles live on another host (Eastmoney's 7×24 list
		// and finance.eastmoney.com) needs that host in allowed_hosts.
		c.log.Info("feed items off the allowed hosts not fetched", zap.String("url", base.String()),
			zap.Int("items", len(off)), zap.String("first", off[0]))
	}
	return out, failed, true
}

// withinLimits refuses a link whose length or query parameters exceed the source's bounds
// (calendar and session traps): properties of the link itself, the same for every driver.
func (c *Crawler) withinLimits(u *url.URL) error {
	o := c.opts
	if n := len(u.String()); n > o.MaxURLLength {
		return fmt.Errorf("%w: url of %d bytes exceeds max_url_length %d", ErrTrap, n, o.MaxURLLength)
	}
	if n := countParams(u.Query()); n > o.MaxQueryParams {
		return fmt.Errorf("%w: %d query parameters exceed max_query_params %d", ErrTrap, n, o.MaxQueryParams)
	}
	return nil
}

// setConditional asks "changed since?" of a URL whose validators the cache keeps.
func (c *Crawler) setConditional(ctx context.Context, h http.Header, u *url.URL) {
	if c.rt.cache == nil {
		return
	}
	v, ok := c.rt.cache.Validators(ctx, article.CanonicalURL(u).String())
	if !ok {
		return
	}
	if v.ETag != "" {
		h.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		h.Set("If-Modified-Since", v.LastModified)
	}
}

// uniqueLinks drops links whose canonical form came before.
func uniqueLinks(links []found) []found {
	seen := map[string]bool{}
	return slices.DeleteFunc(slices.Clone(links), func(l found) bool {
		s := article.CanonicalURL(l.url).String()
		if seen[s] {
			return true
		}
		seen[s] = true
		return false
	})
}

// logRequest is the debug line of one request, as Scrapy's "Crawled (200) <GET …>": status,
// bytes, time, and what the page turned out to be (with the extractor of a record). A pass and
// a cluster Fetcher both log it; depth 0 is a Fetcher's, which does not know it.
func (c *Crawler) logRequest(u string, status, bytes int, started time.Time, depth int, kind Kind, extractor string, err error) {
	ce := c.log.Check(zap.DebugLevel, "crawled")
	if ce == nil {
		return
	}
	var took time.Duration
	if !started.IsZero() {
		took = time.Since(started).Round(time.Millisecond)
	}
	fields := []zap.Field{zap.String("url", u), zap.Int("status", status), zap.Int("bytes", bytes), zap.Duration("took", took)}
	if depth > 0 {
		fields = append(fields, zap.Int("depth", depth))
	}
	fields = append(fields, zap.String("decision", kind.String()))
	if extractor != "" {
		fields = append(fields, zap.String("extractor", extractor))
	}
	if err != nil {
		fields = append(fields, zap.Error(err))
	}
	ce.Write(fields...)
}

// observe reports one request to the run's FetchObserver.
func (c *Crawler) observe(host string, status int, started time.Time) {
	if c.rt.onFetch == nil {
		return
	}
	var d time.Duration
	if !started.IsZero() {
		d = time.Since(started)
	}
	c.rt.onFetch(host, status, d)
}
