// Package pipeline joins the stages: pages from the crawler go through the extractors, new ids
// through the store, their lines to the output. It owns the write order that makes every record
// reach its output exactly once:
//
//  1. one store transaction inserts the batch's new ids, records and outbox entry (naming the
//     file and the offset each line will start at);
//  2. the lines are appended to the file in one write and fsynced;
//  3. the outbox entry is removed: inside the next batch's transaction (1), or by a last
//     transaction when the run ends. Each batch so costs one store transaction, not two.
//
// A crash before 1 loses nothing (the pages are fetched again), between 1 and 3 leaves outbox
// entries that Recover checks against the file on the next start: a line found at its offset is
// confirmed, a missing or torn one is cut off and written again from the stored record.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/health"
	"github.com/newsmill/newsmill/internal/redact"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/syndication"
)

// Stats count one run. Fields are updated atomically while the run goes on.
type Stats struct {
	Pages      atomic.Int64 // pages offered to the extractors
	Articles   atomic.Int64 // pages that gave a record
	New        atomic.Int64 // records written
	Duplicates atomic.Int64 // records whose id was already stored or written this run
	Skipped    atomic.Int64 // pages that looked like articles but could not give a whole record
	Errors     atomic.Int64
	Revisions  atomic.Int64 // records written as a new revision of a stored id (history.go)
	Unchanged  atomic.Int64 // pages fetched or read again whose record had not changed

	revisionsBy sync.Map     // source -> *atomic.Int64
	Joined      atomic.Int64 // records written that joined an earlier record's story (cluster_id)
}

// Pipeline is safe for concurrent Page calls; one goroutine runs Run.
type Pipeline struct {
	reg    *extract.Registry
	st     *store.Store
	sink   output.Sink
	log    *zap.Logger
	in     chan queued
	Stats  *Stats
	bytes  *budget
	failed chan struct{} // closed when Run stops on a store or output error

	// clusters, when set, gives every new record its cluster_id (SetClusters); health counts
	// what each source's records carry.
	clusters *syndication.Index
	health   *health.Pass

	// BatchSize and Linger bound how many records share one store transaction and fsync;
	// BatchBytes bounds the size of their lines, so pages near max_body_bytes do not wait in
	// memory for a batch of BatchSize to fill.
	BatchSize  int
	BatchBytes int64
	Linger     time.Duration

	// History (history.go): the archive synced before each commit, and the recheck delay of a
	// source's new records.
	Archive Syncer
	Recheck func(source string) (first time.Duration, ok bool)
}

// queued is a record on its way to the store, with the config source that found it: a source
// travels with each record, since the next source's pages may be extracted while the previous
// one's last batch still waits.
type queued struct {
	rec    *article.Record
	source string
	size   int64
	// revise makes a changed record of a stored id its next revision (history.go); seen is
	// when the change was found, zero for a re-extraction.
	revise   bool
	seen     time.Time
	archived *article.Archived
	only     string // the id a re-extracted page must give
	// The page's validators, for its first recheck.
	etag         string
	lastModified time.Time
	sig          syndication.Signature // computed while extracting, in parallel, when clusters are on
}

// Defaults of New.
const (
	DefaultBatchSize  = 256
	DefaultBatchBytes = 8 << 20
	// DefaultMaxBytes bounds the records extracted and not yet written (queued and batched):
	// an extracting page waits while more are in flight.
	DefaultMaxBytes = 64 << 20
)

// New builds a pipeline writing to sink, deduplicating in st.
func New(reg *extract.Registry, st *store.Store, sink output.Sink, log *zap.Logger) *Pipeline {
	if log == nil {
		log = zap.NewNop()
	}
	return &Pipeline{reg: reg, st: st, sink: sink, log: log, in: make(chan queued, DefaultBatchSize), Stats: &Stats{},
		bytes: newBudget(DefaultMaxBytes), failed: make(chan struct{}), health: health.NewPass(),
		BatchSize: DefaultBatchSize, BatchBytes: DefaultBatchBytes, Linger: 20 * time.Millisecond}
}

// Failed is closed once Run has stopped on a store or output error: the crawl should stop
// fetching, since nothing more can be written.
func (p *Pipeline) Failed() <-chan struct{} { return p.failed }

// Page extracts one page of a --url run (no config source) and queues its record.
func (p *Pipeline) Page(ctx context.Context, page *article.Page) error {
	return p.page(ctx, queued{}, page)
}

// From is Page for the pages of one config source, which the store counts records by.
func (p *Pipeline) From(source string) func(context.Context, *article.Page) error {
	return func(ctx context.Context, page *article.Page) error { return p.page(ctx, queued{source: source}, page) }
}

