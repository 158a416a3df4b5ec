package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
)

// The recheck window on a cluster: the worker that publishes a new record of a source with
// `recheck:` schedules it in the <p>_recheck bucket (and keeps its page's validators under its
// URL); each enqueue of the source (serve's tick, crawl enqueue) queues the due articles as
// recheck tasks and moves their schedules on; the worker that fetches one compares the page
// with the id's latest revision on the record stream and publishes the next revision when it
// changed, create-only on records.<id>.<n>.

// recheckEntry is one article's schedule.
type recheckEntry struct {
	ID     string    `json:"id"`
	URL    string    `json:"url"`
	Source string    `json:"source"`
	Since  time.Time `json:"since"`
	Next   time.Time `json:"next"`
	Step   int       `json:"step"`
}

// scheduleRecheck keeps a new record's schedule and its page's validators.
func (c *Cluster) scheduleRecheck(ctx context.Context, id, u, source string, since time.Time, first time.Duration, v crawler.Validators) error {
	b, _ := json.Marshal(recheckEntry{ID: id, URL: u, Source: source, Since: since, Next: since.Add(first)})
	if _, err := c.recheck.Put(ctx, idToken(id), b); err != nil {
		return fmt.Errorf("schedule recheck of %s: %w", id, err)
	}
	if v != (crawler.Validators{}) {
		return c.Validators().SetValidators(ctx, u, v)
	}
	return nil
}

// EnqueueRechecks queues the source's articles whose recheck is due at now, at most limit
// (0: all), as recheck tasks of the tick, and moves each schedule to its next step (or ends it
// past the window). A recheck is a page of the tick like any other: each is charged to its
// host's max_pages_per_host (perHost; 0 or not below limit: no bound beyond limit), and those
// past it stay due for the next tick. It returns how many were queued.
func (c *Cluster) EnqueueRechecks(ctx context.Context, source string, p crawler.RecheckPolicy, now time.Time, limit, perHost int) (int, error) {
	if !p.On() {
		return 0, nil
	}
	if limit > 0 && perHost >= limit {
		perHost = 0 // as a worker does: the tick's max_pages bounds the host already
	}
	tick := Tick(source, now)
	tasks, due, err := c.dueRechecks(ctx, source, tick, now, limit)
	if err != nil {
		return 0, err
	}
	tasks, due, charged, err := c.chargeRechecks(ctx, tick, tasks, due, perHost)
	if err != nil {
		return 0, err
	}
	if len(tasks) == 0 {
		return 0, nil
	}
	queued, err := c.queue(ctx, tasks)
	c.giveBackRechecks(ctx, tick, queued, charged)
	if err != nil {
		return 0, err
	}
	n := 0
	for i, r := range due {
		if queued[i] {
			n++
		}
		r.Step++
		next, ok := p.Next(r.Since, r.Step)
		for ok && !next.After(now) {
			r.Step++
			next, ok = p.Next(r.Since, r.Step)
		}
		if !ok {
			if err := c.recheck.Purge(ctx, idToken(r.ID)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
				return n, fmt.Errorf("end recheck of %s: %w", r.ID, err)
			}
			continue
		}
		r.Next = next
		b, _ := json.Marshal(r)
		if _, err := c.recheck.Put(ctx, idToken(r.ID), b); err != nil {
			return n, fmt.Errorf("move recheck of %s: %w", r.ID, err)
		}
	}
	return n, nil
}

// dueRechecks lists the source's rechecks due at now, at most limit (0: all), as tasks of tick.
func (c *Cluster) dueRechecks(ctx context.Context, source, tick string, now time.Time, limit int) ([]Task, []recheckEntry, error) {
	keys, err := c.recheck.ListKeys(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list rechecks: %w", err)
	}
	defer func() { _ = keys.Stop() }()
	var tasks []Task
	var due []recheckEntry
	for k := range keys.Keys() {
		if limit > 0 && len(tasks) >= limit {
			break
		}
		e, err := c.recheck.Get(ctx, k)
		if err != nil {
			continue // purged meanwhile
		}
		var r recheckEntry
		if json.Unmarshal(e.Value(), &r) != nil || r.Source != source || r.Next.After(now) {
			continue
		}
		tasks = append(tasks, Task{Source: source, URL: r.URL, Depth: 1, Tick: tick, Recheck: r.ID})
		due = append(due, r)
	}
	return tasks, due, nil
}

