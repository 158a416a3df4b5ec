package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/syndication"
)

// WorkerStats count what a worker did since it started. Fields change atomically.
type WorkerStats struct {
	Fetched    atomic.Int64 // URLs fetched (any outcome)
	New        atomic.Int64 // records the server accepted
	Duplicates atomic.Int64 // records the server refused: their id was already in the stream
	Skipped    atomic.Int64 // stored article URLs not fetched
	Errors     atomic.Int64 // fetches failed for good, pages without a whole record
	Retries    atomic.Int64 // URLs given back to the frontier for a later attempt
	GaveUp     atomic.Int64 // URLs given up after max_deliver attempts
	Leases     atomic.Int64 // URLs held right now
	InFlight   atomic.Int64 // requests in flight right now
	Revisions  atomic.Int64 // revisions published for rechecked articles that changed
	Unchanged  atomic.Int64 // rechecked articles that had not changed
	Joined     atomic.Int64 // new records that joined an earlier record's story
}

// WorkerSource is one configured source as a worker runs it.
type WorkerSource struct {
	Crawler *crawler.Crawler
	// Conditional sends If-None-Match / If-Modified-Since and keeps listings' validators.
	Conditional bool
}

// Worker takes URLs from the frontier, fetches and extracts them, publishes their records and
// links, and only then acknowledges them.
type Worker struct {
	c           *Cluster
	reg         *extract.Registry
	log         *zap.Logger
	concurrency int
	sources     map[string]*workerSource
	Stats       *WorkerStats
	// OnRecord, when set, is called for every record published (duplicate or not), with the
	// source's name; the metrics read it.
	OnRecord func(source string, duplicate bool)
	// OnError, when set, is called for every URL failed for good ("fetch") and every page that
	// gave no whole record ("extract").
	OnError func(source, kind string)
	// Stories, when set, judges copies for the shared near-duplicate index (its window and
	// threshold): records get a cluster_id. The Cluster must be connected with a StoryWindow.
	Stories *syndication.Index
	// OnJoined, when set, is called for every new record that joined an earlier one's story.
	OnJoined func(source string)

	spentTicks sync.Map // ticks whose page budget was logged as spent

	// Archive, when set, is synced before the records of the pages it archived are published;
	// ArchiveName (the worker's host and folder) goes with each record (HeaderArchived).
	Archive     interface{ Sync() error }
	ArchiveName string
	// OnRevision, when set, is called for every revision published, with the source's name.
	OnRevision func(source string)
}

// pageRecord is a record with where its page's response is archived (nil: not archived).
type pageRecord struct {
	rec      *article.Record
	archived *article.Archived
	// The page's validators and fetch time, for its recheck.
	etag     string
	modified time.Time
	fetched  time.Time
}

// archivedHeader names a record's archived response for its message: this worker's archive
// name, the file and the offset (a cluster keeps no index; each worker keeps its own files).
func (w *Worker) archivedHeader(a *article.Archived) string {
	if a == nil || w.ArchiveName == "" {
		return ""
	}
	return fmt.Sprintf("%s %s %d", w.ArchiveName, a.File, a.Offset)
}

type workerSource struct {
	name        string
	c           *crawler.Crawler
	fetcher     *crawler.Fetcher
	conditional bool
	maxDepth    int
	maxPages    int
	maxPerHost  int // max_pages_per_host, over every worker in a tick
	maxVariants int // max_query_variants per path, over every worker in a tick
	recheck     crawler.RecheckPolicy
}

