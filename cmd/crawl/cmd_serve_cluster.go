package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/config"
)

// serveCluster is serve with a cluster: section: each source's schedule publishes a tick (its
// seeds, once per source and minute) for the workers instead of crawling here, so several serves
// for safety start each pass once.
func serveCluster(ctx context.Context, cfg *config.Config, schedules []cron.Schedule, log *zap.Logger) error {
	cl, err := connectCluster(ctx, cfg, "serve", log)
	if err != nil {
		return err
	}
	defer cl.Close()
	reg := prometheus.NewRegistry()
	ticks := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newsmill_ticks_total", Help: "Scheduled ticks by source and result (queued, already: another serve queued it, failed).",
	}, []string{"source", "result"})
	lastTick := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "newsmill_last_tick_timestamp_seconds", Help: "Unix time the source's last tick reached the frontier.",
	}, []string{"source"})
	reg.MustRegister(ticks, lastTick, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ops, err := startOps(cfg.Listen, (&metrics{reg: reg}).handler())
	if err != nil {
		return err
	}

	tick := func(src config.Source) {
		if src.Recheck.On() {
			if r, err := cl.EnqueueRechecks(ctx, src.Name, src.Recheck, time.Now(), src.Options.WithDefaults().MaxPages, src.Options.WithDefaults().MaxPagesPerHost); err != nil {
				log.Error("rechecks not queued", zap.String("source", src.Name), zap.Error(err))
			} else if r > 0 {
				log.Info("rechecks queued", zap.String("source", src.Name), zap.Int("articles", r))
			}
		}
		n, err := cl.Enqueue(ctx, src.Name, src.Seeds, time.Now())
		switch {
		case err != nil:
			ticks.WithLabelValues(src.Name, "failed").Inc()
			log.Error("tick failed", zap.String("source", src.Name), zap.Error(err))
		case n == 0:
			ticks.WithLabelValues(src.Name, "already").Inc()
			log.Info("tick already queued", zap.String("source", src.Name))
		default:
			ticks.WithLabelValues(src.Name, "queued").Inc()
			lastTick.WithLabelValues(src.Name).Set(float64(time.Now().Unix()))
			log.Info("tick queued", zap.String("source", src.Name), zap.Int("seeds", n))
		}
	}
	sched := cron.New(cron.WithLogger(cronLogger{log}))
	for i, src := range cfg.Sources {
		sched.Schedule(schedules[i], cron.FuncJob(func() { tick(src) }))
	}
	log.Info("serving ticks to the cluster", zap.String("addr", ops.addr()), zap.String("frontier", cl.FrontierStream()))
	sched.Start()
	if cfg.RunOnStart {
		for _, src := range cfg.Sources {
			tick(src)
		}
	}
	select {
	case <-ctx.Done():
	case err := <-ops.served:
		sched.Stop()
		return fmt.Errorf("%w: %v", ErrListen, err)
	}
	ops.stop()
	<-sched.Stop().Done()
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	ops.shutdown(shutCtx)
	log.Info("stopped")
	return nil
}
