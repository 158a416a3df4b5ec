package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/extract/generic"
	"github.com/newsmill/newsmill/extract/learn"
	"github.com/newsmill/newsmill/health"
	"github.com/newsmill/newsmill/internal/redact"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/store"
)

// Run is one run of one machine once its store is open: the store's outbox recovered into the
// sink, a Pipeline writing to it, the store's HTTP validators and retry lists lent to the
// crawler, and the summary of what the run did. `crawl --config` and `crawl --url` are one Run
// each; serve starts one for each pass. Close ends it; the store stays open (serve closes it
// between passes, crawl at exit).
type Run struct {
	st   *store.Store
	sink output.Sink
	pipe *Pipeline
	sum  *summary
	log  *zap.Logger
	errc chan error
	vals *validatorCache
	// History (history.go): the archive the run's crawls keep their responses in, and each
	// source's recheck window.
	archive  *archive.Writer
	stale    []string // URLs whose kept payload digest names a file no longer in the archive
	rechecks sync.Map // source name -> crawler.RecheckPolicy

	expect  map[string]health.Expect // the health blocks of the sources passed over
	reports []health.Report
	// sites is what the generic extractor learns of each site's template from its pages, kept
	// in the store's sites bucket so the next run starts knowing it (package learn).
	sites *learn.Learner
}

// StartOption tunes Start.
type StartOption func(*startOptions)

type startOptions struct {
	syndication config.Syndication
	archiveDir  string
}

// WithSyndication sets how records are clustered (the config's syndication section); without
// it clusters are on with their defaults.
func WithSyndication(c config.Syndication) StartOption {
	return func(o *startOptions) { o.syndication = c }
}

// WithArchiveDir keeps every response the run's crawls fetch in WARC files in dir, synced
// before each store commit; "" keeps none.
func WithArchiveDir(dir string) StartOption { return func(o *startOptions) { o.archiveDir = dir } }

// OpenStore opens (creating its folder) the store a run writes, waiting up to timeout for
// another holder.
func OpenStore(ctx context.Context, path string, timeout time.Duration) (*store.Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return store.Open(ctx, path, store.Options{LockTimeout: timeout})
}

// Registry is what every run extracts with: the site extractors, then the config's site rules,
// then the generic fallback, configured by opts (generic.WithLearner). rules may be nil.
func Registry(rules []extract.Rule, opts ...generic.Option) (*extract.Registry, error) {
	r, err := extract.NewRules(rules)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", config.ErrInvalid, err)
	}
	return extract.WithFallback(extract.Default(), r, opts...), nil
}

// OwnedBy is the output option that ties an output file or folder to st: another store's run
// cannot write there (output.Owner), named by the store's absolute path.
func OwnedBy(st *store.Store) output.Option {
	owner := st.Path()
	if abs, err := filepath.Abs(owner); err == nil {
		owner = abs
	}
	return output.Owner(owner, st.Serial())
}

// StartDir is Start over the output folder dir, owned by st: what a --config run and each
// serve pass write to.
func StartDir(ctx context.Context, st *store.Store, dir string, log *zap.Logger, rules []extract.Rule, opts ...StartOption) (*Run, error) {
	sink, err := output.Dir(dir, OwnedBy(st))
	if err != nil {
		return nil, err
	}
	r, err := Start(ctx, st, sink, log, rules, opts...)
	if err != nil {
		sink.Close()
		return nil, err
	}
	return r, nil
}

