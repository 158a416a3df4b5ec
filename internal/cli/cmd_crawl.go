package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/internal/config"
	"github.com/newsmill/newsmill/internal/redact"
	"github.com/newsmill/newsmill/internal/regular"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/pipeline"
	"github.com/newsmill/newsmill/store"
)

const schemaVersion = article.SchemaVersion

type crawlOptions struct {
	URLs        []string
	URLsFrom    string
	Config      string
	DB          string
	Out         string
	LogLevel    string
	LockTimeout time.Duration
}

func (o *crawlOptions) register(fs *pflag.FlagSet) {
	stringsFlag(fs, &o.URLs, "url", "a `URL`: page, listing, feed, or file:// post/folder to read (repeatable)")
	fs.StringVar(&o.URLsFrom, "urls-from", "", "read more --url values from `FILE`, one per line, blank lines and # comments skipped (- for stdin)")
	fs.StringVar(&o.Config, "config", "", "`YAML` config of a scheduled crawl: one pass over its sources (see configs/finews.yaml)")
	fs.StringVar(&o.DB, "db", "", "bbolt store `FILE` that remembers emitted ids across runs (--url runs)")
	fs.StringVar(&o.Out, "out", "", "append JSONL to this regular `FILE` instead of stdout (--url runs; - is stdout)")
	logLevelFlag(fs, &o.LogLevel)
	lockTimeoutFlag(fs, &o.LockTimeout, "another crawl")
}

// newCrawlCommand is the root command: a crawl of --url targets or of a --config's sources.
func newCrawlCommand(env Env) *cobra.Command {
	var o crawlOptions
	cmd := &cobra.Command{
		Use:   "crawl",
		Short: "Fetch news pages, normalize them to JSONL, deduplicate them by info code",
		Long: `crawl fetches news pages, normalizes them to JSON Lines and deduplicates them by info code.

Without a subcommand it crawls once and exits:
  --url URL      an article gives its record; a listing, feed or sitemap the records of the
                 articles it links to (one level, same host); file:// posts, saved pages or
                 folders (recursive) are read from disk for backfill. Records go to stdout, or
                 are appended to --out FILE; --db FILE remembers them across runs.
  --config FILE  one pass over the configured sources into the config's store and output
                 folder, as cron runs it.

Exit status: 0 done (failed pages are logged and counted), 1 the run could not do its job,
2 bad flags or config, 3 a --url gave no record or a --config pass reached no seed,
130 stopped by a signal. The last line on stderr is the run's summary.

Times (T) in the store tools are RFC 3339 (2024-05-01T08:00:00Z) or a UTC date (2024-05-01).`,
		Example: `  crawl --url https://finews.withounder.com/category/emnews.html
  crawl --url https://finews.withounder.com/feed.xml --db data/oneoff.db --out news.jsonl
  crawl --urls-from urls.txt --db data/oneoff.db > news.jsonl
  crawl --url file:///srv/finews/_posts/ --db data/finews.db --out backfill.jsonl
  crawl --config configs/finews.yaml
  crawl help serve`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCrawl(cmd.Context(), o, env)
		},
	}
	o.register(cmd.Flags())
	cmd.Flags().SortFlags = false
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	_ = cmd.MarkFlagFilename("urls-from")
	_ = cmd.MarkFlagFilename("db", "db")
	_ = cmd.MarkFlagFilename("out", "jsonl")
	completeLogLevel(cmd)
	return cmd
}

// logLevelFlag is --log-level; completeLogLevel offers its values to the shell.
func logLevelFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "log-level", "", "log `LEVEL`: debug, info, warn or error (default info, or the config's log_level)")
}

func completeLogLevel(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("log-level", cobra.FixedCompletions([]string{"debug", "info", "warn", "error"}, cobra.ShellCompDirectiveNoFileComp))
}

// lockTimeoutFlag is --lock-timeout; who may hold the store differs by command.
func lockTimeoutFlag(fs *pflag.FlagSet, p *time.Duration, holder string) {
	fs.DurationVar(p, "lock-timeout", 0, "wait up to this `DURATION` for "+holder+" to release the store (default 10s, or the config's lock_timeout)")
}

// summary is the last line on stderr, for cron mail and humans.
type summary struct {
	fetch   crawler.Stats
	pipe    *pipeline.Stats
	started time.Time
}

