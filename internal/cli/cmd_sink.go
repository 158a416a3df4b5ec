package cli

import (
	"context"
	"flag"
	"fmt"
	"time"
)

type sinkOptions struct {
	Config   string
	Out      string
	Idle     time.Duration
	LogLevel string
}

func (o *sinkOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Config, "config", "", "YAML config with a cluster: section (required)")
	fs.StringVar(&o.Out, "out", "", "folder of the daily JSONL files (default: the config's output)")
	fs.DurationVar(&o.Idle, "idle", 0, "exit once the stream is drained and quiet this long (default: run until SIGTERM)")
	fs.StringVar(&o.LogLevel, "log-level", "", "debug, info, warn or error (default info, or the config's log_level)")
}

// runSink writes the cluster's record stream to the same daily files a single-machine crawl
// writes, exactly once and resumable after a kill: readers of the files keep working.
func runSink(ctx context.Context, opts sinkOptions, env Env) error {
	cfg, err := loadCluster("sink", opts.Config)
	if err != nil {
		return err
	}
	out := opts.Out
	if out == "" {
		out = cfg.Output
	}
	if out == "" {
		return fmt.Errorf("%w: sink needs --out DIR or output: in the config", ErrUsage)
	}
	log, err := configLogger(env.Stderr, opts.LogLevel, cfg)
	if err != nil {
		return err
	}
	defer log.Sync()
	cl, err := connectCluster(ctx, cfg, "sink", log)
	if err != nil {
		return err
	}
	defer cl.Close()
	st, err := cl.Sink(ctx, out, opts.Idle)
	fmt.Fprintf(env.Stderr, "crawl sink: %d lines written to %s (from stream sequence %d)\n", st.Lines, out, st.Resumed)
	return err
}
