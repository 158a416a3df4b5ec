package cli

import (
	"context"
	"flag"
	"fmt"
	"time"
)

type forgetOptions struct {
	storeFlags
	IDs    multi
	Before string
}

func (o *forgetOptions) register(fs *flag.FlagSet) {
	o.storeFlags.register(fs)
	fs.Var(&o.IDs, "id", "forget this id (repeatable)")
	fs.StringVar(&o.Before, "before", "", "forget every id first seen before this time (RFC 3339, or YYYY-MM-DD in UTC)")
}

// runForget removes ids from the store with their records and URLs, so a later crawl emits
// them again if the site still has them: retention, or re-emitting a record after an extractor
// fix. It prints the forgotten ids on stdout and a count on stderr. Ids not stored are no error,
// so a retention job can run it again and again.
func runForget(ctx context.Context, opts forgetOptions, env Env) error {
	if len(opts.IDs) == 0 && opts.Before == "" {
		return fmt.Errorf("%w: forget needs --id ID or --before TIME", ErrUsage)
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
		return forgetCluster(ctx, cl, opts.IDs, before, env)
	}
	st, err := opts.open(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
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
	for _, id := range gone {
		fmt.Fprintln(env.Stdout, id)
	}
	size, _ := st.Size()
	// bbolt keeps its file size and reuses the freed pages, so the number says why the file did
	// not shrink rather than leave the user wondering.
	fmt.Fprintf(env.Stderr, "crawl forget: %d ids forgotten; store file stays %d bytes, its free pages are reused\n", len(gone), size)
	return nil
}