func (s *summary) add(st crawler.Stats) {
	s.fetch.Fetched += st.Fetched
	s.fetch.NotChanged += st.NotChanged
	s.fetch.Skipped += st.Skipped
	s.fetch.Errors += st.Errors
}

func (s *summary) String() string {
	return fmt.Sprintf("newsmill: %d pages fetched, %d articles, %d new records, %d duplicates, %d skipped, %d errors, %d not modified, %d known urls not fetched, %s",
		s.fetch.Fetched, s.pipe.Articles.Load(), s.pipe.New.Load(), s.pipe.Duplicates.Load(), s.pipe.Skipped.Load(),
		s.fetch.Errors+s.pipe.Errors.Load(), s.fetch.NotChanged, s.fetch.Skipped, time.Since(s.started).Round(time.Millisecond))
}

func runCrawl(ctx context.Context, opts crawlOptions, env Env) error {
	targets := make([]arg, 0, len(opts.URLs))
	for _, u := range opts.URLs {
		targets = append(targets, arg{value: u, where: "--url"})
	}
	if opts.URLsFrom != "" {
		more, err := readURLs(opts.URLsFrom, env)
		if err != nil {
			return err
		}
		if len(more) == 0 {
			return fmt.Errorf("%w: --urls-from %s: no URL in it", ErrUsage, opts.URLsFrom)
		}
		targets = append(targets, more...)
	}
	switch {
	case opts.Config == "" && len(targets) == 0:
		return fmt.Errorf("%w: give --url URL, --urls-from FILE or --config FILE (see crawl --help)", ErrUsage)
	case opts.Config != "" && len(targets) > 0:
		return fmt.Errorf("%w: --url and --urls-from do not go with --config", ErrUsage)
	case opts.Config != "" && (opts.DB != "" || opts.Out != ""):
		return fmt.Errorf("%w: --db and --out are for --url runs; a --config run uses the config's store and output", ErrUsage)
	}
	var cfg *config.Config
	if opts.Config != "" {
		var err error
		if cfg, err = config.Load(opts.Config); err != nil {
			return err
		}
		if cfg.Cluster != nil {
			return fmt.Errorf("%w: %s has a %s: section: its crawl runs on `crawl worker`, started by `crawl enqueue` or `crawl serve` (docs/cluster.md)", ErrUsage, opts.Config, config.KeyCluster)
		}
	}
	log, err := configLogger(env.Stderr, opts.LogLevel, cfg)
	if err != nil {
		return err
	}
	defer log.Sync()
	if cfg != nil {
		return crawlConfig(ctx, cfg, opts, log, env)
	}
	return crawlURLs(ctx, targets, opts, log, env)
}

// arg is one --url value and where it was given, for errors: "--url" or "urls.txt:3".
type arg struct {
	value, where string
}

// readURLs reads --urls-from: one URL per line; blank lines and lines starting with # are
// skipped, and so is anything after " #" on a line.
func readURLs(name string, env Env) ([]arg, error) {
	var r io.Reader
	label := name
	if name == "-" {
		r, label = env.stdin(), "stdin"
	} else {
		// Non-blocking: a named pipe without a writer would hold the open (and the run, deaf to
		// signals) until one came; this way it reads as empty.
		f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return nil, fmt.Errorf("%w: --urls-from: %v", ErrUsage, err)
		}
		defer f.Close()
		r = f
	}
	var out []arg
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, arg{value: line, where: fmt.Sprintf("%s:%d", label, n)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: --urls-from %s: %v", ErrUsage, label, err)
	}
	return out, nil
}

// job is what both kinds of run share once the store and sink are open.
type job struct {
	st   *store.Store
	sink output.Sink
	pipe *pipeline.Pipeline
	sum  *summary
	log  *zap.Logger
	errc chan error
	vals *validatorCache
}

// validatorCache reads the store's HTTP validators and retry list for the crawler and holds the
// new validators until the run's records are safely written: a listing must not answer 304 next
// time if the articles it led to never reached the output. For the same reason a page retried
// with success leaves the retry list only then, while a failure is written at once: remembering
// too much costs a request, forgetting too soon an article.
type validatorCache struct {
	st      *store.Store
	mu      sync.Mutex
	pending map[string]crawler.Validators
	done    map[string][]string // source -> retried URLs to take off the list
}

