package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsmill/newsmill/crawler"
)

// urlTuning are the fetch settings a --url run takes as flags, as wget and trafilatura users set
// them per run; a --config run sets them per source (delay, max_retries, timeout, user_agent).
type urlTuning struct {
	Delay     time.Duration
	Retries   int
	Timeout   time.Duration
	UserAgent string
}

// urlTuningFlags names the flags and the config key each stands for, for errors.
var urlTuningFlags = map[string]string{
	"delay":      crawler.KeyDelay,
	"retries":    crawler.KeyMaxRetries,
	"timeout":    crawler.KeyTimeout,
	"user-agent": crawler.KeyUserAgent,
}

func (o *urlTuning) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.DurationVar(&o.Delay, "delay", 0, "pause this `DURATION` after each request to a host (--url runs; a robots.txt Crawl-delay asking more wins)")
	fs.IntVar(&o.Retries, "retries", crawler.DefaultMaxRetries, "retry a timeout, reset, 429 or 5xx up to `N` times (--url runs; 0 for none)")
	fs.DurationVar(&o.Timeout, "timeout", crawler.DefaultTimeout, "give up an attempt after this `DURATION`: connect, headers and the whole body (--url runs)")
	fs.StringVar(&o.UserAgent, "user-agent", "", "send this `STRING` as User-Agent, and obey robots.txt for it (--url runs; default "+crawler.DefaultUserAgent+")")
	_ = cmd.RegisterFlagCompletionFunc("user-agent", cobra.NoFileCompletions)
}

// given names a tuning flag set on the command line, or "".
func (o *urlTuning) given(cmd *cobra.Command) string {
	for _, name := range []string{"delay", "retries", "timeout", "user-agent"} {
		if cmd.Flags().Changed(name) {
			return name
		}
	}
	return ""
}

// apply sets the tuning on a --url run's crawl options.
func (o urlTuning) apply(opts *crawler.Options) {
	opts.Delay, opts.Timeout, opts.UserAgent = o.Delay, o.Timeout, o.UserAgent
	if o.Timeout > crawler.DefaultHeaderTimeout {
		opts.HeaderTimeout = o.Timeout // a longer --timeout is for a slow server's first byte too
	}
	retries := o.Retries
	opts.MaxRetries = &retries
}

// check refuses, before anything is opened, a value no crawl can use, naming the flag (the
// crawler's own check names the config key).
func (o urlTuning) check() error {
	probe := crawler.Options{Seeds: []string{"http://127.0.0.1/"}}
	o.apply(&probe)
	err := probe.Validate()
	var oe *crawler.OptionError
	if errors.As(err, &oe) {
		for flag, key := range urlTuningFlags {
			if key == oe.Key {
				return fmt.Errorf("%w: --%s: %s", ErrUsage, flag, oe.Msg)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	return nil
}
