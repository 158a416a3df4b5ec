package extract

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
)

func TestDefaultTriesTheSiteExtractorsInOrder(t *testing.T) {
	want := []string{"feed-item", "finews", "finews-post", "eastmoney"}
	if got := Default().Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Default().Names() = %v, want %v", got, want)
	}
}

func TestFinewsPageReadsTheBodyOnlyOnceDespiteTheSpilledCopy(t *testing.T) {
	p := fixturePage(t, "finews/rolling-digest.html")
	doc, err := p.Doc()
	if err != nil {
		t.Fatal(err)
	}
	// The trap is real: the parsed page holds the article's sentence twice.
	if n := strings.Count(doc.Text(), "的合作仍在推进"); n != 2 {
		t.Fatalf("fixture should spill a second copy, the sentence occurs %d times", n)
	}
	rec, err := Default().Extract(p)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(rec.Body, "的合作仍在推进"); n != 1 {
		t.Fatalf("body holds the sentence %d times: %q", n, rec.Body)
	}
	for _, residue := range []string{"返回", "http", "tags:", "GMT+8", "文章来源", "K图", "（测试日报）"} {
		if strings.Contains(rec.Body, residue) {
			t.Errorf("body carries %q: %q", residue, rec.Body)
		}
	}
}

func TestFinewsPageSavedCopyGivesTheSameRecordExceptURL(t *testing.T) {
	served := fixturePage(t, "finews/media-article.html")
	saved := article.NewPage(&url.URL{Scheme: "file", Path: "/home/me/Downloads/saved.html"}, "", served.Body, served.FetchedAt)
	a, err := Default().Extract(served)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Default().Extract(saved)
	if err != nil {
		t.Fatal(err)
	}
	if b.URL != "file:///home/me/Downloads/saved.html" {
		t.Fatalf("saved copy url %q", b.URL)
	}
	b.URL = a.URL
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("records differ:\nserved %+v\nsaved  %+v", a, b)
	}
}

func TestFinewsPageWithoutADateIsMissingAField(t *testing.T) {
	_, err := Default().Extract(fixturePage(t, "finews/looks-like-finews-without-date.html"))
	if !errors.Is(err, article.ErrMissingField) {
		t.Fatalf("got %v, want ErrMissingField", err)
	}
}

func TestFinewsPageWithAnEmptyTitleIsMissingAField(t *testing.T) {
	p := fixturePage(t, "finews/early-plain.html")
	p = article.NewPage(p.URL, p.ContentType, []byte(strings.Replace(string(p.Body), "<h1>某地发布冬季供暖保障方案（12-09）</h1>", "<h1> </h1>", 1)), p.FetchedAt)
	_, err := Default().Extract(p)
	if !errors.Is(err, article.ErrMissingField) {
		t.Fatalf("got %v, want ErrMissingField", err)
	}
}

func TestJekyllPageWithoutFrontMatterIsNotAnArticle(t *testing.T) {
	p := fixturePage(t, "finews/no-front-matter.html")
	for _, e := range []article.Extractor{NewFinewsPage(), NewFinewsPost(), NewEastmoney()} {
		if e.Match(p) {
			t.Errorf("%s claims the page", e.Name())
		}
	}
	if _, err := Default().Extract(p); !errors.Is(err, article.ErrNotArticle) {
		t.Fatalf("got %v, want ErrNotArticle", err)
	}
}

func TestFinewsPageFallsBackToThePublishedTimeMeta(t *testing.T) {
	p := fixturePage(t, "finews/rolling-digest.html")
	body := strings.Replace(string(p.Body), "(GMT+8, Asia/Shanghai, CST) 2022-03-15 19:02:11", "(GMT+8, Asia/Shanghai, CST) ", 1)
	rec, err := Default().Extract(article.NewPage(p.URL, p.ContentType, []byte(body), p.FetchedAt))
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.PublishedAt.Format(time.RFC3339); got != "2022-03-15T19:02:11+08:00" {
		t.Fatalf("published_at %s", got)
	}
}

func TestFinewsPostWithoutOffsetIsBeijingTime(t *testing.T) {
	rec, err := Default().Extract(fixturePage(t, "finews-post/2021-12-09-202112091234567892.md"))
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.PublishedAt.Format(time.RFC3339); got != "2021-12-09T10:05:09+08:00" {
		t.Fatalf("published_at %s", got)
	}
}

