package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/store"
)

// Syncer is the archive as the pipeline needs it: every response written so far put on disk.
type Syncer interface{ Sync() error }

// Revising is From for pages fetched again on purpose (the recheck window): a record of a
// stored id whose article changed (article.Changed) is written as the id's next revision; one
// that did not change is counted as unchanged and written nowhere.
func (p *Pipeline) Revising(source string) func(context.Context, *article.Page) error {
	return func(ctx context.Context, page *article.Page) error {
		seen := page.FetchedAt
		if seen.IsZero() {
			seen = time.Now()
		}
		return p.page(ctx, queued{source: source, revise: true, seen: seen}, page)
	}
}

// Reextracting is Revising for the archived response of the stored id, read again by today's
// extractors: a change is the extractors', not the article's, so modified_at is left to what
// the page says, and a page that now gives another id is passed over (a re-extraction revises
// stored ids; it never adds one).
func (p *Pipeline) Reextracting(source, id string) func(context.Context, *article.Page) error {
	return func(ctx context.Context, page *article.Page) error {
		return p.page(ctx, queued{source: source, revise: true, only: id}, page)
	}
}

// RevisionsBy returns how many revisions the run wrote for a source.
func (s *Stats) RevisionsBy(source string) int64 {
	if v, ok := s.revisionsBy.Load(source); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// EachRevisions calls fn with the revisions written per source.
func (s *Stats) EachRevisions(fn func(source string, n int64)) {
	s.revisionsBy.Range(func(k, v any) bool {
		fn(k.(string), v.(*atomic.Int64).Load())
		return true
	})
}

// latest reads the stored records the batch's revising pages are compared with.
func (p *Pipeline) latest(ctx context.Context, batch []queued, seen map[string]bool) (map[string]*article.Record, error) {
	var ids []string
	for _, q := range batch {
		if q.revise && seen[q.rec.ID] {
			ids = append(ids, q.rec.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	stored, err := p.st.Latest(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*article.Record, len(stored))
	for id, l := range stored {
		var r article.Record
		if err := json.Unmarshal(l.Line, &r); err != nil {
			return nil, fmt.Errorf("stored record %s: %w", id, err)
		}
		r.Revision = max(r.Revision, l.Entry.Revision, 1)
		r.ContentHash = l.Entry.ContentHash
		out[id] = &r
	}
	return out, nil
}

// revision decides what a record of an id already stored (or already in the batch) is: the
// id's next revision (its number, true) when the page was fetched again on purpose and the
// article changed; else a duplicate or an unchanged page, counted and not written. One id
// gets one revision per batch: the outbox names each line by id and revision, and the store
// compares against the revision before.
func (p *Pipeline) revision(q queued, latest map[string]*article.Record, inBatch bool) (int, bool) {
	r := q.rec
	prev, ok := latest[r.ID]
	if !q.revise || !ok || inBatch {
		p.Stats.Duplicates.Add(1)
		return 0, false
	}
	changed := article.Changed(prev, r)
	if len(changed) == 0 {
		p.Stats.Unchanged.Add(1)
		p.log.Debug("unchanged", sourceField(q.source), zap.String("id", r.ID), zap.String("url", r.URL))
		return 0, false
	}
	article.Revise(prev, r, changed, q.seen)
	r.ClusterID = prev.ClusterID // the same article is the same story
	p.log.Info("revision", sourceField(q.source), zap.String("id", r.ID), zap.Int("revision", r.Revision), zap.Strings("changed", changed))
	return r.Revision, true
}

func (p *Pipeline) countRevisions(batch []queued, revised map[string]int, pend []store.Pending) {
	if len(revised) == 0 {
		return
	}
	committed := map[string]bool{}
	for _, pe := range pend {
		if pe.Revision > 1 {
			committed[pe.ID] = true
		}
	}
	for _, q := range batch {
		if _, ok := revised[q.rec.ID]; !ok || !committed[q.rec.ID] {
			continue
		}
		delete(committed, q.rec.ID)
		p.Stats.Revisions.Add(1)
		v, _ := p.Stats.revisionsBy.LoadOrStore(q.source, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
}

// recheckOf is the schedule of a new record's page, when its source rechecks young articles.
func (p *Pipeline) recheckOf(q queued) *store.Recheck {
	if p.Recheck == nil || q.rec.URL == "" {
		return nil
	}
	first, ok := p.Recheck(q.source)
	if !ok {
		return nil
	}
	since := q.rec.FetchedAt
	if since.IsZero() {
		since = time.Now().UTC()
	}
	r := &store.Recheck{URL: q.rec.URL, Source: q.source, Since: since, Next: since.Add(first), ETag: q.etag}
	if !q.lastModified.IsZero() {
		r.LastModified = q.lastModified.UTC().Format(http.TimeFormat)
	}
	return r
}

func archiveRef(a *article.Archived) *store.ArchiveRef {
	if a == nil {
		return nil
	}
	return &store.ArchiveRef{File: a.File, Offset: a.Offset, RecordID: a.RecordID, URL: a.URL, Date: a.Date, Digest: a.Digest}
}
