package pipeline

import (
	"context"
	"net/url"
	"sort"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/store"
)

// recheckDelay is the pipeline's Recheck: the first delay of a source's window, for its new
// records' schedules.
func (r *Run) recheckDelay(source string) (time.Duration, bool) {
	v, ok := r.rechecks.Load(source)
	if !ok {
		return 0, false
	}
	return v.(crawler.RecheckPolicy).First(), true
}

// recheck fetches again the source's articles whose recheck is due, after its crawl and within
// what is left of its max_pages, and moves each one's schedule on: the next delay, or the end
// of its window. A changed article becomes a revision through the pipeline's Revising.
func (r *Run) recheck(ctx context.Context, source string, c *crawler.Crawler, opts crawler.Options, done crawler.Stats) (crawler.Stats, error) {
	budget := c.Options().MaxPages - int(done.Fetched)
	now := time.Now().UTC()
	due, err := r.st.DueRechecks(ctx, source, now, 0)
	if err != nil || len(due) == 0 {
		return crawler.Stats{}, err
	}
	if budget <= 0 {
		r.log.Info("rechecks wait for the next run: the crawl spent max_pages", zap.String("source", source), zap.Int("due", len(due)))
		return crawler.Stats{}, nil
	}
	// Oldest first: the articles nearest the end of their window go first when the budget
	// does not reach them all.
	ids := make([]string, 0, len(due))
	for id := range due {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return due[ids[i]].Next.Before(due[ids[j]].Next) })
	ids = ids[:min(len(ids), budget)]
	items := make([]crawler.RecheckItem, len(ids))
	for i, id := range ids {
		d := due[id]
		items[i] = crawler.RecheckItem{URL: d.URL, Validators: crawler.Validators{ETag: d.ETag, LastModified: d.LastModified}}
	}
	st, vals, err := c.Recheck(ctx, items, budget, r.pipe.Revising(source))
	if ctx.Err() != nil {
		return st, err // schedules stay: the next run checks them
	}
	for _, id := range ids {
		d := due[id]
		if u, perr := url.Parse(d.URL); perr == nil {
			if v, ok := vals[article.CanonicalURL(u).String()]; ok {
				d.ETag, d.LastModified = v.ETag, v.LastModified
			}
		}
		d.Step++
		next, ok := opts.Recheck.Next(d.Since, d.Step)
		for ok && !next.After(now) {
			// A run that missed steps (the machine was down) does not fetch the article once
			// per missed step: it goes on from now.
			d.Step++
			next, ok = opts.Recheck.Next(d.Since, d.Step)
		}
		var sched *store.Recheck // nil: the window is over
		if ok {
			d.Next = next
			sched = &d
		}
		if serr := r.st.SetRecheck(ctx, id, sched); serr != nil && err == nil {
			err = serr
		}
	}
	r.log.Info("rechecked", zap.String("source", source), zap.Int("articles", len(ids)), zap.Int64("not_modified", st.NotChanged))
	return st, err
}

// addStats sums two crawls of one source.
func addStats(a, b crawler.Stats) crawler.Stats {
	a.Fetched += b.Fetched
	a.NotChanged += b.NotChanged
	a.Skipped += b.Skipped
	a.Errors += b.Errors
	a.Retries += b.Retries
	a.Refused += b.Refused
	return a
}

// Reextracting is the pipeline's Reextracting for a re-extraction over the run's store.
func (r *Run) Reextracting(source, id string) func(context.Context, *article.Page) error {
	return r.pipe.Reextracting(source, id)
}
