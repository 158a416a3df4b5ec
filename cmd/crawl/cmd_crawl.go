package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/internal/redact"
	"github.com/newsmill/newsmill/pipeline"
	"github.com/newsmill/newsmill/store"
)

const schemaVersion = article.SchemaVersion

type crawlOptions struct {
	configFlags
	URLs        []string
	URLsFrom    string
	DB          string
	Out         string
	Archive     string
	LockTimeout time.Duration
	urlTuning
	tuned string // the first --delay/--retries/--timeout/--user-agent given, or ""
}

func (o *crawlOptions) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	stringsFlag(fs, &o.URLs, "url", "a `URL`: page, listing, feed, or file:// post/folder to read, - for one HTML page on stdin (repeatable)")
	fs.StringVar(&o.URLsFrom, "urls-from", "", "read more --url values from `FILE`, one per line, blank lines and # comments skipped (- for stdin)")
	o.configFlags.AddFlags(cmd, "`YAML` config of a scheduled crawl: one pass over its sources (see configs/finews.yaml)")
	fs.StringVar(&o.DB, "db", "", "bbolt store `FILE` that remembers emitted ids across runs (--url runs)")
	fs.StringVar(&o.Out, "out", "", "append JSONL to this regular `FILE` instead of stdout (--url runs; - is stdout)")
	fs.StringVar(&o.Archive, "archive", "", "keep every response fetched in WARC files in `DIR` (overrides the config's archive)")
	lockTimeoutFlag(fs, &o.LockTimeout, "another crawl")
	o.urlTuning.register(cmd)
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
                 folders (recursive) are read from disk for backfill, and so are WARC files
                 (.warc, .warc.gz: ours or any crawler's), each response with its own URL
                 and fetch time; - is one HTML page on stdin. Records go to stdout, or are
                 appended to --out FILE; --db FILE remembers them across runs. --delay,
                 --retries, --timeout and --user-agent tune the fetches.
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
  crawl --url file:///data/CC-NEWS-20261201.warc.gz --db data/ccnews.db --out ccnews.jsonl
  crawl --config configs/finews.yaml --archive /var/lib/newsmill/archive
  curl -s https://example.com/news/1.html | crawl --url -
  crawl --config configs/finews.yaml
  crawl help serve`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.tuned = o.urlTuning.given(cmd)
			return runCrawl(cmd.Context(), o, env)
		},
	}
	o.register(cmd)
	cmd.Flags().SortFlags = false
	_ = cmd.MarkFlagFilename("urls-from")
	_ = cmd.MarkFlagFilename("db", "db")
	_ = cmd.MarkFlagFilename("out", "jsonl")
	_ = cmd.MarkFlagDirname("archive")
	return cmd
}

func runCrawl(ctx context.Context, opts crawlOptions, env Env) error {
	targets := make([]arg, 0, len(opts.URLs))
	for _, u := range opts.URLs {
		targets = append(targets, arg{value: u, where: "--url"})
	}
	if opts.URLsFrom == "-" && slices.Contains(opts.URLs, "-") {
		return fmt.Errorf("%w: stdin is read once: give --url - (a page) or --urls-from - (a list of URLs)", ErrUsage)
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
	stdins := 0
	for _, t := range targets {
		if t.value == "-" {
			stdins++
		}
	}
	switch {
	case stdins > 1:
		return fmt.Errorf("%w: stdin is read once: give --url - once", ErrUsage)
	case opts.Config == "" && len(targets) == 0:
		return fmt.Errorf("%w: give --url URL, --urls-from FILE or --config FILE (see crawl --help)", ErrUsage)
	case opts.Config != "" && len(targets) > 0:
		return fmt.Errorf("%w: --url and --urls-from do not go with --config", ErrUsage)
	case opts.Config != "" && (opts.DB != "" || opts.Out != ""):
		return fmt.Errorf("%w: --db and --out are for --url runs; a --config run uses the config's store and output", ErrUsage)
	case opts.Config != "" && opts.tuned != "":
		return fmt.Errorf("%w: --%s is for --url runs; a --config run sets %s per source", ErrUsage, opts.tuned, urlTuningFlags[opts.tuned])
	}
	if opts.Config == "" {
		if err := opts.urlTuning.check(); err != nil {
			return err
		}
	}
	return summarized(time.Now(), env, func() error { return crawlRun(ctx, opts, targets, env) })
}

// summarized runs a crawl and, when it ends before finish printed the summary (a locked or
// replaced store, an output folder that is another store's), prints the error and a summary of
// nothing after it: the last line on stderr is always this run's summary. A usage error (exit
// 2: flags, config) stays one line, as every command's does: no run began.
func summarized(started time.Time, env Env, run func() error) error {
	err := run()
	var printed silent
	if err == nil || errors.As(err, &printed) || ExitCode(err) == ExitUsage {
		return err
	}
	fmt.Fprintf(env.Stderr, "crawl: %s\n", redact.String(oneLine(err)))
	fmt.Fprintln(env.Stderr, pipeline.NotStarted(started))
	return silent{err}
}

// crawlRun is a crawl of a config's sources or of --url targets, once the flags agree.
func crawlRun(ctx context.Context, opts crawlOptions, targets []arg, env Env) error {
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
	if err := checkArchiveFlag(opts, cfg); err != nil {
		return err
	}
	log, err := opts.logger(env.Stderr, cfg)
	if err != nil {
		return err
	}
	defer log.Sync()
	if cfg != nil {
		return crawlConfig(ctx, cfg, opts, log, env)
	}
	return crawlURLs(ctx, targets, opts, log, env)
}

// checkArchiveFlag refuses an --archive folder that is the run's output or store, as the
// config refuses such an archive: key: WARC files would land among the daily files (or
// beside nothing, the store being a file) and the run would fail or mix them.
func checkArchiveFlag(opts crawlOptions, cfg *config.Config) error {
	if opts.Archive == "" {
		return nil
	}
	out, db := opts.Out, opts.DB
	if cfg != nil {
		out, db = cfg.Output, cfg.Store
	}
	a := absPath(opts.Archive)
	for _, p := range []string{out, db} {
		if p != "" && p != "-" && absPath(p) == a {
			return fmt.Errorf("%w: --archive %s is the run's output or store; give the archive a folder of its own", ErrUsage, opts.Archive)
		}
	}
	return nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
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
	return pipeline.OpenStore(ctx, path, timeout)
}

// finish flushes the pipeline and reports why the run ended, with the summary as the last line.
func finish(ctx context.Context, r *pipeline.Run, log *zap.Logger, crawlErr error, env Env) error {
	err := r.Close(ctx)
	_ = log.Sync()
	if err == nil && crawlErr != nil {
		err = crawlErr
	}
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("%w: stopped by signal; records extracted so far were written", ErrInterrupted)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "crawl: %s\n", redact.String(oneLine(err)))
	}
	// A source that drifted from its health block is a warning in the cron mail, not a failure:
	// the run wrote what it read, and the exit code says so.
	for _, rep := range r.Health() {
		if !rep.Healthy {
			fmt.Fprintf(env.Stderr, "crawl: %s\n", rep.Warning())
		}
	}
	fmt.Fprintln(env.Stderr, r.Summary())
	if err == nil {
		return nil
	}
	return silent{err}
}

// silent marks an error finish already printed, so Main does not print it twice.
type silent struct{ err error }

func (s silent) Error() string { return s.err.Error() }
func (s silent) Unwrap() error { return s.err }

func crawlConfig(ctx context.Context, cfg *config.Config, opts crawlOptions, log *zap.Logger, env Env) error {
	st, err := openStore(ctx, cfg.Store, opts.LockTimeout, cfg.LockTimeout)
	if err != nil {
		return err
	}
	defer st.Close()
	archiveDir := cfg.Archive
	if opts.Archive != "" {
		archiveDir = opts.Archive
	}
	r, err := pipeline.StartDir(ctx, st, cfg.Output, log, cfg.Rules, pipeline.WithSyndication(cfg.Syndication), pipeline.WithArchiveDir(archiveDir))
	if err != nil {
		return err
	}
	stop := progress(r, env)
	var crawlErr error
	var reached atomic.Bool // some fetch of some source got an answer
	onFetch := func(_ string, status int, _ time.Duration) {
		if answered(status) {
			reached.Store(true)
		}
	}
	for _, src := range cfg.Sources {
		if ctx.Err() != nil || r.Failed() {
			break
		}
		st, err := r.Source(ctx, src, onFetch)
		if errors.Is(err, crawler.ErrBadOptions) {
			crawlErr = err
			break
		}
		if err != nil && ctx.Err() == nil && !r.Failed() {
			log.Error("source failed", zap.String("source", src.Name), zap.Error(err))
		}
		log.Info("source done", zap.String("source", src.Name), zap.Int64("fetched", st.Fetched), zap.Int64("not_modified", st.NotChanged),
			zap.Int64("errors", st.Errors), zap.Int64("retries", st.Retries), zap.Int64("refused_links", st.Refused),
			zap.Int64("failed_pages_fetched_again", st.Revisits), zap.Int64("failed_pages_to_fetch_again", st.Remembered))
	}
	stop()
	// Seeds are fetched first and every other page is found through one, so no answer at all
	// means no seed of any source answered: an outage, not a few bad pages.
	if crawlErr == nil && ctx.Err() == nil && !r.Failed() && !reached.Load() {
		seeds := 0
		for _, src := range cfg.Sources {
			seeds += len(src.Seeds)
		}
		crawlErr = fmt.Errorf("%w: none of the %d seeds of %d sources could be fetched (see the fetch failed lines)", ErrOutage, seeds, len(cfg.Sources))
	}
	return finish(ctx, r, log, crawlErr, env)
}

// answered reports whether a fetch got an answer worth having: a page, or "not modified".
func answered(status int) bool {
	return (status >= 200 && status < 300) || status == http.StatusNotModified
}