// NewWorker builds a worker over sources (by name); concurrency URLs are fetched at once.
func (c *Cluster) NewWorker(sources map[string]WorkerSource, reg *extract.Registry, concurrency int, log *zap.Logger) *Worker {
	if log == nil {
		log = zap.NewNop()
	}
	w := &Worker{c: c, reg: reg, log: log, concurrency: max(concurrency, 1), sources: map[string]*workerSource{}, Stats: &WorkerStats{}}
	for name, s := range sources {
		o := s.Crawler.Options()
		g := c.Gate(o.Parallelism, o.Delay, o.Timeout, o.RetryMaxDelay)
		g.inFlight = func(d int) { w.Stats.InFlight.Add(int64(d)) }
		perHost := o.MaxPagesPerHost
		if perHost >= o.MaxPages {
			perHost = 0 // the tick's max_pages bounds the host already (and costs no write per link)
		}
		w.sources[name] = &workerSource{name: name, c: s.Crawler, fetcher: s.Crawler.NewFetcher(g, robotsCache{c}), conditional: s.Conditional, maxDepth: o.MaxDepth, maxPages: o.MaxPages, maxPerHost: perHost, maxVariants: o.MaxQueryVariants, recheck: o.Recheck}
	}
	return w
}

// nextWait bounds one pull: how soon a stopping worker notices.
const nextWait = time.Second

// Run works until ctx is cancelled, then finishes the URLs it holds (their records and links are
// published and the URLs acknowledged) and returns. Server outages are waited out.
func (w *Worker) Run(ctx context.Context) error {
	var cons jetstream.Consumer
	for {
		var err error
		if cons, err = w.c.consumer(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		w.log.Warn("frontier consumer not ready; retrying", zap.Error(err))
		if crawler.Sleep(ctx, time.Second) != nil {
			return nil
		}
	}
	var wg sync.WaitGroup
	for range w.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx, cons)
		}()
	}
	wg.Wait()
	return nil
}

func (w *Worker) loop(ctx context.Context, cons jetstream.Consumer) {
	// A URL taken is finished even when the worker is asked to stop: the lease is drained, not
	// dropped. The process's second signal is the way to stop at once.
	wctx := context.WithoutCancel(ctx)
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		msg, err := cons.Next(jetstream.FetchMaxWait(nextWait))
		if err != nil {
			if !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoHeartbeat) {
				w.log.Debug("frontier pull failed", zap.Error(err))
				if crawler.Sleep(ctx, backoff) != nil {
					return
				}
				backoff = min(backoff*2, 2*time.Second)
			}
			continue
		}
		backoff = 50 * time.Millisecond
		w.Stats.Leases.Add(1)
		w.handle(wctx, msg)
		w.Stats.Leases.Add(-1)
	}
}

// lease is one frontier message being worked: the task it carries, its source, its log and
// which delivery this is.
type lease struct {
	msg     jetstream.Msg
	t       Task
	src     *workerSource
	log     *zap.Logger
	attempt uint64
}

// handle works one frontier message. The order makes a kill at any point harmless: records are
// published (create-only) and links queued (once per URL and tick) before the ack; a URL
// redelivered after a kill publishes nothing twice.
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	l, ok := w.lease(ctx, msg)
	if !ok {
		return
	}
	if !l.t.Seed && l.t.Recheck == "" && l.src.c.IsArticleURL(l.t.URL) {
		if _, known := w.c.KnownURL(ctx, l.t.URL); known {
			w.Stats.Skipped.Add(1)
			w.ack(ctx, msg, l.log)
			return
		}
	}
	stop := heartbeat(msg, w.c.opts.Lease/3)
	defer stop()
	res, recs, err := w.fetch(ctx, l)
	if err != nil {
		stop()
		w.fetchFailed(ctx, l, err)
		return
	}
	if res.Failure != "" || res.ItemsFailed > 0 {
		// The page (or a feed's item) gave no whole record: it may read whole next tick, which
		// must find it.
		for range max(res.ItemsFailed, 1) {
			w.Stats.Errors.Add(1)
			w.countError(l.t.Source, "extract")
		}
		l.log.Warn("skip page", zap.String("reason", res.Failure), zap.Int("items_failed", res.ItemsFailed))
		w.forgetParent(ctx, l.t, l.log)
	}
	if l.t.Recheck != "" {
		if w.revise(ctx, l, recs) {
			w.ack(ctx, msg, l.log)
		}
		return
	}
	if !w.publish(ctx, l, res, recs) || !w.queueLinks(ctx, l, res) {
		return // given back to the frontier (retryLater)
	}
	if l.src.conditional && res.Listing && res.Validators != (crawler.Validators{}) {
		// The links are queued durably before the listing may answer 304 next time; a link
		// given up later drops these validators again (giveUp).
		if err := w.c.Validators().SetValidators(ctx, res.URL, res.Validators); err != nil {
			l.log.Warn("cannot keep http validators", zap.Error(err))
		}
	}
	w.ack(ctx, msg, l.log)
}