func (c *validatorCache) Validators(ctx context.Context, u string) (crawler.Validators, bool) {
	v, ok, err := c.st.Validators(ctx, redact.URL(u))
	if err != nil || !ok {
		return crawler.Validators{}, false
	}
	return crawler.Validators{ETag: v.ETag, LastModified: v.LastModified}, true
}

func (c *validatorCache) SetValidators(_ context.Context, u string, v crawler.Validators) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending[redact.URL(u)] = v
	return nil
}

func (c *validatorCache) flush(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for u, v := range c.pending {
		if err := c.st.SetValidators(ctx, u, store.Validators{ETag: v.ETag, LastModified: v.LastModified}); err != nil {
			return err
		}
	}
	c.pending = map[string]crawler.Validators{}
	for src, urls := range c.done {
		if err := c.st.RetryDone(ctx, src, urls...); err != nil {
			return err
		}
	}
	c.done = nil
	return nil
}

func (c *validatorCache) Retries(ctx context.Context, source string) ([]crawler.Retry, error) {
	rs, err := c.st.Retries(ctx, source)
	return crawlerRetries(rs), err
}

func crawlerRetries(rs []store.Retry) []crawler.Retry {
	out := make([]crawler.Retry, 0, len(rs))
	for _, r := range rs {
		out = append(out, crawler.Retry{URL: r.URL, Attempts: r.Attempts, Reason: r.Reason, Depth: r.Depth})
	}
	return out
}

// Failed writes the failures at once: the crawler keeps the run's validators only if it can.
// A URL with a password is not written (the store keeps no secrets), and its run stays
// incomplete: its listings are read whole next time, as without a retry list.
func (c *validatorCache) Failed(ctx context.Context, source string, failed []crawler.Failure, limit int) ([]crawler.Retry, error) {
	fs := make([]store.Failure, 0, len(failed))
	secret := 0
	for _, f := range failed {
		if redact.URL(f.URL) != f.URL {
			secret++
			continue
		}
		fs = append(fs, store.Failure{URL: f.URL, Reason: f.Reason, Depth: f.Depth})
	}
	var dropped []store.Retry
	if len(fs) > 0 {
		var err error
		if dropped, err = c.st.RetryFailed(ctx, source, fs, limit, time.Now()); err != nil {
			return nil, err
		}
	}
	out := crawlerRetries(dropped)
	if secret > 0 {
		return out, fmt.Errorf("%d failed pages have a password in their URL, which the store does not keep", secret)
	}
	return out, nil
}

func (c *validatorCache) Done(_ context.Context, source string, urls []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = map[string][]string{}
	}
	c.done[source] = append(c.done[source], urls...)
	return nil
}

// lockTimeout is how long to wait for the store: the flag when given, else the config's
// lock_timeout, else 10s.
func lockTimeout(flag, cfg time.Duration) (time.Duration, error) {
	if err := config.CheckLockTimeout(flag); err != nil {
		return 0, fmt.Errorf("%w: --lock-timeout: %v", ErrUsage, err)
	}
	switch {
	case flag > 0:
		return flag, nil
	case cfg > 0:
		return cfg, nil
	}
	return 10 * time.Second, nil
}

// openStore opens (creating its folder) the store a crawl writes, waiting for another holder
// as long as the --lock-timeout flag says, else the config's lock_timeout, else 10s.
func openStore(ctx context.Context, path string, flagTimeout, cfgTimeout time.Duration) (*store.Store, error) {
	timeout, err := lockTimeout(flagTimeout, cfgTimeout)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return store.Open(ctx, path, store.Options{LockTimeout: timeout})
}

// registry is what every run extracts with: the site extractors, then the config's site rules,
// then the generic fallback. rules may be nil.
func registry(rules []extract.Rule) (*extract.Registry, error) {
	r, err := extract.NewRules(rules)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", config.ErrInvalid, err)
	}
	return extract.WithFallback(extract.Default(), r), nil
}

