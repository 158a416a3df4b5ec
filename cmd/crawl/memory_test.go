package main_test

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

var (
	bigPages   = flag.Int("mem.pages", 40, "article pages near max_body_bytes that BenchmarkPeakRSSOfPagesNearTheBodyCap serves")
	rssCeiling = flag.Int64("mem.ceiling", 1000, "peak RSS in MiB above which BenchmarkPeakRSSOfPagesNearTheBodyCap fails (docs/operations.md#memory: the bound at the defaults)")
)

// bigSite serves a sitegen site whose articles are each padded to about size bytes in the
// given shape: every one of them gives a record of about that size.
func bigSite(site *sitegen.Site, shape sitegen.Shape, size int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := site.Page(r.URL.Path)
		if !ok || strings.Count(r.URL.Path, "/") <= 3 {
			site.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = shape.WritePadded(w, b, size) // streamed: this process's RSS stays out of the child's
	})
}

// BenchmarkPeakRSSOfPagesNearTheBodyCap runs the real binary (`crawl --config`) over a listing
// of article pages of about 9.5 MiB each, for each page shape at parallelism 2, 8 and 32, and
// reports the process's peak RSS (ru_maxrss of the child). The pages being read are bounded by
// max_bytes_in_flight, the records waiting to be written by the pipeline's byte budget: neither
// the parallelism nor the batch count moves the peak. It fails above -mem.ceiling MiB.
func BenchmarkPeakRSSOfPagesNearTheBodyCap(b *testing.B) {
	for _, shape := range sitegen.Shapes {
		for _, par := range []int{2, 8, 32} {
			b.Run(fmt.Sprintf("shape=%s/parallelism=%d", shape.Name, par), func(b *testing.B) {
				peakRSS(b, shape, par)
			})
		}
	}
}

func peakRSS(b *testing.B, shape sitegen.Shape, parallelism int) {
	site := sitegen.New(*bigPages * 3 / 2) // two posts in three are the category's
	srv := httptest.NewServer(bigSite(site, shape, 19<<19))
	defer srv.Close()
	var peak int64
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		cfg := filepath.Join(dir, "crawl.yaml")
		// Depth 2: the category and the posts it lists, nothing further.
		yaml := fmt.Sprintf(`store: ./data/crawl.db
output: ./out
log_level: error
sources:
  - name: big
    seeds: [%s/category/emnews.html]
    allowed_hosts: [127.0.0.1]
    parallelism: %d
    delay: 0s
    ignore_robots: true
    max_depth: 2
`, srv.URL, parallelism)
		if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(binary, "--config", cfg)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v\n%s", err, stderr.String())
		}
		files, _ := filepath.Glob(filepath.Join(dir, "out", "*.jsonl"))
		var size int64
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil {
				size += fi.Size()
			}
		}
		if size < int64(*bigPages)<<22 {
			b.Fatalf("output of %d bytes: the pages did not give records of their size\n%s", size, stderr.String())
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		peak = max(peak, ru.Maxrss/1024) // KiB on Linux
	}
	b.ReportMetric(float64(peak), "peak-RSS-MiB")
	// A child started with vfork inherits this process's high-water mark in its ru_maxrss: a
	// figure not above our own would be ours, not the crawl's.
	var self syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err == nil {
		b.ReportMetric(float64(self.Maxrss/1024), "bench-process-MiB")
		if self.Maxrss/1024 >= peak {
			b.Errorf("this process peaked at %d MiB, at least the crawl's %d MiB: the figure may be ours", self.Maxrss/1024, peak)
		}
	}
	if peak > *rssCeiling {
		b.Errorf("peak RSS %d MiB exceeds the ceiling of %d MiB", peak, *rssCeiling)
	}
	b.Logf("peak RSS %d MiB over %d %s pages of ~9.5 MiB at parallelism %d", peak, *bigPages, shape.Name, parallelism)
}