// page extracts one page and queues its record. A page that is no article returns
// article.ErrNotArticle; one that could not give a whole record is logged and counted.
func (p *Pipeline) page(ctx context.Context, q queued, page *article.Page) error {
	source := q.source
	p.Stats.Pages.Add(1)
	rec, err := p.reg.Extract(page)
	if errors.Is(err, article.ErrNotArticle) {
		p.log.Debug("not an article", sourceField(source), zap.String("url", urlOf(page)), zap.Error(err))
		return err
	}
	if err != nil {
		p.Stats.Skipped.Add(1)
		p.log.Warn("skip page", sourceField(source), zap.String("url", urlOf(page)), zap.Error(err))
		return err
	}
	if q.only != "" && rec.ID != q.only {
		p.log.Warn("re-extracted page gives another id; passed over", zap.String("id", q.only), zap.String("now", rec.ID))
		return nil
	}
	p.Stats.Articles.Add(1)
	page.Extracted = rec.Extractor
	// A password in the page's address is no part of the article's.
	rec.URL = redact.URL(rec.URL)
	q.rec, q.size, q.archived = rec, min(recordSize(rec), p.bytes.max), page.Archived
	q.etag, q.lastModified = page.ETag, page.LastModified
	if p.clusters != nil {
		q.sig = syndication.Sign(rec.Title, rec.Body)
	}
	if err := p.bytes.take(ctx, q.size); err != nil {
		return err
	}
	select {
	case p.in <- q:
		return nil
	case <-ctx.Done():
		p.bytes.give(q.size)
		return ctx.Err()
	}
}

// recordSize is about the bytes a record holds until written (its line is made from these).
func recordSize(r *article.Record) int64 {
	n := len(r.Body) + len(r.Title) + len(r.Summary) + len(r.URL) + len(r.SourceURL) + 512
	for _, s := range r.Categories {
		n += len(s)
	}
	return int64(n)
}

// sourceField names the config source in log lines; zap.Skip for --url runs, which have none.
func sourceField(source string) zap.Field {
	if source == "" {
		return zap.Skip()
	}
	return zap.String("source", source)
}

func urlOf(p *article.Page) string {
	if p.URL == nil {
		return ""
	}
	return redact.String(p.URL.String())
}

// Close tells Run that no more pages come.
func (p *Pipeline) Close() { close(p.in) }

