package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/newsmill/newsmill/store"
)

type statsOptions struct {
	storeFlags
}

func newStatsCommand(env Env) *cobra.Command {
	var o statsOptions
	cmd := &cobra.Command{
		Use:   "stats (--config FILE | --db FILE)",
		Short: "Show what the store holds: ids by source and by day, size, last run, pages to retry",
		Long: `Show what a store holds: the ids stored in all, by source, and by day first seen (UTC) and
source; the file's size; the last run's summary line; by source, the URLs of failed pages
waiting to be fetched again by a later run; each source's health after its last pass (records,
fields filled, body median, extractors, and what drifted from its health: block); and the
largest clusters of one story among the records of the clustering window. Ids from --url runs
show source "-".

The store is opened read-only. While a crawl or a serve pass holds it, stats waits up to
--lock-timeout, then exits 1 naming the holder; serve holds it only while a pass runs.`,
		Example: `  crawl stats --config /etc/newsmill/newsmill.yaml
  crawl stats --db data/finews.db --lock-timeout 5m   # wait out a running pass`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStats(cmd.Context(), o, env)
		},
	}
	o.storeFlags.register(cmd, "read")
	return cmd
}

// runStats prints what the store holds: ids in all, by source, by day first seen (UTC) and
// source, the file's size and the last run's summary line.
func runStats(ctx context.Context, opts statsOptions, env Env) error {
	if cl, err := opts.clusterTool(ctx, "stats", env); err != nil || cl != nil {
		if err != nil {
			return err
		}
		defer cl.Close()
		return statsCluster(ctx, cl, env)
	}
	st, err := opts.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	clusters, err := readClusters(ctx, st)
	if err != nil {
		return err
	}
	type key struct{ day, source string }
	bySource := map[string]int{}
	byDay := map[key]int{}
	total := 0
	err = st.ForEach(ctx, func(id string, e store.Entry) error {
		src := e.Source
		if src == "" {
			src = "-" // --url runs have no config source
		}
		total++
		bySource[src]++
		clusters.source(id, src)
		byDay[key{e.FirstSeen.UTC().Format("2006-01-02"), src}]++
		return nil
	})
	if err != nil {
		return err
	}
	size, err := st.Size()
	if err != nil {
		return err
	}
	last, err := st.LastRun(ctx)
	if err != nil {
		return err
	}
	retries, err := st.RetryCounts(ctx)
	if err != nil {
		return err
	}
	hist, err := st.History(ctx)
	if err != nil {
		return err
	}
	if last == "" {
		last = "none recorded"
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "store\t%s\n", st.Path())
	fmt.Fprintf(w, "size\t%d bytes\n", size)
	fmt.Fprintf(w, "ids\t%d\n", total)
	fmt.Fprintf(w, "last run\t%s\n", last)
	w.Flush()
	// History has a block of its own, so the lines above keep their columns for the scripts
	// that read them.
	fmt.Fprintln(env.Stdout, "\nhistory:")
	w = tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "  archived responses\t%d\n", hist.Archived)
	fmt.Fprintf(w, "  earlier revisions\t%d\n", hist.Revised)
	fmt.Fprintf(w, "  rechecks scheduled\t%d\n", hist.Rechecks)
	w.Flush()
	fmt.Fprintln(env.Stdout, "\nby source:")
	sources := make([]string, 0, len(bySource))
	for s := range bySource {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	for _, s := range sources {
		fmt.Fprintf(w, "  %s\t%d\n", s, bySource[s])
	}
	w.Flush()
	fmt.Fprintln(env.Stdout, "\nby day first seen (UTC) and source:")
	days := make([]key, 0, len(byDay))
	for k := range byDay {
		days = append(days, k)
	}
	sort.Slice(days, func(i, j int) bool {
		if days[i].day != days[j].day {
			return days[i].day < days[j].day
		}
		return days[i].source < days[j].source
	})
	for _, k := range days {
		fmt.Fprintf(w, "  %s\t%s\t%d\n", k.day, k.source, byDay[k])
	}
	w.Flush()
	// A source's failed pages are fetched again by URL each run until they give a record or
	// reach its retry_attempts; a count that only grows is a site with dead links.
	fmt.Fprintln(env.Stdout, "\nfailed pages waiting for retry, by source:")
	if len(retries) == 0 {
		fmt.Fprintln(env.Stdout, "  none")
	}
	for _, s := range slices.Sorted(maps.Keys(retries)) {
		fmt.Fprintf(w, "  %s\t%d\n", s, retries[s])
	}
	w.Flush()
	if err := printHealth(ctx, st, w, env); err != nil {
		return err
	}
	return clusters.print(ctx, st, w, env)
}
