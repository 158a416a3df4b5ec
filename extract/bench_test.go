package extract

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
)

// benchPages are the finews page fixtures, plus the real mirror's pages when ../shared is there.
func benchPages(b *testing.B) []*article.Page {
	b.Helper()
	var pages []*article.Page
	for _, rel := range []string{"finews/rolling-digest.html", "finews/media-article.html", "finews/early-plain.html"} {
		pages = append(pages, fixturePage(b, rel))
	}
	return pages
}

func totalBytes(pages []*article.Page) int64 {
	var n int64
	for _, p := range pages {
		n += int64(len(p.Body))
	}
	return n
}

// BenchmarkParseOnly is the floor: x/net/html parsing the same bytes, nothing else.
func BenchmarkParseOnly(b *testing.B) {
	pages := benchPages(b)
	b.SetBytes(totalBytes(pages))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			if _, err := html.Parse(bytes.NewReader(p.Body)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExtractFinewsPage is the whole registry on a freshly fetched page: parse, match,
// extract, Finish. It should stay within 2x BenchmarkParseOnly: extraction costs no more than
// parsing again.
func BenchmarkExtractFinewsPage(b *testing.B) {
	pages := benchPages(b)
	reg := Default()
	b.SetBytes(totalBytes(pages))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			fresh := article.NewPage(p.URL, p.ContentType, p.Body, p.FetchedAt)
			if _, err := reg.Extract(fresh); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// The same pair over the real mirror's article pages, skipped without ../shared.
func corpusPages(b *testing.B) []*article.Page {
	shared := sharedDir(b)
	var pages []*article.Page
	_ = filepath.WalkDir(filepath.Join(shared, "corpus", "site"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".html" {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		u := &url.URL{Scheme: "file", Path: p}
		if NewFinewsPage().Match(article.NewPage(u, "text/html", body, fixtureFetchedAt)) {
			pages = append(pages, article.NewPage(u, "text/html", body, fixtureFetchedAt))
		}
		return nil
	})
	if len(pages) == 0 {
		b.Skip("no finews pages in the corpus")
	}
	return pages
}

func BenchmarkParseOnlyCorpus(b *testing.B) {
	pages := corpusPages(b)
	b.SetBytes(totalBytes(pages))
	for b.Loop() {
		for _, p := range pages {
			if _, err := html.Parse(bytes.NewReader(p.Body)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkExtractFinewsPageCorpus(b *testing.B) {
	pages := corpusPages(b)
	reg := Default()
	b.SetBytes(totalBytes(pages))
	for b.Loop() {
		for _, p := range pages {
			if _, err := reg.Extract(article.NewPage(p.URL, p.ContentType, p.Body, p.FetchedAt)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
