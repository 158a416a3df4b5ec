package extract

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func TestCanonicalURLDropsTrackingDefaultPortAndFragmentAndSortsTheQuery(t *testing.T) {
	for in, want := range map[string]string{
		"HTTP://News.Example.COM:80/a/1.html?utm_source=rss&utm_medium=feed#top": "http://news.example.com/a/1.html",
		"https://example.com:443":                               "https://example.com/",
		"https://example.com:8443/a?b=2&a=1":                    "https://example.com:8443/a?a=1&b=2",
		"https://example.com/a?id=7&spm=a2c.1&fbclid=x&gclid=y": "https://example.com/a?id=7",
		"https://example.com/a?from=timeline&isappinstalled=0":  "https://example.com/a",
		"https://example.com/list?from=20&size=10":              "https://example.com/list?from=20&size=10", // an offset
		"https://example.com/a?tag=b&tag=a&q=%E4%B8%AD+x":       "https://example.com/a?q=%E4%B8%AD+x&tag=b&tag=a",
		"https://example.com/a?UTM_Campaign=x&&k=v":             "https://example.com/a?k=v",
		"https://example.com/a?":                                "https://example.com/a",
		"file:///home/u/posts/a.html#x":                         "file:///home/u/posts/a.html",
	} {
		if got := CanonicalString(in); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestURLIDIsTheSameForTrackingVariantsOfAURL(t *testing.T) {
	base := URLID("https://news.example.com/local/story.html?id=3&page=1")
	for _, v := range []string{
		"https://news.example.com/local/story.html?page=1&id=3&utm_source=rss",
		"https://NEWS.example.com:443/local/story.html?spm=1.2.3&id=3&page=1#comments",
	} {
		if URLID(v) != base {
			t.Errorf("%s has another id", v)
		}
	}
	if URLID("https://news.example.com/local/story.html?id=4&page=1") == base {
		t.Error("a different id parameter must give a different id")
	}
}

func canonicalPage(t *testing.T, pageURL, head string) *Page {
	t.Helper()
	u, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	body := `<!DOCTYPE html><html><head><title>海港新闻</title>` + head + `</head><body><article><h1>海港早市迎来新一季海鲜</h1>
<p>发布时间：2023年04月18日 07:45　来源：海滨日报</p>
<p>清晨五点，码头边的早市已经人声鼎沸。渔船陆续靠岸，摊主们把刚捞上来的梭子蟹、带鱼和花蛤摆上案板，价格比上个月回落了将近两成。</p>
<p>市场管理处表示，下一步将延长早市营业时间，并在入口处增设公平秤，方便市民核对重量。</p></article></body></html>`
	return NewPage(u, "text/html", []byte(body), time.Now())
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
	want := URLID("https://news.example.com/local/story.html")
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
	if got := id(page, `<link rel="canonical" href="https://news.example.com/local/story.html">`); got != URLID(page) {
		t.Errorf("a foreign canonical was taken: %s", got)
	}
}

func TestSameSiteIsTheRegistrableDomain(t *testing.T) {
	for pair, want := range map[string]bool{
		"https://www.example.com/ https://m.example.com/":     true,
		"https://a.example.com.cn/ https://b.example.com.cn/": true,
		"https://example.com/ https://example.org/":           false,
		"https://a.github.io/ https://b.github.io/":           false, // a public suffix
		"http://127.0.0.1:8080/ http://127.0.0.1:9090/":       true,
		"http://127.0.0.1/ http://127.0.0.2/":                 false,
	} {
		f := strings.Fields(pair)
		a, _ := url.Parse(f[0])
		b, _ := url.Parse(f[1])
		if SameSite(a, b) != want {
			t.Errorf("%s: %v, want %v", pair, !want, want)
		}
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<link rel="canonical" href="javascript:alert(1)">`))
	u, _ := url.Parse("https://example.com/a?utm_source=x")
	if got := PageCanonical(u, doc).String(); got != "https://example.com/a" {
		t.Errorf("PageCanonical = %s", got)
	}
}

func FuzzCanonicalURLIsIdempotent(f *testing.F) {
	f.Add("https://Example.com:443/a?utm_source=rss&b=2&a=1#x") // a tracking variant gave a second record
	f.Add("http://x/?from=timeline&from=20")                    // from= is tracking only when not a number
	f.Add("http://x/a?%zz=1&b")
	f.Fuzz(func(t *testing.T, s string) {
		once := CanonicalString(s)
		if twice := CanonicalString(once); twice != once {
			t.Fatalf("%q -> %q -> %q", s, once, twice)
		}
		if URLID(s) != URLID(once) {
			t.Fatalf("the id changed with the canonical form of %q", s)
		}
	})
}
