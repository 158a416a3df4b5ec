package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/internal/redact"
	"github.com/newsmill/newsmill/store"
)

// validatorCache reads the store's HTTP validators and retry list for the crawler and holds the
// new validators until the run's records are safely written: a listing must not answer 304 next
// time if the articles it led to never reached the output. For the same reason a page retried
// with success leaves the retry list only then, while a failure is written at once: remembering
// too much costs a request, forgetting too soon an article.
type validatorCache struct {
	st      *store.Store
	mu      sync.Mutex
	pending map[string]crawler.Validators
	done    map[string][]string // source -> retried URLs to take off the list
}

func (c *validatorCache) Validators(ctx context.Context, u string) (crawler.Validators, bool) {
	v, ok, err := c.st.Validators(ctx, redact.URL(u))
	if err != nil || !ok {
		return crawler.Validators{}, false
	}
	return crawler.Validators{ETag: v.ETag, LastModified: v.LastModified}, true
}

func (c *validatorCache) SetValidators(_ context.Context, u string, v crawler.Validators) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending[redact.URL(u)] = v
	return nil
}

func (c *validatorCache) flush(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for u, v := range c.pending {
		if err := c.st.SetValidators(ctx, u, store.Validators{ETag: v.ETag, LastModified: v.LastModified}); err != nil {
			return err
		}
	}
	c.pending = map[string]crawler.Validators{}
	for src, urls := range c.done {
		if err := c.st.RetryDone(ctx, src, urls...); err != nil {
			return err
		}
	}
	c.done = nil
	return nil
}

func (c *validatorCache) Retries(ctx context.Context, source string) ([]crawler.Retry, error) {
	rs, err := c.st.Retries(ctx, source)
	return crawlerRetries(rs), err
}

func crawlerRetries(rs []store.Retry) []crawler.Retry {
	out := make([]crawler.Retry, 0, len(rs))
	for _, r := range rs {
		out = append(out, crawler.Retry{URL: r.URL, Attempts: r.Attempts, Reason: r.Reason, Depth: r.Depth})
	}
	return out
}

// Failed writes the failures at once: the crawler keeps the run's validators only if it can.
// A URL with a password is not written (the store keeps no secrets), and its run stays
// incomplete: its listings are read whole next time, as without a retry list.
func (c *validatorCache) Failed(ctx context.Context, source string, failed []crawler.Failure, limit int) ([]crawler.Retry, error) {
	fs := make([]store.Failure, 0, len(failed))
	secret := 0
	for _, f := range failed {
		if redact.URL(f.URL) != f.URL {
			secret++
			continue
		}
		fs = append(fs, store.Failure{URL: f.URL, Reason: f.Reason, Depth: f.Depth})
	}
	var dropped []store.Retry
	if len(fs) > 0 {
		var err error
		if dropped, err = c.st.RetryFailed(ctx, source, fs, limit, time.Now()); err != nil {
			return nil, err
		}
	}
	out := crawlerRetries(dropped)
	if secret > 0 {
		return out, fmt.Errorf("%d failed pages have a password in their URL, which the store does not keep", secret)
	}
	return out, nil
}

func (c *validatorCache) Done(_ context.Context, source string, urls []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = map[string][]string{}
	}
	c.done[source] = append(c.done[source], urls...)
	return nil
}
