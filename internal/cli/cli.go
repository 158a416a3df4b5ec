// Package cli is the crawl command: flags, config, wiring of the stages, exit codes. main is a
// few lines over Main so tests can drive every path without a process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Version is set at build time with -ldflags "-X github.com/newsmill/newsmill/internal/cli.Version=…".
var Version = "dev"

// Env is what a command reads and writes besides its arguments.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
}

const usage = `crawl: fetch news pages, normalize them to JSONL, deduplicate by info code

Usage:
  crawl --url URL [--url URL ...] [--db FILE] [--out FILE]
        one-off run: an article gives its record; a listing, feed or sitemap the records of the
        articles it links to; file:// posts, saved pages or folders (recursive) for backfill
  crawl --config FILE
        one pass over the configured sources, as cron runs it
  crawl serve --config FILE
        run each source on its cron schedule; /metrics and /healthz
  crawl stats (--db FILE | --config FILE)
        ids stored by source and day, store size, last run
  crawl export (--db FILE | --config FILE) [--since T] [--until T] [--source NAME]
        stored records as JSONL on stdout, by first-seen time
  crawl forget (--db FILE | --config FILE) (--id ID ... | --before T)
        drop ids so a later crawl emits them again (retention)
  crawl health [--config FILE | --addr HOST:PORT]
        exit 0 when serve's /healthz answers 200
  crawl worker --config FILE      (config with cluster:, docs/cluster.md)
        fetch URLs from the NATS frontier until SIGTERM; /metrics and /healthz
  crawl enqueue --config FILE [--source NAME]
        start a pass in the cluster: queue the sources' seeds (once per minute)
  crawl sink --config FILE [--out DIR]
        write the cluster's record stream to daily JSONL files, exactly once

  T is RFC 3339 (2024-05-01T08:00:00Z) or a UTC date (2024-05-01). Each command has --help.

Flags:
`

// Main runs the command line args (without the program name) and returns the exit status.
func Main(ctx context.Context, args []string, env Env) int {
	err := run(ctx, args, env)
	var printed silent
	if err != nil && !errors.Is(err, flag.ErrHelp) && !errors.As(err, &printed) {
		fmt.Fprintf(env.Stderr, "crawl: %v\n", err)
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	return ExitCode(err)
}

// subcommands are dispatched on the first argument; anything else is a crawl, as it always was.
var subcommands = map[string]func(ctx context.Context, args []string, env Env) error{
	"serve": func(ctx context.Context, args []string, env Env) error {
		var o serveOptions
		if err := parseSub("serve", args, env, o.register); err != nil {
			return err
		}
		return runServe(ctx, o, env)
	},
	"stats": func(ctx context.Context, args []string, env Env) error {
		var o statsOptions
		if err := parseSub("stats", args, env, o.register); err != nil {
			return err
		}
		return runStats(ctx, o, env)
	},
	"export": func(ctx context.Context, args []string, env Env) error {
		var o exportOptions
		if err := parseSub("export", args, env, o.register); err != nil {
			return err
		}
		return runExport(ctx, o, env)
	},
	"forget": func(ctx context.Context, args []string, env Env) error {
		var o forgetOptions
		if err := parseSub("forget", args, env, o.register); err != nil {
			return err
		}
		return runForget(ctx, o, env)
	},
	"worker": func(ctx context.Context, args []string, env Env) error {
		var o workerOptions
		if err := parseSub("worker", args, env, o.register); err != nil {
			return err
		}
		return runWorker(ctx, o, env)
	},
	"enqueue": func(ctx context.Context, args []string, env Env) error {
		var o enqueueOptions
		if err := parseSub("enqueue", args, env, o.register); err != nil {
			return err
		}
		return runEnqueue(ctx, o, env)
	},
	"sink": func(ctx context.Context, args []string, env Env) error {
		var o sinkOptions
		if err := parseSub("sink", args, env, o.register); err != nil {
			return err
		}
		return runSink(ctx, o, env)
	},
	"health": func(ctx context.Context, args []string, env Env) error {
		var o healthOptions
		if err := parseSub("health", args, env, o.register); err != nil {
			return err
		}
		return runHealth(ctx, o, env)
	},
}

// parseSub parses a subcommand's flags; it takes no positional arguments.
func parseSub(name string, args []string, env Env, register func(*flag.FlagSet)) error {
	fs := flag.NewFlagSet("crawl "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: crawl %s: unexpected argument %q", ErrUsage, name, strings.Join(fs.Args(), " "))
	}
	return nil
}

func run(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 {
		if sub, ok := subcommands[args[0]]; ok {
			return sub(ctx, args[1:], env)
		}
	}
	var opts crawlOptions
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	// The flag package prints its own error and the whole usage on a bad flag; a cron mail
	// wants one line, so errors are ours to print and the usage comes only with --help.
	fs.SetOutput(io.Discard)
	opts.register(fs)
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(env.Stderr, usage)
			fs.SetOutput(env.Stderr)
			fs.PrintDefaults()
			return err
		}
		return fmt.Errorf("%w: %v (see crawl --help)", ErrUsage, err)
	}
	if *showVersion {
		fmt.Fprintf(env.Stdout, "crawl %s (newsmill, record schema %d)\n", Version, schemaVersion)
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (URLs go after --url)", ErrUsage, strings.Join(fs.Args(), " "))
	}
	return runCrawl(ctx, opts, env)
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }
