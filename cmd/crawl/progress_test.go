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
	for i := 0; i < 8; i++ {
		pages.Add(5)
		time.Sleep(progressEvery / 2)
	}
	drawn := out.String()
	stop()
	stop() // a second stop is harmless: runs stop on every path
	if !strings.Contains(drawn, "pages/s") || !strings.Contains(drawn, "written") {
		t.Errorf("bar lacks a rate or the written count: %q", drawn)
	}
	best := 0
	for _, m := range regexp.MustCompile(`\((\d+)/-, [\d.]+ pages/s\)`).FindAllStringSubmatch(drawn, -1) {
		n, _ := strconv.Atoi(m[1])
		best = max(best, n)
	}
	if best < 20 {
		t.Errorf("bar never showed the page count going up (best %d): %q", best, drawn)
	}
}

func TestProgressOffATerminalWritesNothing(t *testing.T) {
	var out lockedBuffer
	stop := startProgress(&out, false, func() (int64, int64) { return 7, 3 })
	time.Sleep(2 * progressEvery)
	stop()
	if s := out.String(); s != "" {
		t.Errorf("progress written to a pipe (cron mail would get it): %q", s)
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