func TestFinewsPostIsClaimedByMediaTypeOrBytesButNotAsHTML(t *testing.T) {
	post := fixturePage(t, "finews-post/2022-03-15-202203151234567890.md")
	e := NewFinewsPost()
	u, _ := url.Parse("https://example.com/raw/post")
	if !e.Match(article.NewPage(u, "text/markdown", post.Body, time.Now())) {
		t.Error("text/markdown not claimed")
	}
	if !e.Match(article.NewPage(u, "", post.Body, time.Now())) {
		t.Error("front matter bytes not claimed")
	}
	if e.Match(fixturePage(t, "finews/rolling-digest.html")) {
		t.Error("an HTML page claimed as a raw post")
	}
}

func TestBrokenPostsGiveTheirReasonAndNeverPanic(t *testing.T) {
	cases := map[string]error{
		"finews-post/2022-03-17-202203171234567893.md":  article.ErrMissingField, // empty title
		"finews-post/-2022-03-17-202203171234567894.md": article.ErrMalformed,    // no info code in the name
		"finews-post/2022-03-17-202203171234567895.md":  article.ErrMalformed,    // no front matter
		"finews-post/2022-03-17-202203171234567897.md":  article.ErrMalformed,    // bad YAML
	}
	for f, want := range cases {
		_, err := NewFinewsPost().Extract(fixturePage(t, f))
		if !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", f, err, want)
		}
	}
}

func TestParseFrontMatterAcceptsLeadingBlankLinesAndCRLF(t *testing.T) {
	fm, body, err := ParseFrontMatter([]byte("\r\n\n---\r\ntitle: \"标题\"\r\ndate: 2021-12-20 18:24:28 +0800\r\ncategories: a b\r\ntags: [x, y]\r\n---\r\n正文\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := FrontMatter{Title: "标题", Date: "2021-12-20 18:24:28 +0800", Categories: []string{"a", "b"}, Tags: []string{"x", "y"}}
	if !reflect.DeepEqual(fm, want) || string(body) != "正文\r\n" {
		t.Fatalf("got %+v body %q", fm, body)
	}
}

func TestEastmoneyIsRecognizedByMarkupNotHost(t *testing.T) {
	p := fixturePage(t, "eastmoney/news-newer-template.html")
	mirror, _ := url.Parse("http://127.0.0.1:9999/mirror/page.html")
	rec, err := Default().Extract(article.NewPage(mirror, "text/html", p.Body, p.FetchedAt))
	if err != nil {
		t.Fatal(err)
	}
	// Without a number in its own URL the page's og:url names the article.
	if rec.Extractor != "eastmoney" || rec.ID != "NW202203191234567895" {
		t.Fatalf("extractor %s id %s", rec.Extractor, rec.ID)
	}
	listing, _ := url.Parse("https://finance.eastmoney.com/yaowen.html")
	_, err = Default().Extract(article.NewPage(listing, "text/html", []byte(`<html><body><div class="title">要闻</div><ul><li><a href="/a/202203191234567895.html">x</a></li></ul></body></html>`), time.Now()))
	if !errors.Is(err, article.ErrNotArticle) {
		t.Fatalf("listing page: got %v, want ErrNotArticle", err)
	}
}

func TestEastmoneyNewerTemplateKeepsTheOriginalTitleOutOfTheBody(t *testing.T) {
	rec, err := Default().Extract(fixturePage(t, "eastmoney/news-newer-template.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(rec.Body, "原标题") || rec.Title != "两市成交额回落至八千亿元 医药板块逆势走强" {
		t.Fatalf("title %q body %q", rec.Title, rec.Body)
	}
}

// A site added to Default but not to the docs would write an `extractor` value that the record
// contract does not list.
func TestEveryExtractorIsNamedInTheDocs(t *testing.T) {
	names := append(Default().Names(), NewGeneric().Name())
	for _, doc := range []string{"schema.md", "extractors.md"} {
		b, err := os.ReadFile(filepath.Join("..", "docs", doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if !strings.Contains(string(b), "`"+n+"`") {
				t.Errorf("docs/%s does not name the extractor `%s`", doc, n)
			}
		}
	}
}
