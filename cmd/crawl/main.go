// Command crawl fetches news pages, normalizes them to JSONL and deduplicates them by info code.
// See README.md.
//
// The package is the command layer and nothing else: the cobra command tree (github.com/spf13/
// cobra; docs/DESIGN.md says why), its flags, exit codes and the wiring of a run. Each
// subcommand lives in a cmd_<name>.go file of its own: an options struct, a new<Name>Command
// constructor that binds the flags to it, and runX(ctx, opts, env) doing the work; newRoot
// lists the constructors. main is a few lines over Main so tests in this package can drive
// every path without a process; the *_e2e_test.go files (package main_test) drive the binary.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// Zone data inside the binary: a config's timezone (Asia/Shanghai) must load in a minimal
	// container or on a host without /usr/share/zoneinfo.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal stops the crawl and flushes; a second one ends the process at once.
	go func() { <-ctx.Done(); stop() }()
	code := Main(ctx, os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
