package crawler

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/newsmill/newsmill/article"
)

// RecheckPolicy is a source's recheck window: its new articles are fetched again at each delay
// of Every after they were first stored (the last delay repeating), until Within has passed,
// to catch an article that changes after it is published. The zero policy rechecks nothing.
type RecheckPolicy struct {
	Within time.Duration   `yaml:"within"`
	Every  []time.Duration `yaml:"every"`
}

// Bounds of a recheck policy.
const (
	MaxRecheckWithin = 90 * 24 * time.Hour
	MinRecheckEvery  = time.Minute
	MaxRecheckSteps  = 64
)

// On says whether the policy rechecks anything.
func (p RecheckPolicy) On() bool { return p.Within > 0 && len(p.Every) > 0 }

// First is the delay of the first recheck after an article was stored.
func (p RecheckPolicy) First() time.Duration { return p.Every[0] }

// Next is when the recheck after step checks (0 = none done yet) is due for an article first
// stored at since; ok is false once that falls past the window.
func (p RecheckPolicy) Next(since time.Time, step int) (time.Time, bool) {
	if !p.On() {
		return time.Time{}, false
	}
	at := since
	for i := 0; i <= step; i++ {
		at = at.Add(p.Every[min(i, len(p.Every)-1)])
	}
	return at, !at.After(since.Add(p.Within))
}

func (p RecheckPolicy) validate() error {
	if p.Within == 0 && len(p.Every) == 0 {
		return nil
	}
	if p.Within <= 0 || p.Within > MaxRecheckWithin {
		return fmt.Errorf("within must be between 1m and %s, got %s", MaxRecheckWithin, p.Within)
	}
	if len(p.Every) == 0 || len(p.Every) > MaxRecheckSteps {
		return fmt.Errorf("every must list 1 to %d delays", MaxRecheckSteps)
	}
	for i, d := range p.Every {
		if d < MinRecheckEvery || d > p.Within {
			return fmt.Errorf("every[%d]: %s must be at least %s and within %s", i, d, MinRecheckEvery, p.Within)
		}
		if i > 0 && d < p.Every[i-1] {
			return fmt.Errorf("every[%d]: %s is shorter than the delay before it; list them from the shortest", i, d)
		}
	}
	return nil
}

// RecheckItem is a stored article fetched again, with the validators of its last 200.
type RecheckItem struct {
	URL        string
	Validators Validators
}

// Recheck fetches stored articles again: their URLs as the seeds of one pass of the source
// (its robots.txt, pace, retries and archive), links not followed, with If-None-Match and
// If-Modified-Since from each item's validators, at most budget fetches. handle gets each page
// that answered 200 (the pipeline's Revising); a 304 is unchanged. It returns the validators of
// the pages that answered 200, by canonical URL, for the next recheck. Items outside the
// source's hosts and patterns (the config changed since) are passed over.
func (c *Crawler) Recheck(ctx context.Context, items []RecheckItem, budget int, handle Handler) (Stats, map[string]Validators, error) {
	cache := &recheckCache{in: map[string]Validators{}, out: map[string]Validators{}}
	var seeds []string
	for _, it := range items {
		u, err := url.Parse(it.URL)
		if err != nil || !c.Wants(u) {
			continue
		}
		seeds = append(seeds, it.URL)
		cache.in[article.CanonicalURL(u).String()] = it.Validators
	}
	if len(seeds) == 0 || budget <= 0 {
		return Stats{}, nil, nil
	}
	o := c.opts
	zero := 0
	o.Seeds, o.MaxDepth, o.LeafArticles, o.RetryAttempts = seeds, 1, true, &zero
	o.MaxPages = min(budget, len(seeds))
	o.MaxPagesPerHost = min(o.MaxPagesPerHost, o.MaxPages)
	o.keepPageValidators = true
	rc, err := New(o, c.log, nil, WithValidatorCache(cache), WithArchive(c.rt.archive), WithFetchObserver(c.rt.onFetch), withTransport(c.rt.transport))
	if err != nil {
		return Stats{}, nil, err
	}
	st, err := rc.Run(ctx, handle)
	return st, cache.result(), err
}

// recheckCache serves the items' validators to the pass and collects the new ones it keeps.
type recheckCache struct {
	mu  sync.Mutex
	in  map[string]Validators
	out map[string]Validators
}

func (r *recheckCache) Validators(_ context.Context, u string) (Validators, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.in[u]
	return v, ok && v != (Validators{})
}

func (r *recheckCache) SetValidators(_ context.Context, u string, v Validators) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out[u] = v
	return nil
}

func (r *recheckCache) result() map[string]Validators {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out
}