// lease reads a frontier message; an unreadable one, one of an unknown source or one whose
// earlier deliveries all ended without an answer is finished here (ok false).
func (w *Worker) lease(ctx context.Context, msg jetstream.Msg) (lease, bool) {
	var t Task
	if err := json.Unmarshal(msg.Data(), &t); err != nil || t.URL == "" {
		w.log.Error("unreadable frontier message dropped", zap.String("subject", msg.Subject()), zap.Error(err))
		_ = msg.Term()
		return lease{}, false
	}
	l := lease{msg: msg, t: t, src: w.sources[t.Source], log: w.log.With(zap.String("source", t.Source), zap.String("url", t.URL)), attempt: 1}
	if l.src == nil {
		l.log.Error("frontier URL of a source this worker's config does not have; dropped")
		_ = msg.TermWithReason("unknown source")
		return lease{}, false
	}
	if md, err := msg.Metadata(); err == nil {
		l.attempt = md.NumDelivered
	}
	if l.attempt > uint64(w.c.opts.MaxDeliver) {
		// The earlier attempts ended with the worker (killed mid-fetch) and never said so.
		w.giveUp(ctx, msg, l.src, t, l.log, errors.New("every attempt ended without an answer"))
		return lease{}, false
	}
	return l, true
}

// fetch fetches the lease's URL and extracts its pages; the source's Fetcher decides what the
// page is (crawler.Crawler's page reader).
func (w *Worker) fetch(ctx context.Context, l lease) (crawler.Result, []pageRecord, error) {
	var recs []pageRecord
	handler := func(_ context.Context, p *article.Page) error {
		rec, err := w.reg.Extract(p)
		if err == nil {
			recs = append(recs, pageRecord{rec: rec, archived: p.Archived, etag: p.ETag, modified: p.LastModified, fetched: p.FetchedAt})
		}
		return err // what the page then is, the Fetcher's page reader says (Result)
	}
	res, err := l.src.fetcher.Fetch(ctx, l.t.URL, l.t.Hint, handler)
	w.Stats.Fetched.Add(1)
	return res, recs, err
}

// fetchFailed finishes a lease whose fetch failed: back to the frontier when another attempt
// may succeed, given up after the last, acknowledged when no attempt would do better.
func (w *Worker) fetchFailed(ctx context.Context, l lease, err error) {
	maxDeliver := uint64(w.c.opts.MaxDeliver)
	switch {
	case ctx.Err() != nil:
		_ = l.msg.Nak() // cut short by us, not the site: another worker takes it now
	case crawler.Transient(err) && l.attempt >= maxDeliver:
		w.giveUp(ctx, l.msg, l.src, l.t, l.log, err)
	case crawler.Transient(err):
		w.Stats.Retries.Add(1)
		delay := retryDelay(l.attempt, l.src.c.Options().RetryBaseDelay)
		var pe *PauseError
		if errors.As(err, &pe) {
			delay = time.Until(pe.Until)
		}
		l.log.Warn("fetch failed; the URL goes back to the frontier", zap.Uint64("attempt", l.attempt), zap.Duration("retry_in", delay), zap.Error(err))
		_ = l.msg.NakWithDelay(delay)
	case errors.Is(err, crawler.ErrRobots):
		l.log.Debug("not fetched", zap.Error(err))
		w.ack(ctx, l.msg, l.log)
	default:
		w.Stats.Errors.Add(1)
		w.countError(l.t.Source, "fetch")
		l.log.Warn("fetch failed", zap.Error(err))
		if laterTickMayDiffer(err) {
			w.forgetParent(ctx, l.t, l.log)
		}
		w.ack(ctx, l.msg, l.log)
	}
}

