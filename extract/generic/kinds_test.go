package generic

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// Kinds of real pages the generic extractor once got wrong, each in a fixture written in its shape.

func genExtract(t *testing.T, name, rawURL string) *article.Record {
	t.Helper()
	rec, err := extractPage(genPage(t, name, rawURL))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rec
}

func TestGenericKeepsTheOneFormThatWrapsAnASPNETPage(t *testing.T) {
	rec := genExtract(t, "aspnet-form", "http://gov.example.cn/Show.aspx?id=88")
	if n := strings.Count(rec.Body, "\n\n") + 1; n != 3 || !strings.HasPrefix(rec.Body, "从下月起") {
		t.Errorf("body of %d paragraphs, want the article's 3:\n%s", n, rec.Body)
	}
	for _, junk := range []string{"主办单位", "搜索", "首页"} {
		if strings.Contains(rec.Body, junk) {
			t.Errorf("body carries %q:\n%s", junk, rec.Body)
		}
	}
	if rec.Title != "区县图书馆延长夜间开放时间" || rec.PublishedAt.Format(time.RFC3339) != "2023-03-09T00:00:00+08:00" {
		t.Errorf("title %q published %s", rec.Title, rec.PublishedAt.Format(time.RFC3339))
	}
}

func TestGenericKeepsLinesThatRepeatInsideOneBodyAndTableRowsAsLines(t *testing.T) {
	rec := genExtract(t, "meal-plan", "https://kitchen.example.com/2019/11/reset-plan")
	if n := strings.Count(rec.Body, "Breakfast: oatmeal with berries"); n != 3 {
		t.Errorf("the repeated breakfast line appears %d times, want 3:\n%s", n, rec.Body)
	}
	if n := strings.Count(rec.Body, "Dinner: baked salmon with greens"); n != 2 {
		t.Errorf("the repeated dinner line appears %d times, want 2", n)
	}
	for _, row := range []string{"\n\nTeam\tWon\tLost\n\n", "\n\nHarbour Cooks\t3\t0\n\n", "\n\nHill Bakers\t0\t3"} {
		if !strings.Contains(rec.Body, row) {
			t.Errorf("body lacks the table row %q as one line:\n%s", row, rec.Body)
		}
	}
	if _, off := rec.PublishedAt.Zone(); off != -5*3600 {
		t.Errorf("published %v: the meta's offset is lost", rec.PublishedAt)
	}
}

func TestGenericPrefersAShortPostToTheLongerCommentThreadBelowIt(t *testing.T) {
	rec := genExtract(t, "comments", "https://quietdesk.example.org/paper-notebook/")
	want := "Writing by hand slows me down just enough to think about what I am writing.\n\nA notebook also never asks me to update it before I can use it."
	if rec.Body != want {
		t.Errorf("body:\n%s\nwant the post only:\n%s", rec.Body, want)
	}
	if rec.Title != "Why I keep a paper notebook" || rec.PublishedAt.Format("2006-01-02") != "2021-03-03" || rec.DateSource != article.DateFromPage {
		t.Errorf("title %q published %v from %q", rec.Title, rec.PublishedAt, rec.DateSource)
	}
}

func TestGenericLeavesCaptionsLabelsAndTheDateLineOutOfTheBody(t *testing.T) {
	rec := genExtract(t, "captions", "https://bayherald.example.com/news/ferry-returns")
	for _, junk := range []string{"first ferry leaves", "repaired pier", "Filed under", "Share this story", "By Sam Lee", "9:02"} {
		if strings.Contains(rec.Body, junk) {
			t.Errorf("body carries %q:\n%s", junk, rec.Body)
		}
	}
	if n := strings.Count(rec.Body, "\n\n") + 1; n != 2 {
		t.Errorf("%d paragraphs, want 2:\n%s", n, rec.Body)
	}
	// An English page's time without a zone is read as UTC: a zone is always written.
	if got := rec.PublishedAt.Format(time.RFC3339); got != "2019-11-19T09:02:00Z" {
		t.Errorf("published_at %s, want 2019-11-19T09:02:00Z", got)
	}
	if rec.Title != "Ferry service returns to the island" {
		t.Errorf("title %q", rec.Title)
	}
}

func TestGenericNamesAPageByItsHeaderH1WhenItHasNoTitleElement(t *testing.T) {
	rec := genExtract(t, "header-h1", "https://city.example.net/news/night-market")
	if rec.Title != "Night market moves to the old station square" {
		t.Errorf("title %q", rec.Title)
	}
	// No date anywhere: the record is still written, dated by its fetch.
	if rec.DateSource != article.DateFromFetched || !rec.PublishedAt.Equal(genFetched) {
		t.Errorf("published %v from %q, want the fetch time %v", rec.PublishedAt, rec.DateSource, genFetched)
	}
}

