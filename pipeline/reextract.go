package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/store"
)

// Filter selects the stored ids a re-extraction reads again: by when their archived response
// was fetched (Since inclusive, Until exclusive; zero is open) and by config source (none: all).
type Filter struct {
	Since, Until time.Time
	Sources      []string
}

func (f Filter) match(e store.Entry, ref store.ArchiveRef) bool {
	if !f.Since.IsZero() && ref.Date.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !ref.Date.Before(f.Until) {
		return false
	}
	return len(f.Sources) == 0 || slices.Contains(f.Sources, e.Source)
}

// Archived is one stored id and where its response is.
type Archived struct {
	ID     string
	Source string
	Ref    store.ArchiveRef
	// Hint is what the id's feed said that its page cannot say again (a published_at taken
	// from the feed); nil when the record owes the feed nothing. Without it the page would lose
	// that date and every such id would seem changed.
	Hint *article.Record
}

// Selected lists the ids f selects that have an archived response, in archive order (file,
// offset), so the files are read front to back.
func Selected(ctx context.Context, st *store.Store, f Filter) ([]Archived, error) {
	var out []Archived
	err := st.EachArchived(ctx, func(id string, e store.Entry, ref store.ArchiveRef, line []byte) error {
		if f.match(e, ref) {
			out = append(out, Archived{ID: id, Source: e.Source, Ref: ref, Hint: feedHint(line)})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Ref, out[j].Ref
		return a.File < b.File || (a.File == b.File && a.Offset < b.Offset)
	})
	return out, err
}

// Decoder makes the page an archived response holds (crawler.ArchivedPage).
type Decoder func(*archive.Response) (*article.Page, error)

// ReextractStats count a re-extraction's reading; what the pages gave is in the pipeline's Stats.
type ReextractStats struct {
	Read    atomic.Int64 // responses read from the archive
	Missing atomic.Int64 // ids whose archived response could not be read (file gone, forgotten)
	Failed  atomic.Int64 // responses that gave no page or no record
}

// ErrArchiveMissing is returned by Reextract when not one selected response could be read: the
// archive folder is likely the wrong one.
var ErrArchiveMissing = errors.New("no archived response could be read")

// Reextract reads the archived response of each of ids from the archive folder dir and offers
// its page to handle(a), e.g. the pipeline's Reextracting(a.Source, a.ID), on as many goroutines as there
// are CPUs. A response that cannot be read is counted and reported through warn, not fatal:
// an archive pruned by hand loses those ids' history, not the run.
func Reextract(ctx context.Context, dir string, ids []Archived, decode Decoder, handle func(Archived) func(context.Context, *article.Page) error,
	warn func(id string, err error)) (*ReextractStats, error) {
	st := &ReextractStats{}
	work := make(chan Archived)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for a := range work {
				page, err := readArchived(dir, a, decode)
				if err != nil {
					if errors.Is(err, errNoPage) {
						st.Failed.Add(1)
					} else {
						st.Missing.Add(1)
					}
					if warn != nil {
						warn(a.ID, err)
					}
					continue
				}
				st.Read.Add(1)
				if err := handle(a)(ctx, page); err != nil {
					if ctx.Err() != nil {
						return
					}
					st.Failed.Add(1)
				}
			}
		})
	}
	for _, a := range ids {
		select {
		case work <- a:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if len(ids) > 0 && st.Read.Load() == 0 {
		return st, fmt.Errorf("%w in %s (%d ids)", ErrArchiveMissing, dir, len(ids))
	}
	return st, nil
}

var errNoPage = errors.New("no page")

// feedHint is the part of a stored record that came from its feed, as the hint the page had
// when it was first read.
func feedHint(line []byte) *article.Record {
	if !bytes.Contains(line, []byte(`"date_source":"feed"`)) {
		return nil
	}
	var r article.Record
	if json.Unmarshal(line, &r) != nil || r.DateSource != article.DateFromFeed {
		return nil
	}
	return &article.Record{PublishedAt: r.PublishedAt, DateSource: r.DateSource}
}

func readArchived(dir string, a Archived, decode Decoder) (*article.Page, error) {
	resp, err := archive.ReadAt(filepath.Join(dir, filepath.Base(a.Ref.File)), a.Ref.Offset)
	if err != nil {
		return nil, err
	}
	page, err := decode(resp)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoPage, err)
	}
	page.Hint = a.Hint
	page.Archived = &article.Archived{File: a.Ref.File, Offset: a.Ref.Offset, RecordID: a.Ref.RecordID, Digest: a.Ref.Digest, Date: a.Ref.Date, URL: a.Ref.URL}
	return page, nil
}

// Diff is what a re-extraction would change of one id.
type Diff struct {
	ID      string
	Changed []string
	Before  *article.Record
	After   *article.Record
}

// DryRun is the counting half of a re-extraction: it extracts each archived page with reg and
// compares it with the stored record, writing nothing. It returns how many ids would get a
// revision and up to samples of their diffs.
type DryRun struct {
	reg     *extract.Registry
	st      *store.Store
	samples int

	mu      sync.Mutex
	Changed int
	Same    int
	Diffs   []Diff
}

// NewDryRun compares with st's records, keeping up to samples diffs.
func NewDryRun(reg *extract.Registry, st *store.Store, samples int) *DryRun {
	return &DryRun{reg: reg, st: st, samples: samples}
}

// For is the handler of one archived id: it extracts the page and compares it.
func (d *DryRun) For(a Archived) func(context.Context, *article.Page) error {
	return func(ctx context.Context, page *article.Page) error { return d.page(ctx, a.ID, page) }
}

func (d *DryRun) page(ctx context.Context, id string, page *article.Page) error {
	rec, err := d.reg.Extract(page)
	if err != nil {
		return err
	}
	if rec.ID != id {
		return nil // the page now gives another id: not a revision of the stored one
	}
	stored, err := d.st.Latest(ctx, rec.ID)
	if err != nil {
		return err
	}
	l, ok := stored[rec.ID]
	if !ok {
		return nil // the page now gives another id: not a revision of the stored one
	}
	var prev article.Record
	if err := json.Unmarshal(l.Line, &prev); err != nil {
		return fmt.Errorf("stored record %s: %w", rec.ID, err)
	}
	changed := article.Changed(&prev, rec)
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(changed) == 0 {
		d.Same++
		return nil
	}
	d.Changed++
	if len(d.Diffs) < d.samples {
		d.Diffs = append(d.Diffs, Diff{ID: rec.ID, Changed: changed, Before: &prev, After: rec})
	}
	return nil
}
