package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/cluster"
	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/syndication"
)

// loadCluster reads a config that must have a cluster section: the commands that only make
// sense on NATS (worker, enqueue, sink) say so instead of silently doing nothing.
func loadCluster(cmd, path string) (*config.Config, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: %s needs --config FILE", ErrUsage, cmd)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if cfg.Cluster == nil {
		return nil, fmt.Errorf("%w: %s: %s runs against NATS and the config has no %s: section (docs/cluster.md)", config.ErrInvalid, path, cmd, config.KeyCluster)
	}
	return cfg, nil
}

// connectCluster dials the servers of cfg's cluster section.
func connectCluster(ctx context.Context, cfg *config.Config, cmd string, log *zap.Logger) (*cluster.Cluster, error) {
	cl := cfg.Cluster
	host, _ := os.Hostname()
	return cluster.Connect(ctx, cluster.Options{
		URLs: cl.NATS, Credentials: cl.Credentials, CA: cl.TLS.CA, Cert: cl.TLS.Cert, Key: cl.TLS.Key,
		Prefix: cl.Prefix, Lease: cl.Lease, MaxDeliver: cl.MaxDeliver, Replicas: cl.Replicas,
		Name:        fmt.Sprintf("newsmill %s on %s (pid %d)", cmd, host, os.Getpid()),
		StoryWindow: storyWindow(cfg.Syndication),
		// The services wait out a server that is not up yet; one-shot commands fail at once.
		Wait: cmd == "worker" || cmd == "sink",
	}, log)
}

// storyWindow is the TTL of cluster mode's near-duplicate index: the clustering window, or 0
// (no bucket, no cluster_id) when the config turns clusters off.
func storyWindow(c config.Syndication) time.Duration {
	switch {
	case c.Off:
		return 0
	case c.Window > 0:
		return c.Window
	}
	return syndication.DefaultWindow
}

// storyJudge is the worker's judge of copies, nil when clusters are off.
func storyJudge(c config.Syndication) *syndication.Index {
	if c.Off {
		return nil
	}
	return syndication.New(syndication.WithWindow(storyWindow(c)))
}
