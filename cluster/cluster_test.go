package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/testkit/natstest"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

func connect(t *testing.T, srv *natstest.Server, lease time.Duration) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Connect(ctx, Options{URLs: []string{srv.URL()}, Prefix: "t", Lease: lease, MaxDeliver: 5}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestASecondRecordForAnIdIsRefusedByTheServerAndTheFirstStays(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	ctx := context.Background()
	dup, err := c.Publish(ctx, "NW202201210922000000", []byte(`{"id":"NW202201210922000000","title":"first"}`), "finews")
	if err != nil || dup {
		t.Fatalf("first publish: dup %v, err %v", dup, err)
	}
	// The twin route (another page, same id) and a redelivered URL publish the same way.
	dup, err = c.Publish(ctx, "NW202201210922000000", []byte(`{"id":"NW202201210922000000","title":"twin"}`), "finews")
	if err != nil || !dup {
		t.Fatalf("twin publish: dup %v, err %v; want refused", dup, err)
	}
	// A publisher that bypasses the message id and the expectation is refused by the limit.
	_, err = c.js.Publish(ctx, c.subject("records", "NW202201210922000000"), []byte(`{"title":"raw"}`))
	if err == nil {
		t.Fatal("a raw second message on the id's subject was accepted")
	}
	m, err := c.records.GetLastMsgForSubject(ctx, c.subject("records", "NW202201210922000000"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m.Data), "first") {
		t.Errorf("stored record is %s, want the first", m.Data)
	}
	if m.Header.Get(HeaderSource) != "finews" {
		t.Errorf("source header %q", m.Header.Get(HeaderSource))
	}
}

func TestAURLIsQueuedOnceHoweverOftenItIsFoundAndTwoEnqueuesInAMinuteAreOneTick(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n, err := c.Enqueue(ctx, "finews", []string{"http://127.0.0.1:1/", "http://127.0.0.1:1/feed.xml"}, now)
	if err != nil || n != 2 {
		t.Fatalf("first enqueue: %d, %v", n, err)
	}
	n, err = c.Enqueue(ctx, "finews", []string{"http://127.0.0.1:1/", "http://127.0.0.1:1/feed.xml"}, now.Add(40*time.Second))
	if err != nil || n != 0 {
		t.Fatalf("second enqueue in the same minute queued %d (err %v), want 0", n, err)
	}
	// A later tick finds the seed still waiting: one message per URL.
	n, err = c.Enqueue(ctx, "finews", []string{"http://127.0.0.1:1/"}, now.Add(time.Hour))
	if err != nil || n != 0 {
		t.Fatalf("a waiting URL was queued again: %d, %v", n, err)
	}
	links := []Task{{Source: "finews", URL: "http://127.0.0.1:1/a.html", Depth: 2, Tick: "x"}, {Source: "finews", URL: "http://127.0.0.1:1/a.html", Depth: 2, Tick: "y"}}
	if n, err = c.Queue(ctx, links); err != nil || n != 1 {
		t.Fatalf("a link found twice was queued %d times (err %v)", n, err)
	}
	if d, _ := c.FrontierDepth(ctx); d != 3 {
		t.Errorf("frontier depth %d, want 3", d)
	}
}

// siteCrawler is the finews source over a generated site on loopback.
func siteCrawler(t *testing.T, base string, parallelism int, delay time.Duration) *crawler.Crawler {
	t.Helper()
	c, err := crawler.New(crawler.Options{Name: "finews", Seeds: []string{base + "/", base + "/category/emnews.html"},
		Parallelism: parallelism, Delay: delay, RetryBaseDelay: 50 * time.Millisecond}, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readLines(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var ids []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var r struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.ID == "" {
				t.Fatalf("%s: bad line %.100q", f, sc.Text())
			}
			ids = append(ids, r.ID)
		}
		fh.Close()
	}
	sort.Strings(ids)
	return ids
}

func TestAWorkerCrawlsTheSiteIntoTheStreamAndTheSinkWritesEveryIdOnce(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv, 2*time.Second)
	site := sitegen.New(40)
	web := httptest.NewServer(site)
	defer web.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cr := siteCrawler(t, web.URL, 4, 0)
	if _, err := c.Enqueue(ctx, "finews", cr.Options().Seeds, time.Now()); err != nil {
		t.Fatal(err)
	}
	w := c.NewWorker(map[string]WorkerSource{"finews": {Crawler: cr, Conditional: true}}, extract.WithFallback(extract.Default(), nil), 4, zap.NewNop())
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	waitEmpty(t, ctx, c)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := site.IDs()
	if got := w.Stats.New.Load(); got != int64(len(want)) {
		t.Errorf("%d new records, want %d", got, len(want))
	}
	if w.Stats.Duplicates.Load() == 0 {
		t.Errorf("the site's twins were not refused as duplicates")
	}
	out := t.TempDir()
	if _, err := c.Sink(ctx, out, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := readLines(t, out); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sink wrote %d lines, want the %d ids once each", len(got), len(want))
	}
	// A second sink over the same folder resumes after the last line: nothing twice.
	st, err := c.Sink(ctx, out, 300*time.Millisecond)
	if err != nil || st.Lines != 0 {
		t.Fatalf("second sink wrote %d lines (err %v)", st.Lines, err)
	}
}

