// Command crawl fetches news pages, normalizes them to JSONL and deduplicates them by info code.
// See README.md; the work is in internal/cli so tests can drive it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// Zone data inside the binary: a config's timezone (Asia/Shanghai) must load in a minimal
	// container or on a host without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/newsmill/newsmill/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal stops the crawl and flushes; a second one ends the process at once.
	go func() { <-ctx.Done(); stop() }()
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
