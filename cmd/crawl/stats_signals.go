package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/health"
	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/syndication"
)

// maxClustersShown is how many of the largest clusters stats lists.
const maxClustersShown = 10

// clusterView is the near-duplicate index as stats shows it: the stories of the window with more
// than one record, largest first.
type clusterView struct {
	members map[string][]string // cluster_id -> ids, in time order
	of      map[string]string   // id -> cluster_id
	sources map[string]map[string]bool
	entries int
}

func readClusters(ctx context.Context, st *store.Store) (*clusterView, error) {
	v := &clusterView{members: map[string][]string{}, of: map[string]string{}, sources: map[string]map[string]bool{}}
	err := st.Signatures(ctx, func(sg store.Signature) error {
		e, err := syndication.DecodeEntry(sg.ID, sg.At, sg.Value)
		if err != nil {
			return nil // another version's entry: not a story this binary can read
		}
		v.entries++
		v.members[e.Cluster] = append(v.members[e.Cluster], e.ID)
		v.of[e.ID] = e.Cluster
		return nil
	})
	return v, err
}

// source notes the config source that found id, as the stats walk over the ids meets it.
func (v *clusterView) source(id, src string) {
	c, ok := v.of[id]
	if !ok {
		return
	}
	if v.sources[c] == nil {
		v.sources[c] = map[string]bool{}
	}
	v.sources[c][src] = true
}

func (v *clusterView) print(ctx context.Context, st *store.Store, w *tabwriter.Writer, env Env) error {
	copies := 0
	for _, ids := range v.members {
		if len(ids) > 1 {
			copies++
		}
	}
	fmt.Fprintf(env.Stdout, "\nlargest clusters of one story (%d records in the window, %d stories with copies):\n", v.entries, copies)
	if copies == 0 {
		fmt.Fprintln(env.Stdout, "  none")
		return nil
	}
	for _, s := range v.largest(ctx, st, maxClustersShown) {
		fmt.Fprintf(w, "  %s\t%d records\t%s\t%s\n", s.ClusterID, s.Records, strings.Join(s.Sources, ","), s.Title)
	}
	return w.Flush()
}

// printHealth lists each source's last health report.
func printHealth(ctx context.Context, st *store.Store, w *tabwriter.Writer, env Env) error {
	fmt.Fprintln(env.Stdout, "\nsource health after its last pass:")
	n := 0
	err := st.Health(ctx, func(source string, b []byte) error {
		r, err := health.Unmarshal(b)
		if err != nil {
			fmt.Fprintf(w, "  %s\t%v\n", source, err)
			return nil
		}
		n++
		state := "healthy"
		if !r.Healthy {
			state = "UNHEALTHY"
		}
		s := r.Stats
		fmt.Fprintf(w, "  %s\t%s\t%s\t%d records (%d new)\tdates from page %.0f%%, fetch time %.0f%%\tsource %.0f%%\tstocks %.0f%%\tbody median %d\t%s\n",
			source, state, r.At.Format("2006-01-02T15:04:05Z"), s.Records, s.New, 100*s.PageDateShare, 100*s.FetchedDateShare,
			100*s.SourceShare, 100*s.StocksShare, s.BodyMedian, extractorCounts(s.Extractors))
		for _, p := range r.Problems {
			fmt.Fprintf(w, "  \t%s\n", p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(env.Stdout, "  none recorded")
	}
	return w.Flush()
}

func extractorCounts(m map[string]int) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// loadHealth sets the health series from the reports the store keeps, for the configured
// sources only (a source removed from the config keeps its report but gets no series).
func (m *metrics) loadHealth(ctx context.Context, st *store.Store, sources []string) error {
	known := map[string]bool{}
	for _, s := range sources {
		known[s] = true
	}
	var reps []health.Report
	err := st.Health(ctx, func(source string, b []byte) error {
		if r, err := health.Unmarshal(b); err == nil && known[source] {
			reps = append(reps, r)
		}
		return nil
	})
	m.health.Set(reps)
	return err
}

// story is one line of export --clusters.
type story struct {
	ClusterID string   `json:"cluster_id"`
	Records   int      `json:"records"`
	IDs       []string `json:"ids"`
	Sources   []string `json:"sources,omitempty"`
	Title     string   `json:"title,omitempty"`
}

// largest lists the stories with more than one record, largest first (n > 0 keeps that many).
func (v *clusterView) largest(ctx context.Context, st *store.Store, n int) []story {
	var out []story
	for c, ids := range v.members {
		if len(ids) < 2 {
			continue
		}
		srcs := make([]string, 0, len(v.sources[c]))
		for s := range v.sources[c] {
			srcs = append(srcs, s)
		}
		sort.Strings(srcs)
		out = append(out, story{ClusterID: c, Records: len(ids), IDs: ids, Sources: srcs})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Records != out[j].Records {
			return out[i].Records > out[j].Records
		}
		return out[i].ClusterID < out[j].ClusterID
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	for i := range out {
		// The title of the cluster's first record, when the store still has it (forget may have
		// dropped it since).
		_ = st.Records(ctx, []string{out[i].ClusterID}, func(_ string, line []byte) error {
			var r struct {
				Title string `json:"title"`
			}
			if json.Unmarshal(line, &r) == nil {
				out[i].Title = r.Title
			}
			return nil
		})
	}
	return out
}

// exportClusters writes the stories of the store's clustering window as JSON lines.
func exportClusters(ctx context.Context, opts exportOptions, env Env) error {
	if opts.Config != "" {
		if cfg, err := config.Load(opts.Config); err == nil && cfg.Cluster != nil {
			return fmt.Errorf("%w: export --clusters reads a store; in cluster mode the index is the stories bucket (docs/cluster.md)", ErrUsage)
		}
	}
	st, err := opts.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := readClusters(ctx, st)
	if err != nil {
		return err
	}
	if err := st.ForEach(ctx, func(id string, e store.Entry) error {
		src := e.Source
		if src == "" {
			src = "-"
		}
		v.source(id, src)
		return nil
	}); err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	list := v.largest(ctx, st, 0)
	for _, s := range list {
		if err := enc.Encode(s); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	fmt.Fprintf(env.Stderr, "crawl export: %d stories with copies\n", len(list))
	return nil
}