// waitEmpty waits until the frontier holds nothing, leased or waiting.
func waitEmpty(t *testing.T, ctx context.Context, c *Cluster) {
	t.Helper()
	for {
		d, err := c.FrontierDepth(ctx)
		if err == nil && d == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("frontier still holds %d URLs", d)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// drainWith runs one worker of source name over cr until the frontier is empty, then stops it.
func drainWith(t *testing.T, ctx context.Context, c *Cluster, name string, cr *crawler.Crawler, concurrency int) *Worker {
	t.Helper()
	w := c.NewWorker(map[string]WorkerSource{name: {Crawler: cr}}, extract.WithFallback(extract.Default(), nil), concurrency, zap.NewNop())
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	waitEmpty(t, ctx, c)
	stop()
	<-done
	return w
}

func TestARedeliveredURLPublishesNothingTwice(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv, time.Second)
	site := sitegen.New(3)
	web := httptest.NewServer(site)
	defer web.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cr := siteCrawler(t, web.URL, 1, 0)
	article := web.URL + site.Posts[1].Path
	if _, err := c.Queue(ctx, []Task{{Source: "finews", URL: article, Depth: 6, Tick: "t1", Seed: true}}); err != nil {
		t.Fatal(err)
	}
	cons, err := c.consumer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := c.NewWorker(map[string]WorkerSource{"finews": {Crawler: cr}}, extract.WithFallback(extract.Default(), nil), 1, zap.NewNop())
	// The first worker takes the URL and dies before acking (nothing is done with it); the
	// lease runs out and the URL comes again, to a worker that does the whole job...
	if _, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if md, _ := msg.Metadata(); md.NumDelivered != 2 {
		t.Fatalf("delivery %d, want the redelivery", md.NumDelivered)
	}
	w.handle(ctx, msg)
	if w.Stats.New.Load() != 1 {
		t.Fatalf("new %d, want 1", w.Stats.New.Load())
	}
	// ...and a worker that handled it but whose ack was lost: the third delivery publishes a
	// record the server refuses. (A seed is fetched even when stored.)
	waitEmpty(t, ctx, c) // the ack is not waited for by the worker
	if _, err := c.Queue(ctx, []Task{{Source: "finews", URL: article, Depth: 6, Tick: "t2", Seed: true}}); err != nil {
		t.Fatal(err)
	}
	msg, err = cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	w.handle(ctx, msg)
	if w.Stats.Duplicates.Load() != 1 || w.Stats.New.Load() != 1 {
		t.Fatalf("redelivered URL: new %d, duplicates %d; want the server to refuse the record", w.Stats.New.Load(), w.Stats.Duplicates.Load())
	}
	info, _ := c.records.Info(ctx)
	if info.State.Msgs != 1 {
		t.Errorf("record stream holds %d messages, want 1", info.State.Msgs)
	}
}

func TestAURLThatKeepsFailingIsGivenUpAfterMaxDeliverAndItsListingIsReadWholeAgain(t *testing.T) {
	srv := natstest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Connect(ctx, Options{URLs: []string{srv.URL()}, Prefix: "t", Lease: time.Second, MaxDeliver: 2}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var hits atomic.Int64
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer web.Close()
	cr, err := crawler.New(crawler.Options{Name: "finews", Seeds: []string{web.URL + "/"}, MaxRetries: new(int), RetryBaseDelay: time.Millisecond}, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	listing := web.URL + "/category/emnews.html"
	if err := c.Validators().SetValidators(ctx, listing, crawler.Validators{ETag: `"v1"`}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Queue(ctx, []Task{{Source: "finews", URL: web.URL + "/a.html", Depth: 2, Tick: "t", Parent: listing}}); err != nil {
		t.Fatal(err)
	}
	w := drainWith(t, ctx, c, "finews", cr, 1)
	if w.Stats.GaveUp.Load() != 1 || w.Stats.Retries.Load() != 1 || hits.Load() != 2 {
		t.Errorf("gave up %d, retried %d, fetched %d times; want 1 retry then give up after 2 attempts", w.Stats.GaveUp.Load(), w.Stats.Retries.Load(), hits.Load())
	}
	if _, ok := c.Validators().Validators(ctx, listing); ok {
		t.Errorf("the listing that linked to the given-up URL keeps its validators: it would answer 304 and the URL never come again")
	}
}

func TestAStoppedWorkerFinishesTheURLsItHoldsInsteadOfLeavingThemLeased(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv, time.Minute) // a URL left leased would stay so for a minute
	site := sitegen.New(30)
	var mu sync.Mutex
	var served []string // article pages answered
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		site.ServeHTTP(w, r)
		if strings.HasSuffix(r.URL.Path, ".html") && !strings.HasPrefix(r.URL.Path, "/category/") {
			mu.Lock()
			served = append(served, r.URL.Path)
			mu.Unlock()
		}
	}))
	defer web.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cr := siteCrawler(t, web.URL, 4, 0)
	if _, err := c.Enqueue(ctx, "finews", cr.Options().Seeds, time.Now()); err != nil {
		t.Fatal(err)
	}
	w := c.NewWorker(map[string]WorkerSource{"finews": {Crawler: cr}}, extract.WithFallback(extract.Default(), nil), 4, zap.NewNop())
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	for deadline := time.Now().Add(20 * time.Second); w.Stats.New.Load() < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			stop()
			<-done
			t.Fatalf("the worker wrote %d new records in 20s, want 3 before stopping it", w.Stats.New.Load())
		}
	}
	stop()
	<-done
	// Acks are sent, not waited for: the server's count of leased URLs follows a moment later.
	st, err := c.Stats(ctx)
	for deadline := time.Now().Add(5 * time.Second); err == nil && st.Leased != 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		st, err = c.Stats(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	if st.Leased != 0 {
		t.Errorf("%d URLs still leased after the worker stopped", st.Leased)
	}
	if st.Frontier == 0 {
		t.Errorf("the crawl ran to the end instead of stopping")
	}
	if int64(st.Records) != w.Stats.New.Load() {
		t.Errorf("stream holds %d records, the worker published %d", st.Records, w.Stats.New.Load())
	}
	// Every article the site answered, the ones in hand at the stop included, was published:
	// none was cut short and acknowledged.
	mu.Lock()
	defer mu.Unlock()
	for _, p := range served {
		if _, known := c.KnownURL(ctx, web.URL+p); !known {
			t.Errorf("%s was fetched but its record never published", p)
		}
	}
	t.Logf("%d articles fetched before and during the stop, %d URLs left for later", len(served), st.Frontier)
}

