package crawler

import (
	"net/http"
	"time"
)

// Option gives a Crawler one of the run's collaborators: what the run talks to and reports to,
// kept apart from Options, which are the source's config (a config file's keys). Like Colly's
// functional options, each is given to New once and stays for the Crawler's runs and Fetchers.
type Option func(*collaborators)

// collaborators are a Crawler's run-time parts, set by Options to New.
type collaborators struct {
	cache     ValidatorCache
	retries   RetryList
	onFetch   FetchObserver
	onSeeds   func(SeedOutcome) // WithSeedOutcomes
	transport http.RoundTripper // replaces the network below the fetch policy (tests: loopback)
	archive   Archiver
}

// WithArchive keeps every response the crawl's transport hands on in a (archived.go), and
// tells each page where its response is (article.Page.Archived).
func WithArchive(a Archiver) Option {
	return func(rt *collaborators) { rt.archive = a }
}

// WithValidatorCache keeps ETag and Last-Modified of listing pages and feeds between runs, so
// unchanged ones cost a 304 (when the source's conditional_requests is on).
func WithValidatorCache(c ValidatorCache) Option {
	return func(rt *collaborators) { rt.cache = c }
}

// WithRetryList remembers, together with a ValidatorCache, the pages that failed for later runs
// to fetch by URL, so a failed page does not cost the run its listings' validators.
func WithRetryList(l RetryList) Option {
	return func(rt *collaborators) { rt.retries = l }
}

// WithFetchObserver calls f once per response or failed request (status 0 when no response
// came) with the time from request to response; serve's and worker's metrics read it.
func WithFetchObserver(f FetchObserver) Option {
	return func(rt *collaborators) { rt.onFetch = f }
}

// withTransport replaces the network below the fetch policy; tests route every host to loopback.
func withTransport(t http.RoundTripper) Option {
	return func(rt *collaborators) { rt.transport = t }
}

// FetchObserver sees every fetch of a run: the request's host, the response status (0 when the
// request failed without one) and how long it took.
type FetchObserver func(host string, status int, d time.Duration)
