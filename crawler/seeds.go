package crawler

import (
	"context"
	"errors"
	"net/url"
	"sync"

	"github.com/newsmill/newsmill/article"
)

// SeedOutcome is what one seed of a run led to (WithSeedOutcomes): its own fetch, and the pages
// reached through its links, whichever seed's link queued them first. A --url run holds each
// URL to account with it, from the one pass that fetched everything: no second fetch of a
// URL, so robots.txt is read once per host and a Retry-After is honoured for the whole run.
type SeedOutcome struct {
	Seed string // as given in Options.Seeds
	// Answered is the seed's own fetch getting a page or a 304; Err is why it did not, or why
	// its page gave nothing (a record cut short, an error page) when it did.
	Answered bool
	Err      error
	// NotModified is the seed answering 304 to a conditional request.
	NotModified bool
	// Records counts the pages and feed items reached from the seed (itself included) that the
	// handler took; Stored the linked articles not fetched because they are stored already.
	Records int
	Stored  int
	// Links counts the distinct pages the seed led to, Disallowed those robots.txt refuses,
	// Failed those whose fetch failed or gave no record; FirstFailure is the first such
	// failure's reason ("http 404", "no record", …).
	Links        int
	Disallowed   int
	Failed       int
	FirstFailure string
}

// Gave reports whether the seed led to something: a record, a stored article or a 304.
func (o SeedOutcome) Gave() bool { return o.Records > 0 || o.Stored > 0 || o.NotModified }

// WithSeedOutcomes calls f once per seed when a Run ends, in the seeds' order, with what it led
// to. Without it a run keeps no per-page account (a scheduled crawl of ten thousand pages needs
// none).
func WithSeedOutcomes(f func(SeedOutcome)) Option {
	return func(rt *collaborators) { rt.onSeeds = f }
}

// seedBook is a pass's account of pages by canonical URL, and the links between them: enough
// to say at the end, for each seed, what the pages reachable from it gave. A page linked from
// two seeds counts for both.
type seedBook struct {
	mu    sync.Mutex
	pages map[string]*pageAccount
	links map[string][]string // page -> the pages it led to
}

type pageAccount struct {
	answered, notModified, stored, disallowed bool
	records                                   int
	err                                       error
	failure                                   string
}

func newSeedBook() *seedBook {
	return &seedBook{pages: map[string]*pageAccount{}, links: map[string][]string{}}
}

// page is the account of key; b.mu is held.
func (b *seedBook) page(key string) *pageAccount {
	a := b.pages[key]
	if a == nil {
		a = &pageAccount{}
		b.pages[key] = a
	}
	return a
}

// note changes the account of key.
func (b *seedBook) note(key string, f func(*pageAccount)) {
	if b == nil || key == "" {
		return
	}
	b.mu.Lock()
	f(b.page(key))
	b.mu.Unlock()
}

// link records that from led to to.
func (b *seedBook) link(from, to string) {
	if b == nil || from == "" || from == to {
		return
	}
	b.mu.Lock()
	b.links[from] = append(b.links[from], to)
	b.mu.Unlock()
}

// counting wraps handle so each page or feed item it takes counts as a record of key.
func (b *seedBook) counting(key string, handle Handler) Handler {
	if b == nil {
		return handle
	}
	return func(ctx context.Context, p *article.Page) error {
		err := handle(ctx, p)
		if err == nil {
			b.note(key, func(a *pageAccount) { a.records++ })
		}
		return err
	}
}

// outcome adds up what the pages reachable from seed (its canonical form key) gave.
func (b *seedBook) outcome(seed, key string) SeedOutcome {
	b.mu.Lock()
	defer b.mu.Unlock()
	o := SeedOutcome{Seed: seed}
	own := b.page(key)
	o.Answered, o.NotModified, o.Records, o.Err = own.answered, own.notModified, own.records, own.err
	if own.stored {
		o.Stored++
	}
	seen := map[string]bool{key: true}
	next := b.links[key]
	for len(next) > 0 {
		k := next[0]
		next = next[1:]
		if seen[k] {
			continue
		}
		seen[k] = true
		next = append(next, b.links[k]...)
		o.Links++
		a := b.page(k)
		o.Records += a.records
		switch {
		case a.stored:
			o.Stored++
		case a.notModified:
			// an unchanged listing below the seed: its articles were had before
			o.Stored++
		case a.disallowed:
			o.Disallowed++
		case a.failure != "" || a.err != nil && a.records == 0:
			o.Failed++
			if o.FirstFailure == "" {
				o.FirstFailure = a.failure
				if o.FirstFailure == "" {
					o.FirstFailure = a.err.Error()
				}
			}
		}
	}
	return o
}

// reportSeeds hands each seed's outcome to the run's WithSeedOutcomes.
func (p *pass) reportSeeds() {
	if p.book == nil {
		return
	}
	for _, s := range p.c.opts.Seeds {
		p.c.rt.onSeeds(p.book.outcome(s, seedKey(s)))
	}
}

// seedKey is a seed's canonical form, the key of its account.
func seedKey(seed string) string {
	u, err := url.Parse(seed)
	if err != nil {
		return seed
	}
	return article.CanonicalURL(u).String()
}

// disallowed reports whether err is robots.txt refusing the page.
func disallowed(err error) bool { return errors.Is(err, ErrRobots) }
