package extract

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/article"
)

func canonicalPage(t *testing.T, pageURL, head string) *article.Page {
	t.Helper()
	u, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	body := `<!DOCTYPE html><html><head><title>海港新闻</title>` + head + `</head><body><article><h1>海港早市迎来新一季海鲜</h1>
<p>发布时间：2023年04月18日 07:45　来源：海滨日报</p>
<p>清晨五点，码头边的早市已经人声鼎沸。渔船陆续靠岸，摊主们把刚捞上来的梭子蟹、带鱼和花蛤摆上案板，价格比上个月回落了将近两成。</p>
<p>市场管理处表示，下一步将延长早市营业时间，并在入口处增设公平秤，方便市民核对重量。</p></article></body></html>`
	return article.NewPage(u, "text/html", []byte(body), time.Now())
}

func TestAGenericPageTakesItsIDFromItsCanonicalLinkOnTheSameSiteOnly(t *testing.T) {
	g := NewRegistry(NewGeneric())
	id := func(pageURL, head string) string {
		rec, err := g.Extract(canonicalPage(t, pageURL, head))
		if err != nil {
			t.Fatal(err)
		}
		return rec.ID
	}
	want := article.URLID("https://news.example.com/local/story.html")
	for _, tc := range []struct{ page, head string }{
		{"https://news.example.com/local/story.html?utm_source=rss", ``},
		{"https://m.example.com/story?id=1", `<link rel="canonical" href="https://news.example.com/local/story.html">`},
		{"https://news.example.com/print/1", `<meta property="og:url" content="/local/story.html?utm_medium=share">`},
	} {
		if got := id(tc.page, tc.head); got != want {
			t.Errorf("%s with %q: id %s, want %s", tc.page, tc.head, got, want)
		}
	}
	// Another site's canonical is a claim the page cannot make: it keeps its own id.
	page := "https://copycat.example.org/story.html"
	if got := id(page, `<link rel="canonical" href="https://news.example.com/local/story.html">`); got != article.URLID(page) {
		t.Errorf("a foreign canonical was taken: %s", got)
	}
}

func TestPageCanonicalIgnoresAClaimThatIsNoWebAddress(t *testing.T) {
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<link rel="canonical" href="javascript:alert(1)">`))
	u, _ := url.Parse("https://example.com/a?utm_source=x")
	if got := PageCanonical(u, doc).String(); got != "https://example.com/a" {
		t.Errorf("PageCanonical = %s", got)
	}
}