// An undated short article page built around its date source, to see which one the record names.
func genDatedPage(head, byline string) []byte {
	return []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>港口新建两座智能化泊位投入使用</title>` + head + `</head><body>
<h1>港口新建两座智能化泊位投入使用</h1>` + byline + `
<p>港口集团表示，两座新泊位采用自动化岸桥，单船作业时间缩短三成，年吞吐能力增加八十万标箱。</p>
<p>新泊位投用后，港区夜间作业的噪声也有所下降，附近居民反映情况明显改善。</p>
</body></html>`)
}

func TestGenericSaysWhereEveryDateCameFrom(t *testing.T) {
	fetched := time.Date(2023, 6, 1, 3, 0, 0, 0, time.UTC)
	lastMod := time.Date(2023, 5, 30, 8, 0, 0, 0, time.UTC)
	feed := time.Date(2023, 5, 29, 10, 0, 0, 0, textrule.Shanghai)
	for _, c := range []struct {
		name, url, head, byline string
		hint, lastModified      bool
		want, source            string
	}{
		{"sailthru meta", "http://port.example.cn/a/1.html", `<meta name="sailthru.date" content="2023-05-28 09:30:00">`, "", false, false, "2023-05-28T09:30:00+08:00", article.DateFromPage},
		{"plain date meta", "http://port.example.cn/a/1.html", `<meta name="date" content="2023-05-28">`, "", false, false, "2023-05-28T00:00:00+08:00", article.DateFromPage},
		{"itemprop on text", "http://port.example.cn/a/1.html", "", `<span itemprop="datePublished dateCreated">2023年05月27日 08:15</span>`, false, false, "2023-05-27T08:15:00+08:00", article.DateFromPage},
		{"itemprop content over its text", "http://port.example.cn/a/1.html", "", `<meta itemprop="datePublished" content="2023-05-27T06:00:00+08:00"><span itemprop="dateCreated">2023年05月20日 08:15</span>`, false, false, "2023-05-27T06:00:00+08:00", article.DateFromPage},
		{"itemprop with an unreadable value read from its text", "http://port.example.cn/a/1.html", "", `<span itemprop="datePublished" content="soon">2023年05月27日 08:15</span>`, false, false, "2023-05-27T08:15:00+08:00", article.DateFromPage},
		{"time pubdate without datetime read from its text", "http://port.example.cn/a/1.html", "", `<time pubdate>2023-05-26 07:30</time>`, false, false, "2023-05-26T07:30:00+08:00", article.DateFromPage},
		{"time element", "http://port.example.cn/a/1.html", "", `<time datetime="2023-05-26T07:00:00+08:00">5月26日</time>`, false, false, "2023-05-26T07:00:00+08:00", article.DateFromPage},
		{"bare day by the headline", "http://port.example.cn/a/1.html", "", `<div>2023年05月25日 来源：港口日报</div>`, false, false, "2023-05-25T00:00:00+08:00", article.DateFromPage},
		{"feed before URL", "http://port.example.cn/2023/05/24/1.html", "", "", true, false, "2023-05-29T10:00:00+08:00", article.DateFromFeed},
		{"URL path", "http://port.example.cn/2023/05/24/1.html", "", "", false, false, "2023-05-24T00:00:00+08:00", article.DateFromURL},
		{"Last-Modified", "http://port.example.cn/a/1.html", "", "", false, true, "2023-05-30T16:00:00+08:00", article.DateFromHTTP},
		{"nothing", "http://port.example.cn/a/1.html", "", "", false, false, "2023-06-01T11:00:00+08:00", article.DateFromFetched},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, _ := url.Parse(c.url)
			p := article.NewPage(u, "text/html", genDatedPage(c.head, c.byline), fetched)
			if c.hint {
				p.Hint = &article.Record{PublishedAt: feed}
			}
			if c.lastModified {
				p.LastModified = lastMod
			}
			rec, err := extractPage(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.PublishedAt.Format(time.RFC3339); got != c.want || rec.DateSource != c.source {
				t.Errorf("published_at %s from %q, want %s from %q", got, rec.DateSource, c.want, c.source)
			}
		})
	}
}

func TestGenericRefusesTeaserListingsAndMarkupPages(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<html><head><title>搜索结果：港口_海滨新闻网</title></head><body><h1>搜索结果：港口</h1>`)
	for i := 0; i < 6; i++ {
		b.WriteString(`<div class="r"><h3><a href="/a/` + string(rune('0'+i)) + `.html">港口新建两座智能化泊位投入使用第` + string(rune('0'+i)) + `篇</a></h3><p>港口集团表示，两座新泊位采用自动化岸桥，单船作业时间缩短三成。</p></div>`)
	}
	b.WriteString(`</body></html>`)
	u, _ := url.Parse("http://port.example.cn/search?q=x")
	if _, err := extractPage(article.NewPage(u, "text/html", []byte(b.String()), genFetched)); !errors.Is(err, article.ErrNotArticle) {
		t.Errorf("search page of teasers: err = %v, want article.ErrNotArticle", err)
	}
	code := `<html><head><title>列表模板</title></head><body><pre><code>&lt;ul&gt;
&lt;li&gt;&lt;a href="/a/1.html"&gt;港口新建两座智能化泊位投入使用&lt;/a&gt;&lt;/li&gt;
&lt;li&gt;&lt;a href="/a/2.html"&gt;渔港避风塘完成清淤，渔船可以安全靠岸&lt;/a&gt;&lt;/li&gt;
&lt;/ul&gt;</code></pre></body></html>`
	if _, err := extractPage(article.NewPage(u, "text/html", []byte(code), genFetched)); !errors.Is(err, article.ErrNotArticle) {
		t.Errorf("page of escaped markup: err = %v, want article.ErrNotArticle", err)
	}
}

