package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/testkit/natstest"
)

// trapSite is one host whose listing links to 30 pages and to 30 sort orders of one path, and
// whose pages link to each other: a crawl trap without bounds.
type trapSite struct {
	mu   sync.Mutex
	hits map[string]int // path and query -> requests
}

func (s *trapSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.RequestURI()]++
	s.mu.Unlock()
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	b.WriteString("<html><head><title>trap</title></head><body>")
	for i := range 30 {
		fmt.Fprintf(&b, `<a href="/p/%d.html">page %d</a> <a href="/s?sort=%d">sort %d</a> `, i, i, i, i)
	}
	b.WriteString("</body></html>")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

func (s *trapSite) count(pred func(uri string) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for uri, k := range s.hits {
		if pred(uri) {
			n += k
		}
	}
	return n
}

func TestTwoWorkersTogetherFetchNoMoreOfAHostThanMaxPagesPerHostNorMoreQueryVariantsThanMaxQueryVariants(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv, 2*time.Second)
	site := &trapSite{hits: map[string]int{}}
	web := httptest.NewServer(site)
	defer web.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cr, err := crawler.New(crawler.Options{Name: "trap", Seeds: []string{web.URL + "/list.html"},
		MaxPages: 1000, MaxPagesPerHost: 12, MaxQueryVariants: 3, Parallelism: 4}, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tick := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := c.Enqueue(ctx, "trap", cr.Options().Seeds, tick); err != nil {
		t.Fatal(err)
	}
	var workers []*Worker
	var wg sync.WaitGroup
	wctx, stop := context.WithCancel(ctx)
	for range 2 {
		w := c.NewWorker(map[string]WorkerSource{"trap": {Crawler: cr}}, extract.WithFallback(extract.Default(), nil), 3, zap.NewNop())
		workers = append(workers, w)
		wg.Add(1)
		go func() { defer wg.Done(); _ = w.Run(wctx) }()
	}
	waitEmpty(t, ctx, c)
	stop()
	wg.Wait()
	pages := site.count(func(uri string) bool { return uri != "/robots.txt" })
	variants := site.count(func(uri string) bool { return strings.HasPrefix(uri, "/s?") })
	if pages > 12 || pages < 10 {
		t.Errorf("the host got %d page requests over both workers, want at most max_pages_per_host 12 (and the budget used)", pages)
	}
	if variants > 3 {
		t.Errorf("%d query variants of /s fetched, want at most max_query_variants 3", variants)
	}
	if got := c.HostPages(ctx, Tick("trap", tick), "127.0.0.1"); got != pages {
		t.Errorf("the tick's count for the host is %d, the host saw %d requests", got, pages)
	}
	if workers[0].Stats.Fetched.Load() == 0 || workers[1].Stats.Fetched.Load() == 0 {
		t.Logf("one worker fetched nothing (%d, %d): the bound was held by one", workers[0].Stats.Fetched.Load(), workers[1].Stats.Fetched.Load())
	}
}

