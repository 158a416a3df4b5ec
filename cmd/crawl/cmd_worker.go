package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/cluster"
	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract/generic"
	"github.com/newsmill/newsmill/extract/learn"
	"github.com/newsmill/newsmill/pipeline"
)

type workerOptions struct {
	configFlags
	Listen  string
	Archive string
}

func newWorkerCommand(env Env) *cobra.Command {
	var o workerOptions
	cmd := &cobra.Command{
		Use:   "worker --config FILE",
		Short: "Fetch URLs from the cluster's NATS frontier until SIGTERM; serve /metrics and /healthz",
		Long: `Run one worker of a cluster (a config with a cluster: section, docs/cluster.md): take URLs from
the NATS JetStream frontier, fetch and extract them with the source's politeness held over every
worker, publish their records (the server refuses a second record for an id) and links, and only
then acknowledge them. SIGTERM stops taking URLs, finishes the ones held, and exits 0.

/metrics and /healthz are served on --listen, else the config's listen; when it names none, on
any free port, so several workers share a host: the "worker running" line logs the address.`,
		Example: `  crawl worker --config /etc/newsmill/newsmill.yaml
  crawl worker --config newsmill.yaml --listen 127.0.0.1:9465   # a fixed port for a scraper`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWorker(cmd.Context(), o, env)
		},
	}
	fs := cmd.Flags()
	o.configFlags.AddFlags(cmd, "`YAML` config with a cluster: section (required)")
	fs.StringVar(&o.Listen, "listen", "", "`HOST:PORT` of /metrics and /healthz (default: the config's listen, else any free port, logged)")
	fs.StringVar(&o.Archive, "archive", "", "keep the responses this worker fetches in WARC files in `DIR` (default: the config's archive; one folder per worker)")
	_ = cmd.MarkFlagDirname("archive")
	return cmd
}

