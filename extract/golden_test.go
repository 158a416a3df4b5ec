package extract

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/testkit/golden"
)

// fixtureFetchedAt is the fixed fetch time of every fixture, so golden files are stable.
var fixtureFetchedAt = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// fixtureURLs says where each fixture would have been fetched from; raw posts are read from
// files, their id comes from the name.
var fixtureURLs = map[string]string{
	"finews/rolling-digest.html":                     "https://finews.withounder.com/emnews/2022/03/15/202203151234567890.html",
	"finews/media-article.html":                      "https://finews.withounder.com/ceshicaijing/2022/03/16/NW202203161234567891.html",
	"finews/early-plain.html":                        "https://finews.zning.me/emnews/2021/12/09/202112091234567892.html",
	"finews/looks-like-finews-without-date.html":     "https://finews.withounder.com/emnews/2021/12/09/202112091234567899.html",
	"finews/no-front-matter.html":                    "https://finews.withounder.com/2021/12/08/202112081234567893.html",
	"eastmoney/a-older-template.html":                "http://finance.eastmoney.com/a/202203181234567894.html",
	"eastmoney/news-newer-template.html":             "https://finance.eastmoney.com/news/1354,202203191234567895.html",
	"eastmoney/a-newer-bare-source.html":             "https://finance.eastmoney.com/a/202401152345678901.html",
	"finews-post/2022-03-16-NW202203161234567891.md": "file:///finews/_posts/2022-03-16-NW202203161234567891.md",
}

// fixturePage loads testdata/<rel> as the crawler would hand it over.
func fixturePage(t testing.TB, rel string) *article.Page {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := fixtureURLs[rel]
	ct := "text/html"
	if strings.HasSuffix(rel, ".md") {
		ct = ""
		if !ok {
			raw = "file:///finews/_posts/" + filepath.Base(rel)
		}
	} else if !ok {
		t.Fatalf("no URL for fixture %s in fixtureURLs", rel)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return article.NewPage(u, ct, b, fixtureFetchedAt)
}

// goldenResult is what a golden file holds: the record, or the error a broken page must give.
func goldenResult(t *testing.T, p *article.Page) []byte {
	t.Helper()
	rec, err := Default().Extract(p)
	var v any = rec
	if err != nil {
		v = map[string]string{"error": err.Error()}
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestEveryFixtureGivesItsGoldenRecord(t *testing.T) {
	var fixtures []string
	for _, pat := range []string{"finews/*.html", "finews-post/*.md", "eastmoney/*.html"} {
		m, err := filepath.Glob(filepath.Join(fixtureDir, pat))
		if err != nil {
			t.Fatal(err)
		}
		fixtures = append(fixtures, m...)
	}
	if len(fixtures) < 10 {
		t.Fatalf("found only %d fixtures", len(fixtures))
	}
	for _, f := range fixtures {
		rel, _ := filepath.Rel(fixtureDir, f)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			got := goldenResult(t, fixturePage(t, rel))
			golden.Check(t, strings.TrimSuffix(f, filepath.Ext(f))+".golden.json", got)
		})
	}
}

// fixtureDir holds the pages written in each site's shape, shared by every package's tests
// (testdata/<site>/*.html with *.golden.json beside them).
var fixtureDir = filepath.Join("..", "testdata")
