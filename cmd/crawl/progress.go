package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/newsmill/newsmill/pipeline"
)

// progressEvery is how often the bar is redrawn; often enough to look alive, rarely enough to
// cost nothing next to a fetch.
const progressEvery = 200 * time.Millisecond

// counts is what the bar shows: pages read so far and records written.
type counts func() (pages, written int64)

// startProgress draws a bar of pages read, their rate and the records written on w while a run
// goes on, and returns the function that removes it. It draws only when tty is true: cron mail,
// pipes and log files get nothing but the log lines and the summary. The total is unknown (a
// crawl discovers its pages as it goes), so the bar is a spinner with counts and a rate.
func startProgress(w io.Writer, tty bool, read counts) (stop func()) {
	if !tty {
		return func() {}
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("starting"),
		// The bar's own count and rate of an unknown total read "(0/-, 0 pages/hr)": the line
		// says it in words instead (progressLine).
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionThrottle(progressEvery/2),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	started := time.Now()
	update := func() {
		pages, written := read()
		bar.Describe(progressLine(pages, written, time.Since(started)))
		_ = bar.Set64(pages)
	}
	go func() {
		defer wg.Done()
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				update()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			update()
			_ = bar.Finish()
		})
	}
}

// progressLine is what the bar says: "12 pages read, 5 records written (3.1 pages/s)".
func progressLine(pages, written int64, took time.Duration) string {
	rate := ""
	if s := took.Seconds(); s > 0 && pages > 0 {
		rate = fmt.Sprintf(" (%.1f pages/s)", float64(pages)/s)
	}
	return fmt.Sprintf("%d pages read, %d records written%s", pages, written, rate)
}

// progress shows the run's counts while it runs, on a terminal only.
func progress(r *pipeline.Run, env Env) func() {
	return startProgress(env.Stderr, isTerminal(env.Stderr), func() (int64, int64) {
		return r.Stats().Pages.Load(), r.Stats().New.Load()
	})
}
