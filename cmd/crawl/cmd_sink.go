package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/cluster"
	"github.com/newsmill/newsmill/config"
)

type sinkOptions struct {
	configFlags
	Out    string
	Idle   time.Duration
	Listen string
}

func newSinkCommand(env Env) *cobra.Command {
	var o sinkOptions
	cmd := &cobra.Command{
		Use:   "sink --config FILE [--out DIR]",
		Short: "Write the cluster's record stream to the daily JSONL files, exactly once",
		Long: `Copy the cluster's record stream (docs/cluster.md) into the daily files a single-machine crawl
writes (newsmill-YYYY-MM-DD.jsonl, by the UTC date the server stored each record), exactly once:
the files are their own cursor, so a sink killed at any moment resumes after the last whole line.
One sink per folder. It runs until SIGTERM, or with --idle until the stream is drained.

/metrics and /healthz are served on --listen (default: the config's listen; when it names none,
any free port, logged in the "sink running" line): lines written, the records waiting in the stream after the last line (lag) and the time of the last write. An
address that cannot be bound is logged and the sink writes on: its files come first.`,
		Example: `  crawl sink --config /etc/newsmill/newsmill.yaml --out /data/out
  crawl sink --config newsmill.yaml --out out --idle 5s   # catch up, then exit`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSink(cmd.Context(), o, env)
		},
	}
	fs := cmd.Flags()
	o.configFlags.AddFlags(cmd, "`YAML` config with a cluster: section (required)")
	fs.StringVar(&o.Out, "out", "", "`DIR` of the daily JSONL files (default: the config's output)")
	fs.StringVar(&o.Listen, "listen", "", "`HOST:PORT` of /metrics and /healthz (default: the config's listen, else any free port, logged)")
	fs.DurationVar(&o.Idle, "idle", 0, "exit once the stream is drained and quiet this `LONG` (default: run until SIGTERM)")
	_ = cmd.MarkFlagDirname("out")
	return cmd
}

// sinkMux serves the sink's /metrics (on a registry of its own: a sink fetches nothing) and
// /healthz (503 once stopping).
func sinkMux(cl *cluster.Cluster, p *cluster.SinkProgress, stopping *atomic.Bool) *http.ServeMux {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "newsmill_sink_records_written_total", Help: "Record lines the sink wrote to the daily files since it started."},
			func() float64 { return float64(p.Lines.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "newsmill_sink_lag_records", Help: "Records waiting in the stream after the last line the sink wrote."},
			func() float64 {
				c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				n, err := cl.Lag(c, p)
				if err != nil {
					return math.NaN()
				}
				return float64(n)
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "newsmill_sink_last_write_timestamp_seconds", Help: "Unix time of the sink's last fsynced write (0 before the first)."},
			func() float64 { return float64(p.LastWrite.Load()) / 1e9 }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "newsmill_sink_last_sequence", Help: "Stream sequence of the last record line written."},
			func() float64 { return float64(p.LastSeq.Load()) }),
	)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if stopping.Load() {
			rw.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(rw, "stopping")
			return
		}
		fmt.Fprintln(rw, "ok")
	})
	return mux
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
	log, err := opts.logger(env.Stderr, cfg)
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
	listen := opts.Listen
	switch {
	case listen == "" && cfg.ListenDefaulted:
		listen = config.AnyFreePort // several to a host; the port taken is logged below
	case listen == "":
		listen = cfg.Listen
	}
	var p cluster.SinkProgress
	var stopping atomic.Bool
	if ln, lerr := net.Listen("tcp", listen); lerr != nil {
		log.Error("cannot serve /metrics and /healthz; the sink writes on without them", zap.String("listen", listen), zap.Error(lerr))
	} else {
		hs := &http.Server{Handler: sinkMux(cl, &p, &stopping), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = hs.Serve(ln) }()
		defer func() {
			shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
			defer cancel()
			_ = hs.Shutdown(shutCtx)
		}()
		log.Info("sink running", zap.String("addr", ln.Addr().String()), zap.String("out", out))
	}
	go func() {
		<-ctx.Done()
		stopping.Store(true)
	}()
	st, err := cl.SinkWithProgress(ctx, out, opts.Idle, &p)
	fmt.Fprintf(env.Stderr, "crawl sink: %d lines written to %s (from stream sequence %d)\n", st.Lines, out, st.Resumed)
	return err
}
