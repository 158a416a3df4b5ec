package main

import (
	"bufio"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsmill/newsmill/store"
)

type exportOptions struct {
	storeFlags
	Since  string
	Until  string
	Source string
}

func newExportCommand(env Env) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export (--config FILE | --db FILE) [--since T] [--until T] [--source NAME]",
		Short: "Write the stored records as JSONL on stdout, in first-seen order",
		Long: `Write the stored records, byte for byte as they were first written, to stdout as JSONL,
ordered by the time newsmill first stored each id; a count goes to stderr. A downstream
consumer replays them from here instead of crawling again.

--since (inclusive) and --until (exclusive) filter on that first-seen time, not on
published_at; each takes RFC 3339 or a date YYYY-MM-DD meaning 00:00 UTC. The store is opened
read-only; while a crawl or a serve pass holds it, export waits up to --lock-timeout.`,
		Example: `  crawl export --config /etc/newsmill/newsmill.yaml --since 2024-05-01 --until 2024-05-08 > week.jsonl
  crawl export --db data/finews.db --since 2024-05-01T06:00:00+08:00 --source finews`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd.Context(), o, env)
		},
	}
	o.register(cmd)
	return cmd
}

func (o *exportOptions) register(cmd *cobra.Command) {
	o.storeFlags.register(cmd, "read")
	fs := cmd.Flags()
	fs.StringVar(&o.Since, "since", "", "only ids first seen at or after this `TIME` (RFC 3339, or YYYY-MM-DD in UTC)")
	fs.StringVar(&o.Until, "until", "", "only ids first seen before this `TIME` (RFC 3339, or YYYY-MM-DD in UTC)")
	fs.StringVar(&o.Source, "source", "", "only ids found by this config source `NAME`")
}

// runExport writes the stored records, as they were first emitted, to stdout as JSONL, in the
// order they were first seen: a downstream consumer replays them from here instead of crawling
// again. The window is on the store's first-seen time, not on published_at.
func runExport(ctx context.Context, opts exportOptions, env Env) error {
	var since, until time.Time
	var err error
	if opts.Since != "" {
		if since, err = parseWhen("since", opts.Since); err != nil {
			return err
		}
	}
	if opts.Until != "" {
		if until, err = parseWhen("until", opts.Until); err != nil {
			return err
		}
	}
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return fmt.Errorf("%w: --until %s is not after --since %s", ErrUsage, opts.Until, opts.Since)
	}
	if cl, err := opts.clusterTool(ctx, "export", env); err != nil || cl != nil {
		if err != nil {
			return err
		}
		defer cl.Close()
		return exportCluster(ctx, cl, since, until, opts.Source, env)
	}
	st, err := opts.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	type hit struct {
		id   string
		seen time.Time
	}
	var hits []hit
	err = st.ForEach(ctx, func(id string, e store.Entry) error {
		if (!since.IsZero() && e.FirstSeen.Before(since)) || (!until.IsZero() && !e.FirstSeen.Before(until)) {
			return nil
		}
		if opts.Source != "" && e.Source != opts.Source {
			return nil
		}
		hits = append(hits, hit{id, e.FirstSeen})
		return nil
	})
	if err != nil {
		return err
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].seen.Before(hits[j].seen) })
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}
	return writeExport(env, func(emit func(string, []byte) error) (int, error) {
		return len(ids), st.Records(ctx, ids, emit)
	})
}

// writeExport writes the records read produces to stdout, one line each and byte for byte, then
// their count to stderr: the output of export from a store or from a cluster alike.
func writeExport(env Env, read func(emit func(id string, line []byte) error) (int, error)) error {
	out := bufio.NewWriterSize(env.Stdout, 1<<16)
	n, err := read(func(_ string, line []byte) error {
		if _, err := out.Write(line); err != nil {
			return err
		}
		return out.WriteByte('\n')
	})
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(env.Stderr, "crawl export: %d records\n", n)
	return nil
}
