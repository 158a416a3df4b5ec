package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/pipeline"
	"github.com/newsmill/newsmill/store"
)

// shutdownGrace bounds how long serve waits for the metrics server to finish answering after
// the last pass stopped.
const shutdownGrace = 5 * time.Second

type serveOptions struct {
	configFlags
	LockTimeout time.Duration
}

func newServeCommand(env Env) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve --config FILE",
		Short: "Run each source on its cron schedule; serve /metrics and /healthz",
		Long: `Run as a service: each source of the config on its own schedule (a 5-field cron spec, in the
config's timezone or a CRON_TZ= prefix), one pass at a time, with Prometheus /metrics and
/healthz on the config's listen address (default 127.0.0.1:9464).

serve opens the store only while a pass runs, so stats, export and forget work beside it
(waiting --lock-timeout if a pass is running). SIGTERM stops it after the running pass has
written what it extracted; the exit status is then 0. A failed pass is logged and counted in
newsmill_passes_total{result="failed"}; serve goes on to the next tick.`,
		Example: `  crawl serve --config /etc/newsmill/newsmill.yaml
  crawl serve --config configs/finews.yaml --log-level debug`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), o, env)
		},
	}
	o.register(cmd)
	return cmd
}

func (o *serveOptions) register(cmd *cobra.Command) {
	o.configFlags.AddFlags(cmd, "`YAML` config with a schedule for every source (required)")
	lockTimeoutFlag(cmd.Flags(), &o.LockTimeout, "a store tool or another crawl (each pass waits)")
}

// server is one `crawl serve`: its config, its metrics, and the lock that runs one pass at a
// time. It opens the store for each pass and closes it after, so the store tools can read and
// prune it between passes.
type server struct {
	cfg     *config.Config
	timeout time.Duration // how long a pass waits for the store
	m       *metrics
	log     *zap.Logger
	// passMu runs passes one after another. A pipeline's sink offsets (the outbox's recovery
	// data) assume one writer per output folder, and sources sharing a host share its politeness
	// budget anyway; a source whose time comes while another runs waits its turn.
	passMu sync.Mutex
}

func runServe(ctx context.Context, opts serveOptions, env Env) error {
	if opts.Config == "" {
		return fmt.Errorf("%w: serve needs --config FILE", ErrUsage)
	}
	cfg, err := config.Load(opts.Config)
	if err != nil {
		return err
	}
	schedules, err := cfg.Schedules()
	if err != nil {
		return err
	}
	log, err := opts.logger(env.Stderr, cfg)
	if err != nil {
		return err
	}
	defer log.Sync()
	if cfg.Cluster != nil {
		return serveCluster(ctx, cfg, schedules, log)
	}
	names := make([]string, len(cfg.Sources))
	for i, s := range cfg.Sources {
		names[i] = s.Name
	}
	timeout, err := lockTimeout(opts.LockTimeout, cfg.LockTimeout)
	if err != nil {
		return err
	}
	s := &server{cfg: cfg, timeout: timeout, m: newMetrics(cfg.Store, names), log: log}
	// A store that cannot be used (corrupt, newer format, held by another crawl) stops serve at
	// once with exit 1, rather than failing every pass; it is closed again until the first pass.
	// The health series start from each source's last report, so a source that drifted before a
	// restart still shows 0 until a pass says otherwise.
	if err := s.withStore(ctx, func(st *store.Store) error { return s.m.loadHealth(ctx, st, names) }); err != nil {
		return err
	}
	ops, err := startOps(cfg.Listen, s.m.handler())
	if err != nil {
		return err
	}

	cl := cronLogger{log}
	sched := cron.New(cron.WithLogger(cl))
	jobs := make([]cron.Job, len(cfg.Sources))
	for i, src := range cfg.Sources {
		// SkipIfStillRunning: a source never overlaps itself; a tick that finds its previous pass
		// still running (or waiting for another source's) is skipped and logged.
		skipLog := cronLogger{log.With(zap.String("source", src.Name), zap.String("schedule", src.Schedule))}
		jobs[i] = cron.NewChain(cron.SkipIfStillRunning(skipLog)).Then(cron.FuncJob(func() { s.pass(ctx, src) }))
		sched.Schedule(schedules[i], jobs[i])
	}
	tz := "Local"
	if cfg.Location != nil {
		tz = cfg.Location.String()
	}
	// A schedule can leave serve quiet for hours (the shipped one waits for 07:00 Beijing time):
	// say when each source runs first, in the zone its schedule is read in.
	now := time.Now()
	for i, src := range cfg.Sources {
		next := schedules[i].Next(now)
		if spec, ok := schedules[i].(*cron.SpecSchedule); ok {
			next = next.In(spec.Location)
		}
		log.Info("scheduled", zap.String("source", src.Name), zap.String("schedule", src.Schedule),
			zap.String("next", next.Format(time.RFC3339)))
	}
	log.Info("serving", zap.String("addr", ops.addr()), zap.Strings("sources", names), zap.Bool("run_on_start", cfg.RunOnStart),
		zap.String("timezone", tz))
	sched.Start()
	var startup sync.WaitGroup
	if cfg.RunOnStart {
		startup.Add(1)
		go func() {
			defer startup.Done()
			for _, j := range jobs {
				if ctx.Err() != nil {
					return
				}
				j.Run()
			}
		}()
	}

	select {
	case <-ctx.Done():
	case err := <-ops.served:
		sched.Stop()
		return fmt.Errorf("%w: %v", ErrListen, err)
	}
	log.Info("stopping: waiting for the running pass to write what it extracted")
	ops.stop()
	<-sched.Stop().Done()
	startup.Wait()
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	ops.shutdown(shutCtx)
	log.Info("stopped")
	// SIGTERM is how a service manager stops serve: a clean stop is success, not an interruption.
	return nil
}