// publish sends the page's records and marks every route to them known. It reports false when
// the server could not take them and the URL went back to the frontier.
func (w *Worker) publish(ctx context.Context, l lease, res crawler.Result, recs []pageRecord) bool {
	if w.Archive != nil && len(recs) > 0 {
		// The responses reach this worker's disk before the server holds records pointing at
		// them, as on one machine before the store commit.
		if err := w.Archive.Sync(); err != nil {
			w.retryLater(l.msg, l.log, err, l.attempt)
			return false
		}
	}
	for _, pr := range recs {
		rec := pr.rec
		rec.Revision = max(rec.Revision, 1)
		joined := false
		if w.Stories != nil {
			m, err := w.c.AssignStory(ctx, w.Stories, rec.ID, rec.PublishedAt, syndication.Sign(rec.Title, rec.Body))
			if err != nil {
				w.retryLater(l.msg, l.log, err, l.attempt)
				return false
			}
			rec.ClusterID, joined = m.Cluster, m.Joined
		}
		line, err := article.Marshal(rec)
		if err != nil {
			w.Stats.Errors.Add(1)
			l.log.Warn("skip page", zap.Error(err))
			continue
		}
		dup, err := w.c.publish(ctx, rec.ID, 1, line, l.t.Source, w.archivedHeader(pr.archived))
		if err != nil {
			w.retryLater(l.msg, l.log, err, l.attempt)
			return false
		}
		if dup {
			w.Stats.Duplicates.Add(1)
			l.log.Debug("duplicate", zap.String("id", rec.ID))
		} else {
			w.Stats.New.Add(1)
			if p := l.src.recheck; p.On() {
				v := crawler.Validators{ETag: pr.etag}
				if !pr.modified.IsZero() {
					v.LastModified = pr.modified.UTC().Format(http.TimeFormat)
				}
				if err := w.c.scheduleRecheck(ctx, rec.ID, rec.URL, l.t.Source, time.Now().UTC(), p.First(), v); err != nil {
					l.log.Warn("cannot schedule the article's recheck", zap.String("id", rec.ID), zap.Error(err))
				}
			}
			if joined {
				w.Stats.Joined.Add(1)
				if w.OnJoined != nil {
					w.OnJoined(l.t.Source)
				}
			}
		}
		if w.OnRecord != nil {
			w.OnRecord(l.t.Source, dup)
		}
		if err := w.markRoutes(ctx, l, res, rec, dup); err != nil {
			w.retryLater(l.msg, l.log, err, l.attempt)
			return false
		}
	}
	return true
}

// markRoutes marks the URLs that lead to rec known: the stored record names its own URL; every
// other route to the id (a twin's, a redirect's start, the canonical URL the page claims) is
// kept under the id for forget.
func (w *Worker) markRoutes(ctx context.Context, l lease, res crawler.Result, rec *article.Record, dup bool) error {
	marked := map[string]bool{}
	for i, u := range []string{rec.URL, l.t.URL, res.URL, res.Claimed} {
		if u == "" || !l.src.c.IsArticleURL(u) || marked[urlKey(u)] {
			continue
		}
		marked[urlKey(u)] = true
		if err := w.c.MarkKnown(ctx, u, rec.ID, i == 0 && !dup); err != nil {
			return err
		}
	}
	return nil
}