// Run writes queued records until Close, then flushes. It stops at the first store or output
// error: going on would only lose more.
func (p *Pipeline) Run(ctx context.Context) error {
	batch := make([]queued, 0, p.BatchSize)
	var batchBytes int64
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var failed error
	var written []store.Pending // lines written and fsynced, acknowledged with the next commit
	// The store commit must not be cut half way by a cancelled run: what was extracted is
	// written, then the run stops.
	wctx := context.WithoutCancel(ctx)
	fail := func(err error) {
		if failed == nil && err != nil {
			failed = err
			close(p.failed)
		}
	}
	flush := func() {
		if len(batch) > 0 && failed == nil {
			var err error
			written, err = p.write(wctx, written, batch)
			fail(err)
		}
		p.bytes.give(batchBytes)
		batch, batchBytes = batch[:0], 0
	}
	for {
		select {
		case q, ok := <-p.in:
			if !ok {
				flush()
				if failed == nil {
					fail(p.checkWritten(written))
				}
				if failed == nil {
					fail(p.st.Ack(wctx, written))
				}
				return failed
			}
			if failed != nil {
				p.bytes.give(q.size)
				continue // drain so producers never block
			}
			batch = append(batch, q)
			batchBytes += q.size
			if len(batch) == 1 {
				timer.Reset(p.Linger)
			}
			if len(batch) >= p.BatchSize || batchBytes >= p.BatchBytes {
				timer.Stop()
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

// checker is a sink that can tell whether a file it wrote is still where it wrote it.
type checker interface{ Check(path string) error }

// checkWritten makes sure the files that hold the lines about to be acknowledged still exist
// (their folder may have been deleted since they were written): a line acknowledged is never
// written again.
func (p *Pipeline) checkWritten(pend []store.Pending) error {
	c, ok := p.sink.(checker)
	if !ok {
		return nil
	}
	done := map[string]bool{}
	for _, pe := range pend {
		if pe.Target == "" || done[pe.Target] {
			continue
		}
		done[pe.Target] = true
		if err := c.Check(pe.Target); err != nil {
			return err
		}
	}
	return nil
}

// write commits batch, acknowledging ack (the previous batch's lines, already written) in the
// same transaction, then writes and fsyncs the new lines. It returns those lines, still to be
// acknowledged: with the next batch, or by Run at the end.
func (p *Pipeline) write(ctx context.Context, ack []store.Pending, batch []queued) ([]store.Pending, error) {
	ids := make([]string, len(batch))
	for i, q := range batch {
		ids[i] = q.rec.ID
	}
	// A read transaction (no fsync, no lock on writers) tells which records to encode and where
	// their lines will start; Commit checks again inside its own transaction.
	seen, err := p.st.Seen(ctx, ids...)
	if err != nil {
		return ack, err
	}
	latest, err := p.latest(ctx, batch, seen)
	if err != nil {
		return ack, err
	}
	target, offset, err := p.sink.Target(time.Now())
	if err != nil {
		return ack, err
	}
	var items []store.Item
	var lines []byte
	var dupURLs []store.Item
	inBatch := map[string]bool{}
	revised := map[string]int{}
	isNew := make([]bool, len(batch))
	joined := 0
	for i, q := range batch {
		r := q.rec
		rev := 1
		if seen[r.ID] || inBatch[r.ID] {
			var ok bool
			if rev, ok = p.revision(q, latest, inBatch[r.ID]); !ok {
				p.log.Debug("duplicate", sourceField(q.source), zap.String("id", r.ID), zap.String("url", r.URL))
				dupURLs = append(dupURLs, store.Item{ID: r.ID, URL: r.URL})
				continue
			}
			revised[r.ID] = rev
		} else {
			r.Revision = 1
		}
		inBatch[r.ID], isNew[i] = true, true
		var sig *store.Signature
		if p.clusters != nil && rev == 1 { // a revision keeps its story (Revise)
			// One goroutine writes, so the stories are assigned in the order records are written
			// and "the first record" is the first line.
			m, e := p.clusters.Assign(r.ID, r.PublishedAt, q.sig)
			r.ClusterID = m.Cluster
			if m.Joined {
				joined++
				p.log.Debug("same story", sourceField(q.source), zap.String("id", r.ID), zap.String("cluster_id", m.Cluster),
					zap.String("like", m.Of), zap.Float64("similarity", m.Score))
			}
			sig = &store.Signature{At: e.At, Value: e.Value()}
		}
		line, err := article.Marshal(r)
		if err != nil {
			return ack, err
		}
		it := store.Item{ID: r.ID, URL: r.URL, Hash: r.ContentHash, Source: q.source, Line: line, Target: target, Offset: offset + int64(len(lines)),
			Revision: rev, Archive: archiveRef(q.archived), Signature: sig}
		if rev == 1 {
			it.Recheck = p.recheckOf(q)
		}
		items = append(items, it)
		lines = append(append(lines, line...), '\n')
	}
	countHealth := func() {
		for i, q := range batch {
			p.health.Record(q.source, q.rec, isNew[i])
		}
	}
	// The responses the records came from reach the disk before the store says the records
	// exist: an id never points at an archive record a crash could still take away.
	if p.Archive != nil {
		if err := p.Archive.Sync(); err != nil {
			return ack, err
		}
	}
	if err := p.checkWritten(ack); err != nil {
		return ack, err
	}
	pend, _, err := p.st.CommitAfter(ctx, ack, append(items, dupURLs...))
	if err != nil {
		return ack, err
	}
	if len(lines) == 0 {
		countHealth()
		return nil, nil
	}
	if err := p.sink.Write(target, lines); err != nil {
		return nil, err
	}
	p.Stats.New.Add(int64(len(items)))
	p.countRevisions(batch, revised, pend)
	p.Stats.Joined.Add(int64(joined))
	countHealth()
	return pend, nil
}

// fileSink is a sink that owns files: recovery cuts and appends through it, so the sizes it
// tracks (and the offsets later outbox entries record) stay the files' own.
type fileSink interface {
	Truncate(path string, size int64) error
	Write(path string, lines []byte) error
}

// Recover finishes what a crashed run left in the outbox: lines confirmed in their files are
// acknowledged; the first missing or torn line of a file, and all after it, are cut off and
// written again, through sink when it writes files (one owner per file). Lines meant for a
// stream cannot be checked and are written to sink (at least once; to its file when it writes
// files). It returns how many lines it wrote.
func Recover(ctx context.Context, st *store.Store, sink output.Sink, log *zap.Logger) (int, error) {
	if log == nil {
		log = zap.NewNop()
	}
	pend, err := st.Outbox(ctx)
	if err != nil || len(pend) == 0 {
		return 0, err
	}
	files, ok := sink.(fileSink)
	if !ok {
		// A stream run recovering what an earlier file run left: nobody else writes those files.
		loose := output.Paths()
		defer loose.Close()
		files = loose
	}
	written := 0
	broken := map[string]bool{} // files cut back at some entry: all their later entries are rewritten
	// A commit's lines are acknowledged together once all are confirmed or written again: a crash
	// half way leaves its entry, and checking its lines again finds those already rewritten.
	var commit []store.Pending
	ack := func() error {
		err := st.Ack(ctx, commit)
		commit = commit[:0]
		return err
	}
	for _, pe := range pend {
		if len(commit) > 0 && pe.Seq != commit[0].Seq {
			if err := ack(); err != nil {
				return written, err
			}
		}
		commit = append(commit, pe)
		line, err := st.RecordRevision(ctx, pe.ID, pe.Revision)
		if err != nil {
			return written, fmt.Errorf("recover outbox: %w", err)
		}
		switch {
		case pe.Target == "":
			// A stream's line, at least once: a run writing files writes it to its own file
			// (through the sink, so the size it tracks stays the file's).
			target, _, err := sink.Target(time.Now())
			if err != nil {
				return written, fmt.Errorf("recover outbox: %w", err)
			}
			if err := sink.Write(target, append(line, '\n')); err != nil {
				return written, fmt.Errorf("recover outbox: %w", err)
			}
			written++
		default:
			if !broken[pe.Target] {
				ok, err := output.LineAt(pe.Target, pe.Offset, line)
				if errors.Is(err, output.ErrNotRegular) {
					// Left by an older binary that wrote to a device: nothing there can be
					// checked or cut. The record stays in the store for crawl export.
					log.Warn("outbox names an output that is not a regular file; its line is given up (crawl export has it)",
						zap.String("path", pe.Target), zap.String("id", pe.ID))
					continue
				}
				if err != nil {
					return written, fmt.Errorf("recover outbox: %s: %w", pe.Target, err)
				}
				if ok {
					break
				}
				if err := files.Truncate(pe.Target, pe.Offset); err != nil {
					return written, fmt.Errorf("recover outbox: %w", err)
				}
				broken[pe.Target] = true
			}
			if err := files.Write(pe.Target, append(line, '\n')); err != nil {
				return written, fmt.Errorf("recover outbox: %w", err)
			}
			written++
		}
	}
	if err := ack(); err != nil {
		return written, err
	}
	if written > 0 {
		log.Info("recovered unconfirmed lines from the last run", zap.Int("lines", written))
	}
	return written, nil
}

// budget bounds the bytes of records in flight: take waits while the others hold the whole of
// it. A record larger than the whole budget takes all of it, so it still goes through alone.
type budget struct {
	mu    sync.Mutex
	used  int64
	max   int64
	freed chan struct{}
}

func newBudget(max int64) *budget { return &budget{max: max, freed: make(chan struct{})} }

func (b *budget) take(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		if b.used+n <= b.max {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		freed := b.freed
		b.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *budget) give(n int64) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	b.used = max(b.used-n, 0)
	close(b.freed)
	b.freed = make(chan struct{})
	b.mu.Unlock()
}

// CutUnconfirmed cuts, in each file the outbox names, the first line that is not whole at its
// offset and everything after it: what a crash (or a power loss) left torn. Nothing confirmed
// lies there, since a batch is written only after the one before it was. The outbox keeps its
// entries, so Recover still writes their lines again; forget runs it first, so that forgetting
// the id of a torn line does not leave the torn half behind for good.
func CutUnconfirmed(ctx context.Context, st *store.Store) error {
	pend, err := st.Outbox(ctx)
	if err != nil {
		return err
	}
	cut := map[string]bool{}
	for _, pe := range pend {
		if pe.Target == "" || cut[pe.Target] {
			continue
		}
		line, err := st.RecordRevision(ctx, pe.ID, pe.Revision)
		if err != nil {
			return fmt.Errorf("check outbox: %w", err)
		}
		ok, err := output.LineAt(pe.Target, pe.Offset, line)
		if errors.Is(err, output.ErrNotRegular) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check outbox: %s: %w", pe.Target, err)
		}
		if ok {
			continue
		}
		if err := output.TruncateTo(pe.Target, pe.Offset); err != nil {
			return fmt.Errorf("check outbox: %s: %w", pe.Target, err)
		}
		cut[pe.Target] = true
	}
	return nil
}