// pass runs one source once, with its own pipeline over the store serve holds, and counts what
// it did. Failures are logged and counted; serve goes on to the next tick.
func (s *server) pass(ctx context.Context, src config.Source) {
	s.passMu.Lock()
	defer s.passMu.Unlock()
	if ctx.Err() != nil {
		return
	}
	log := s.log.With(zap.String("source", src.Name))
	start := time.Now()
	var answered atomic.Int64
	result := passFailed
	defer func() {
		s.m.passes.WithLabelValues(src.Name, result).Inc()
		s.m.passSeconds.WithLabelValues(src.Name).Observe(time.Since(start).Seconds())
		if result == passOK {
			s.m.lastSuccess.WithLabelValues(src.Name).Set(float64(time.Now().Unix()))
		}
	}()
	var r *pipeline.Run
	var fst crawler.Stats
	var crawlErr error
	err := s.withStore(ctx, func(st *store.Store) error {
		var err error
		if r, err = pipeline.StartDir(ctx, st, s.cfg.Output, s.log, s.cfg.Rules, pipeline.WithSyndication(s.cfg.Syndication), pipeline.WithArchiveDir(s.cfg.Archive)); err != nil { // Source adds the source field
			return err
		}
		fst, crawlErr = r.Source(ctx, src, s.m.observer(src.Name, func() { answered.Add(1) }))
		return r.Close(ctx)
	})
	if r == nil {
		if ctx.Err() != nil {
			result = passInterrupted
			return
		}
		s.m.errors.WithLabelValues(src.Name, errKindWrite).Inc()
		log.Error("pass failed", zap.Error(err))
		return
	}
	writeErr := err
	ps := r.Stats()
	s.m.written.WithLabelValues(src.Name).Add(float64(ps.New.Load()))
	s.m.duplicates.WithLabelValues(src.Name).Add(float64(ps.Duplicates.Load()))
	s.m.revisions.WithLabelValues(src.Name).Add(float64(ps.RevisionsBy(src.Name)))
	s.m.joined.WithLabelValues(src.Name).Add(float64(ps.Joined.Load()))
	s.m.health.Set(r.Health())
	for _, rep := range r.Health() {
		if !rep.Healthy {
			log.Warn("source unhealthy", zap.Strings("problems", rep.Problems))
		}
	}
	s.m.errors.WithLabelValues(src.Name, errKindFetch).Add(float64(fst.Errors))
	s.m.errors.WithLabelValues(src.Name, errKindExtract).Add(float64(ps.Skipped.Load()))
	switch {
	case writeErr != nil:
		s.m.errors.WithLabelValues(src.Name, errKindWrite).Inc()
		log.Error("pass failed", zap.Error(writeErr))
	case ctx.Err() != nil:
		result = passInterrupted
	case crawlErr != nil:
		s.m.errors.WithLabelValues(src.Name, errKindSource).Inc()
		log.Error("pass failed", zap.Error(crawlErr))
	case answered.Load() == 0:
		// Every fetch failed: the pass ran, but nothing says the site is still being read.
		log.Error("pass failed: no page of the source answered")
	default:
		result = passOK
	}
	log.Info("pass done", zap.String("result", result), zap.String("summary", r.Summary()))
}

// withStore opens the store for fn and closes it after, counting its ids for the metrics.
func (s *server) withStore(ctx context.Context, fn func(*store.Store) error) error {
	st, err := openStore(ctx, s.cfg.Store, s.timeout, 0)
	if err != nil {
		return err
	}
	err = fn(st)
	if n, cerr := st.Count(context.WithoutCancel(ctx)); cerr == nil {
		s.m.ids.Store(int64(n))
	}
	return errors.Join(err, st.Close())
}

// cronLogger sends the scheduler's own messages (skipped ticks, panics) to zap.
type cronLogger struct{ log *zap.Logger }

func (c cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" { // SkipIfStillRunning dropped a tick: worth seeing, the schedule is too tight
		c.log.Warn("tick skipped: the source's previous pass is still running or waiting")
		return
	}
	if len(kv) == 0 {
		c.log.Debug("cron: " + msg)
		return
	}
	c.log.Debug("cron: "+msg, zap.Any("detail", kv))
}

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.log.Error("cron: "+msg, zap.Error(err), zap.Any("detail", kv))
}
