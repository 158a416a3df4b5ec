package pipeline

import (
	"context"
	"flag"
	"syscall"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/output"
)

var reextractPages = flag.Int("reextract.pages", 10000, "archived pages BenchmarkReextract10000ArchivedPages reads again (the CI smoke run passes a few)")

// BenchmarkReextract10000ArchivedPages times a re-extraction over 10,000 archived sitegen
// pages whose records did not change (the usual case after an extractor release: most ids stay
// as they were): read from the archive, decode, extract, compare with the store.
//
//	go test ./pipeline -run '^$' -bench Reextract -benchtime 1x
func BenchmarkReextract10000ArchivedPages(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)
	arch, out := b.TempDir(), b.TempDir()
	pg := archivePages(b, arch, pages(b, *reextractPages))
	sink, err := output.Dir(out)
	if err != nil {
		b.Fatal(err)
	}
	p := New(extract.Default(), st, sink, nil)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	h := p.From("s")
	for _, x := range pg {
		h(ctx, x)
	}
	p.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	sink.Close()
	ids, err := Selected(ctx, st, Filter{})
	if err != nil || len(ids) != *reextractPages {
		b.Fatalf("%d ids archived, %v", len(ids), err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		sink, _ := output.Dir(out)
		p := New(extract.Default(), st, sink, nil)
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		rs, err := Reextract(ctx, arch, ids, crawler.ArchivedPage, func(a Archived) func(context.Context, *article.Page) error {
			return p.Reextracting(a.Source, a.ID)
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
		p.Close()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		sink.Close()
		if n := int64(*reextractPages); rs.Read.Load() != n || p.Stats.Unchanged.Load() != n {
			b.Fatalf("read %d, unchanged %d", rs.Read.Load(), p.Stats.Unchanged.Load())
		}
	}
	b.ReportMetric(float64(*reextractPages*b.N)/b.Elapsed().Seconds(), "pages/s")
	// The machine the figures come from is shared: CPU time says what the work costs.
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(*reextractPages*b.N), "cpu-ms/1000pages")
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
