package main

import (
	"bufio"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/store"
)

type exportOptions struct {
	storeFlags
	Since     string
	Until     string
	Source    string
	Revisions string
	Raw       bool
	Archive   string
	// Clusters writes the stories of the clustering window instead of records.
	Clusters bool
}

func newExportCommand(env Env) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export (--config FILE | --db FILE) [--since T] [--until T] [--source NAME] [--revisions latest|all] [--raw]",
		Short: "Write the stored records as JSONL on stdout, in first-seen order",
		Long: `Write the stored records, byte for byte as they were first written, to stdout as JSONL,
ordered by the time newsmill first stored each id; a count goes to stderr. A downstream
consumer replays them from here instead of crawling again.

--clusters writes instead one line per story with copies among the records of the clustering
window (the store's near-duplicate index), largest first: {"cluster_id", "records", "ids",
"sources", "title"}, the title being the first record's.

--since (inclusive) and --until (exclusive) filter on that first-seen time, not on
published_at; each takes RFC 3339 or a date YYYY-MM-DD meaning 00:00 UTC. The store is opened
read-only; while a crawl or a serve pass holds it, export waits up to --lock-timeout.

An article that changed has several revisions (docs/schema.md): --revisions latest (the
default) writes each id's latest, --revisions all every revision, oldest first.
--raw writes instead the archived HTTP response each selected id's latest revision came from,
as a .warc.gz stream (one gzip member per record) on stdout, read from the config's archive
folder or --archive DIR.`,
		Example: `  crawl export --config /etc/newsmill/newsmill.yaml --since 2024-05-01 --until 2024-05-08 > week.jsonl
  crawl export --db data/finews.db --since 2024-05-01T06:00:00+08:00 --source finews
  crawl export --config /etc/newsmill/newsmill.yaml --revisions all > every-revision.jsonl
  crawl export --config /etc/newsmill/newsmill.yaml --since 2026-12-01 --raw > december.warc.gz`,
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
	fs.StringVar(&o.Revisions, "revisions", "latest", "`WHICH` revisions of a changed article: latest or all")
	fs.BoolVar(&o.Raw, "raw", false, "write the archived responses of the ids as .warc.gz instead of their records")
	fs.StringVar(&o.Archive, "archive", "", "the archive `DIR` for --raw (default: the config's archive)")
	_ = cmd.MarkFlagDirname("archive")
	fs.BoolVar(&o.Clusters, "clusters", false, "write the stories with copies among the records of the clustering window, largest first, one JSON line each, instead of records")
}

// runExport writes the stored records, as they were first emitted, to stdout as JSONL, in the
// order they were first seen: a downstream consumer replays them from here instead of crawling
// again. The window is on the store's first-seen time, not on published_at.
// exportWindow reads --since and --until, and checks --revisions.
func exportWindow(opts exportOptions) (since, until time.Time, err error) {
	if opts.Since != "" {
		if since, err = parseWhen("since", opts.Since); err != nil {
			return since, until, err
		}
	}
	if opts.Until != "" {
		if until, err = parseWhen("until", opts.Until); err != nil {
			return since, until, err
		}
	}
	if opts.Revisions != "latest" && opts.Revisions != "all" {
		return since, until, fmt.Errorf("%w: --revisions %q: want latest or all", ErrUsage, opts.Revisions)
	}
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return since, until, fmt.Errorf("%w: --until %s is not after --since %s", ErrUsage, opts.Until, opts.Since)
	}
	return since, until, exportModes(opts)
}

// exportModes refuses flags the chosen output would silently ignore.
func exportModes(opts exportOptions) error {
	if opts.Clusters && (opts.Since != "" || opts.Until != "" || opts.Source != "" || opts.Raw || opts.Revisions != "latest") {
		return fmt.Errorf("%w: --clusters writes the clustering window's stories; it takes no --since, --until, --source, --raw or --revisions", ErrUsage)
	}
	if opts.Raw && opts.Revisions != "latest" {
		// The store indexes the response of each id's latest revision only: "all" would be
		// ignored, and a user asking for every revision's page would get one per id unawares.
		return fmt.Errorf("%w: --raw writes the archived response of each id's latest revision; it takes no --revisions %s", ErrUsage, opts.Revisions)
	}
	return nil
}

func runExport(ctx context.Context, opts exportOptions, env Env) error {
	since, until, err := exportWindow(opts)
	if err != nil {
		return err
	}
	if opts.Clusters {
		return exportClusters(ctx, opts, env)
	}
	if cl, err := opts.clusterTool(ctx, "export", env); err != nil || cl != nil {
		if err != nil {
			return err
		}
		defer cl.Close()
		if opts.Raw {
			return fmt.Errorf("%w: --raw reads the archive of one machine; a cluster's workers each keep their own (docs/cluster.md)", ErrUsage)
		}
		// The stream holds every revision, in the order they were published.
		if opts.Source != "" {
			known, err := opts.configSources()
			if err != nil {
				return err
			}
			if err := checkSources("--source", []string{opts.Source}, known); err != nil {
				return err
			}
		}
		return exportCluster(ctx, cl, since, until, opts.Source, env)
	}
	st, err := opts.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if opts.Source != "" {
		known, err := opts.knownSources(ctx, st)
		if err != nil {
			return err
		}
		if err := checkSources("--source", []string{opts.Source}, known); err != nil {
			return err
		}
	}
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
	return exportStored(ctx, opts, st, ids, env)
}

// exportStored writes the selected ids from the store: their latest records, every revision,
// or their archived responses (--raw).
func exportStored(ctx context.Context, opts exportOptions, st *store.Store, ids []string, env Env) error {
	if opts.Raw {
		return exportRaw(ctx, opts, st, ids, env)
	}
	if opts.Revisions == "all" {
		return writeExport(env, func(emit func(string, []byte) error) (int, error) {
			n := 0
			for _, id := range ids {
				if err := st.Revisions(ctx, id, func(_ int, line []byte) error { n++; return emit(id, line) }); err != nil {
					return n, err
				}
			}
			return n, nil
		})
	}
	return writeExport(env, func(emit func(string, []byte) error) (int, error) {
		return len(ids), st.Records(ctx, ids, emit)
	})
}

// exportRaw copies the archived response record of each id to stdout: together a .warc.gz.
func exportRaw(ctx context.Context, opts exportOptions, st *store.Store, ids []string, env Env) error {
	dir := opts.Archive
	if dir == "" && opts.Config != "" {
		cfg, err := config.Load(opts.Config)
		if err != nil {
			return err
		}
		dir = cfg.Archive
	}
	if dir == "" {
		return fmt.Errorf("%w: --raw reads the archive: give --archive DIR or a --config with an %s: folder", ErrUsage, config.KeyArchive)
	}
	out := bufio.NewWriterSize(env.Stdout, 1<<16)
	n, missing := 0, 0
	for _, id := range ids {
		ref, ok, err := st.Archived(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			missing++
			continue
		}
		if _, err := archive.CopyRecord(out, filepath.Join(dir, filepath.Base(ref.File)), ref.Offset); err != nil {
			return fmt.Errorf("export %s: %w", id, err)
		}
		n++
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(env.Stderr, "crawl export: %d archived responses (%d ids without one)\n", n, missing)
	return nil
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