// runWorker takes URLs from the cluster's frontier until SIGTERM, then finishes the ones it
// holds and exits 0.
func runWorker(ctx context.Context, opts workerOptions, env Env) error {
	cfg, err := loadCluster("worker", opts.Config)
	if err != nil {
		return err
	}
	log, err := opts.logger(env.Stderr, cfg)
	if err != nil {
		return err
	}
	defer log.Sync()
	if _, err := pipeline.Registry(cfg.Rules); err != nil {
		return err // a bad rule is a usage error before any server is asked
	}
	cl, err := connectCluster(ctx, cfg, "worker", log)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped before the servers were reachable: nothing was taken
		}
		return err
	}
	defer cl.Close()
	sites, err := workerSites(ctx, cl, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := sites.Flush(context.WithoutCancel(ctx)); err != nil {
			log.Warn("cannot keep what was learned of the sites; they are learned again", zap.Error(err))
		}
	}()
	reg, err := pipeline.Registry(cfg.Rules, generic.WithLearner(sites))
	if err != nil {
		return err
	}
	names := make([]string, len(cfg.Sources))
	for i, s := range cfg.Sources {
		names[i] = s.Name
	}
	m := newMetrics("", names)
	archiveDir := cfg.Archive
	if opts.Archive != "" {
		archiveDir = opts.Archive
	}
	var aw *archive.Writer
	if archiveDir != "" {
		// Each worker writes its own folder: the records it publishes name it (HeaderArchived).
		if aw, err = archive.Open(archiveDir, archive.WithSoftware(pipeline.Software)); err != nil {
			if errors.Is(err, archive.ErrLocked) {
				return fmt.Errorf("%w; give each worker on this host its own --archive DIR", err)
			}
			return err
		}
		defer aw.Close()
	}
	sources := map[string]cluster.WorkerSource{}
	for _, src := range cfg.Sources {
		with := []crawler.Option{crawler.WithFetchObserver(m.observer(src.Name, func() {}))}
		if aw != nil {
			with = append(with, crawler.WithArchive(aw))
		}
		if src.ConditionalRequests() {
			with = append(with, crawler.WithValidatorCache(cl.Validators()))
		}
		c, err := crawler.New(src.Options, log.With(zap.String("source", src.Name)), nil, with...)
		if err != nil {
			return err
		}
		sources[src.Name] = cluster.WorkerSource{Crawler: c, Conditional: src.ConditionalRequests()}
	}
	w := cl.NewWorker(sources, reg, cfg.Cluster.Concurrency, log)
	if aw != nil {
		host, _ := os.Hostname()
		abs, _ := filepath.Abs(archiveDir)
		w.Archive, w.ArchiveName = aw, host+":"+abs
	}
	w.OnRecord = func(source string, dup bool) {
		if dup {
			m.duplicates.WithLabelValues(source).Inc()
		} else {
			m.written.WithLabelValues(source).Inc()
		}
	}
	w.OnError = func(source, kind string) { m.errors.WithLabelValues(source, kind).Inc() }
	w.OnRevision = func(source string) { m.revisions.WithLabelValues(source).Inc() }
	w.Stories = storyJudge(cfg.Syndication)
	w.OnJoined = func(source string) { m.joined.WithLabelValues(source).Inc() }
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "newsmill_frontier_depth", Help: "URLs waiting in the cluster's frontier, leased ones included."},
			func() float64 {
				c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				n, _ := cl.FrontierDepth(c)
				return float64(n)
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "newsmill_leases_in_flight", Help: "Frontier URLs this worker holds right now."},
			func() float64 { return float64(w.Stats.Leases.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "newsmill_requests_in_flight", Help: "HTTP requests this worker has in flight right now."},
			func() float64 { return float64(w.Stats.InFlight.Load()) }),
	)
	listen := opts.Listen
	switch {
	case listen == "" && cfg.ListenDefaulted:
		listen = config.AnyFreePort // several to a host; the port taken is logged below
	case listen == "":
		listen = cfg.Listen
	}
	ops, err := startOps(listen, m.handler())
	if err != nil {
		return err
	}
	log.Info("worker running", zap.String("addr", ops.addr()), zap.Strings("sources", names), zap.Int("concurrency", cfg.Cluster.Concurrency))
	start := time.Now()
	go func() {
		<-ctx.Done()
		ops.stop()
		log.Info("stopping: finishing the URLs this worker holds")
	}()
	err = w.Run(ctx)
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	ops.shutdown(shutCtx)
	s := w.Stats
	fmt.Fprintf(env.Stderr, "newsmill worker: %d urls fetched, %d new records, %d duplicates, %d known urls not fetched, %d errors, %d retried later, %d given up, %s\n",
		s.Fetched.Load(), s.New.Load(), s.Duplicates.Load(), s.Skipped.Load(), s.Errors.Load(), s.Retries.Load(), s.GaveUp.Load(), time.Since(start).Round(time.Millisecond))
	return err
}

// siteFlushEvery is how often a worker saves what it learned of the sites to the cluster's
// bucket, for the other workers' next start and for its own after a crash.
const siteFlushEvery = time.Minute

// siteSharedPages is how many pages of a site the workers read and save its state around each
// page: a template shows on a site's first few pages, and workers that each learned from their
// own share alone would each keep it on their first three articles of the site.
const siteSharedPages = 20

// workerSites is the worker's site learner over the cluster's sites bucket, loaded with the
// sources' seed sites and saved every siteFlushEvery until ctx ends (and once more at exit, by
// the caller). Sites beyond the seeds are learned from their pages.
func workerSites(ctx context.Context, cl *cluster.Cluster, cfg *config.Config, log *zap.Logger) (*learn.Learner, error) {
	kv, err := cl.Sites(ctx)
	if err != nil {
		return nil, err
	}
	l := learn.New(learn.WithStorage(kv), learn.WithSharedStorage(siteSharedPages))
	var hosts []string
	for _, src := range cfg.Sources {
		for _, seed := range src.Seeds {
			if u, err := url.Parse(seed); err == nil {
				hosts = append(hosts, learn.SiteKey(u, nil))
			}
		}
	}
	if err := l.Load(ctx, hosts...); err != nil {
		log.Warn("cannot read what was learned of the sites; learning them again", zap.Error(err))
	}
	go func() {
		t := time.NewTicker(siteFlushEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := l.Flush(ctx); err != nil && ctx.Err() == nil {
					log.Warn("cannot keep what was learned of the sites; trying again later", zap.Error(err))
				}
			}
		}
	}()
	return l, nil
}
