package cluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/testkit/natstest"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

func TestEachRevisionOfAnIdIsOneMessageAndTheSinkResumesAfterARevisionLine(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	line := func(id string, rev int, title string) []byte {
		return []byte(`{"id":"` + id + `","title":"` + title + `","revision":` + string(rune('0'+rev)) + `}`)
	}
	if _, rev, found, err := c.LatestRecord(ctx, "NWA"); found || err != nil || rev != 0 {
		t.Fatalf("latest of an unknown id: %d %v %v", rev, found, err)
	}
	if dup, err := c.Publish(ctx, "NWA", line("NWA", 1, "a"), "s"); dup || err != nil {
		t.Fatal(dup, err)
	}
	if l, rev, found, err := c.LatestRecord(ctx, "NWA"); !found || err != nil || rev != 1 || !strings.Contains(string(l), `"a"`) {
		t.Fatalf("latest after the first: %s %d %v %v", l, rev, found, err)
	}
	out := t.TempDir()
	if st, err := c.Sink(ctx, out, 200*time.Millisecond); err != nil || st.Lines != 1 {
		t.Fatalf("first sink: %d lines, %v", st.Lines, err)
	}
	if dup, err := c.PublishRevision(ctx, "NWA", 2, line("NWA", 2, "a2"), "s"); dup || err != nil {
		t.Fatal(dup, err)
	}
	// Two workers seeing the same change: the second is refused by the server.
	if dup, err := c.PublishRevision(ctx, "NWA", 2, line("NWA", 2, "a2 again"), "s"); !dup || err != nil {
		t.Fatalf("second revision 2: dup %v, %v", dup, err)
	}
	if dup, err := c.PublishRevision(ctx, "NWA", 3, line("NWA", 3, "a3"), "s"); dup || err != nil {
		t.Fatal(dup, err)
	}
	if l, rev, _, _ := c.LatestRecord(ctx, "NWA"); rev != 3 || !strings.Contains(string(l), `"a3"`) {
		t.Errorf("latest: %s revision %d, want 3", l, rev)
	}
	// The sink's last line is now a revision: it must find where it was from it.
	if st, err := c.Sink(ctx, out, 200*time.Millisecond); err != nil || st.Lines != 2 {
		t.Fatalf("second sink: %d lines, %v", st.Lines, err)
	}
	if dup, err := c.Publish(ctx, "NWB", line("NWB", 1, "b"), "s"); dup || err != nil {
		t.Fatal(dup, err)
	}
	if st, err := c.Sink(ctx, out, 200*time.Millisecond); err != nil || st.Lines != 1 {
		t.Fatalf("third sink: %d lines (%v), want only NWB", st.Lines, err)
	}
	if got := strings.Join(readLines(t, out), ","); got != "NWA,NWA,NWA,NWB" {
		t.Errorf("files hold %s", got)
	}
	if _, err := c.Forget(ctx, "NWA"); err != nil {
		t.Fatal(err)
	}
	if _, _, found, _ := c.LatestRecord(ctx, "NWA"); found {
		t.Error("a forgotten id kept a revision")
	}
}

// countingSyncer is the worker's archive with its syncs counted against the records published.
type countingSyncer struct {
	*archive.Writer
	c     *Cluster
	syncs atomic.Int64
}

func (s *countingSyncer) Sync() error {
	s.syncs.Add(1)
	return s.Writer.Sync()
}

