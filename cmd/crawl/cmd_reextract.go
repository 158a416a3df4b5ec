package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/pipeline"
)

type reextractOptions struct {
	configFlags
	Archive     string
	Since       string
	Until       string
	Sources     []string
	DryRun      bool
	Samples     int
	LockTimeout time.Duration
}

func newReextractCommand(env Env) *cobra.Command {
	var o reextractOptions
	cmd := &cobra.Command{
		Use:   "reextract --config FILE [--since T] [--until T] [--source NAME] [--dry-run]",
		Short: "Run today's extractors over the archived responses and write a revision of every changed article",
		Long: `Read the archived response of every stored id (the config's archive folder, or --archive)
with today's extractors and site rules, and write a new revision (revision, revision_of,
changed; docs/schema.md) of each id whose record changed, to the config's output, exactly once
like a crawl. Ids whose record did not change, or whose page now gives another id, write
nothing. Nothing is fetched.

--since (inclusive) and --until (exclusive) select by when the archived response was fetched
(RFC 3339, or YYYY-MM-DD meaning 00:00 UTC); --source (repeatable) by config source. --dry-run
writes nothing: it prints how many ids would get a revision and a sample of their diffs. The
store is held like a crawl holds it.`,
		Example: `  crawl reextract --config /etc/newsmill/newsmill.yaml --dry-run
  crawl reextract --config /etc/newsmill/newsmill.yaml --since 2026-11-01 --source finews`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReextract(cmd.Context(), o, env)
		},
	}
	o.configFlags.AddFlags(cmd, "`YAML` config whose store, archive and output are used")
	fs := cmd.Flags()
	fs.StringVar(&o.Archive, "archive", "", "the archive `DIR` (default: the config's archive)")
	fs.StringVar(&o.Since, "since", "", "only responses fetched at or after this `TIME` (RFC 3339, or YYYY-MM-DD in UTC)")
	fs.StringVar(&o.Until, "until", "", "only responses fetched before this `TIME` (RFC 3339, or YYYY-MM-DD in UTC)")
	stringsFlag(fs, &o.Sources, "source", "only ids found by this config source `NAME` (repeatable)")
	fs.BoolVar(&o.DryRun, "dry-run", false, "count the ids that would change and print a sample diff; write nothing")
	fs.IntVar(&o.Samples, "samples", 3, "diffs a dry run prints (`N`)")
	lockTimeoutFlag(fs, &o.LockTimeout, "a running crawl or serve pass")
	_ = cmd.MarkFlagDirname("archive")
	return cmd
}

