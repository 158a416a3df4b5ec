package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsmill/newsmill/config"
)

type enqueueOptions struct {
	configFlags
	Source string
}

func newEnqueueCommand(env Env) *cobra.Command {
	var o enqueueOptions
	cmd := &cobra.Command{
		Use:   "enqueue --config FILE [--source NAME]",
		Short: "Start a pass in the cluster: queue the sources' seeds, once per source and minute",
		Long: `Queue the seeds of the config's sources (or of --source) to the cluster's frontier as a tick
of each source (docs/cluster.md): what cron runs instead of a crawl. Two enqueues of a source in
the same minute, from any machines, queue its seeds once; a seed still waiting is not queued
again.`,
		Example: `  */10 * * * *  crawl enqueue --config /etc/newsmill/newsmill.yaml
  crawl enqueue --config newsmill.yaml --source finews`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runEnqueue(cmd.Context(), o, env)
		},
	}
	fs := cmd.Flags()
	o.configFlags.AddFlags(cmd, "`YAML` config with a cluster: section (required)")
	fs.StringVar(&o.Source, "source", "", "only this source `NAME` (default: every source)")
	return cmd
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
	log, err := opts.logger(env.Stderr, cfg)
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
		if s.Recheck.On() {
			r, err := cl.EnqueueRechecks(ctx, s.Name, s.Recheck, now, s.Options.WithDefaults().MaxPages, s.Options.WithDefaults().MaxPagesPerHost)
			if err != nil {
				return fmt.Errorf("enqueue rechecks of %s: %w", s.Name, err)
			}
			fmt.Fprintf(env.Stderr, "crawl enqueue: %s: %d articles queued for their recheck\n", s.Name, r)
		}
	}
	return nil
}
