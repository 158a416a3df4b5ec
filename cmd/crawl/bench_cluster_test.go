package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/cluster"
	"github.com/newsmill/newsmill/testkit/benchkit"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

var syncAlways = flag.Bool("cluster.sync-always", true, "BenchmarkClusterCrawl's NATS server fsyncs every write (false: JetStream's default 2-minute sync, as in a replicated cluster)")

// BenchmarkClusterCrawl crawls the generated site of BenchmarkCrawlLoopback with 1, 2 and 4
// `crawl worker` processes over a NATS server process of its own (sync_interval always), beside
// the single-process `crawl --config` of the same site, politeness off. Every process is a child,
// so its CPU is its own: cpu-ms/kpage is the crawlers' CPU (all workers) per 1,000 pages fetched,
// server-cpu-ms/kpage the NATS server's. Wall time runs from the enqueue until the frontier is
// empty (the single crawl: the whole run).
func BenchmarkClusterCrawl(b *testing.B) {
	site := sitegen.New(*crawlPosts)
	srv := httptest.NewServer(site)
	defer srv.Close()
	bin := b.TempDir()
	crawlBin, natsBin := filepath.Join(bin, "crawl"), filepath.Join(bin, "natsserver")
	for _, build := range [][]string{{"-o", crawlBin, "."}, {"-o", natsBin, "../../testkit/natstest/testdata/natsserver"}} {
		cmd := exec.Command("go", append([]string{"build"}, build...)...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("go build %v: %v", build, err)
		}
	}
	b.Run("single", func(b *testing.B) {
		var cpu time.Duration
		var pages int64
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			dir := b.TempDir()
			cfg, err := benchkit.WriteCrawlConfig(dir, srv.URL, len(site.Posts))
			if err != nil {
				b.Fatal(err)
			}
			before := site.Hits.Load()
			b.StartTimer()
			cmd := exec.Command(crawlBin, "--config", cfg)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("crawl: %v\n%s", err, out)
			}
			b.StopTimer()
			cpu += cpuOf(cmd.ProcessState)
			pages += site.Hits.Load() - before
			b.StartTimer()
		}
		report(b, pages, cpu, 0)
	})
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var cpu, serverCPU time.Duration
			var pages int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				c, w, s := clusterRun(b, crawlBin, natsBin, srv.URL, site, workers)
				cpu += c
				serverCPU += s
				pages += w
			}
			report(b, pages, cpu, serverCPU)
		})
	}
}

func report(b *testing.B, pages int64, cpu, serverCPU time.Duration) {
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(pages)*1000, "cpu-ms/kpage")
	b.ReportMetric(float64(serverCPU.Milliseconds())/float64(pages)*1000, "server-cpu-ms/kpage")
	b.ReportMetric(0, "ns/op")
}

func cpuOf(ps *os.ProcessState) time.Duration {
	if ps == nil {
		return 0
	}
	return ps.UserTime() + ps.SystemTime()
}

// clusterRun is one crawl of the site by n workers; the timer runs from the enqueue until the
// frontier is empty. It returns the workers' CPU, the pages fetched and the server's CPU.
func clusterRun(b *testing.B, crawlBin, natsBin, base string, site *sitegen.Site, n int) (time.Duration, int64, time.Duration) {
	dir := b.TempDir()
	server := exec.Command(natsBin, "-store", filepath.Join(dir, "js"), "-sync-always="+fmt.Sprint(*syncAlways))
	stdout, _ := server.StdoutPipe()
	if err := server.Start(); err != nil {
		b.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	port, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
	if !ok {
		b.Fatalf("nats server: %q", line)
	}
	url := "nats://127.0.0.1:" + port
	cfg, err := benchkit.WriteClusterConfig(dir, base, url, len(site.Posts))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cl, err := cluster.Connect(ctx, cluster.Options{URLs: []string{url}}, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	var procs []*exec.Cmd
	for range n {
		w := exec.Command(crawlBin, "worker", "--config", cfg, "--listen", "127.0.0.1:0")
		if err := w.Start(); err != nil {
			b.Fatal(err)
		}
		procs = append(procs, w)
	}
	before := site.Hits.Load()
	b.StartTimer()
	if r := exec.Command(crawlBin, "enqueue", "--config", cfg); r.Run() != nil {
		b.Fatal("enqueue failed")
	}
	for {
		d, err := cl.FrontierDepth(ctx)
		if err == nil && d == 0 {
			break
		}
		if ctx.Err() != nil {
			b.Fatalf("frontier not empty: %d", d)
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	pages := site.Hits.Load() - before
	cl.Close()
	var cpu time.Duration
	for _, w := range procs {
		w.Process.Signal(syscall.SIGTERM)
		_ = w.Wait()
		cpu += cpuOf(w.ProcessState)
	}
	server.Process.Signal(syscall.SIGTERM)
	_ = server.Wait()
	return cpu, pages, cpuOf(server.ProcessState)
}
