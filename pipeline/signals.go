package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/health"
	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/syndication"
)

// SetClusters turns on cluster_id with index x; call it before the first page.
func (p *Pipeline) SetClusters(x *syndication.Index) { p.clusters = x }

// Health is the pass's per-source counts so far.
func (p *Pipeline) Health() *health.Pass { return p.health }

// LoadClusters builds the near-duplicate index of the config's syndication section from the
// entries st keeps; nil when the section turns clusters off.
func LoadClusters(ctx context.Context, st *store.Store, c config.Syndication) (*syndication.Index, error) {
	if c.Off {
		return nil, nil
	}
	var opts []syndication.Option
	if c.Window > 0 {
		opts = append(opts, syndication.WithWindow(c.Window))
	}
	if c.MaxEntries > 0 {
		opts = append(opts, syndication.WithMaxEntries(c.MaxEntries))
	}
	x := syndication.New(opts...)
	err := st.Signatures(ctx, func(sg store.Signature) error {
		e, err := syndication.DecodeEntry(sg.ID, sg.At, sg.Value)
		if err != nil {
			return nil // written by another version: that record simply finds no copies
		}
		x.Load(e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load clusters: %w", err)
	}
	return x, nil
}

// pruneClusters keeps the store's entries to the index's window and bound.
func pruneClusters(ctx context.Context, st *store.Store, x *syndication.Index) error {
	if x == nil {
		return nil
	}
	before, keep := x.Cutoff()
	if before.IsZero() {
		return nil
	}
	_, err := st.PruneSignatures(ctx, before, keep)
	return err
}

// checkHealth judges the run's passes against the sources' health blocks and keeps the reports
// in the store for `crawl stats`.
func checkHealth(ctx context.Context, st *store.Store, pass *health.Pass, expect map[string]health.Expect, at time.Time) ([]health.Report, error) {
	var perDay map[string]int
	reps, err := pass.Check(at, expect, func(source string) (int, error) {
		if perDay == nil {
			var err error
			if perDay, err = st.CountSince(ctx, at.Add(-24*time.Hour)); err != nil {
				return 0, err
			}
		}
		return perDay[source], nil
	})
	if err != nil {
		return nil, err
	}
	kept := map[string][]byte{}
	for _, r := range reps {
		b, err := r.Marshal()
		if err != nil {
			return nil, err
		}
		kept[r.Source] = b
	}
	if err := st.SetHealth(ctx, kept); err != nil {
		return nil, err
	}
	return reps, nil
}