func startJob(ctx context.Context, st *store.Store, sink output.Sink, log *zap.Logger, rules []extract.Rule) (*job, error) {
	reg, err := registry(rules)
	if err != nil {
		return nil, err
	}
	if _, err := pipeline.Recover(ctx, st, sink, log); err != nil {
		return nil, err
	}
	p := pipeline.New(reg, st, sink, log)
	j := &job{st: st, sink: sink, pipe: p, sum: &summary{pipe: p.Stats, started: time.Now()}, log: log, errc: make(chan error, 1),
		vals: &validatorCache{st: st, pending: map[string]crawler.Validators{}}}
	go func() { j.errc <- p.Run(ctx) }()
	return j, nil
}

// finish flushes the pipeline and reports why the run ended, with the summary as the last line.
func (j *job) finish(ctx context.Context, crawlErr error, env Env) error {
	err := j.close(ctx)
	_ = j.log.Sync()
	if err == nil && crawlErr != nil {
		err = crawlErr
	}
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("%w: stopped by signal; records extracted so far were written", ErrInterrupted)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "crawl: %s\n", redact.String(oneLine(err)))
	}
	fmt.Fprintln(env.Stderr, j.sum.String())
	if err == nil {
		return nil
	}
	return silent{err}
}

// close flushes the pipeline, closes the sink and leaves the summary in the store for
// `crawl stats`. The store stays open: serve keeps it for its lifetime.
func (j *job) close(ctx context.Context) error {
	j.pipe.Close()
	writeErr := <-j.errc
	sinkErr := j.sink.Close()
	_ = j.st.SetLastRun(context.WithoutCancel(ctx), time.Now().UTC().Format(time.RFC3339)+" "+j.sum.String())
	err := errors.Join(writeErr, sinkErr)
	// Validators are kept only once the records they led to are written: a listing must not
	// answer 304 next time for articles that never reached the output.
	if err == nil && ctx.Err() == nil {
		if verr := j.vals.flush(ctx); verr != nil {
			j.log.Warn("cannot keep http validators; listings will be fetched whole next time", zap.Error(verr))
		}
	}
	return err
}

// crawlSource is one pass over one configured source on an open job: what `crawl --config`
// runs for each source in turn and what serve runs on each source's schedule. onFetch may be nil.
func (j *job) crawlSource(ctx context.Context, src config.Source, onFetch crawler.FetchObserver) (crawler.Stats, error) {
	opts := src.Options
	with := []crawler.Option{crawler.WithFetchObserver(onFetch)}
	if opts.ConditionalRequests() {
		with = append(with, crawler.WithValidatorCache(j.vals), crawler.WithRetryList(j.vals))
	}
	c, err := crawler.New(opts, j.log.With(zap.String("source", src.Name)), j.skipper(), with...)
	if err != nil {
		return crawler.Stats{}, err
	}
	cctx, stop := j.untilFailed(ctx)
	defer stop()
	st, err := c.Run(cctx, j.pipe.From(src.Name))
	j.sum.add(st)
	return st, err
}

// untilFailed is ctx, cancelled too once the pipeline can write nothing more: fetching on
// after the output failed would only load the sites for pages that cannot be written.
func (j *job) untilFailed(ctx context.Context) (context.Context, context.CancelFunc) {
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-j.pipe.Failed():
			cancel()
		case <-cctx.Done():
		}
	}()
	return cctx, cancel
}

// failed reports whether the pipeline stopped on a store or output error.
func (j *job) failed() bool {
	select {
	case <-j.pipe.Failed():
		return true
	default:
		return false
	}
}

// silent marks an error finish already printed, so Main does not print it twice.
type silent struct{ err error }

func (s silent) Error() string { return s.err.Error() }
func (s silent) Unwrap() error { return s.err }

func (j *job) handler() crawler.Handler {
	return j.pipe.Page
}

func (j *job) skipper() crawler.Skipper {
	return func(ctx context.Context, u string) bool {
		_, ok, err := j.st.KnownURL(ctx, redact.URL(u))
		return err == nil && ok
	}
}