// giveBackRechecks returns the host unit of each recheck that was charged but not queued (it
// was waiting in the frontier already).
func (c *Cluster) giveBackRechecks(ctx context.Context, tick string, queued []bool, charged []string) {
	back := map[string]int{}
	for i, q := range queued {
		if !q && charged[i] != "" {
			back[charged[i]]++
		}
	}
	for host, k := range back {
		if _, err := c.addHostPages(ctx, tick, host, -k, 0); err != nil {
			c.log.Debug("cannot give back a host's page budget", zap.String("host", host), zap.Error(err))
		}
	}
}

// chargeRechecks takes a unit of each recheck's host budget in the tick (perHost > 0) and keeps
// the rechecks that got one, with the host charged for each; the others are left out, their
// schedules untouched, so they are queued by a later tick.
func (c *Cluster) chargeRechecks(ctx context.Context, tick string, tasks []Task, due []recheckEntry, perHost int) ([]Task, []recheckEntry, []string, error) {
	hosts := make([]string, len(tasks))
	if perHost <= 0 || len(tasks) == 0 {
		return tasks, due, hosts, nil
	}
	wanted := map[string]int{}
	for i, t := range tasks {
		if u, err := url.Parse(t.URL); err == nil {
			hosts[i] = strings.ToLower(u.Hostname())
			wanted[hosts[i]]++
		}
	}
	granted := map[string]int{}
	for host, n := range wanted {
		took, err := c.addHostPages(ctx, tick, host, n, perHost)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("charge rechecks of %s: %w", host, err)
		}
		granted[host] = took
		if took < n {
			c.log.Warn("page budget of the host spent in this tick; the other rechecks wait for the next tick",
				zap.String("tick", tick), zap.String("host", host), zap.Int("max_pages_per_host", perHost), zap.Int("rechecks_waiting", n-took))
		}
	}
	keptT, keptD, charged := tasks[:0], due[:0], hosts[:0]
	for i := range tasks {
		h := hosts[i]
		if h != "" {
			if granted[h] == 0 {
				continue
			}
			granted[h]--
		}
		keptT, keptD, charged = append(keptT, tasks[i]), append(keptD, due[i]), append(charged, h)
	}
	return keptT, keptD, charged, nil
}

// revise publishes the pages of a recheck task whose article changed as the id's next
// revision. It reports false when the server could not take them (the URL went back).
func (w *Worker) revise(ctx context.Context, l lease, recs []pageRecord) bool {
	for _, pr := range recs {
		rec := pr.rec
		if rec.ID != l.t.Recheck {
			continue // the page now gives another id: a recheck revises the stored one only
		}
		prevLine, rev, found, err := w.c.LatestRecord(ctx, rec.ID)
		if err != nil {
			w.retryLater(l.msg, l.log, err, l.attempt)
			return false
		}
		if !found {
			continue // forgotten since it was scheduled
		}
		var prev article.Record
		if err := json.Unmarshal(prevLine, &prev); err != nil {
			l.log.Warn("stored record unreadable; not revised", zap.String("id", rec.ID), zap.Error(err))
			continue
		}
		prev.Revision = max(prev.Revision, rev)
		changed := article.Changed(&prev, rec)
		if pr.etag != "" || !pr.modified.IsZero() {
			v := crawler.Validators{ETag: pr.etag}
			if !pr.modified.IsZero() {
				v.LastModified = pr.modified.UTC().Format(http.TimeFormat)
			}
			_ = w.c.Validators().SetValidators(ctx, rec.URL, v)
		}
		if len(changed) == 0 {
			w.Stats.Unchanged.Add(1)
			continue
		}
		article.Revise(&prev, rec, changed, pr.fetched)
		if w.Archive != nil {
			if err := w.Archive.Sync(); err != nil {
				w.retryLater(l.msg, l.log, err, l.attempt)
				return false
			}
		}
		line, err := article.Marshal(rec)
		if err != nil {
			continue
		}
		dup, err := w.c.publish(ctx, rec.ID, rec.Revision, line, l.t.Source, w.archivedHeader(pr.archived))
		if err != nil {
			w.retryLater(l.msg, l.log, err, l.attempt)
			return false
		}
		if !dup {
			w.Stats.Revisions.Add(1)
			l.log.Info("revision", zap.String("id", rec.ID), zap.Int("revision", rec.Revision), zap.Strings("changed", changed))
			if w.OnRevision != nil {
				w.OnRevision(l.t.Source)
			}
		}
	}
	return true
}

// forgetRecheck ends a forgotten id's schedule and drops its page's validators, so a crawl
// that finds it again fetches it whole.
func (c *Cluster) forgetRecheck(ctx context.Context, id string, line []byte) error {
	if err := c.recheck.Purge(ctx, idToken(id)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("forget recheck of %s: %w", id, err)
	}
	var r struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(line, &r) == nil && r.URL != "" {
		return c.Validators().Forget(ctx, r.URL)
	}
	return nil
}
