package main

import (
	"context"
	"errors"

	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/store"
)

// ErrUsage is returned when the command line cannot be understood.
var ErrUsage = errors.New("usage")

// ErrNoRecord is returned by a --url run when a given URL could not be fetched or led to no
// record; the other URLs' records were written.
var ErrNoRecord = errors.New("no record")

// ErrOutage is returned by a --config run when no seed of any source could be fetched: the
// sites or the network are down, not a few pages.
var ErrOutage = errors.New("nothing reachable")

// ErrInterrupted is returned when SIGINT or SIGTERM stopped the run before it was done.
var ErrInterrupted = errors.New("interrupted")

// Exit codes: the contract with cron and scripts (docs/operations.md).
const (
	ExitOK          = 0   // the run completed; pages that failed are logged and counted
	ExitFailed      = 1   // the run could not do its job: store unusable, output unwritable
	ExitUsage       = 2   // bad flags or config
	ExitIncomplete  = 3   // a --url gave no record, or a --config pass reached no seed at all
	ExitInterrupted = 130 // stopped by a signal; what was extracted before was written
)

// exitCodes maps errors to exit codes, first match wins. It is the one table: docs/operations.md
// and README.md show it to users.
var exitCodes = []struct {
	err  error
	code int
}{
	{ErrUsage, ExitUsage},
	{config.ErrInvalid, ExitUsage},
	{crawler.ErrBadOptions, ExitUsage},
	{ErrNoRecord, ExitIncomplete},
	{ErrOutage, ExitIncomplete},
	{ErrInterrupted, ExitInterrupted},
	{context.Canceled, ExitInterrupted},
	{store.ErrLocked, ExitFailed},
	{store.ErrCorrupt, ExitFailed},
	{store.ErrSchema, ExitFailed},
	{ErrListen, ExitFailed},
	{ErrUnhealthy, ExitFailed},
	{output.ErrUnwritable, ExitFailed},
}

// ExitCode is the process status for err.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	for _, e := range exitCodes {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	return ExitFailed
}

// ErrListen is returned by serve when it cannot listen on the configured address (in use,
// not this host's) or its metrics server stops on its own.
var ErrListen = errors.New("cannot serve metrics")

// ErrUnhealthy is returned by health when serve's /healthz does not answer 200.
var ErrUnhealthy = errors.New("unhealthy")
