package crawler

import (
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
)

// FetchObserver sees every fetch of a run: the request's host, the response status (0 when the
// request failed without one) and how long it took.
type FetchObserver func(host string, status int, d time.Duration)

// observe adds Colly callbacks of its own for Options.OnFetch, beside the crawl's: Colly calls
// every registered callback, so the crawl's logic stays as it is.
func (c *Crawler) observe(col *colly.Collector) {
	fn := c.opts.OnFetch
	if fn == nil {
		return
	}
	var started sync.Map // request ID -> time.Time
	col.OnRequest(func(r *colly.Request) { started.Store(r.ID, time.Now()) })
	done := func(r *colly.Response) {
		if r == nil || r.Request == nil {
			return
		}
		var d time.Duration
		if t, ok := started.LoadAndDelete(r.Request.ID); ok {
			d = time.Since(t.(time.Time))
		}
		fn(r.Request.URL.Hostname(), r.StatusCode, d)
	}
	col.OnResponse(done)
	col.OnError(func(r *colly.Response, _ error) { done(r) })
}