func TestAHostsPauseAndATicksBudgetsOutliveAServerRestart(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv, 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	g := c.Gate(1, 0, time.Second, time.Second)
	g.Pause(ctx, "example.org", time.Hour) // a 429 with Retry-After: 3600
	tick := Tick("s", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c.addTickPages(ctx, tick, 7)
	if _, err := c.addHostPages(ctx, tick, "example.org", 5, 0); err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	// The connection comes back by itself; ask until it has.
	var until time.Time
	for ctx.Err() == nil {
		if until = g.pausedUntil(ctx, "example.org"); !until.IsZero() {
			break
		}
		if c.nc.IsConnected() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if until = g.pausedUntil(ctx, "example.org"); time.Until(until) < 50*time.Minute {
		t.Fatalf("after the restart the host is paused until %v, want about an hour from now", until)
	}
	_, err := g.Acquire(ctx, "example.org", 0)
	var pe *PauseError
	if !errors.As(err, &pe) {
		t.Errorf("a worker after the restart got %v, want the pause", err)
	}
	if got := c.TickPages(ctx, tick); got != 7 {
		t.Errorf("the tick's page count after the restart is %d, want 7", got)
	}
	if got := c.HostPages(ctx, tick, "example.org"); got != 5 {
		t.Errorf("the host's page count after the restart is %d, want 5", got)
	}
}

func TestAForgottenIdIsAcceptedAgainAtOnceAndItsTwinStillRefused(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	ctx := context.Background()
	const id = "NW202201210922000001"
	if dup, err := c.Publish(ctx, id, []byte(`{"id":"`+id+`","title":"first"}`), "finews"); err != nil || dup {
		t.Fatalf("first publish: dup %v, err %v", dup, err)
	}
	if gone, err := c.Forget(ctx, id); err != nil || len(gone) != 1 {
		t.Fatalf("forget: %v %v", gone, err)
	}
	// Re-emitting after an extractor fix: the crawl right after forget publishes the id again.
	dup, err := c.Publish(ctx, id, []byte(`{"id":"`+id+`","title":"fixed"}`), "finews")
	if err != nil || dup {
		t.Fatalf("publish after forget: dup %v, err %v; want accepted at once", dup, err)
	}
	if dup, err := c.Publish(ctx, id, []byte(`{"id":"`+id+`","title":"twin"}`), "finews"); err != nil || !dup {
		t.Fatalf("twin after the re-emit: dup %v, err %v; want refused", dup, err)
	}
	m, err := c.records.GetLastMsgForSubject(ctx, c.subject("records", id))
	if err != nil || !strings.Contains(string(m.Data), "fixed") {
		t.Fatalf("stored %s (%v), want the re-emitted record", m.Data, err)
	}
}

func TestASinkWhoseLastLineWasForgottenAndReEmittedResumesAfterTheOldLineNotTheNew(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pub := func(id, title string) {
		t.Helper()
		if dup, err := c.Publish(ctx, id, []byte(`{"id":"`+id+`","title":"`+title+`"}`), "s"); err != nil || dup {
			t.Fatalf("publish %s: dup %v err %v", id, dup, err)
		}
	}
	pub("NWY", "y")
	pub("NWX", "x")
	out := t.TempDir()
	if st, err := c.Sink(ctx, out, 200*time.Millisecond); err != nil || st.Lines != 2 {
		t.Fatalf("first sink: %d lines, %v", st.Lines, err)
	}
	if _, err := c.Forget(ctx, "NWX"); err != nil {
		t.Fatal(err)
	}
	pub("NWZ", "z")
	pub("NWX", "x fixed") // the extractor fix re-emits it, after Z
	st, err := c.Sink(ctx, out, 200*time.Millisecond)
	if err != nil || st.Lines != 2 {
		t.Fatalf("second sink wrote %d lines (%v), want Z and the re-emitted X", st.Lines, err)
	}
	if got := strings.Join(readLines(t, out), ","); got != "NWX,NWX,NWY,NWZ" {
		t.Errorf("files hold %s", got)
	}
}

func TestASinksLagCountsTheRecordsAfterItsLastLine(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, id := range []string{"NW1", "NW2", "NW3"} {
		if _, err := c.Publish(ctx, id, []byte(`{"id":"`+id+`"}`), "s"); err != nil {
			t.Fatal(err)
		}
	}
	var p SinkProgress
	if lag, err := c.Lag(ctx, &p); err != nil || lag != 3 {
		t.Fatalf("lag before any sink %d (%v), want 3", lag, err)
	}
	if _, err := c.SinkWithProgress(ctx, t.TempDir(), 200*time.Millisecond, &p); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, "NW4", []byte(`{"id":"NW4"}`), "s"); err != nil {
		t.Fatal(err)
	}
	// The server counts a consumer's pending messages as the stream tells it of new ones, a
	// moment after the publish is acknowledged: the metric converges, it is not read at once.
	lag, err := c.Lag(ctx, &p)
	for deadline := time.Now().Add(5 * time.Second); err == nil && lag != 1 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		lag, err = c.Lag(ctx, &p)
	}
	if err != nil || lag != 1 || p.Lines.Load() != 3 || p.LastSeq.Load() != 3 {
		t.Fatalf("after the sink: lag %d (%v), lines %d, last %d; want 1, 3, 3", lag, err, p.Lines.Load(), p.LastSeq.Load())
	}
}
