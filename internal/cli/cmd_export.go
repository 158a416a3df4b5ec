package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"sort"
	"time"

	"github.com/newsmill/newsmill/store"
)

type exportOptions struct {
	storeFlags
	Since  string
	Until  string
	Source string
}

func (o *exportOptions) register(fs *flag.FlagSet) {
	o.storeFlags.register(fs)
	fs.StringVar(&o.Since, "since", "", "only ids first seen at or after this time (RFC 3339, or YYYY-MM-DD in UTC)")
	fs.StringVar(&o.Until, "until", "", "only ids first seen before this time (RFC 3339, or YYYY-MM-DD in UTC)")
	fs.StringVar(&o.Source, "source", "", "only ids found by this config source")
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
	out := bufio.NewWriterSize(env.Stdout, 1<<16)
	err = st.Records(ctx, ids, func(_ string, line []byte) error {
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
	fmt.Fprintf(env.Stderr, "crawl export: %d records\n", len(ids))
	return nil
}