// queueLinks queues the page's links not stored yet, within the tick's budgets. It reports false
// when the frontier could not take them and the URL went back to it.
func (w *Worker) queueLinks(ctx context.Context, l lease, res crawler.Result) bool {
	t, src := l.t, l.src
	if t.Depth >= src.maxDepth || len(res.Links) == 0 || w.tickSpent(ctx, l) {
		return true
	}
	known := w.knownLinks(ctx, src, res.Links)
	next := make([]Task, 0, len(res.Links))
	for i, link := range res.Links {
		if known[i] {
			w.Stats.Skipped.Add(1)
			continue
		}
		next = append(next, Task{Source: t.Source, URL: link.URL, Depth: t.Depth + 1, Tick: t.Tick, Parent: res.URL, Hint: link.Hint})
	}
	next, charged, err := w.admit(ctx, src, t.Tick, next, l.log)
	if err != nil {
		w.retryLater(l.msg, l.log, err, l.attempt)
		return false
	}
	queued, err := w.c.queue(ctx, next)
	n := w.giveBackUnqueued(ctx, t.Tick, queued, charged, l.log)
	if err != nil {
		w.retryLater(l.msg, l.log, err, l.attempt)
		return false
	}
	if n > 0 && src.maxPages > 0 {
		w.c.addTickPages(ctx, t.Tick, n)
	}
	return true
}

// tickSpent reports whether the tick's page budget is spent: links found past it wait for the
// next tick (a page's links may overshoot it, since pages are counted once queued).
func (w *Worker) tickSpent(ctx context.Context, l lease) bool {
	if l.src.maxPages <= 0 || w.c.TickPages(ctx, l.t.Tick) < l.src.maxPages {
		return false
	}
	if _, logged := w.spentTicks.LoadOrStore(l.t.Tick, true); !logged {
		l.log.Warn("page budget of the tick spent; the rest waits for the next tick", zap.String("tick", l.t.Tick), zap.Int("max_pages", l.src.maxPages))
	}
	return true
}

// giveBackUnqueued returns the host budget of links charged but queued already in this tick (or
// not at all), as one machine's pass gives back a link it had visited, and counts those queued.
func (w *Worker) giveBackUnqueued(ctx context.Context, tick string, queued []bool, charged []string, log *zap.Logger) int {
	back := map[string]int{}
	n := 0
	for i, q := range queued {
		if q {
			n++
		} else if charged[i] != "" {
			back[charged[i]]++
		}
	}
	for host, k := range back {
		if _, err := w.c.addHostPages(ctx, tick, host, -k, 0); err != nil {
			log.Debug("cannot give back a host's page budget", zap.String("host", host), zap.Error(err))
		}
	}
	return n
}

// admit applies the tick's trap bounds over every worker to the links of a page: a path's query
// variants beyond max_query_variants are dropped quietly (a trap), a host's links beyond
// max_pages_per_host are dropped with one warning per tick and host (the rest waits for the next
// tick). It returns the links kept and, for each, the host its unit was charged to.
func (w *Worker) admit(ctx context.Context, src *workerSource, tick string, links []Task, log *zap.Logger) ([]Task, []string, error) {
	kept := links[:0:0]
	var hosts []string
	wanted := map[string]int{}
	for _, l := range links {
		u, err := url.Parse(l.URL)
		if err != nil || u.Hostname() == "" {
			continue
		}
		ok, err := w.c.admitVariant(ctx, tick, u, src.maxVariants)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			log.Debug("not queued", zap.String("link", l.URL), zap.String("reason", "max_query_variants"))
			continue
		}
		host := strings.ToLower(u.Hostname())
		kept = append(kept, l)
		hosts = append(hosts, host)
		wanted[host]++
	}
	if src.maxPerHost <= 0 {
		return kept, make([]string, len(kept)), nil
	}
	granted := map[string]int{}
	for host, n := range wanted {
		took, err := w.c.addHostPages(ctx, tick, host, n, src.maxPerHost)
		if err != nil {
			return nil, nil, err
		}
		granted[host] = took
		if took < n {
			if _, logged := w.spentTicks.LoadOrStore(tick+" "+host, true); !logged {
				log.Warn("page budget of the host spent in this tick; the rest waits for the next tick", zap.String("tick", tick), zap.String("host", host), zap.Int("max_pages_per_host", src.maxPerHost))
			}
		}
	}
	out := kept[:0]
	charged := make([]string, 0, len(kept))
	for i, l := range kept {
		if granted[hosts[i]] == 0 {
			continue
		}
		granted[hosts[i]]--
		out = append(out, l)
		charged = append(charged, hosts[i])
	}
	return out, charged, nil
}

