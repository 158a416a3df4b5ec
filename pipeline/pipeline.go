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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/store"
)

// Stats count one run. Fields are updated atomically while the run goes on.
type Stats struct {
	Pages      atomic.Int64 // pages offered to the extractors
	Articles   atomic.Int64 // pages that gave a record
	New        atomic.Int64 // records written
	Duplicates atomic.Int64 // records whose id was already stored or written this run
	Skipped    atomic.Int64 // pages that looked like articles but could not give a whole record
	Errors     atomic.Int64
}

// Pipeline is safe for concurrent Page calls; one goroutine runs Run.
type Pipeline struct {
	reg    *extract.Registry
	st     *store.Store
	sink   output.Sink
	log    *zap.Logger
	source string
	in     chan *article.Record
	Stats  *Stats

	// BatchSize and Linger bound how many records share one store transaction and fsync.
	BatchSize int
	Linger    time.Duration
}

// New builds a pipeline writing to sink, deduplicating in st.
func New(reg *extract.Registry, st *store.Store, sink output.Sink, log *zap.Logger) *Pipeline {
	if log == nil {
		log = zap.NewNop()
	}
	return &Pipeline{reg: reg, st: st, sink: sink, log: log, in: make(chan *article.Record, 256), Stats: &Stats{}, BatchSize: 256, Linger: 20 * time.Millisecond}
}

// SetSource names the config source whose pages follow, for the store's per-source counts.
func (p *Pipeline) SetSource(name string) { p.source = name }

// Page extracts one page and queues its record. A page that is no article returns
// article.ErrNotArticle; one that could not give a whole record is logged and counted.
func (p *Pipeline) Page(ctx context.Context, page *article.Page) error {
	p.Stats.Pages.Add(1)
	rec, err := p.reg.Extract(page)
	if errors.Is(err, article.ErrNotArticle) {
		p.log.Debug("not an article", p.sourceField(), zap.String("url", urlOf(page)), zap.Error(err))
		return err
	}
	if err != nil {
		p.Stats.Skipped.Add(1)
		p.log.Warn("skip page", p.sourceField(), zap.String("url", urlOf(page)), zap.Error(err))
		return err
	}
	p.Stats.Articles.Add(1)
	select {
	case p.in <- rec:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sourceField names the config source in log lines; zap.Skip for --url runs, which have none.
func (p *Pipeline) sourceField() zap.Field {
	if p.source == "" {
		return zap.Skip()
	}
	return zap.String("source", p.source)
}

func urlOf(p *article.Page) string {
	if p.URL == nil {
		return ""
	}
	return p.URL.String()
}

// Close tells Run that no more pages come.
func (p *Pipeline) Close() { close(p.in) }

// Run writes queued records until Close, then flushes. It stops at the first store or output
// error: going on would only lose more.
func (p *Pipeline) Run(ctx context.Context) error {
	batch := make([]*article.Record, 0, p.BatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var failed error
	var written []store.Pending // lines written and fsynced, acknowledged with the next commit
	// The store commit must not be cut half way by a cancelled run: what was extracted is
	// written, then the run stops.
	wctx := context.WithoutCancel(ctx)
	flush := func() {
		if len(batch) == 0 || failed != nil {
			batch = batch[:0]
			return
		}
		var err error
		if written, err = p.write(wctx, written, batch); err != nil {
			failed = err
		}
		batch = batch[:0]
	}
	for {
		select {
		case rec, ok := <-p.in:
			if !ok {
				flush()
				if failed == nil {
					failed = p.st.Ack(wctx, written)
				}
				return failed
			}
			if failed != nil {
				continue // drain so producers never block
			}
			batch = append(batch, rec)
			if len(batch) == 1 {
				timer.Reset(p.Linger)
			}
			if len(batch) >= p.BatchSize {
				timer.Stop()
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

var linePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Marshal encodes a record as one JSONL line without the newline, leaving <, > and & as they are.
func Marshal(rec *article.Record) ([]byte, error) {
	buf := linePool.Get().(*bytes.Buffer)
	defer linePool.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, fmt.Errorf("encode record %s: %w", rec.ID, err)
	}
	return bytes.Clone(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// write commits batch, acknowledging ack (the previous batch's lines, already written) in the
// same transaction, then writes and fsyncs the new lines. It returns those lines, still to be
// acknowledged: with the next batch, or by Run at the end.
func (p *Pipeline) write(ctx context.Context, ack []store.Pending, batch []*article.Record) ([]store.Pending, error) {
	ids := make([]string, len(batch))
	for i, r := range batch {
		ids[i] = r.ID
	}
	// A read transaction (no fsync, no lock on writers) tells which records to encode and where
	// their lines will start; Commit checks again inside its own transaction.
	seen, err := p.st.Seen(ctx, ids...)
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
	for _, r := range batch {
		if seen[r.ID] || inBatch[r.ID] {
			p.Stats.Duplicates.Add(1)
			p.log.Debug("duplicate", zap.String("id", r.ID), zap.String("url", r.URL))
			dupURLs = append(dupURLs, store.Item{ID: r.ID, URL: r.URL})
			continue
		}
		inBatch[r.ID] = true
		line, err := Marshal(r)
		if err != nil {
			return ack, err
		}
		items = append(items, store.Item{ID: r.ID, URL: r.URL, Hash: r.ContentHash, Source: p.source, Line: line, Target: target, Offset: offset + int64(len(lines))})
		lines = append(append(lines, line...), '\n')
	}
	pend, _, err := p.st.CommitAfter(ctx, ack, append(items, dupURLs...))
	if err != nil {
		return ack, err
	}
	if len(lines) == 0 {
		return nil, nil
	}
	if err := p.sink.Write(target, lines); err != nil {
		return nil, err
	}
	p.Stats.New.Add(int64(len(items)))
	return pend, nil
}

// Recover finishes what a crashed run left in the outbox: lines confirmed in their files are
// acknowledged; the first missing or torn line of a file, and all after it, are cut off and
// written again. Lines meant for a stream cannot be checked and are written to sink (at least
// once). It returns how many lines it wrote.
func Recover(ctx context.Context, st *store.Store, sink output.Sink, log *zap.Logger) (int, error) {
	if log == nil {
		log = zap.NewNop()
	}
	pend, err := st.Outbox(ctx)
	if err != nil || len(pend) == 0 {
		return 0, err
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
		line, err := st.Record(ctx, pe.ID)
		if err != nil {
			return written, fmt.Errorf("recover outbox: %w", err)
		}
		line = append(line, '\n')
		switch {
		case pe.Target == "":
			if err := sink.Write("", line); err != nil {
				return written, fmt.Errorf("recover outbox: %w", err)
			}
			written++
		default:
			if !broken[pe.Target] {
				ok, err := output.LineAt(pe.Target, pe.Offset, pe.ID)
				if err != nil {
					return written, fmt.Errorf("recover outbox: %s: %w", pe.Target, err)
				}
				if ok {
					break
				}
				if err := output.TruncateTo(pe.Target, pe.Offset); err != nil {
					return written, fmt.Errorf("recover outbox: %s: %w", pe.Target, err)
				}
				broken[pe.Target] = true
			}
			if err := appendSync(pe.Target, line); err != nil {
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

func appendSync(path string, line []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", output.ErrUnwritable, path, err)
	}
	if _, err = f.Write(line); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", output.ErrUnwritable, path, err)
	}
	return nil
}
