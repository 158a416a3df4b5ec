package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/store"
)

// knownSources are the source names a store tool takes (--source, --retries): the config's,
// and those the store holds records or failed pages of. A name outside them is a typo, and a
// cron job that quietly did nothing with it forever would never say so.
func (o *storeFlags) knownSources(ctx context.Context, st *store.Store) (map[string]bool, error) {
	known, err := o.configSources()
	if err != nil {
		return nil, err
	}
	err = st.ForEach(ctx, func(_ string, e store.Entry) error {
		if e.Source != "" {
			known[e.Source] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	counts, err := st.RetryCounts(ctx)
	if err != nil {
		return nil, err
	}
	for s := range counts {
		known[s] = true
	}
	return known, nil
}

// configSources are the source names of --config, none without it: what a cluster's tools
// know, where no store keeps them.
func (o *storeFlags) configSources() (map[string]bool, error) {
	known := map[string]bool{}
	if o.Config == "" {
		return known, nil
	}
	cfg, err := config.Load(o.Config)
	if err != nil {
		return nil, err
	}
	for _, s := range cfg.Sources {
		known[s.Name] = true
	}
	return known, nil
}

// checkSources refuses (ErrUsage, exit 2) a source name the store and config do not know,
// naming the ones they do.
func checkSources(flag string, names []string, known map[string]bool) error {
	for _, n := range names {
		if known[n] {
			continue
		}
		list := "the store has none"
		if len(known) > 0 {
			var ks []string
			for k := range known {
				ks = append(ks, k)
			}
			slices.Sort(ks)
			list = "known: " + strings.Join(ks, ", ")
		}
		return fmt.Errorf("%w: %s %q: no such source (%s)", ErrUsage, flag, n, list)
	}
	return nil
}

// checkIDs refuses an empty --id: it would match nothing, and forget would exit 0 having done
// nothing (an unset shell variable, `--id "$ID"`).
func checkIDs(ids []string) error {
	for i, id := range ids {
		if strings.TrimSpace(id) == "" {
			return fmt.Errorf("%w: --id #%d is empty (an unset variable?)", ErrUsage, i+1)
		}
	}
	return nil
}