func TestAWorkerWithAnArchivePublishesEachRecordNamingItsArchivedResponse(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv, 2*time.Second)
	site := sitegen.New(12)
	web := httptest.NewServer(site)
	defer web.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	aw, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := crawler.New(crawler.Options{Name: "finews", Seeds: []string{web.URL + "/", web.URL + "/category/emnews.html"}, Parallelism: 4,
		RetryBaseDelay: 50 * time.Millisecond}, zap.NewNop(), nil, crawler.WithArchive(aw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Enqueue(ctx, "finews", cr.Options().Seeds, time.Now()); err != nil {
		t.Fatal(err)
	}
	w := c.NewWorker(map[string]WorkerSource{"finews": {Crawler: cr}}, extract.WithFallback(extract.Default(), nil), 4, zap.NewNop())
	sy := &countingSyncer{Writer: aw, c: c}
	w.Archive, w.ArchiveName = sy, "worker-1"
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	waitEmpty(t, ctx, c)
	stop()
	<-done
	aw.Close()
	if sy.syncs.Load() == 0 {
		t.Fatal("the archive was never synced before a publish")
	}
	n := 0
	for _, id := range site.IDs() {
		m, err := c.records.GetLastMsgForSubject(ctx, c.subject("records", idToken(id)))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		f := strings.Fields(m.Header.Get(HeaderArchived))
		if len(f) != 3 || f[0] != "worker-1" {
			t.Errorf("%s: archived header %q", id, m.Header.Get(HeaderArchived))
			continue
		}
		off, _ := strconv.ParseInt(f[2], 10, 64)
		resp, err := archive.ReadAt(filepath.Join(dir, f[1]), off)
		if err != nil || !strings.Contains(string(resp.Body), strings.TrimPrefix(id, "NW")) {
			t.Errorf("%s: archived response at %s %d: %v", id, f[1], off, err)
		}
		if !strings.Contains(string(m.Data), `"revision":1`) {
			t.Errorf("%s: record without revision 1: %s", id, m.Data)
		}
		n++
	}
	if n != len(site.IDs()) {
		t.Errorf("%d of %d records name their archived response", n, len(site.IDs()))
	}
}

// editableSite serves a sitegen site with ETags, one page's bytes rewritten once edit is set.
type editableSite struct {
	site *sitegen.Site
	path string
	edit atomic.Bool
	c304 atomic.Int64
}

func (e *editableSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	e.site.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if e.edit.Load() && r.URL.Path == e.path {
		body = bytes.ReplaceAll(body, []byte("<title>"), []byte("<title>更正："))
		body = bytes.ReplaceAll(body, []byte("<h1>"), []byte("<h1>更正："))
	}
	tag := fmt.Sprintf(`"%x"`, sha256.Sum256(body))
	if r.Header.Get("If-None-Match") == tag {
		e.c304.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("ETag", tag)
	w.WriteHeader(rec.Code)
	w.Write(body)
}

func TestARecheckOnAClusterPublishesTheChangedArticlesNextRevisionOnce(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv, 2*time.Second)
	site := sitegen.New(6)
	es := &editableSite{site: site}
	web := httptest.NewServer(es)
	defer web.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	policy := crawler.RecheckPolicy{Within: 48 * time.Hour, Every: []time.Duration{30 * time.Minute}}
	cr, err := crawler.New(crawler.Options{Name: "finews", Seeds: []string{web.URL + "/"}, Parallelism: 4, RetryBaseDelay: 50 * time.Millisecond, Recheck: policy},
		zap.NewNop(), nil, crawler.WithValidatorCache(c.Validators()))
	if err != nil {
		t.Fatal(err)
	}
	run := func() *Worker {
		w := c.NewWorker(map[string]WorkerSource{"finews": {Crawler: cr, Conditional: true}}, extract.WithFallback(extract.Default(), nil), 4, zap.NewNop())
		wctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(wctx) }()
		waitEmpty(t, ctx, c)
		stop()
		<-done
		return w
	}
	if _, err := c.Enqueue(ctx, "finews", cr.Options().Seeds, time.Now()); err != nil {
		t.Fatal(err)
	}
	first := run()
	ids := site.IDs()
	if first.Stats.New.Load() != int64(len(ids)) {
		t.Fatalf("first crawl: %d records, want %d", first.Stats.New.Load(), len(ids))
	}
	if n, err := c.EnqueueRechecks(ctx, "finews", policy, time.Now(), 0, 0); err != nil || n != 0 {
		t.Fatalf("rechecks before they are due: %d, %v", n, err)
	}
	// The site corrects the headline of one stored article (at the URL its record names).
	changedID := ids[2]
	stored, _, _, _ := c.LatestRecord(ctx, changedID)
	var sr struct {
		URL string `json:"url"`
	}
	json.Unmarshal(stored, &sr)
	su, _ := url.Parse(sr.URL)
	es.path = su.Path
	es.edit.Store(true)
	later := time.Now().Add(31 * time.Minute)
	n, err := c.EnqueueRechecks(ctx, "finews", policy, later, 0, 0)
	if err != nil || n != len(ids) {
		t.Fatalf("due rechecks queued: %d, %v; want %d", n, err, len(ids))
	}
	second := run()
	if second.Stats.Revisions.Load() != 1 || es.c304.Load() < int64(len(ids)-1) {
		t.Errorf("recheck: %d revisions, %d unchanged, %d answered 304", second.Stats.Revisions.Load(), second.Stats.Unchanged.Load(), es.c304.Load())
	}
	line, rev, _, err := c.LatestRecord(ctx, changedID)
	if err != nil || rev != 2 || !strings.Contains(string(line), `"changed":["title"]`) || !strings.Contains(string(line), `"revision":2`) {
		t.Errorf("latest of %s: revision %d %s, %v", changedID, rev, line, err)
	}
	for _, id := range ids {
		if id == changedID {
			continue
		}
		if _, rev, _, _ := c.LatestRecord(ctx, id); rev != 1 {
			t.Errorf("%s unchanged but at revision %d", id, rev)
		}
	}
	// The recheck of that same change by a second worker is refused by the server.
	dup, err := c.PublishRevision(ctx, changedID, 2, line, "finews")
	if err != nil || !dup {
		t.Errorf("a second revision 2: dup %v, %v", dup, err)
	}
}

