package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsmill/newsmill/pipeline"
)

type forgetOptions struct {
	storeFlags
	IDs     []string
	Before  string
	Retries []string
}

func newForgetCommand(env Env) *cobra.Command {
	var o forgetOptions
	cmd := &cobra.Command{
		Use:   "forget (--config FILE | --db FILE) (--id ID ... | --before T | --retries SOURCE ...)",
		Short: "Drop ids from the store so a later crawl emits them again (retention)",
		Long: `Remove ids from the store with their records and URL index entries, so a later crawl fetches
and emits them again if the site still serves them: retention, or re-emitting a record after
an extractor fix. The forgotten ids go to stdout, a count to stderr; ids not stored are no
error, so a retention job can run it again and again; a store that does not exist is (exit
1: forget never creates one), and so are an empty --id and a --retries source neither the
config nor the store knows (exit 2). The bbolt file does not shrink: its freed pages are reused
by later writes.

--retries SOURCE empties a source's list of failed pages waiting to be fetched again (see
crawl stats): for a source removed from the config, or dead links not worth their requests.

forget changes the store, so it takes it exclusively; while a crawl or a serve pass holds it,
forget waits up to --lock-timeout.

With a config that has cluster: (docs/cluster.md) forget purges the ids from the record stream
and their URLs from the urls bucket, at once for every worker: the next tick that finds the
page publishes it again (no wait: the stream is not asked to remember message ids). Lines a
sink already wrote stay in its files: a re-emitted id is appended again, as on one machine.`,
		Example: `  crawl forget --config /etc/newsmill/newsmill.yaml --id NW202112202219862945
  crawl forget --config /etc/newsmill/newsmill.yaml --before 2024-01-01   # retention
  crawl forget --config /etc/newsmill/newsmill.yaml --retries finews      # give up its failed pages`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runForget(cmd.Context(), o, env)
		},
	}
	o.register(cmd)
	return cmd
}

func (o *forgetOptions) register(cmd *cobra.Command) {
	o.storeFlags.register(cmd, "change")
	fs := cmd.Flags()
	stringsFlag(fs, &o.IDs, "id", "forget this `ID` (repeatable)")
	fs.StringVar(&o.Before, "before", "", "forget every id first seen before this `TIME` (RFC 3339, or YYYY-MM-DD in UTC)")
	stringsFlag(fs, &o.Retries, "retries", "empty this `SOURCE`'s list of failed pages to fetch again (repeatable)")
}

// runForget removes ids from the store with their records and URLs, so a later crawl emits
// them again if the site still has them: retention, or re-emitting a record after an extractor
// fix. It prints the forgotten ids on stdout and a count on stderr. Ids not stored are no error,
// so a retention job can run it again and again.
func runForget(ctx context.Context, opts forgetOptions, env Env) error {
	if len(opts.IDs) == 0 && opts.Before == "" && len(opts.Retries) == 0 {
		return fmt.Errorf("%w: forget needs --id ID, --before TIME or --retries SOURCE", ErrUsage)
	}
	if err := checkIDs(opts.IDs); err != nil {
		return err
	}
	var before time.Time
	if opts.Before != "" {
		var err error
		if before, err = parseWhen("before", opts.Before); err != nil {
			return err
		}
	}
	if cl, err := opts.clusterTool(ctx, "forget", env); err != nil || cl != nil {
		if err != nil {
			return err
		}
		defer cl.Close()
		if len(opts.Retries) > 0 {
			return fmt.Errorf("%w: --retries is for a store's retry list; a cluster redelivers failed pages itself", ErrUsage)
		}
		return forgetCluster(ctx, cl, opts.IDs, before, env)
	}
	st, err := opts.open(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(opts.Retries) > 0 {
		known, err := opts.knownSources(ctx, st)
		if err != nil {
			return err
		}
		if err := checkSources("--retries", opts.Retries, known); err != nil {
			return err
		}
	}
	// A line torn by a crash is cut first: once its id is forgotten its outbox entry goes, and
	// no recovery would ever cut it.
	if err := pipeline.CutUnconfirmed(ctx, st); err != nil {
		return err
	}
	var gone []string
	if len(opts.IDs) > 0 {
		if gone, err = st.Delete(ctx, opts.IDs...); err != nil {
			return err
		}
	}
	if !before.IsZero() {
		old, err := st.DeleteBefore(ctx, before)
		if err != nil {
			return err
		}
		gone = append(gone, old...)
	}
	for _, src := range opts.Retries {
		n, err := st.ForgetRetries(ctx, src)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "crawl forget: %d failed pages of source %s no longer retried\n", n, src)
	}
	for _, id := range gone {
		fmt.Fprintln(env.Stdout, id)
	}
	size, _ := st.Size()
	// bbolt keeps its file size and reuses the freed pages, so the number says why the file did
	// not shrink rather than leave the user wondering.
	fmt.Fprintf(env.Stderr, "crawl forget: %d ids forgotten; store file stays %d bytes, its free pages are reused\n", len(gone), size)
	return nil
}
