package extract_test

import (
	"testing"

	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/internal/benchkit"
)

// Each extractor on its own kind of page, beside x/net/html parsing the same bytes: the ratio
// of the two is the cost of extraction over the floor (see bench/ for the table).

func BenchmarkExtractFinewsPage(b *testing.B) {
	benchkit.Extract(b, extract.Default(), benchkit.FinewsPages(300))
}

func BenchmarkParseFinewsPage(b *testing.B) {
	benchkit.Parse(b, benchkit.FinewsPages(300))
}

func BenchmarkExtractFinewsPost(b *testing.B) {
	benchkit.Extract(b, extract.Default(), benchkit.RawPosts(300))
}

func BenchmarkParseFinewsPost(b *testing.B) {
	benchkit.Parse(b, benchkit.RawPosts(300))
}

func BenchmarkExtractEastmoney(b *testing.B) {
	benchkit.Extract(b, extract.Default(), benchkit.EastmoneyPages(300))
}

func BenchmarkParseEastmoney(b *testing.B) {
	benchkit.Parse(b, benchkit.EastmoneyPages(300))
}

func mirror(b *testing.B) benchkit.Set {
	sh := benchkit.SharedDir(".")
	if sh == "" {
		b.Skip("shared corpus not available next to the repository")
	}
	s, err := benchkit.MirrorPages(sh)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkExtractMirror(b *testing.B) {
	benchkit.Extract(b, extract.Default(), mirror(b))
}

func BenchmarkParseMirror(b *testing.B) {
	benchkit.Parse(b, mirror(b))
}
