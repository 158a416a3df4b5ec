package crawler

import (
	"context"
	"flag"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

// readSize is the size BenchmarkReadOfNearCapPages pads its pages to: by default just under the
// default max_body_bytes, as in BenchmarkPeakRSSOfPagesNearTheBodyCap.
var readSize = flag.Int("read.size", 19<<19, "bytes BenchmarkReadOfNearCapPages pads its pages to")

// genericPage is an article page of no site the extractors know: the generic extractor reads it.
const genericPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试快讯 | 某网</title>
<meta property="article:published_time" content="2022-01-21T09:00:00+08:00"></head>
<body><nav><a href="/">首页</a> <a href="/news/">新闻</a></nav><article><h1>测试快讯：市场消息</h1>
<p>　　市场消息称今日股指震荡上行，资金板块指数公司业绩投资者。</p>
<p>　　政策需求产能订单利润银行券商基金消费制造出口价格增长。</p>
</article><footer><p>&copy; 2022</p></footer></body></html>`

// BenchmarkReadOfNearCapPages reads one page of about 9.5 MiB of each shape as both drivers do
// (Crawler.read: decode, the registry's extractors, the links, the claimed URL) and reports the
// bytes allocated per byte of page (alloc-B/page-B) and the most bytes held at once while it is
// read, its own raw body not counted (peak-B/page-B: the tree, the decoded text, the
// extractors' working copies and the record). peak-B/page-B is what max_bytes_in_flight is
// multiplied by in docs/operations.md. Run with -memprofile to see whose copies they are.
func BenchmarkReadOfNearCapPages(b *testing.B) {
	site := sitegen.New(3)
	post := site.Posts[1]
	finews, _ := site.Page(post.Path)
	reg := extract.WithFallback(extract.Default(), nil) // what a run extracts with
	for _, kind := range []struct {
		name, url string
		page      []byte
	}{
		{"finews", "https://finews.zning.me" + post.Path, finews},
		{"generic", "https://news.example.com/2022/01/21/a.html", []byte(genericPage)},
	} {
		for _, shape := range sitegen.Shapes {
			b.Run("extractor="+kind.name+"/shape="+shape.Name, func(b *testing.B) {
				body := shape.Pad(kind.page, *readSize)
				u, _ := url.Parse(kind.url)
				c, err := New(Options{Name: "bench", Seeds: []string{u.Scheme + "://" + u.Host + "/"}}, nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				handle := func(_ context.Context, p *article.Page) error {
					_, err := reg.Extract(p)
					return err
				}
				r := response{final: u, status: http.StatusOK, header: http.Header{}, contentType: "text/html; charset=utf-8", body: body}
				var o outcome
				peak := peakHeld(func() { o = c.read(context.Background(), r, handle) })
				if o.kind != KindArticle {
					b.Fatalf("the page read as %v (%v), not an article", o.kind, o.err)
				}
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					c.read(context.Background(), r, handle)
					n++
				}
				runtime.ReadMemStats(&after)
				// After the loop: b.Loop's first call deletes the metrics reported before it.
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n*len(body)), "alloc-B/page-B")
				b.ReportMetric(float64(peak)/float64(len(body)), "peak-B/page-B")
			})
		}
	}
}

// peakHeld runs f with the collector kept busy (GOGC 5, so garbage is never more than a few per
// cent of the heap) and samples the heap's objects every 200µs: the most bytes f held at once,
// over what was held before.
func peakHeld(f func()) uint64 {
	base := heapAfterGC()
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	return peak.Load() - min(base, peak.Load())
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
