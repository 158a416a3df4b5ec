package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"
)

func TestLogLinesFromManyGoroutinesReachAPlainWriterWhole(t *testing.T) {
	var out bytes.Buffer // not safe for concurrent use: the logger must serialize its writes
	log, err := newLogger(&out, "info")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				log.Warn("fetch failed", zap.Int("worker", i))
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 400 {
		t.Fatalf("%d lines, want 400", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "{") || !strings.HasSuffix(l, "}") {
			t.Fatalf("a torn line: %q", l)
		}
	}
}