func runReextract(ctx context.Context, opts reextractOptions, env Env) error {
	if opts.Config == "" {
		return fmt.Errorf("%w: give --config FILE (its store, archive, rules and output)", ErrUsage)
	}
	var f pipeline.Filter
	var err error
	if opts.Since != "" {
		if f.Since, err = parseWhen("since", opts.Since); err != nil {
			return err
		}
	}
	if opts.Until != "" {
		if f.Until, err = parseWhen("until", opts.Until); err != nil {
			return err
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return fmt.Errorf("%w: --until %s is not after --since %s", ErrUsage, opts.Until, opts.Since)
	}
	f.Sources = opts.Sources
	cfg, err := config.Load(opts.Config)
	if err != nil {
		return err
	}
	if cfg.Cluster != nil {
		return fmt.Errorf("%w: reextract reads the store of one machine; %s has a %s: section", ErrUsage, opts.Config, config.KeyCluster)
	}
	dir, err := reextractArchive(cfg, opts)
	if err != nil {
		return err
	}
	for _, s := range f.Sources {
		if !hasSource(cfg, s) {
			return fmt.Errorf("%w: --source %s: no such source in %s", ErrUsage, s, opts.Config)
		}
	}
	log, err := opts.logger(env.Stderr, cfg)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.Store, opts.LockTimeout, cfg.LockTimeout)
	if err != nil {
		return err
	}
	defer st.Close()
	ids, err := pipeline.Selected(ctx, st, f)
	if err != nil {
		return err
	}
	warn := func(id string, err error) {
		log.Warn("archived response could not be read; the id keeps its record", zap.String("id", id), zap.Error(err))
	}
	if opts.DryRun {
		reg, err := pipeline.Registry(cfg.Rules)
		if err != nil {
			return err
		}
		dry := pipeline.NewDryRun(reg, st, opts.Samples)
		rs, err := pipeline.Reextract(ctx, dir, ids, crawler.ArchivedPage, dry.For, warn)
		if err != nil {
			return stopped(ctx, err, "the dry run wrote nothing")
		}
		for _, d := range dry.Diffs {
			printDiff(env, d)
		}
		fmt.Fprintf(env.Stderr, "crawl reextract: %d archived ids read, %d would get a revision, %d unchanged, %d missing from the archive, %d gave no record (dry run: nothing written)\n",
			rs.Read.Load(), dry.Changed, dry.Same, rs.Missing.Load(), rs.Failed.Load())
		return nil
	}
	r, err := pipeline.StartDir(ctx, st, cfg.Output, log, cfg.Rules)
	if err != nil {
		return err
	}
	rs, rerr := pipeline.Reextract(ctx, dir, ids, crawler.ArchivedPage, func(a pipeline.Archived) func(context.Context, *article.Page) error {
		return r.Reextracting(a.Source, a.ID)
	}, warn)
	err = r.Close(ctx)
	ps := r.Stats()
	fmt.Fprintf(env.Stderr, "crawl reextract: %d archived ids read, %d revisions written, %d unchanged, %d missing from the archive, %d gave no record\n",
		rs.Read.Load(), ps.Revisions.Load(), ps.Unchanged.Load(), rs.Missing.Load(), rs.Failed.Load())
	if err != nil {
		return stopped(ctx, err, "the revisions found so far were written")
	}
	return stopped(ctx, rerr, "the revisions found so far were written")
}

// stopped says a re-extraction stopped by a signal in words (exit 130), not as the bare
// "context canceled" the reads return.
func stopped(ctx context.Context, err error, done string) error {
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: stopped by signal; %s", ErrInterrupted, done)
	}
	return err
}

// reextractArchive is the archive folder to read: --archive, else the config's.
func reextractArchive(cfg *config.Config, opts reextractOptions) (string, error) {
	dir := cfg.Archive
	if opts.Archive != "" {
		dir = opts.Archive
	}
	if dir == "" {
		return "", fmt.Errorf("%w: %s has no %s: folder and no --archive was given: nothing was archived to read again", ErrUsage, opts.Config, config.KeyArchive)
	}
	// Checked once here: else every id's read fails alike, one warning line per stored id.
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		why := "is not a folder"
		if err != nil {
			why = "cannot be read: " + err.Error()
		}
		return "", fmt.Errorf("%w: archive %s %s", ErrUsage, dir, why)
	}
	return dir, nil
}

func hasSource(cfg *config.Config, name string) bool {
	for _, s := range cfg.Sources {
		if s.Name == name {
			return true
		}
	}
	return false
}

// printDiff writes one id's change as the fields' values before and after, as JSON.
func printDiff(env Env, d pipeline.Diff) {
	before, after := fieldsOf(d.Before), fieldsOf(d.After)
	fmt.Fprintf(env.Stdout, "%s: %v\n", d.ID, d.Changed)
	for _, k := range d.Changed {
		fmt.Fprintf(env.Stdout, "  - %s: %s\n  + %s: %s\n", k, clip(before[k]), k, clip(after[k]))
	}
}

func fieldsOf(r *article.Record) map[string]json.RawMessage {
	b, _ := json.Marshal(r)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	return m
}

// clip keeps a long value (a body) to its first 200 bytes, cut at a character.
func clip(v json.RawMessage) string {
	s := string(v)
	if len(s) <= 200 {
		return s
	}
	cut := 200
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
