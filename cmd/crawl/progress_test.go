package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the bar's goroutine and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestProgressOnATerminalShowsPagesRecordsAndRate(t *testing.T) {
	var out lockedBuffer
	var pages atomic.Int64
	stop := startProgress(&out, true, func() (int64, int64) { return pages.Load(), pages.Load() / 2 })
	defer stop()
	// The bar redraws on its own clock: each count is waited for on the terminal, not slept on.
	for _, n := range []int{5, 40} {
		pages.Store(int64(n))
		deadline := time.Now().Add(20 * time.Second)
		for shown(out.String()) < n {
			if time.Now().After(deadline) {
				t.Fatalf("the bar never showed %d pages within 20s (best %d): %q", n, shown(out.String()), out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	stop()
	stop() // a second stop is harmless: runs stop on every path
	drawn := out.String()
	if !strings.Contains(drawn, "pages/s") || !strings.Contains(drawn, "20 records written") {
		t.Errorf("bar lacks a rate or the written count: %q", drawn)
	}
	if strings.Contains(drawn, "/-") || strings.Contains(drawn, "pages/hr") {
		t.Errorf("bar shows the spinner's own count of an unknown total: %q", drawn)
	}
}

// shown is the highest page count the bar has drawn.
func shown(drawn string) int {
	best := 0
	for _, m := range regexp.MustCompile(`(\d+) pages read, \d+ records written`).FindAllStringSubmatch(drawn, -1) {
		n, _ := strconv.Atoi(m[1])
		best = max(best, n)
	}
	return best
}

// Off a terminal the bar is never made: nothing reads the counts, and stop, which on a terminal
// draws the last counts at once, writes nothing either.
func TestProgressOffATerminalWritesNothing(t *testing.T) {
	var out lockedBuffer
	var reads atomic.Int64
	stop := startProgress(&out, false, func() (int64, int64) { reads.Add(1); return 7, 3 })
	stop()
	if s := out.String(); s != "" || reads.Load() != 0 {
		t.Errorf("progress off a terminal read the counts %d times and wrote %q (cron mail would get it)", reads.Load(), s)
	}
}

func TestLogLinesOnATerminalClearTheProgressLineFirst(t *testing.T) {
	var b strings.Builder
	n, err := clearLine{&b}.Write([]byte("INFO\tsource done\n"))
	if err != nil || n != len("INFO\tsource done\n") {
		t.Fatalf("write = %d, %v", n, err)
	}
	if b.String() != "\r\x1b[KINFO\tsource done\n" {
		t.Errorf("wrote %q", b.String())
	}
}
