package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

func runPages(t *testing.T, st *store.Store, dir string, handler func(*Pipeline) func(context.Context, *article.Page) error, pages []*article.Page, tune func(*Pipeline)) *Pipeline {
	t.Helper()
	sink, err := output.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	p, done := start(t, st, sink, tune)
	h := handler(p)
	for _, pg := range pages {
		if err := h(context.Background(), pg); err != nil && !errors.Is(err, article.ErrNotArticle) {
			t.Fatal(err)
		}
	}
	p.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return p
}

func lines(t *testing.T, dir string) []article.Record {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var out []article.Record
	for _, f := range files {
		for _, l := range strings.Split(strings.TrimSpace(read(t, f)), "\n") {
			if l == "" {
				continue
			}
			var r article.Record
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			out = append(out, r)
		}
	}
	return out
}

func TestAPageFetchedAgainWithAChangedTitleIsWrittenAsRevision2AndTheRestAsUnchanged(t *testing.T) {
	st := openStore(t)
	out := t.TempDir()
	site := sitegen.New(3)
	first := pages(t, 3)
	runPages(t, st, out, func(p *Pipeline) func(context.Context, *article.Page) error { return p.From("s") }, first, nil)
	recs := lines(t, out)
	if len(recs) != 3 || recs[0].Revision != 1 {
		t.Fatalf("first run: %d records, revision %d; want 3 at revision 1", len(recs), recs[0].Revision)
	}
	again := pages(t, 3)
	changedTitle := site.Posts[0].Title
	again[0] = article.NewPage(again[0].URL, "text/html", bytes.ReplaceAll(again[0].Body, []byte(changedTitle), []byte(changedTitle+"（更新）")), time.Now())
	p := runPages(t, st, out, func(p *Pipeline) func(context.Context, *article.Page) error { return p.Revising("s") }, again, nil)
	recs = lines(t, out)
	if len(recs) != 4 {
		t.Fatalf("after the recheck %d lines, want 4 (one revision)", len(recs))
	}
	rev := recs[3]
	if rev.ID != recs[0].ID || rev.Revision != 2 || rev.RevisionOf != recs[0].ContentHash || !slices.Equal(rev.Changed, []string{"title"}) || rev.ModifiedAt.IsZero() {
		t.Errorf("revision line %+v", rev)
	}
	if p.Stats.Revisions.Load() != 1 || p.Stats.Unchanged.Load() != 2 || p.Stats.RevisionsBy("s") != 1 || p.Stats.Duplicates.Load() != 0 {
		t.Errorf("stats: revisions %d unchanged %d by source %d duplicates %d", p.Stats.Revisions.Load(), p.Stats.Unchanged.Load(), p.Stats.RevisionsBy("s"), p.Stats.Duplicates.Load())
	}
	// An ordinary crawl meeting the changed page again keeps the first-wins rule: a duplicate.
	again[0] = article.NewPage(again[0].URL, "text/html", bytes.ReplaceAll(again[0].Body, []byte("（更新）"), []byte("（再更新）")), time.Now())
	p = runPages(t, st, out, func(p *Pipeline) func(context.Context, *article.Page) error { return p.From("s") }, again[:1], nil)
	if n := len(lines(t, out)); n != 4 || p.Stats.Duplicates.Load() != 1 {
		t.Errorf("an ordinary crawl wrote %d lines, %d duplicates; want no revision", n, p.Stats.Duplicates.Load())
	}
}

// syncCheck fails a commit whose records' archive was not synced: it says whether the store
// already held an id when the pipeline synced.
type syncCheck struct {
	t     *testing.T
	st    *store.Store
	ids   []string
	syncs int
}

func (s *syncCheck) Sync() error {
	s.syncs++
	seen, err := s.st.Seen(context.Background(), s.ids...)
	if err != nil {
		return err
	}
	for id := range seen {
		s.t.Errorf("archive synced after %s was committed", id)
	}
	return nil
}

func TestTheArchiveIsSyncedBeforeTheStoreCommitsTheRecordsPointingIntoIt(t *testing.T) {
	st := openStore(t)
	pg := pages(t, 2)
	var ids []string
	for i, p := range pg {
		p.Archived = &article.Archived{File: "newsmill-x.warc.gz", Offset: int64(1000 * (i + 1)), Digest: "sha1:X", Date: time.Unix(1700000000, 0).UTC()}
		r, err := extractTest(p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r)
	}
	chk := &syncCheck{t: t, st: st, ids: ids}
	runPages(t, st, t.TempDir(), func(p *Pipeline) func(context.Context, *article.Page) error { return p.From("s") }, pg,
		func(p *Pipeline) { p.Archive = chk })
	if chk.syncs == 0 {
		t.Fatal("the archive was never synced")
	}
	for i, id := range ids {
		ref, ok, err := st.Archived(context.Background(), id)
		if err != nil || !ok || ref.Offset != int64(1000*(i+1)) || ref.File != "newsmill-x.warc.gz" {
			t.Errorf("archive ref of %s: %+v %v %v", id, ref, ok, err)
		}
	}
}

func TestANewRecordOfARecheckedSourceIsScheduled(t *testing.T) {
	st := openStore(t)
	runPages(t, st, t.TempDir(), func(p *Pipeline) func(context.Context, *article.Page) error { return p.From("s") }, pages(t, 1),
		func(p *Pipeline) {
			p.Recheck = func(source string) (time.Duration, bool) { return 30 * time.Minute, source == "s" }
		})
	due, err := st.DueRechecks(context.Background(), "", time.Now().Add(31*time.Minute), 0)
	if err != nil || len(due) != 1 {
		t.Fatalf("due in 31 minutes: %v, %v", due, err)
	}
	for _, r := range due {
		if r.Source != "s" || !strings.HasPrefix(r.URL, "http://127.0.0.1:8080/") || r.Next.Sub(r.Since) != 30*time.Minute {
			t.Errorf("schedule %+v", r)
		}
	}
	if due, _ := st.DueRechecks(context.Background(), "", time.Now().Add(29*time.Minute), 0); len(due) != 0 {
		t.Errorf("due before its time: %v", due)
	}
}

// Two revisions of one id can wait in the outbox together (the second batch is committed
// before the first is acknowledged): recovery writes each from its own revision.
func TestRecoverWritesEachRevisionFromItsOwnLine(t *testing.T) {
	st := openStore(t)
	out := filepath.Join(t.TempDir(), "a.jsonl")
	ctx := context.Background()
	mk := func(rev int, off int64) (store.Item, string) {
		l := `{"id":"NW1","body":"b` + string(rune('0'+rev)) + `","revision":` + string(rune('0'+rev)) + `}`
		return store.Item{ID: "NW1", Line: []byte(l), Target: out, Offset: off, Revision: rev}, l
	}
	var want string
	var off int64
	for rev := 1; rev <= 3; rev++ {
		it, l := mk(rev, off)
		if _, isNew, err := st.Commit(ctx, []store.Item{it}); err != nil || !isNew[0] {
			t.Fatalf("revision %d: %v %v", rev, isNew, err)
		}
		want += l + "\n"
		off += int64(len(l) + 1)
	}
	sink, err := output.File(out)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	if _, err := Recover(ctx, st, sink, nil); err != nil {
		t.Fatal(err)
	}
	if got := read(t, out); got != want {
		t.Errorf("recovered\n%s\nwant\n%s", got, want)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
}

func extractTest(p *article.Page) (string, error) {
	r, err := extract.Default().Extract(p)
	if err != nil {
		return "", err
	}
	return r.ID, nil
}
