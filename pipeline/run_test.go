package pipeline

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

// pages renders n generated articles as fetched pages.
func pages(t testing.TB, n int) []*article.Page {
	t.Helper()
	site := sitegen.New(n)
	var out []*article.Page
	seen := map[string]bool{}
	for _, p := range site.Posts {
		if seen[p.ID] {
			continue // a twin shares its id
		}
		seen[p.ID] = true
		b, ok := site.Page(p.Path)
		if !ok {
			t.Fatalf("no page at %s", p.Path)
		}
		u, _ := url.Parse("http://127.0.0.1:8080" + p.Path)
		out = append(out, article.NewPage(u, "text/html", b, time.Now()))
	}
	return out
}

func start(t *testing.T, st *store.Store, sink output.Sink, tune func(*Pipeline)) (*Pipeline, chan error) {
	t.Helper()
	p := New(extract.Default(), st, sink, nil)
	if tune != nil {
		tune(p)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	return p, done
}

func sources(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	got := map[string]string{}
	if err := st.ForEach(context.Background(), func(id string, e store.Entry) error {
		got[id] = e.Source
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestEachRecordIsStoredUnderTheSourceThatFoundIt(t *testing.T) {
	st := openStore(t)
	d, err := output.Dir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// The first source's batch is still waiting when the second source's pages come.
	p, done := start(t, st, d, func(p *Pipeline) { p.Linger = 200 * time.Millisecond })
	ps := pages(t, 8)
	want := map[string]string{}
	for i, page := range ps {
		src := "a"
		if i >= len(ps)/2 {
			src = "b"
		}
		if err := p.From(src)(context.Background(), page); err != nil {
			t.Fatal(err)
		}
	}
	for i, page := range ps {
		rec, _ := extract.Default().Extract(page)
		want[rec.ID] = map[bool]string{true: "a", false: "b"}[i < len(ps)/2]
	}
	p.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := sources(t, st)
	for id, src := range want {
		if got[id] != src {
			t.Errorf("id %s stored under source %q, want %q", id, got[id], src)
		}
	}
}

func TestABatchIsWrittenOnceItsBytesAddUpNotOnlyAtItsCount(t *testing.T) {
	st := openStore(t)
	out := filepath.Join(t.TempDir(), "o.jsonl")
	f, err := output.File(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, done := start(t, st, f, func(p *Pipeline) { p.Linger, p.BatchBytes = time.Hour, 1 })
	for _, page := range pages(t, 3) {
		if err := p.Page(context.Background(), page); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(read(t, out), "\n") < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(read(t, out), "\n"); n < 3 {
		t.Errorf("%d lines written while the batch (far under %d records) held more than BatchBytes", n, p.BatchSize)
	}
	p.Close()
	<-done
}

func TestExtractingWaitsWhileTheBytesInFlightAreSpent(t *testing.T) {
	st := openStore(t)
	f, err := output.File(filepath.Join(t.TempDir(), "o.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps := pages(t, 3)
	p, done := start(t, st, f, func(p *Pipeline) {
		p.Linger = 300 * time.Millisecond
		rec, _ := extract.Default().Extract(ps[0])
		p.bytes = newBudget(recordSize(rec) + 1) // room for one record in flight
	})
	if err := p.Page(context.Background(), ps[0]); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if err := p.Page(context.Background(), ps[1]); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(began); waited < 200*time.Millisecond {
		t.Errorf("the second page was queued after %s, while the first held the whole budget", waited)
	}
	p.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRecoveryWritesThroughTheSinkSoASecondCrashRecoversRight(t *testing.T) {
	st := openStore(t)
	out := filepath.Join(t.TempDir(), "o.jsonl")
	ctx := context.Background()
	// Crash one: committed, never written.
	lines := crashAfterCommit(t, st, out, "NW1", "NW2")
	// Run two opens its sink, recovers, writes a batch, and is killed before acknowledging it.
	f, err := output.File(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Recover(ctx, st, f, nil); err != nil {
		t.Fatal(err)
	}
	p := New(extract.Default(), st, f, nil)
	rec, err := extract.Default().Extract(pages(t, 1)[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.write(ctx, nil, []queued{{rec: rec}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// Run three recovers again: nothing acknowledged may be cut.
	g, err := output.File(out)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := Recover(ctx, st, g, nil); err != nil {
		t.Fatal(err)
	}
	got := read(t, out)
	for _, want := range append(lines, `"id":"`+rec.ID+`"`) {
		if !strings.Contains(got, want) {
			t.Errorf("line %.40s… lost by the second recovery", want)
		}
	}
	if n := strings.Count(got, "\n"); n != 3 {
		t.Errorf("file holds %d lines, want 3:\n%s", n, got)
	}
}

func TestRecoveryFindsTheOutputWhateverTheWorkingDirectory(t *testing.T) {
	st := openStore(t)
	a, b := t.TempDir(), t.TempDir()
	t.Chdir(a)
	d, err := output.Dir("out")
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := extract.Default().Extract(pages(t, 1)[0])
	// Committed and killed before the write reached the file.
	if _, _, err := st.Commit(context.Background(), []store.Item{{ID: rec.ID, Line: []byte(`{"id":"` + rec.ID + `"}`), Target: mustTarget(t, d), Offset: 0}}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	t.Chdir(b) // cron runs the same config from elsewhere
	e, err := output.Dir(filepath.Join(a, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if n, err := Recover(context.Background(), st, e, nil); err != nil || n != 1 {
		t.Fatalf("recovered %d, %v", n, err)
	}
	if _, err := os.Stat(filepath.Join(b, "out")); err == nil {
		t.Errorf("recovery wrote into the other working directory's out/")
	}
	files, _ := filepath.Glob(filepath.Join(a, "out", "*.jsonl"))
	if len(files) != 1 || !strings.Contains(read(t, files[0]), rec.ID) {
		t.Errorf("the recovered line is not in the run's own output: %v", files)
	}
}

func mustTarget(t *testing.T, s output.Sink) string {
	t.Helper()
	p, _, err := s.Target(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnOutputFolderDeletedMidRunAcknowledgesNothingThatIsNotInAFile(t *testing.T) {
	st := openStore(t)
	dir := filepath.Join(t.TempDir(), "out")
	d, err := output.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := New(extract.Default(), st, d, nil)
	ps := pages(t, 4)
	recs := make([]queued, len(ps))
	for i, page := range ps {
		rec, err := extract.Default().Extract(page)
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = queued{rec: rec}
	}
	pend, err := p.write(ctx, nil, recs[:2])
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	_, err = p.write(ctx, pend, recs[2:])
	if !errors.Is(err, output.ErrGone) {
		t.Fatalf("write after the folder was deleted: %v, want ErrGone", err)
	}
	d.Close()
	// The first batch's lines went with the folder: they are still in the outbox, and the next
	// run writes them again; the second batch was never stored, so it is fetched again.
	e, err := output.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if n, err := Recover(ctx, st, e, nil); err != nil || n != 2 {
		t.Fatalf("recovered %d, %v; want the first batch's 2 lines", n, err)
	}
	if seen, _ := st.Seen(ctx, recs[2].rec.ID); seen[recs[2].rec.ID] {
		t.Errorf("a record of the failed batch is marked emitted")
	}
}

func TestAnOutboxNamingADeviceIsGivenUpNotReadWithoutEnd(t *testing.T) {
	st := openStore(t)
	if _, _, err := st.Commit(context.Background(), []store.Item{{ID: "NW1", Line: []byte(`{"id":"NW1"}`), Target: "/dev/full", Offset: 0}}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Recover(context.Background(), st, output.NewStream(nil), nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("recover: %v; an old outbox entry naming a device must not wedge every start", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("recovery reads /dev/full without end")
	}
	if pend, _ := st.Outbox(context.Background()); len(pend) != 0 {
		t.Errorf("the device's entry is still in the outbox: %v", pend)
	}
	if _, err := st.Record(context.Background(), "NW1"); err != nil {
		t.Errorf("the record is gone from the store, so crawl export cannot give it: %v", err)
	}
}
