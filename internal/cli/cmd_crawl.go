package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/internal/config"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/pipeline"
	"github.com/newsmill/newsmill/store"
)

const schemaVersion = article.SchemaVersion

type crawlOptions struct {
	URLs        multi
	Config      string
	DB          string
	Out         string
	LogLevel    string
	LockTimeout time.Duration
}

func (o *crawlOptions) register(fs *flag.FlagSet) {
	fs.Var(&o.URLs, "url", "a page, listing, feed, or file:// post/folder to read (repeatable)")
	fs.StringVar(&o.Config, "config", "", "YAML config of a scheduled crawl (see configs/finews.yaml)")
	fs.StringVar(&o.DB, "db", "", "bbolt store that remembers emitted ids across runs (--url runs)")
	fs.StringVar(&o.Out, "out", "", "append JSONL to this file instead of stdout (--url runs)")
	fs.StringVar(&o.LogLevel, "log-level", "", "debug, info, warn or error (default info, or the config's log_level)")
	fs.DurationVar(&o.LockTimeout, "lock-timeout", 0, "how long to wait for another crawl to release the store (default 10s, or the config's lock_timeout)")
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
	switch {
	case opts.Config == "" && len(opts.URLs) == 0:
		return fmt.Errorf("%w: give --url URL or --config FILE (see --help)", ErrUsage)
	case opts.Config != "" && len(opts.URLs) > 0:
		return fmt.Errorf("%w: --url and --config do not go together", ErrUsage)
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
	return crawlURLs(ctx, opts, log, env)
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

// validatorCache reads the store's HTTP validators for the crawler and holds the new ones until
// the run's records are safely written: a listing must not answer 304 next time if the articles
// it led to never reached the output.
type validatorCache struct {
	st      *store.Store
	mu      sync.Mutex
	pending map[string]crawler.Validators
}

func (c *validatorCache) Validators(ctx context.Context, u string) (crawler.Validators, bool) {
	v, ok, err := c.st.Validators(ctx, u)
	if err != nil || !ok {
		return crawler.Validators{}, false
	}
	return crawler.Validators{ETag: v.ETag, LastModified: v.LastModified}, true
}

func (c *validatorCache) SetValidators(_ context.Context, u string, v crawler.Validators) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending[u] = v
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
		fmt.Fprintf(env.Stderr, "crawl: %v\n", err)
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
	opts.OnFetch = onFetch
	if opts.ConditionalRequests() {
		opts.Cache = j.vals
	}
	c, err := crawler.New(opts, j.log.With(zap.String("source", src.Name)), j.skipper())
	if err != nil {
		return crawler.Stats{}, err
	}
	j.pipe.SetSource(src.Name)
	st, err := c.Run(ctx, j.handler())
	j.sum.add(st)
	return st, err
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
		_, ok, err := j.st.KnownURL(ctx, u)
		return err == nil && ok
	}
}

func crawlConfig(ctx context.Context, cfg *config.Config, opts crawlOptions, log *zap.Logger, env Env) error {
	st, err := openStore(ctx, cfg.Store, opts.LockTimeout, cfg.LockTimeout)
	if err != nil {
		return err
	}
	defer st.Close()
	sink, err := output.Dir(cfg.Output)
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
	for _, src := range cfg.Sources {
		if ctx.Err() != nil {
			break
		}
		st, err := j.crawlSource(ctx, src, nil)
		if errors.Is(err, crawler.ErrBadOptions) {
			crawlErr = err
			break
		}
		if err != nil && ctx.Err() == nil {
			log.Error("source failed", zap.String("source", src.Name), zap.Error(err))
		}
		log.Info("source done", zap.String("source", src.Name), zap.Int64("fetched", st.Fetched), zap.Int64("not_modified", st.NotChanged),
			zap.Int64("errors", st.Errors), zap.Int64("retries", st.Retries), zap.Int64("refused_links", st.Refused))
	}
	stop()
	return j.finish(ctx, crawlErr, env)
}

// target is one --url value: a web address or a local file or folder.
type target struct {
	web   *url.URL
	local string
}

func parseTargets(raw []string) ([]target, error) {
	var out []target
	for _, r := range raw {
		u, err := url.Parse(r)
		switch {
		case err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
			out = append(out, target{web: u})
		case err == nil && u.Scheme == "file":
			p := u.Path
			if u.Host != "" && u.Host != "localhost" { // file://./posts written by hand
				p = u.Host + u.Path
			}
			if _, serr := os.Stat(p); serr != nil {
				return nil, fmt.Errorf("%w: --url %q: %v", ErrUsage, r, serr)
			}
			out = append(out, target{local: p})
		case err == nil && u.Scheme == "":
			if _, serr := os.Stat(r); serr == nil {
				out = append(out, target{local: r})
				continue
			}
			return nil, fmt.Errorf("%w: --url %q is neither an http(s) URL nor an existing file", ErrUsage, r)
		default:
			return nil, fmt.Errorf("%w: --url %q: only http, https and file URLs are read", ErrUsage, r)
		}
	}
	return out, nil
}

func crawlURLs(ctx context.Context, opts crawlOptions, log *zap.Logger, env Env) error {
	targets, err := parseTargets(opts.URLs)
	if err != nil {
		return err
	}
	dbPath := opts.DB
	if dbPath == "" {
		// Without --db a run dedups within itself only; a throwaway store keeps one code path.
		dir, err := os.MkdirTemp("", "newsmill-run-")
		if err != nil {
			return fmt.Errorf("temporary store: %w", err)
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "run.db")
	}
	st, err := openStore(ctx, dbPath, opts.LockTimeout, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	var sink output.Sink
	if opts.Out != "" {
		f, err := output.File(opts.Out)
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
	var crawlErr error
	var web []string
	hosts := map[string]bool{}
	for _, t := range targets {
		if t.web != nil {
			web = append(web, t.web.String())
			hosts[strings.ToLower(t.web.Hostname())] = true
			continue
		}
		st, err := crawler.ReadLocal(ctx, t.local, log, j.handler())
		j.sum.add(st)
		if err != nil {
			log.Error("read failed", zap.String("path", t.local), zap.Error(err))
			j.pipe.Stats.Errors.Add(1)
		}
	}
	if len(web) > 0 && ctx.Err() == nil {
		var allowed []string
		for h := range hosts {
			allowed = append(allowed, h)
		}
		o := crawler.Options{Name: "url", Seeds: web, AllowedHosts: allowed, MaxDepth: 2, LeafArticles: true}
		var skip crawler.Skipper
		if opts.DB != "" {
			// With a store, a one-off run is as thrifty as a scheduled one: stored articles are
			// not fetched again and unchanged listings cost a 304.
			skip, o.Cache = j.skipper(), j.vals
		}
		var c *crawler.Crawler
		c, crawlErr = crawler.New(o, log, skip)
		if crawlErr == nil {
			st, err := c.Run(ctx, j.handler())
			j.sum.add(st)
			if err != nil && ctx.Err() == nil {
				log.Error("crawl failed", zap.Error(err))
			}
		}
	}
	stop()
	return j.finish(ctx, crawlErr, env)
}
