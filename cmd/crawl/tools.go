package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/store"
)

// storeFlags pick the store a tool works on: --db FILE, or the store of --config FILE.
type storeFlags struct {
	DB          string
	Config      string
	LockTimeout time.Duration
}

// register binds the flags; verb says what the tool does to the store ("read", "change").
func (o *storeFlags) register(cmd *cobra.Command, verb string) {
	fs := cmd.Flags()
	fs.StringVar(&o.DB, "db", "", "the bbolt store `FILE` to "+verb)
	fs.StringVar(&o.Config, "config", "", verb+" the store of this `YAML` config instead of --db")
	lockTimeoutFlag(fs, &o.LockTimeout, "a running crawl or serve pass")
	_ = cmd.MarkFlagFilename("db", "db")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
}

// open opens the store for a tool. A running crawl, or serve during a pass, holds the store
// exclusively; the tool waits the lock timeout and then fails with store.ErrLocked naming the
// holder, never reading or pruning under a writer's feet. Between passes serve holds nothing.
func (o *storeFlags) open(ctx context.Context, readOnly bool) (*store.Store, error) {
	path := o.DB
	timeout, err := lockTimeout(o.LockTimeout, 0)
	if err != nil {
		return nil, err
	}
	switch {
	case o.DB == "" && o.Config == "":
		return nil, fmt.Errorf("%w: give --db FILE or --config FILE", ErrUsage)
	case o.DB != "" && o.Config != "":
		return nil, fmt.Errorf("%w: --db and --config do not go together", ErrUsage)
	case o.Config != "":
		cfg, err := config.Load(o.Config)
		if err != nil {
			return nil, err
		}
		path = cfg.Store
		if timeout, err = lockTimeout(o.LockTimeout, cfg.LockTimeout); err != nil {
			return nil, err
		}
	}
	// A tool never creates a store: `forget --db typo.db` would make an empty one and report
	// "0 ids forgotten" forever.
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// Read-only tools open with a shared lock: they exclude writers, not each other.
	st, err := store.Open(ctx, path, store.Options{LockTimeout: timeout, ReadOnly: readOnly})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w; wait for that crawl or pass to finish (or give a longer --lock-timeout), then run this again", err)
	}
	return st, err
}

// parseWhen reads a --since/--until/--before value: RFC 3339, or a date YYYY-MM-DD meaning
// that day's 00:00 UTC (the store keeps first-seen times in UTC).
func parseWhen(flagName, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: --%s %q: want RFC 3339 (2024-05-01T08:00:00Z) or a date (2024-05-01, UTC)", ErrUsage, flagName, v)
}