// knownLinks reports which links are stored articles, asking the server several at a time: a
// category page can link to thousands.
func (w *Worker) knownLinks(ctx context.Context, src *workerSource, links []crawler.Link) []bool {
	known := make([]bool, len(links))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(16, len(links)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if src.c.IsArticleURL(links[i].URL) {
					_, known[i] = w.c.KnownURL(ctx, links[i].URL)
				}
			}
		}()
	}
	for i := range links {
		next <- i
	}
	close(next)
	wg.Wait()
	return known
}

func (w *Worker) countError(source, kind string) {
	if w.OnError != nil {
		w.OnError(source, kind)
	}
}

// ack acknowledges msg once its records and links are confirmed by the server. The ack itself
// is not waited for: an ack lost with the server is a redelivery, which publishes nothing twice.
func (w *Worker) ack(_ context.Context, msg jetstream.Msg, log *zap.Logger) {
	if err := msg.Ack(); err != nil {
		log.Debug("ack not sent; the URL will come again", zap.Error(err))
	}
}

// retryLater gives a URL back when what it produced could not be published (the server is
// away or full): exponential back-off from a second.
func (w *Worker) retryLater(msg jetstream.Msg, log *zap.Logger, err error, attempt uint64) {
	w.Stats.Retries.Add(1)
	delay := retryDelay(attempt-1, time.Second)
	log.Warn("cannot publish; the URL goes back to the frontier", zap.Duration("retry_in", delay), zap.Error(err))
	_ = msg.NakWithDelay(delay)
}

// giveUp terminates a URL after its last attempt, logs it, and drops the validators of the page
// that linked to it, so that page is read whole next time and the URL found again.
func (w *Worker) giveUp(ctx context.Context, msg jetstream.Msg, src *workerSource, t Task, log *zap.Logger, err error) {
	w.Stats.GaveUp.Add(1)
	w.countError(t.Source, "fetch")
	log.Error("gave up on url", zap.Int("max_deliver", w.c.opts.MaxDeliver), zap.Error(err))
	w.forgetParent(ctx, t, log)
	_ = msg.TermWithReason("gave up after max_deliver attempts")
}

// forgetParent drops the validators of the page that linked to t, so that page is read whole
// next tick and t found again: a 304 must never hide a page that gave no record.
func (w *Worker) forgetParent(ctx context.Context, t Task, log *zap.Logger) {
	if t.Parent == "" {
		return
	}
	if err := w.c.Validators().Forget(ctx, t.Parent); err != nil {
		log.Warn("cannot drop the linking page's validators", zap.String("parent", t.Parent), zap.Error(err))
	}
}

// laterTickMayDiffer reports a failure a later fetch may not meet: any HTTP status (a 404 may be
// an article not yet published on every server), an empty 200. A page too large, undecodable or
// binary stays so.
func laterTickMayDiffer(err error) bool {
	if errors.Is(err, crawler.ErrBinary) {
		return false
	}
	return errors.Is(err, crawler.ErrHTTPStatus) || errors.Is(err, crawler.ErrNotPage)
}

// retryDelay is the back-off before attempt+1: exponential from base, with jitter, at most 5m.
func retryDelay(attempt uint64, base time.Duration) time.Duration {
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	d := base << min(attempt, 10)
	d = min(d, 5*time.Minute)
	return d/2 + rand.N(d/2+1)
}

// heartbeat tells the server every interval that msg is still being worked on, so a slow page
// keeps its lease; the returned func stops it.
func heartbeat(msg jetstream.Msg, every time.Duration) func() {
	if every <= 0 {
		every = time.Second
	}
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = msg.InProgress()
			case <-done:
				return
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}
