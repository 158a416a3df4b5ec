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
  crawl --url URL [--url URL ...] [--db FILE] [--out FILE]   one-off run (pages, listings, feeds,
                                                              file:// posts or folders)
  crawl --config FILE                                         one pass over the configured sources

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

func run(ctx context.Context, args []string, env Env) error {
	var opts crawlOptions
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprint(env.Stderr, usage)
		fs.PrintDefaults()
	}
	opts.register(fs)
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
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
