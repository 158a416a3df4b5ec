package syndication

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
)

// BenchmarkThousandRecords is the crawl's CPU per 1,000 article pages with and without
// clusters: the corpus's pages extracted, and the records signed and assigned in an index that
// holds the 1,000 as they come (each story about 34 times, the worst case of the index's lists).
func BenchmarkThousandRecords(b *testing.B) {
	dir := corpusDir(b)
	var pages [][]byte
	var paths []string
	reg := extract.Default()
	err := filepath.WalkDir(filepath.Join(dir, "site"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := reg.Extract(article.NewPage(&url.URL{Scheme: "file", Path: p}, "text/html", body, time.Now())); err == nil {
			pages, paths = append(pages, body), append(paths, p)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	extract1000 := func(b *testing.B) []*article.Record {
		out := make([]*article.Record, 1000)
		for i := range out {
			k := i % len(pages)
			rec, err := reg.Extract(article.NewPage(&url.URL{Scheme: "file", Path: paths[k]}, "text/html", pages[k], time.Now()))
			if err != nil {
				b.Fatal(err)
			}
			out[i] = rec
		}
		return out
	}
	// The two halves apart, each with the process's CPU time per 1,000 records (less bent by a
	// busy machine than wall time): their ratio is what clustering adds to a crawl's extraction.
	b.Run("extract", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			extract1000(b)
		}
		b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/1000")
	})
	recs := extract1000(b)
	b.Run("cluster", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			x := New()
			for i, rec := range recs {
				x.Assign(fmt.Sprint(rec.ID, i), rec.PublishedAt, Sign(rec.Title, rec.Body))
			}
		}
		b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/1000")
	})
}

// BenchmarkAssignThousandDistinct is the index alone: 1,000 distinct stories of about 600
// characters signed and assigned.
func BenchmarkAssignThousandDistinct(b *testing.B) {
	texts := make([]string, 1000)
	for i := range texts {
		var sb strings.Builder
		for j := range 12 {
			fmt.Fprintf(&sb, "第%d号公告第%d段：%s。", i, j, story[(i+j)%len(story)][:60])
		}
		texts[i] = sb.String()
	}
	for b.Loop() {
		x := New()
		for i, t := range texts {
			x.Assign(fmt.Sprint(i), t0, Sign("", t))
		}
	}
}