func TestGenericTakesAListicleWhoseItemsAreLinkedHeadlinesWithAParagraphEach(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<html lang="en"><head><title>Five quiet beaches to visit this winter | Coast Guide</title></head><body>
<h1>Five quiet beaches to visit this winter</h1><p>Winter is the best time to walk an empty beach, and these five are within a day's drive of the city.</p>`)
	for _, name := range []string{"North Sands and the old lighthouse", "Gull Bay beside the fishing harbour", "The long dunes at Marram Point", "Shell Cove under the chalk cliffs", "Pebble Strand at the river mouth"} {
		b.WriteString(`<h3><a href="/beach/x">` + name + `</a></h3><p>A wide stretch of sand with a café that stays open all year and a car park a short walk from the water.</p>`)
	}
	b.WriteString(`</body></html>`)
	u, _ := url.Parse("https://coast.example.com/guides/winter-beaches")
	rec, err := extractPage(article.NewPage(u, "text/html", []byte(b.String()), genFetched))
	if err != nil {
		t.Fatalf("listicle refused: %v", err)
	}
	if !strings.Contains(rec.Body, "Winter is the best time") || strings.Count(rec.Body, "A wide stretch of sand") != 5 {
		t.Errorf("body:\n%s", rec.Body)
	}
}

func TestGenericLeavesPaginationEditLinksCountedLinksAndRulesOut(t *testing.T) {
	page := `<html><head><meta charset="utf-8"><title>港口新建两座智能化泊位投入使用_海滨新闻网</title></head><body>
<div class="main"><h1>港口新建两座智能化泊位投入使用</h1>
<p>2023-05-25 08:00 更新 来源：海滨日报</p>
<h2>简介[编辑]</h2>
<p>港口集团表示，两座新泊位采用自动化岸桥，单船作业时间缩短三成，年吞吐能力增加八十万标箱。</p>
<p>-</p>
<p>新泊位投用后，港区夜间作业的噪声也有所下降，附近居民反映情况明显改善。</p>
<p>第1页/共2页</p><p>&lt;&lt; 上一页 | 下一页 &gt;&gt;</p>
<ul class="cats"><li><a href="/c/1">未归类</a> (88)</li><li><a href="/c/2">歷史</a> (25)</li><li><a href="/c/3">軍情</a> (7)</li></ul>
</div></body></html>`
	u, _ := url.Parse("http://port.example.cn/a/2.html")
	rec, err := extractPage(article.NewPage(u, "text/html", []byte(page), genFetched))
	if err != nil {
		t.Fatal(err)
	}
	want := "简介\n\n港口集团表示，两座新泊位采用自动化岸桥，单船作业时间缩短三成，年吞吐能力增加八十万标箱。\n\n新泊位投用后，港区夜间作业的噪声也有所下降，附近居民反映情况明显改善。"
	if rec.Body != want {
		t.Errorf("body:\n%s\nwant:\n%s", rec.Body, want)
	}
}