func TestTheSinkCutsATornLastLineAndResumesAfterTheLastWholeOneEvenIfItWasForgotten(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ids := []string{"NW1", "NW2", "NW3", "NW4"}
	for _, id := range ids[:3] {
		if _, err := c.Publish(ctx, id, []byte(`{"id":"`+id+`","url":"http://h/`+id+`"}`), "s"); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	if st, err := c.Sink(ctx, out, 200*time.Millisecond); err != nil || st.Lines != 3 {
		t.Fatalf("first sink: %d lines, %v", st.Lines, err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	// A kill mid-write left half a line; and the last whole line's id was forgotten since.
	fh, _ := os.OpenFile(files[0], os.O_APPEND|os.O_WRONLY, 0)
	fh.WriteString(`{"id":"NW4","ur`)
	fh.Close()
	if _, err := c.Forget(ctx, "NW3"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, "NW4", []byte(`{"id":"NW4","url":"http://h/NW4"}`), "s"); err != nil {
		t.Fatal(err)
	}
	st, err := c.Sink(ctx, out, 200*time.Millisecond)
	// NW3 is no longer in the stream: NW2's line says where to go on, and NW3's purged
	// sequence is skipped over.
	if err != nil || st.Lines != 1 || st.Resumed != 3 {
		t.Fatalf("second sink: %d lines from sequence %d (%v); want NW4 alone, from after NW2", st.Lines, st.Resumed, err)
	}
	if got := strings.Join(readLines(t, out), ","); got != "NW1,NW2,NW3,NW4" {
		t.Errorf("files hold %s", got)
	}
}

func TestATicksPageBudgetStopsQueueingLinksAndTheNextTickGoesOn(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv, 2*time.Second)
	site := sitegen.New(60)
	web := httptest.NewServer(site)
	defer web.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cr, err := crawler.New(crawler.Options{Name: "finews", Seeds: []string{web.URL + "/category/emnews.html"}, MaxPages: 10}, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tick := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := c.Enqueue(ctx, "finews", cr.Options().Seeds, tick); err != nil {
		t.Fatal(err)
	}
	w := c.NewWorker(map[string]WorkerSource{"finews": {Crawler: cr}}, extract.WithFallback(extract.Default(), nil), 2, zap.NewNop())
	run := func() {
		wctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(wctx) }()
		waitEmpty(t, ctx, c)
		stop()
		<-done
	}
	run()
	// The category page links to every post: one page's links overshoot the budget of 10, but
	// the posts' own links are not queued any more.
	first := w.Stats.Fetched.Load()
	if first >= int64(len(site.Posts)) || c.TickPages(ctx, Tick("finews", tick)) < 10 {
		t.Fatalf("fetched %d of %d posts with max_pages 10 (tick count %d)", first, len(site.Posts), c.TickPages(ctx, Tick("finews", tick)))
	}
	if _, err := c.Enqueue(ctx, "finews", cr.Options().Seeds, tick.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	run()
	if w.Stats.Fetched.Load() == first {
		t.Errorf("the next tick fetched nothing")
	}
}

func TestAServerBusyPageSentAs200GoesBackToTheFrontierAndItsArticleIsPublishedOnTheNextAttempt(t *testing.T) {
	busy, err := os.ReadFile("../testdata/generic/busy-200.html")
	if err != nil {
		t.Fatal(err)
	}
	c := connect(t, natstest.Start(t), time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var hits atomic.Int64
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if hits.Add(1) == 1 {
			w.Write(busy)
			return
		}
		w.Write([]byte(`<html><head><meta charset="utf-8"><title>沿江港口吞吐量再创新高</title>
<meta property="article:published_time" content="2024-03-02T09:30:00+08:00"></head><body><article><h1>沿江港口吞吐量再创新高</h1>
<p>记者从港口管理部门获悉，沿江主要港口本季度集装箱吞吐量同比增长一成以上，其中外贸航线增幅最为明显。</p></article></body></html>`))
	}))
	defer web.Close()
	cr, err := crawler.New(crawler.Options{Name: "news", Seeds: []string{web.URL + "/"}, MaxRetries: new(int), RetryBaseDelay: time.Millisecond}, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Queue(ctx, []Task{{Source: "news", URL: web.URL + "/news/2024/03/02/port.html", Depth: 2, Tick: "t", Parent: web.URL + "/news/"}}); err != nil {
		t.Fatal(err)
	}
	w := drainWith(t, ctx, c, "news", cr, 1)
	if w.Stats.Retries.Load() != 1 || w.Stats.New.Load() != 1 || hits.Load() != 2 {
		t.Errorf("retried %d, published %d, fetched %d times; want the busy page retried once and the article then published", w.Stats.Retries.Load(), w.Stats.New.Load(), hits.Load())
	}
}

func TestA404ACutPageOrAnArticleURLWithoutRecordDropsTheValidatorsOfTheListingThatLinkedToIt(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt", "/a/gone.html":
			http.NotFound(w, r)
		case "/a/empty.html":
			w.Header().Set("Content-Type", "text/html")
		case "/a/big.png":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
		case "/a/untitled.html":
			// Half rendered: the article's text came, its headline did not.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html><head><meta property="article:published_time" content="2024-03-02T09:30:00+08:00"></head><body><p>记者从港口管理部门获悉，沿江主要港口本季度集装箱吞吐量同比增长一成以上，其中外贸航线增幅最为明显。</p><p>业内人士表示，航线加密和通关效率提升是吞吐量增长的主要原因。</p></body></html>`))
		case "/a/202403021234567890.html":
			// An article URL by its info code whose article did not come: a navigation bar only.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html><body><nav><a href="/">首页</a> <a href="/list">要闻</a></nav><p>加载中</p></body></html>`))
		case "/a/shell.html":
			// Neither article nor listing: no record and no link to follow.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html><body><p>加载中</p></body></html>`))
		}
	}))
	defer web.Close()
	cr, err := crawler.New(crawler.Options{Name: "news", Seeds: []string{web.URL + "/"}, MaxRetries: new(int), RetryBaseDelay: time.Millisecond}, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]bool{"/a/gone.html": true, "/a/empty.html": true, "/a/untitled.html": true, "/a/big.png": false,
		"/a/202403021234567890.html": true, "/a/shell.html": true}
	var tasks []Task
	for path := range cases {
		parent := web.URL + "/list" + strings.TrimSuffix(strings.TrimPrefix(path, "/a/"), ".html")
		if err := c.Validators().SetValidators(ctx, parent, crawler.Validators{ETag: `"v1"`}); err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, Task{Source: "news", URL: web.URL + path, Depth: 2, Tick: "t", Parent: parent})
	}
	if _, err := c.Queue(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	drainWith(t, ctx, c, "news", cr, 2)
	for path, dropped := range cases {
		parent := web.URL + "/list" + strings.TrimSuffix(strings.TrimPrefix(path, "/a/"), ".html")
		if _, kept := c.Validators().Validators(ctx, parent); kept == dropped {
			t.Errorf("%s failed; the listing that linked to it kept its validators: %v, want %v", path, kept, !dropped)
		}
	}
}