// Start recovers what a crashed run left in st's outbox into sink and starts the pipeline that
// writes this run's records there. On an error sink is left to the caller to close.
func Start(ctx context.Context, st *store.Store, sink output.Sink, log *zap.Logger, rules []extract.Rule, opts ...StartOption) (*Run, error) {
	var o startOptions
	for _, opt := range opts {
		opt(&o)
	}
	sites := learn.New(learn.WithStorage(st))
	reg, err := Registry(rules, generic.WithLearner(sites))
	if err != nil {
		return nil, err
	}
	if _, err := Recover(ctx, st, sink, log); err != nil {
		return nil, err
	}
	x, err := LoadClusters(ctx, st, o.syndication)
	if err != nil {
		return nil, err
	}
	p := New(reg, st, sink, log)
	p.SetClusters(x)
	r := &Run{st: st, sink: sink, pipe: p, sum: &summary{pipe: p.Stats, started: time.Now()}, log: log, errc: make(chan error, 1),
		vals: &validatorCache{st: st, pending: map[string]crawler.Validators{}}, expect: map[string]health.Expect{}, sites: sites}
	if o.archiveDir != "" {
		// Opened after the store, whose lock keeps a second run out of the folder too; the
		// archive's own lock refuses any other writer (another store's run).
		if r.archive, err = archive.Open(o.archiveDir, archive.WithSoftware(Software)); err != nil {
			return nil, err
		}
		if r.stale, err = rememberPayloads(ctx, st, r.archive); err != nil {
			r.archive.Close()
			return nil, err
		}
		p.Archive = r.archive
	}
	p.Recheck = r.recheckDelay
	go func() { r.errc <- p.Run(ctx) }()
	return r, nil
}