func TestGenericRefusesALineOfTextWithNeitherADateNorAHeadlineOverIt(t *testing.T) {
	u, _ := url.Parse("http://news.example.com/today.html")
	page := []byte(`<html><head><title>Nothing</title></head><body><p>No news today.</p></body></html>`)
	if _, err := extractPage(article.NewPage(u, "text/html", page, genFetched)); !errors.Is(err, article.ErrNotArticle) {
		t.Errorf("err = %v, want ErrNotArticle", err)
	}
}

func TestGenericCallsAServersErrorPageSentAs200AnErrorPageNotAListingWhateverMenusSurroundIt(t *testing.T) {
	for _, c := range []struct{ name, url, says string }{
		{"busy-200", "http://finance.example.cn/a/20240305/8812.html", "系统繁忙"},
		{"gone-200", "http://finance.example.cn/a/20240305/8813.html", "页面不存在"},
		{"not-found-200", "https://harbourledger.example.com/markets/2024/03/05/old-story", "Not Found"},
	} {
		_, err := extractPage(genPage(t, c.name, c.url))
		if !errors.Is(err, article.ErrErrorPage) || errors.Is(err, article.ErrNotArticle) {
			t.Errorf("%s: %v; want an error page, which is no listing either", c.name, err)
		} else if !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v; want it to quote %q", c.name, err, c.says)
		}
	}
}

func TestGenericKeepsShortDatedArticlesAboutOutagesAsArticles(t *testing.T) {
	rec := genExtract(t, "outage-flash", "http://finance.example.cn/a/20240305/8820.html")
	if rec.Title != "某券商交易系统繁忙 部分客户早盘无法登录" || !strings.HasPrefix(rec.Body, "今日早盘开盘后") {
		t.Errorf("title %q body %q", rec.Title, rec.Body)
	}
	rec = genExtract(t, "unavailable-article", "https://harbourledger.example.com/companies/2024/03/05/payments-outage")
	if !strings.HasPrefix(rec.Body, "Customers of a regional lender") {
		t.Errorf("body %q", rec.Body)
	}
}

func TestGenericStillCallsAHomePageWithoutErrorWordsAListing(t *testing.T) {
	_, err := extractPage(genPage(t, "home", "http://news.example.cn/"))
	if !errors.Is(err, article.ErrNotArticle) || errors.Is(err, article.ErrErrorPage) {
		t.Errorf("home page: %v; want a listing", err)
	}
}

func TestAStoryUnderAShortHeadlineOrARailOfLinksIsNoTeaserListing(t *testing.T) {
	story := `<p>The keeper will have a scan on his wrist on Monday, the club said.</p>
<p>He was hurt in the second half of Saturday's draw and left the ground with his arm in a sling.</p>
<p>The manager said a young reserve would start if the scan shows a break.</p>
<p>The club plays twice more before the winter break.</p>`
	var teasers strings.Builder
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&teasers, `<h2><a href="/sport/%d">Town side wins the derby at the last minute %d</a></h2>
<p>A late header settled a tense derby in front of a full stand on a cold and windy afternoon.</p>`, i, i)
	}
	rail := `<ul><li><a href="/r/1">Keeper's deputy ready for the weekend trip</a></li><li><a href="/r/2">Club confirms the winter training camp abroad</a></li><li><a href="/r/3">Ticket prices frozen for the second season</a></li></ul>`
	for name, body := range map[string]string{
		"a headline too short for a story's": `<h1>Keeper set for scan</h1>` + story + teasers.String(),
		"a rail between headline and text":   `<h1>Keeper set for scan on his injured wrist</h1>` + rail + story + teasers.String(),
	} {
		page := `<html><head><title>Keeper set for scan` + map[bool]string{true: " on his injured wrist", false: ""}[strings.Contains(body, "wrist</h1>")] + `</title></head><body>` + body + `</body></html>`
		rec, err := extractPage(pageOf(t, "https://town.example.com/sport/keeper-scan", page))
		if err != nil {
			t.Errorf("%s: refused: %v", name, err)
			continue
		}
		if !strings.HasPrefix(rec.Body, "The keeper will have a scan") {
			t.Errorf("%s: body %q", name, rec.Body)
		}
	}
	// A section's page: its heading over one teaser per headline link stays a listing.
	page := `<html><head><title>Sport</title></head><body><h1>Sport</h1>` + teasers.String() + `</body></html>`
	if rec, err := extractPage(pageOf(t, "https://town.example.com/sport/", page)); !errors.Is(err, article.ErrNotArticle) {
		t.Errorf("a section page became a record: %v %+v", err, rec)
	}
}
