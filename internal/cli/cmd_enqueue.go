package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/newsmill/newsmill/internal/config"
)

type enqueueOptions struct {
	Config   string
	Source   string
	LogLevel string
}

func (o *enqueueOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Config, "config", "", "YAML config with a cluster: section (required)")
	fs.StringVar(&o.Source, "source", "", "only this source (default: every source)")
	fs.StringVar(&o.LogLevel, "log-level", "", "debug, info, warn or error (default info, or the config's log_level)")
}

// runEnqueue starts a pass over the sources in the cluster: their seeds go to the frontier as
// one tick per source and minute, so cron on several machines starts each pass once.
func runEnqueue(ctx context.Context, opts enqueueOptions, env Env) error {
	cfg, err := loadCluster("enqueue", opts.Config)
	if err != nil {
		return err
	}
	var sources []config.Source
	for _, s := range cfg.Sources {
		if opts.Source == "" || s.Name == opts.Source {
			sources = append(sources, s)
		}
	}
	if len(sources) == 0 {
		return fmt.Errorf("%w: --source %q is not a source of %s", ErrUsage, opts.Source, cfg.Path)
	}
	log, err := configLogger(env.Stderr, opts.LogLevel, cfg)
	if err != nil {
		return err
	}
	defer log.Sync()
	cl, err := connectCluster(ctx, cfg, "enqueue", log)
	if err != nil {
		return err
	}
	defer cl.Close()
	now := time.Now()
	for _, s := range sources {
		n, err := cl.Enqueue(ctx, s.Name, s.Seeds, now)
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", s.Name, err)
		}
		fmt.Fprintf(env.Stderr, "crawl enqueue: %s: %d of %d seeds queued\n", s.Name, n, len(s.Seeds))
	}
	return nil
}
