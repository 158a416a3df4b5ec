package main_test

import (
	"bytes"
	"flag"
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
	rssCeiling = flag.Int64("mem.ceiling", 800, "peak RSS in MiB above which BenchmarkPeakRSSOfPagesNearTheBodyCap fails")
)

// bigSite serves a sitegen site whose articles each carry a paragraph that brings the page near
// the default max_body_bytes (10 MiB): every one of them gives a record of about that size.
func bigSite(site *sitegen.Site, size int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := site.Page(r.URL.Path)
		if !ok || strings.Count(r.URL.Path, "/") <= 3 {
			site.ServeHTTP(w, r)
			return
		}
		pad := strings.Repeat("市场消息称今日股指震荡上行。", max(0, size-len(b))/42)
		// The article's own paragraphs come last: the head's og:description spills a copy first.
		at := bytes.LastIndex(b, []byte("<p>　　")) + len("<p>　　")
		b = append(append(append([]byte(nil), b[:at]...), pad...), b[at:]...)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	})
}

// BenchmarkPeakRSSOfPagesNearTheBodyCap runs the real binary over a listing of article pages of
// about 9.5 MiB each and reports the process's peak RSS (ru_maxrss of the child): the bytes in
// flight are bounded by the pipeline's byte budget and the fetch workers, not by the batch
// count. It fails above -mem.ceiling MiB.
func BenchmarkPeakRSSOfPagesNearTheBodyCap(b *testing.B) {
	site := sitegen.New(*bigPages * 3 / 2)
	srv := httptest.NewServer(bigSite(site, 19<<19))
	defer srv.Close()
	var peak int64
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		cmd := exec.Command(binary, "--url", srv.URL+"/category/emnews.html", "--out", filepath.Join(dir, "o.jsonl"), "--log-level", "error")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "new records") || strings.Contains(stderr.String(), " 0 new records") {
			b.Fatalf("no records written:\n%s", stderr.String())
		}
		if fi, err := os.Stat(filepath.Join(dir, "o.jsonl")); err != nil || fi.Size() < int64(*bigPages)<<22 {
			b.Fatalf("output of %v bytes: the pages did not give records of their size\n%s", fi.Size(), stderr.String())
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		peak = max(peak, ru.Maxrss/1024) // KiB on Linux
	}
	b.ReportMetric(float64(peak), "peak-RSS-MiB")
	if peak > *rssCeiling {
		b.Errorf("peak RSS %d MiB exceeds the ceiling of %d MiB", peak, *rssCeiling)
	}
	b.Logf("peak RSS %d MiB over %d pages of ~9.5 MiB", peak, *bigPages)
}
