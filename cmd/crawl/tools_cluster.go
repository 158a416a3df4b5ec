package main

import (
	"context"
	"fmt"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/newsmill/newsmill/cluster"
	"github.com/newsmill/newsmill/config"
)

// clusterTool returns the connected cluster when the tool's --config has a cluster: section; nil
// when the tool works on a bbolt store as always.
func (o *storeFlags) clusterTool(ctx context.Context, cmd string, env Env) (*cluster.Cluster, error) {
	if o.Config == "" || o.DB != "" {
		return nil, nil
	}
	cfg, err := config.Load(o.Config)
	if err != nil || cfg.Cluster == nil {
		return nil, nil // open reports a bad config the usual way
	}
	log, err := configLogger(env.Stderr, "", cfg)
	if err != nil {
		return nil, err
	}
	return connectCluster(ctx, cfg, cmd, log)
}

// statsCluster prints what the cluster holds, in the layout of the store's stats.
func statsCluster(ctx context.Context, cl *cluster.Cluster, env Env) error {
	st, err := cl.Stats(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "record stream\t%s\n", cl.RecordStream())
	fmt.Fprintf(w, "size\t%d bytes\n", st.RecordBytes)
	fmt.Fprintf(w, "ids\t%d\n", st.Records)
	fmt.Fprintf(w, "known urls\t%d\n", st.KnownURLs)
	fmt.Fprintf(w, "frontier\t%d urls (%d leased to workers, %d being retried)\n", st.Frontier, st.Leased, st.Redelivered)
	if !st.LastSeen.IsZero() {
		fmt.Fprintf(w, "last record\t%s\n", st.LastSeen.UTC().Format(time.RFC3339))
	}
	w.Flush()
	fmt.Fprintln(env.Stdout, "\nby source:")
	sources := make([]string, 0, len(st.BySource))
	for s := range st.BySource {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	for _, s := range sources {
		fmt.Fprintf(w, "  %s\t%d\n", s, st.BySource[s])
	}
	w.Flush()
	fmt.Fprintln(env.Stdout, "\nby day first seen (UTC) and source:")
	days := make([][2]string, 0, len(st.ByDaySource))
	for k := range st.ByDaySource {
		days = append(days, k)
	}
	sort.Slice(days, func(i, j int) bool {
		if days[i][0] != days[j][0] {
			return days[i][0] < days[j][0]
		}
		return days[i][1] < days[j][1]
	})
	for _, k := range days {
		fmt.Fprintf(w, "  %s\t%s\t%d\n", k[0], k[1], st.ByDaySource[k])
	}
	return w.Flush()
}

// exportCluster writes the records of the stream within the window, in first-seen order.
func exportCluster(ctx context.Context, cl *cluster.Cluster, since, until time.Time, source string, env Env) error {
	return writeExport(env, func(emit func(string, []byte) error) (int, error) {
		return cl.Export(ctx, cluster.ExportFilter{Since: since, Until: until, Source: source}, emit)
	})
}

// forgetCluster drops ids (or everything first seen before before) from the record stream and
// their URLs from the known set.
func forgetCluster(ctx context.Context, cl *cluster.Cluster, ids []string, before time.Time, env Env) error {
	gone, err := cl.Forget(ctx, ids...)
	if err != nil {
		return err
	}
	if !before.IsZero() {
		old, err := cl.ForgetBefore(ctx, before)
		if err != nil {
			return err
		}
		gone = append(gone, old...)
	}
	for _, id := range gone {
		fmt.Fprintln(env.Stdout, id)
	}
	fmt.Fprintf(env.Stderr, "crawl forget: %d ids forgotten from stream %s\n", len(gone), cl.RecordStream())
	return nil
}