func crawlConfig(ctx context.Context, cfg *config.Config, opts crawlOptions, log *zap.Logger, env Env) error {
	st, err := openStore(ctx, cfg.Store, opts.LockTimeout, cfg.LockTimeout)
	if err != nil {
		return err
	}
	defer st.Close()
	sink, err := output.Dir(cfg.Output, output.Owner(storeOwner(st), st.Serial()))
	if err != nil {
		return err
	}
	j, err := startJob(ctx, st, sink, log, cfg.Rules)
	if err != nil {
		sink.Close()
		return err
	}
	stop := j.progress(env)
	var crawlErr error
	var reached atomic.Bool // some fetch of some source got an answer
	onFetch := func(_ string, status int, _ time.Duration) {
		if answered(status) {
			reached.Store(true)
		}
	}
	for _, src := range cfg.Sources {
		if ctx.Err() != nil || j.failed() {
			break
		}
		st, err := j.crawlSource(ctx, src, onFetch)
		if errors.Is(err, crawler.ErrBadOptions) {
			crawlErr = err
			break
		}
		if err != nil && ctx.Err() == nil && !j.failed() {
			log.Error("source failed", zap.String("source", src.Name), zap.Error(err))
		}
		log.Info("source done", zap.String("source", src.Name), zap.Int64("fetched", st.Fetched), zap.Int64("not_modified", st.NotChanged),
			zap.Int64("errors", st.Errors), zap.Int64("retries", st.Retries), zap.Int64("refused_links", st.Refused),
			zap.Int64("failed_pages_fetched_again", st.Revisits), zap.Int64("failed_pages_to_fetch_again", st.Remembered))
	}
	stop()
	// Seeds are fetched first and every other page is found through one, so no answer at all
	// means no seed of any source answered: an outage, not a few bad pages.
	if crawlErr == nil && ctx.Err() == nil && !j.failed() && !reached.Load() {
		seeds := 0
		for _, src := range cfg.Sources {
			seeds += len(src.Seeds)
		}
		crawlErr = fmt.Errorf("%w: none of the %d seeds of %d sources could be fetched (see the fetch failed lines)", ErrOutage, seeds, len(cfg.Sources))
	}
	return j.finish(ctx, crawlErr, env)
}

// target is one --url value: a web address or a local file or folder.
type target struct {
	arg
	web   *url.URL
	local string
}

func parseTargets(args []arg) ([]target, error) {
	var out []target
	for _, a := range args {
		r := a.value
		u, err := url.Parse(r)
		switch {
		case err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
			out = append(out, target{arg: a, web: u})
		case err == nil && u.Scheme == "file":
			p := u.Path
			if u.Host != "" && u.Host != "localhost" { // file://./posts written by hand
				p = u.Host + u.Path
			}
			if err := localTarget(p); err != nil {
				return nil, fmt.Errorf("%w: %s %q: %v", ErrUsage, a.where, r, err)
			}
			out = append(out, target{arg: a, local: p})
		case err == nil && u.Scheme == "":
			if err := localTarget(r); errors.Is(err, regular.ErrNotRegular) {
				return nil, fmt.Errorf("%w: %s %q: %v", ErrUsage, a.where, r, err)
			} else if err != nil {
				return nil, fmt.Errorf("%w: %s %q is neither an http(s) URL nor an existing file", ErrUsage, a.where, r)
			}
			out = append(out, target{arg: a, local: r})
		default:
			return nil, fmt.Errorf("%w: %s %q: only http, https and file URLs are read", ErrUsage, a.where, r)
		}
	}
	return out, nil
}

// localTarget accepts a folder or a regular file: a named pipe would block the run, a device
// such as /dev/zero never end.
func localTarget(p string) error {
	info, err := os.Stat(p)
	if err != nil || info.IsDir() {
		return err
	}
	return regular.Check(p)
}

// answered reports whether a fetch got an answer worth having: a page, or "not modified".
func answered(status int) bool {
	return (status >= 200 && status < 300) || status == http.StatusNotModified
}

