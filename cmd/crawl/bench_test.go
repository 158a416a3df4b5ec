package main

import (
	"context"
	"flag"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/newsmill/newsmill/testkit/benchkit"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

var crawlPosts = flag.Int("crawl.posts", 1500, "posts of the generated site BenchmarkCrawlLoopback crawls (pages = posts × 4/3)")

// BenchmarkCrawlLoopback is the whole crawl command (fetch -> extract -> dedup -> write, fsyncs
// included) in this process against a sitegen site on loopback, politeness off. One op is one
// crawl of the whole site into a fresh store; run with -cpuprofile/-memprofile to see where a
// crawl's time goes. bench/ runs the real binary for the RSS and CPU figures.
func BenchmarkCrawlLoopback(b *testing.B) {
	site := sitegen.New(*crawlPosts)
	srv := httptest.NewServer(site)
	defer srv.Close()
	pages := len(site.Posts)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		cfg, err := benchkit.WriteCrawlConfig(dir, srv.URL, pages)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if code := Main(context.Background(), []string{"--config", cfg}, Env{Stdout: io.Discard, Stderr: io.Discard}); code != 0 {
			b.Fatalf("crawl exit %d", code)
		}
		b.StopTimer()
		files, _ := filepath.Glob(filepath.Join(dir, "out", "*.jsonl"))
		if len(files) == 0 {
			b.Fatal("no output written")
		}
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
}
