package extract_test

import (
	"path/filepath"
	"testing"

	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/testkit/benchkit"
)

// Each extractor on its own kind of page from testkit/benchkit (the workloads bench/ prints its
// table from), beside x/net/html parsing the same bytes: the ratio of the two is the cost of
// extraction over the floor. bench_test.go holds the same pair on the hand-written fixtures.

func BenchmarkKitExtractFinewsPage(b *testing.B) {
	benchkit.Extract(b, extract.Default(), benchkit.FinewsPages(300))
}

func BenchmarkKitParseFinewsPage(b *testing.B) {
	benchkit.Parse(b, benchkit.FinewsPages(300))
}

func BenchmarkKitExtractFinewsPost(b *testing.B) {
	benchkit.Extract(b, extract.Default(), benchkit.RawPosts(300))
}

func BenchmarkKitParseFinewsPost(b *testing.B) {
	benchkit.Parse(b, benchkit.RawPosts(300))
}

func BenchmarkKitExtractEastmoney(b *testing.B) {
	benchkit.Extract(b, extract.Default(), benchkit.EastmoneyPages(300))
}

func BenchmarkKitParseEastmoney(b *testing.B) {
	benchkit.Parse(b, benchkit.EastmoneyPages(300))
}

func mirror(b *testing.B) benchkit.Set {
	sh := benchkit.SharedDir(".")
	if sh == "" {
		looked, _ := filepath.Abs(filepath.Join("..", "..", "shared", "corpus", "site"))
		b.Skipf("no shared corpus at %s", looked)
	}
	b.Logf("shared corpus: %s", filepath.Join(sh, "corpus", "site"))
	s, err := benchkit.MirrorPages(sh)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkKitExtractMirror(b *testing.B) {
	benchkit.Extract(b, extract.Default(), mirror(b))
}

func BenchmarkKitParseMirror(b *testing.B) {
	benchkit.Parse(b, mirror(b))
}
