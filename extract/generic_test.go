package extract

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/testkit/golden"
)

var genFetched = time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)

var genFixtureURLs = map[string]string{
	"local-news":      "http://news.example.cn/local/2023/0418/12345.html",
	"eastmoney-style": "https://finance.eastmoney.com/a/202304122345678901.html",
	"jsonld-only":     "https://coast.example.com/2023/05/harbour",
	"spill-trap":      "http://127.0.0.1:8932/kuaidiribao/2023/02/28/NW202302281111111111.html",
	"flash":           "http://127.0.0.1:8932/emnews/2023/04/12/202304121400000001.html",
	"listing":         "http://news.example.cn/local/",
	"home":            "http://news.example.cn/",
}

func genPage(t testing.TB, dir, name, rawURL string) *article.Page {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, dir, name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return article.NewPage(u, "text/html", b, genFetched)
}

// checkGolden compares a record with testdata/<dir>/<name>.golden.json; -update rewrites it.
func checkGolden(t *testing.T, dir, name string, rec *article.Record) {
	t.Helper()
	golden.JSON(t, filepath.Join(fixtureDir, dir, name+".golden.json"), rec)
}

func TestGenericArticlesMatchGoldenFiles(t *testing.T) {
	reg := NewRegistry(NewGeneric())
	for _, name := range []string{"local-news", "eastmoney-style", "jsonld-only", "spill-trap", "flash"} {
		t.Run(name, func(t *testing.T) {
			rec, err := reg.Extract(genPage(t, "generic", name, genFixtureURLs[name]))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "generic", name, rec)
		})
	}
}

// On the real finews site (when ../shared is present), every rendered post becomes a record
// and every home or category page is refused.
func TestGenericOnTheFinewsSiteTakesPostsAndRefusesListings(t *testing.T) {
	site, _ := filepath.Abs(filepath.Join("..", "..", "shared", "corpus", "site"))
	if _, err := os.Stat(site); err != nil {
		t.Skipf("no shared corpus at %s", site)
	}
	t.Logf("shared corpus: %s", site)
	reg := NewRegistry(NewGeneric())
	var posts, listings int
	err := filepath.Walk(site, func(path string, info os.FileInfo, err error) error {
		if err != nil || !strings.HasSuffix(path, ".html") {
			return err
		}
		rel, _ := filepath.Rel(site, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		u, _ := url.Parse("http://127.0.0.1:8932/" + filepath.ToSlash(rel))
		_, xerr := reg.Extract(article.NewPage(u, "text/html", b, genFetched))
		listing := rel == "index.html" || strings.HasSuffix(rel, "/index.html") || strings.HasPrefix(rel, "category")
		switch {
		case listing:
			listings++
			if !errors.Is(xerr, article.ErrNotArticle) {
				t.Errorf("%s: listing page gave %v", rel, xerr)
			}
		case xerr != nil && !errors.Is(xerr, article.ErrMissingField):
			t.Errorf("%s: %v", rel, xerr)
		default:
			posts++
		}
		return nil
	})
	if err != nil || posts < 30 || listings < 5 {
		t.Errorf("walked %d posts, %d listings: %v", posts, listings, err)
	}
}
