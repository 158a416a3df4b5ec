package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

type sinkOptions struct {
	Config   string
	Out      string
	Idle     time.Duration
	LogLevel string
}

func newSinkCommand(env Env) *cobra.Command {
	var o sinkOptions
	cmd := &cobra.Command{
		Use:   "sink --config FILE [--out DIR]",
		Short: "Write the cluster's record stream to the daily JSONL files, exactly once",
		Long: `Copy the cluster's record stream (docs/cluster.md) into the daily files a single-machine crawl
writes (newsmill-YYYY-MM-DD.jsonl, by the UTC date the server stored each record), exactly once:
the files are their own cursor, so a sink killed at any moment resumes after the last whole line.
One sink per folder. It runs until SIGTERM, or with --idle until the stream is drained.`,
		Example: `  crawl sink --config /etc/newsmill/newsmill.yaml --out /data/out
  crawl sink --config newsmill.yaml --out out --idle 5s   # catch up, then exit`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSink(cmd.Context(), o, env)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Config, "config", "", "`YAML` config with a cluster: section (required)")
	fs.StringVar(&o.Out, "out", "", "`DIR` of the daily JSONL files (default: the config's output)")
	fs.DurationVar(&o.Idle, "idle", 0, "exit once the stream is drained and quiet this `LONG` (default: run until SIGTERM)")
	logLevelFlag(fs, &o.LogLevel)
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	_ = cmd.MarkFlagDirname("out")
	completeLogLevel(cmd)
	return cmd
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
		if ctx.Err() != nil {
			return nil // stopped before the servers were reachable: nothing was taken
		}
		return err
	}
	defer cl.Close()
	st, err := cl.Sink(ctx, out, opts.Idle)
	fmt.Fprintf(env.Stderr, "crawl sink: %d lines written to %s (from stream sequence %d)\n", st.Lines, out, st.Resumed)
	return err
}