// crawlURLs reads the targets and holds each to account: a target that could not be fetched,
// or led to no record (none extracted, none already stored, no listing answering "not
// modified"), is named in an ErrNoRecord error (exit 3) once the others are done.
func crawlURLs(ctx context.Context, args []arg, opts crawlOptions, log *zap.Logger, env Env) error {
	targets, err := parseTargets(args)
	if err != nil {
		return err
	}
	if err := checkOut(opts.Out, opts.DB); err != nil {
		return err
	}
	if _, err := lockTimeout(opts.LockTimeout, 0); err != nil {
		return err
	}
	var st *store.Store
	if opts.DB == "" {
		// Without --db a run dedups within itself only; a throwaway store keeps one code path.
		st, err = store.OpenTemp(ctx)
	} else {
		st, err = openStore(ctx, opts.DB, opts.LockTimeout, 0)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	var sink output.Sink
	if opts.Out != "" && opts.Out != "-" {
		var own []output.Option
		if opts.DB != "" {
			own = append(own, output.Owner(storeOwner(st), st.Serial()))
		}
		f, err := output.File(opts.Out, own...)
		if err != nil {
			return err
		}
		sink = f
	} else {
		sink = output.NewStream(env.Stdout)
	}
	j, err := startJob(ctx, st, sink, log, nil)
	if err != nil {
		sink.Close()
		return err
	}
	stop := j.progress(env)
	defer stop()
	// The crawl stops once the pipeline failed; finish still reads the caller's ctx.
	cctx, cancel := j.untilFailed(ctx)
	defer cancel()
	var failed []string
	fail := func(t target, why string) {
		log.Warn("url "+why, zap.String("url", t.value), zap.String("given", t.where))
		failed = append(failed, fmt.Sprintf("%s %s (%s)", t.value, why, t.where))
	}
	var web []target
	for _, t := range targets {
		if t.web != nil {
			web = append(web, t)
			continue
		}
		if cctx.Err() != nil {
			break
		}
		before := j.pipe.Stats.Articles.Load()
		fst, items, err := crawler.ReadLocal(cctx, t.local, log, j.handler())
		j.sum.add(fst)
		var known int64
		if err == nil && len(items) > 0 && cctx.Err() == nil {
			known = j.fetchSaved(cctx, items, opts.DB != "").Skipped
		}
		if err != nil {
			log.Error("read failed", zap.String("path", t.local), zap.Error(err))
			j.pipe.Stats.Errors.Add(1)
			if cctx.Err() == nil {
				fail(t, "could not be read")
			}
		} else if j.pipe.Stats.Articles.Load() == before && known == 0 && cctx.Err() == nil {
			fail(t, "gave no record")
		}
	}
	var crawlErr error
	if len(web) > 0 && cctx.Err() == nil {
		var again []target
		again, crawlErr = j.crawlWeb(cctx, web, opts.DB != "")
		// A target that did not give a record itself (a listing, a feed, a failure) is crawled
		// once more on its own, to hold it to account: its stored articles are skipped, so this
		// costs the listing's own fetch.
		for _, t := range again {
			if crawlErr != nil || cctx.Err() != nil {
				break
			}
			var why string
			if why, crawlErr = j.crawlAlone(cctx, t, opts.DB != ""); why != "" {
				fail(t, why)
			}
		}
	}
	stop()
	if crawlErr == nil && len(failed) > 0 {
		shown := failed[:min(len(failed), 3)]
		more := ""
		if len(failed) > len(shown) {
			more = fmt.Sprintf(", and %d more (logged above)", len(failed)-len(shown))
		}
		crawlErr = fmt.Errorf("%w: %d of %d: %s%s", ErrNoRecord, len(failed), len(targets), strings.Join(shown, ", "), more)
	}
	return j.finish(ctx, crawlErr, env)
}

// fetchSaved fetches the articles that saved lists point at, each from its own host: a file has
// no host to stay on. With a store, stored articles are not fetched again (Stats.Skipped).
func (j *job) fetchSaved(ctx context.Context, items []crawler.FeedItem, thrifty bool) crawler.Stats {
	var skip crawler.Skipper
	if thrifty {
		skip = j.skipper()
	}
	st, err := crawler.FetchItems(ctx, items, crawler.Options{Name: "saved lists"}, j.log, skip, j.handler())
	j.sum.add(st)
	if err != nil && ctx.Err() == nil {
		j.log.Error("fetching the saved lists' articles failed", zap.Error(err))
	}
	return st
}

// urlOptions are the crawl options of a --url run over seeds, its skipper and the run's
// collaborators (the store's validators when thrifty).
func (j *job) urlOptions(seeds []target, thrifty bool) (crawler.Options, crawler.Skipper, []crawler.Option) {
	var urls []string
	hosts := map[string]bool{}
	for _, t := range seeds {
		urls = append(urls, t.web.String())
		hosts[strings.ToLower(t.web.Host)] = true // the port too: another port is another origin
	}
	o := crawler.Options{Name: "url", Seeds: urls, AllowedHosts: slices.Sorted(maps.Keys(hosts)), MaxDepth: 2, LeafArticles: true}
	if !thrifty {
		return o, nil, nil
	}
	// With a store, a one-off run is as thrifty as a scheduled one: stored articles are not
	// fetched again and unchanged listings cost a 304.
	return o, j.skipper(), []crawler.Option{crawler.WithValidatorCache(j.vals)}
}

// crawlWeb crawls every web target in one pass (in parallel, robots.txt read once per host)
// and returns those it cannot vouch for: the targets that did not give a record themselves,
// unless there is just one of them and the pass found records, stored articles or unchanged
// listings beyond the targets' own pages, which can then only have come from it.
func (j *job) crawlWeb(ctx context.Context, web []target, thrifty bool) ([]target, error) {
	var mu sync.Mutex
	gave := map[string]bool{} // page URL -> it gave a record
	handle := func(ctx context.Context, p *article.Page) error {
		err := j.pipe.Page(ctx, p)
		if err == nil && p.URL != nil {
			mu.Lock()
			gave[p.URL.String()] = true
			mu.Unlock()
		}
		return err
	}
	o, skip, with := j.urlOptions(web, thrifty)
	c, err := crawler.New(o, j.log, skip, with...)
	if err != nil {
		return nil, err
	}
	fst, err := c.Run(ctx, handle)
	j.sum.add(fst)
	if err != nil && ctx.Err() == nil {
		j.log.Error("crawl failed", zap.Error(err))
	}
	var unsure []target
	own := 0
	for _, t := range web {
		if gave[t.web.String()] {
			own++
		} else {
			unsure = append(unsure, t)
		}
	}
	beyond := int64(len(gave)-own) + fst.Skipped + fst.NotChanged
	if len(unsure) == 1 && beyond > 0 {
		return nil, nil
	}
	return unsure, nil
}

// crawlAlone crawls one web target by itself, without retries (the shared pass retried it),
// and says why it gave nothing, or "" when it did.
func (j *job) crawlAlone(ctx context.Context, t target, thrifty bool) (string, error) {
	var ok atomic.Bool
	o, _, with := j.urlOptions([]target{t}, thrifty)
	none := 0
	o.MaxRetries = &none
	with = append(with, crawler.WithFetchObserver(func(_ string, status int, _ time.Duration) {
		if answered(status) {
			ok.Store(true)
		}
	}))
	// Articles the shared pass stored are skipped, with or without --db: finding them is enough.
	c, err := crawler.New(o, j.log, j.skipper(), with...)
	if err != nil {
		return "", err
	}
	before := j.pipe.Stats.Articles.Load()
	fst, err := c.Run(ctx, j.handler())
	j.sum.add(fst)
	if err != nil && ctx.Err() == nil {
		j.log.Error("crawl failed", zap.String("url", t.value), zap.Error(err))
	}
	switch {
	case ctx.Err() != nil, j.pipe.Stats.Articles.Load() > before, fst.Skipped > 0, fst.NotChanged > 0:
		return "", nil
	case !ok.Load():
		return "could not be fetched", nil
	}
	return "gave no record", nil
}

// checkOut refuses, before anything is opened, an --out that cannot hold a crawl's output:
// a device or a pipe (after a crash nothing there can be checked, and a seek fails after the
// commit), or the store itself. "-" is stdout, written at least once.
func checkOut(out, db string) error {
	if out == "" || out == "-" {
		return nil
	}
	fi, err := os.Stat(out)
	if err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: --out %s is not a regular file; leave --out out (or give -) to write to stdout", ErrUsage, out)
	}
	if db == "" {
		return nil
	}
	absOut, _ := filepath.Abs(out)
	absDB, _ := filepath.Abs(db)
	for _, p := range []string{absDB, absDB + ".holder", absDB + ".new"} {
		if absOut == p {
			return fmt.Errorf("%w: --out %s is the store's file; give the output its own path", ErrUsage, out)
		}
		if pi, perr := os.Stat(p); err == nil && perr == nil && os.SameFile(fi, pi) {
			return fmt.Errorf("%w: --out %s is the store's file; give the output its own path", ErrUsage, out)
		}
	}
	return nil
}

// storeOwner names a store for the output folder's lock: its absolute path.
func storeOwner(st *store.Store) string {
	if abs, err := filepath.Abs(st.Path()); err == nil {
		return abs
	}
	return st.Path()
}
