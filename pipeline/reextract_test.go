package pipeline

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/store"
)

// archivePages writes pages into an archive folder as a crawl would have fetched them, and
// returns them with their refs.
func archivePages(t testing.TB, dir string, pages []*article.Page) []*article.Page {
	t.Helper()
	w, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var out []*article.Page
	for i, p := range pages {
		ref, err := w.Write(context.Background(), archive.Exchange{URL: p.URL.String(), Date: time.Date(2026, 12, 1, 8, 0, i, 0, time.UTC), Status: 200,
			Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Body: p.Body})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := archive.ReadAt(dir+"/"+ref.File, ref.Offset)
		if err == nil {
			var pg *article.Page
			if pg, err = crawler.ArchivedPage(resp); err == nil {
				pg.Archived = &article.Archived{File: ref.File, Offset: ref.Offset, RecordID: ref.RecordID, Digest: ref.Digest, Date: ref.Date, URL: ref.URL}
				out = append(out, pg)
			}
		}
		if err != nil {
			// ReadAt before Sync reads what the OS has: the file is written, only not synced.
			t.Fatal(err)
		}
	}
	return out
}

// fixedSource is the finews extractor after a "fix" that changes the source of media
// articles only: exactly their ids must get a revision.
type fixedSource struct{ article.Extractor }

func (f fixedSource) Extract(p *article.Page) (*article.Record, error) {
	r, err := f.Extractor.Extract(p)
	if err == nil && r.Source != "" {
		r.Source += "（修正）"
	}
	return r, err
}

func TestAReextractionAfterAnExtractorChangeRevisesExactlyTheChangedIds(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	out, arch := t.TempDir(), t.TempDir()
	pg := archivePages(t, arch, pages(t, 9))
	runPages(t, st, out, func(p *Pipeline) func(context.Context, *article.Page) error { return p.From("s") }, pg, nil)
	first := lines(t, out)
	var media []string
	for _, r := range first {
		if r.Source != "" {
			media = append(media, r.ID)
		}
	}
	if len(first) != 9 || len(media) == 0 || len(media) == len(first) {
		t.Fatalf("%d records, %d with a source: the test needs some of each", len(first), len(media))
	}
	ids, err := Selected(ctx, st, Filter{})
	if err != nil || len(ids) != 9 {
		t.Fatalf("selected %d, %v", len(ids), err)
	}
	fixed := extract.NewRegistry(extract.NewFeedItem(), fixedSource{extract.NewFinewsPage()}, extract.NewFinewsPost(), extract.NewEastmoney())

	dry := NewDryRun(fixed, st, 2)
	if _, err := Reextract(ctx, arch, ids, crawler.ArchivedPage, dry.For, nil); err != nil {
		t.Fatal(err)
	}
	if dry.Changed != len(media) || dry.Same != 9-len(media) || len(dry.Diffs) != 2 || !slices.Equal(dry.Diffs[0].Changed, []string{"source"}) {
		t.Errorf("dry run: %d changed, %d same, diffs %+v; want %d changed", dry.Changed, dry.Same, dry.Diffs, len(media))
	}
	if n := len(lines(t, out)); n != 9 {
		t.Fatalf("the dry run wrote %d lines", n-9)
	}

	reextract := func(reg *extract.Registry) *Pipeline {
		sink, err := output.Dir(out)
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		p := New(reg, st, sink, nil)
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		if _, err := Reextract(ctx, arch, ids, crawler.ArchivedPage, func(a Archived) func(context.Context, *article.Page) error {
			return p.Reextracting(a.Source, a.ID)
		}, nil); err != nil {
			t.Fatal(err)
		}
		p.Close()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := reextract(fixed)
	all := lines(t, out)
	var revised []string
	for _, r := range all[9:] {
		revised = append(revised, r.ID)
		if r.Revision != 2 || !slices.Equal(r.Changed, []string{"source"}) || !r.ModifiedAt.IsZero() || r.FetchedAt.Year() != 2026 || r.FetchedAt.Month() != 12 {
			t.Errorf("revision %+v", r)
		}
	}
	slices.Sort(revised)
	slices.Sort(media)
	if !slices.Equal(revised, media) || p.Stats.Revisions.Load() != int64(len(media)) || p.Stats.Unchanged.Load() != int64(9-len(media)) {
		t.Errorf("revised %v (stats %d, unchanged %d), want exactly %v", revised, p.Stats.Revisions.Load(), p.Stats.Unchanged.Load(), media)
	}
	// Again with the same extractors: nothing changed since, nothing written.
	reextract(fixed)
	if n := len(lines(t, out)); n != 9+len(media) {
		t.Errorf("a second re-extraction wrote %d more lines", n-9-len(media))
	}
	// Filters: a window before every fetch selects nothing, a source nobody has neither.
	if ids, _ := Selected(ctx, st, Filter{Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}); len(ids) != 0 {
		t.Errorf("until before the fetches: %d ids", len(ids))
	}
	if ids, _ := Selected(ctx, st, Filter{Sources: []string{"other"}}); len(ids) != 0 {
		t.Errorf("another source: %d ids", len(ids))
	}
	if ids, _ := Selected(ctx, st, Filter{Since: time.Date(2026, 12, 1, 8, 0, 5, 0, time.UTC), Sources: []string{"s"}}); len(ids) != 4 {
		t.Errorf("since the sixth fetch: %d ids, want 4", len(ids))
	}
	var _ store.ArchiveRef
}

// A page that prints no date took its published_at from the feed that led to it; read again
// from the archive, with no feed, it must not seem changed.
func TestAReextractedPageKeepsTheDateItsFeedGaveIt(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	out, arch := t.TempDir(), t.TempDir()
	body := []byte(`<html><head><title>Harbour cranes idle as port strike enters second week</title></head><body><nav><a href="/">Home</a></nav><article><h1>Harbour cranes idle as port strike enters second week</h1>` +
		strings.Repeat("<p>Dock workers at the city's container terminal kept their picket lines on Tuesday, and shipping lines diverted three more vessels to ports further up the coast.</p>", 6) +
		`</article></body></html>`)
	u, _ := url.Parse("https://news.example.org/world/port-strike-second-week")
	pg := archivePages(t, arch, []*article.Page{article.NewPage(u, "text/html", body, time.Now())})
	fed := time.Date(2026, 11, 30, 7, 15, 0, 0, time.UTC)
	pg[0].Hint = &article.Record{PublishedAt: fed}
	reg := extract.WithFallback(extract.Default(), nil)
	sink, _ := output.Dir(out)
	p := New(reg, st, sink, nil)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	if err := p.From("s")(ctx, pg[0]); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	sink.Close()
	recs := lines(t, out)
	if len(recs) != 1 || recs[0].DateSource != article.DateFromFeed || !recs[0].PublishedAt.Equal(fed) {
		t.Fatalf("first record %+v: the test needs a date from the feed", recs)
	}
	ids, _ := Selected(ctx, st, Filter{})
	dry := NewDryRun(reg, st, 1)
	if _, err := Reextract(ctx, arch, ids, crawler.ArchivedPage, dry.For, nil); err != nil {
		t.Fatal(err)
	}
	if dry.Changed != 0 || dry.Same != 1 {
		t.Errorf("re-extraction without the feed: %d changed (%+v), want the page unchanged", dry.Changed, dry.Diffs)
	}
}