// unreported is err without the errors the pipeline already returned in seen: a full archive
// disk fails the write that stops the pipeline and then the archive's Close, with the same
// error, which the user should read once.
func unreported(err, seen error) error {
	if err == nil || seen == nil {
		return err
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var left []error
	for _, e := range errs {
		if !errors.Is(seen, e) {
			left = append(left, e)
		}
	}
	return errors.Join(left...)
}

// Software names newsmill in the archive's warcinfo records; cmd/crawl sets its version.
var Software = "newsmill"

// Close flushes the pipeline, closes the sink and leaves the summary in the store for
// `crawl stats`. The store stays open.
func (r *Run) Close(ctx context.Context) error {
	r.pipe.Close()
	writeErr := <-r.errc
	sinkErr := r.sink.Close()
	if r.archive != nil {
		// Listings, feeds and robots.txt fetched after the last commit reach the disk here.
		aerr := r.archive.Close()
		sinkErr = errors.Join(sinkErr, unreported(aerr, writeErr))
		if aerr == nil {
			// Only now is every record Written names on disk, so the next run's revisits
			// name records that exist. Lost, the digests cost the next run a full copy.
			if perr := keepPayloads(context.WithoutCancel(ctx), r.st, r.archive, r.stale); perr != nil {
				r.log.Warn("cannot keep the archive's payload digests; the next run archives unchanged pages whole", zap.Error(perr))
			}
		}
	}
	_ = r.st.SetLastRun(context.WithoutCancel(ctx), time.Now().UTC().Format(time.RFC3339)+" "+r.sum.String())
	// What was learned of the sites is a hint, never a record: kept even when the run failed or
	// was stopped, and a failure to keep it costs only learning again.
	if lerr := r.sites.Flush(context.WithoutCancel(ctx)); lerr != nil {
		r.log.Warn("cannot keep what was learned of the sites; the next run learns them again", zap.Error(lerr))
	}
	err := errors.Join(writeErr, sinkErr)
	// Validators are kept only once the records they led to are written: a listing must not
	// answer 304 next time for articles that never reached the output.
	if err == nil && ctx.Err() == nil {
		if verr := r.vals.flush(ctx); verr != nil {
			r.log.Warn("cannot keep http validators; listings will be fetched whole next time", zap.Error(verr))
		}
	}
	if err == nil {
		wctx := context.WithoutCancel(ctx)
		if perr := pruneClusters(wctx, r.st, r.pipe.clusters); perr != nil {
			r.log.Warn("cannot prune the near-duplicate index; it is pruned on the next run", zap.Error(perr))
		}
		// Only a run that wrote everything is judged: a failed write says more than any share.
		reps, herr := checkHealth(wctx, r.st, r.pipe.Health(), r.expect, time.Now())
		if herr != nil {
			r.log.Warn("cannot check source health", zap.Error(herr))
		}
		r.reports = reps
	}
	return err
}

// Health is each source's health after Close: one report per source passed over, in name order.
func (r *Run) Health() []health.Report { return r.reports }

// Source is one pass over one configured source: what `crawl --config` runs for each source
// in turn and what serve runs on each source's schedule. onFetch may be nil.
func (r *Run) Source(ctx context.Context, src config.Source, onFetch crawler.FetchObserver) (crawler.Stats, error) {
	r.LoadSites(ctx, src.Seeds...)
	opts := src.Options
	with := []crawler.Option{crawler.WithFetchObserver(onFetch)}
	r.expect[src.Name] = src.Health
	r.pipe.Health().Source(src.Name)
	if opts.ConditionalRequests() {
		with = append(with, crawler.WithValidatorCache(r.vals), crawler.WithRetryList(r.vals))
	}
	if r.archive != nil {
		with = append(with, crawler.WithArchive(r.archive))
	}
	if opts.Recheck.On() {
		r.rechecks.Store(src.Name, opts.Recheck)
	}
	c, err := crawler.New(opts, r.log.With(zap.String("source", src.Name)), r.Skipper(), with...)
	if err != nil {
		return crawler.Stats{}, err
	}
	cctx, stop := r.UntilFailed(ctx)
	defer stop()
	st, err := c.Run(cctx, r.pipe.From(src.Name))
	r.Add(st)
	if opts.Recheck.On() && cctx.Err() == nil {
		rst, rerr := r.recheck(cctx, src.Name, c, opts, st)
		r.Add(rst)
		st = addStats(st, rst)
		if err == nil {
			err = rerr
		}
	}
	return st, err
}

// CrawlerOptions are the run's collaborators for crawls it does not start itself (--url runs):
// the archive.
func (r *Run) CrawlerOptions() []crawler.Option {
	if r.archive == nil {
		return nil
	}
	return []crawler.Option{crawler.WithArchive(r.archive)}
}

// LoadSites reads what earlier runs learned of the sites of the pages at urls (seeds, --url
// targets; file:// for saved pages), so that their first pages are read knowing the template.
// Pages of other sites (a saved page naming another host) learn from nothing; so does a run
// whose store cannot be read, with a warning.
func (r *Run) LoadSites(ctx context.Context, urls ...string) {
	var hosts []string
	for _, s := range urls {
		if u, err := url.Parse(s); err == nil {
			hosts = append(hosts, learn.SiteKey(u, nil))
		}
	}
	if err := r.sites.Load(ctx, hosts...); err != nil {
		r.log.Warn("cannot read what was learned of the sites; learning them again", zap.Error(err))
	}
}

// UntilFailed is ctx, cancelled too once the pipeline can write nothing more: fetching on
// after the output failed would only load the sites for pages that cannot be written.
func (r *Run) UntilFailed(ctx context.Context) (context.Context, context.CancelFunc) {
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-r.pipe.Failed():
			cancel()
		case <-cctx.Done():
		}
	}()
	return cctx, cancel
}

// Failed reports whether the pipeline stopped on a store or output error.
func (r *Run) Failed() bool {
	select {
	case <-r.pipe.Failed():
		return true
	default:
		return false
	}
}

// Page is the crawler.Handler of a run without config sources (--url, files).
func (r *Run) Page(ctx context.Context, p *article.Page) error { return r.pipe.Page(ctx, p) }

// Skipper skips the URLs of articles already stored.
func (r *Run) Skipper() crawler.Skipper {
	return func(ctx context.Context, u string) bool {
		_, ok, err := r.st.KnownURL(ctx, redact.URL(u))
		return err == nil && ok
	}
}

// Validators is the store's HTTP validator cache for a crawl outside the config's sources
// (--url runs with a store); new validators are kept when the run closes without an error.
func (r *Run) Validators() crawler.ValidatorCache { return r.vals }

