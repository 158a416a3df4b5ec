package generic

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// The fixtures are the repository's, shared with the golden tests of package extract.
var fixtureDir = filepath.Join("..", "..", "testdata")

var genFetched = time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)

var genFixtureURLs = map[string]string{
	"local-news":  "http://news.example.cn/local/2023/0418/12345.html",
	"jsonld-only": "https://coast.example.com/2023/05/harbour",
	"spill-trap":  "http://127.0.0.1:8932/kuaidiribao/2023/02/28/NW202302281111111111.html",
	"flash":       "http://127.0.0.1:8932/emnews/2023/04/12/202304121400000001.html",
	"listing":     "http://news.example.cn/local/",
	"home":        "http://news.example.cn/",
}

func genPage(t testing.TB, name, rawURL string) *article.Page {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, "generic", name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return article.NewPage(u, "text/html", b, genFetched)
}

// extractPage is what the registry does with the generic extractor's answer: the record is
// finished (its id, zone and required fields checked) before anyone sees it.
func extractPage(p *article.Page) (*article.Record, error) {
	rec, err := New().Extract(p)
	if err != nil {
		return nil, err
	}
	if err := rec.Finish("generic", p.FetchedAt); err != nil {
		return nil, err
	}
	return rec, nil
}

func TestGenericReadsChineseDateLinesAttributionAndEditor(t *testing.T) {
	rec, err := extractPage(genPage(t, "local-news", genFixtureURLs["local-news"]))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2023, 4, 18, 7, 45, 0, 0, textrule.Shanghai)
	if !rec.PublishedAt.Equal(want) || rec.PublishedAt.Format("-07:00") != "+08:00" {
		t.Errorf("published %v, want %v in +08:00", rec.PublishedAt, want)
	}
	if rec.Source != "海滨日报" || rec.Editor != "林晓" || rec.Title != "沿海小城的早市迎来新一季海鲜上市" {
		t.Errorf("source %q editor %q title %q", rec.Source, rec.Editor, rec.Title)
	}
	for _, junk := range []string{"责任编辑", "K图", "标签", "相关新闻", "首页", "来源", "\u3000"} {
		if strings.Contains(rec.Body, junk) {
			t.Errorf("body carries %q:\n%s", junk, rec.Body)
		}
	}
	if n := strings.Count(rec.Body, "\n\n") + 1; n != 3 {
		t.Errorf("%d paragraphs, want 3:\n%s", n, rec.Body)
	}
	if !strings.HasPrefix(rec.ID, "URL") || len(rec.ID) != 23 {
		t.Errorf("id %q: a page without an info code gets a URL id", rec.ID)
	}
}

func TestGenericNeverRepeatsTheBodySpilledByABrokenMetaTag(t *testing.T) {
	rec, err := extractPage(genPage(t, "spill-trap", genFixtureURLs["spill-trap"]))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(rec.Body, "全省县域快递网点已经覆盖所有乡镇"); n != 1 {
		t.Errorf("paragraph appears %d times:\n%s", n, rec.Body)
	}
	for _, junk := range []string{"返回首页", "NewsShare", "tags:", "GMT+8", "文章来源"} {
		if strings.Contains(rec.Body, junk) {
			t.Errorf("body carries %q:\n%s", junk, rec.Body)
		}
	}
	if rec.ID != "NW202302281111111111" || rec.Source != "快递日报" {
		t.Errorf("id %q source %q", rec.ID, rec.Source)
	}
}

func TestGenericKeepsTheZoneOfStructuredDates(t *testing.T) {
	rec, err := extractPage(genPage(t, "jsonld-only", genFixtureURLs["jsonld-only"]))
	if err != nil {
		t.Fatal(err)
	}
	if _, off := rec.PublishedAt.Zone(); off != -4*3600 || rec.Title != "Quiet harbour reopens after dredging" {
		t.Errorf("published %v title %q", rec.PublishedAt, rec.Title)
	}
}

func TestGenericTakesAOneSentenceFlashWithItsArticleNumberAsID(t *testing.T) {
	rec, err := extractPage(genPage(t, "flash", genFixtureURLs["flash"]))
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != "NW202304121400000001" || rec.Body != "北向资金午后净流入超30亿元。" {
		t.Errorf("id %q body %q", rec.ID, rec.Body)
	}
}

func TestGenericRefusesHomeAndListingPages(t *testing.T) {
	for _, name := range []string{"listing", "home"} {
		_, err := extractPage(genPage(t, name, genFixtureURLs[name]))
		if !errors.Is(err, article.ErrNotArticle) {
			t.Errorf("%s: err = %v, want ErrNotArticle", name, err)
		}
	}
}

func FuzzGenericExtract(f *testing.F) {
	for _, name := range []string{"local-news", "spill-trap", "flash", "listing"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, "generic", name+".html"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<!-- EM_StockImg_Start --><p>2023-04-12 14:05 北向资金净流入超30亿元。</p>")) // unmatched chart marker must not eat the page
	f.Add([]byte("<blockquote>2023年2月30日 10:00</blockquote>"))                       // impossible day
	f.Add([]byte(`<script type="application/ld+json">{"@graph":[[[{"datePublished":7}]]]}</script>`))
	f.Add([]byte("400")) // a bare status code is an error page, a kind of error callers know
	u, _ := url.Parse("http://news.example.cn/a/1.html")
	f.Fuzz(func(t *testing.T, body []byte) {
		rec, err := extractPage(article.NewPage(u, "text/html", body, genFetched))
		if err != nil {
			if !errors.Is(err, article.ErrNotArticle) && !errors.Is(err, article.ErrErrorPage) && !errors.Is(err, article.ErrMissingField) && !errors.Is(err, article.ErrMalformed) {
				t.Fatalf("error of no known kind: %v", err)
			}
			return
		}
		// Lines may repeat inside a body (a table's cells, a meal plan); none is empty or untrimmed.
		for _, p := range strings.Split(rec.Body, "\n\n") {
			if p == "" || p != strings.TrimSpace(p) {
				t.Fatalf("body paragraph empty or untrimmed: %q", p)
			}
		}
		if rec.DateSource == "" {
			t.Fatalf("generic record without date_source: %+v", rec)
		}
		if _, off := rec.PublishedAt.Zone(); rec.PublishedAt.Location() == time.Local && off == 0 {
			t.Fatalf("published_at without a zone: %v", rec.PublishedAt)
		}
	})
}

// pageOf is a page of the given HTML at rawURL, fetched at genFetched.
func pageOf(t testing.TB, rawURL, body string) *article.Page {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return article.NewPage(u, "text/html", []byte(body), genFetched)
}