func TestRechecksAreChargedToTheirHostsPageBudgetOfTheTick(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv, 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	policy := crawler.RecheckPolicy{Within: 48 * time.Hour, Every: []time.Duration{30 * time.Minute, 2 * time.Hour}}
	since := time.Now().Truncate(time.Minute)
	for i := range 5 {
		id := fmt.Sprintf("NW2021120815000000000%d", i)
		if err := c.scheduleRecheck(ctx, id, fmt.Sprintf("http://news.example/a/%d.html", i), "finews", since, 30*time.Minute, crawler.Validators{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.scheduleRecheck(ctx, "NW202112081500000000099", "http://other.example/a.html", "finews", since, 30*time.Minute, crawler.Validators{}); err != nil {
		t.Fatal(err)
	}
	due := since.Add(31 * time.Minute)
	tick := Tick("finews", due)
	// The tick's seed on news.example takes one of its three pages.
	if _, err := c.Enqueue(ctx, "finews", []string{"http://news.example/"}, due); err != nil {
		t.Fatal(err)
	}
	n, err := c.EnqueueRechecks(ctx, "finews", policy, due, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || c.HostPages(ctx, tick, "news.example") != 3 || c.HostPages(ctx, tick, "other.example") != 1 {
		t.Errorf("%d rechecks queued, news.example at %d pages, other.example at %d; want 3 (two of news.example beside its seed, one of other.example), 3, 1",
			n, c.HostPages(ctx, tick, "news.example"), c.HostPages(ctx, tick, "other.example"))
	}
	// The same tick again: news.example's budget is spent, the rest wait.
	if n, err := c.EnqueueRechecks(ctx, "finews", policy, due, 100, 3); err != nil || n != 0 {
		t.Errorf("the same tick queued %d more rechecks (%v), want none", n, err)
	}
	// The rechecks left out are still due, and the next tick takes them.
	next := due.Add(time.Minute)
	if n, err := c.EnqueueRechecks(ctx, "finews", policy, next, 100, 3); err != nil || n != 3 {
		t.Errorf("the next tick queued %d rechecks (%v), want the 3 left out", n, err)
	}
}