// Add counts a crawl's stats in the run's summary.
func (r *Run) Add(st crawler.Stats) { r.sum.add(st) }

// Stats are the pipeline's counts, updated while the run goes on.
func (r *Run) Stats() *Stats { return r.pipe.Stats }

// Summary is the run's one-line summary: the last line on stderr, and the last run in stats.
func (r *Run) Summary() string { return r.sum.String() }

// NotStarted is the summary of a run that stopped before it crawled (the store locked or
// replaced, the output folder another store's): the last line on stderr is always this run's
// summary, so a cron recipe that shows the last lines never pairs its error with another run's.
func NotStarted(started time.Time) string {
	return (&summary{pipe: &Stats{}, started: started}).String()
}

// summary adds up the crawls of a run beside the pipeline's counts.
type summary struct {
	fetch   crawler.Stats
	pipe    *Stats
	started time.Time
}

func (s *summary) add(st crawler.Stats) {
	s.fetch.Fetched += st.Fetched
	s.fetch.NotChanged += st.NotChanged
	s.fetch.Skipped += st.Skipped
	s.fetch.Errors += st.Errors
}

func (s *summary) String() string {
	// Revisions are said only when there are any: most runs have none, and the line's other
	// fields keep their places for the scripts that read them.
	revs := ""
	if n := s.pipe.Revisions.Load(); n > 0 || s.pipe.Unchanged.Load() > 0 {
		revs = fmt.Sprintf(" (%d of them revisions, %d rechecked unchanged)", n, s.pipe.Unchanged.Load())
	}
	return fmt.Sprintf("newsmill: %d pages fetched, %d articles, %d new records%s, %d duplicates, %d skipped, %d errors, %d not modified, %d known urls not fetched, %s",
		s.fetch.Fetched, s.pipe.Articles.Load(), s.pipe.New.Load(), revs, s.pipe.Duplicates.Load(), s.pipe.Skipped.Load(),
		s.fetch.Errors+s.pipe.Errors.Load(), s.fetch.NotChanged, s.fetch.Skipped, time.Since(s.started).Round(time.Millisecond))
}

// rememberPayloads tells w the payload digests earlier runs archived for each URL (the store's
// payload index, and the archive ref of every stored id, which a store from before the index
// has only), so an unchanged body is a revisit across runs. It returns the URLs whose record's
// file is gone.
func rememberPayloads(ctx context.Context, st *store.Store, w *archive.Writer) ([]string, error) {
	var refs []archive.Ref
	full := errors.New("enough refs")
	add := func(r store.ArchiveRef) error {
		refs = append(refs, archive.Ref{File: r.File, Offset: r.Offset, RecordID: r.RecordID, URL: r.URL, Date: r.Date, Digest: r.Digest})
		if len(refs) >= archive.MaxRemembered {
			return full // a serve pass over a large store reads no more than the writer keeps
		}
		return nil
	}
	// The payload index first: it holds listings too, and the latest response of each URL.
	err := st.Payloads(ctx, add)
	if err == nil {
		err = st.EachArchived(ctx, func(_ string, _ store.Entry, ref store.ArchiveRef, _ []byte) error { return add(ref) })
	}
	if err != nil && !errors.Is(err, full) {
		return nil, err
	}
	// Dropping a URL here touches only the payload index: an id whose file is gone keeps its
	// ref, for reextract to report.
	return w.Remember(refs...), nil
}

// keepPayloads puts the digests of what w wrote into the store's payload index, dropping stale.
func keepPayloads(ctx context.Context, st *store.Store, w *archive.Writer, stale []string) error {
	written := w.Written()
	refs := make([]store.ArchiveRef, len(written))
	for i, r := range written {
		refs[i] = store.ArchiveRef{File: r.File, Offset: r.Offset, RecordID: r.RecordID, URL: r.URL, Date: r.Date, Digest: r.Digest}
	}
	return st.PutPayloads(ctx, refs, stale)
}
