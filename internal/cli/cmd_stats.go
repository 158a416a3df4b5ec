package cli

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/newsmill/newsmill/store"
)

type statsOptions struct {
	storeFlags
}

func (o *statsOptions) register(fs *flag.FlagSet) { o.storeFlags.register(fs) }

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
	if last == "" {
		last = "none recorded"
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "store\t%s\n", st.Path())
	fmt.Fprintf(w, "size\t%d bytes\n", size)
	fmt.Fprintf(w, "ids\t%d\n", total)
	fmt.Fprintf(w, "last run\t%s\n", last)
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
	return w.Flush()
}
