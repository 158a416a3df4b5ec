package extract

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract/generic"
)

func TestAFeedItemWithItsOwnBodyBecomesARecordWithoutAPage(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(fixtureDir, "feed-item", "item-content.html"))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://finance.eastmoney.com/a/202201211234567890.html")
	published := time.Date(2022, 1, 21, 18, 5, 0, 0, time.FixedZone("", 8*3600))
	p := article.NewPage(u, article.FeedItemType, body, time.Now())
	p.Hint = &article.Record{ID: "NW202201211234567890", URL: u.String(), Title: " 示例公司拟建新基地 ", PublishedAt: published, Source: "示例媒体", Summary: "拟投资建设新的生产基地。"}
	rec, err := Default().Extract(p)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Extractor != "feed-item" || rec.ID != "NW202201211234567890" || rec.Title != "示例公司拟建新基地" || !rec.PublishedAt.Equal(published) {
		t.Errorf("record = %+v", rec)
	}
	want := "示例公司今日发布公告称，拟投资建设新的生产基地，预计总投资约十亿元。\n\n示例股份表示，项目建成后将提升产能。"
	if rec.Body != want {
		t.Errorf("body = %q\nwant   %q", rec.Body, want)
	}
	if rec.Source != "示例日报" || rec.Editor != "张三" || len(rec.Stocks) != 1 || rec.Stocks[0] != "600160.SH" {
		t.Errorf("source %q, editor %q, stocks %v", rec.Source, rec.Editor, rec.Stocks)
	}
}

func TestAFeedItemPageWithoutAHintIsNoArticle(t *testing.T) {
	p := article.NewPage(nil, article.FeedItemType, []byte("<p>text</p>"), time.Now())
	if _, err := Default().Extract(p); err == nil {
		t.Fatal("a feed-item page without the item's fields gave a record")
	}
}

func TestAPageCutShortBeforeItsEndIsMalformedNotAShorterArticle(t *testing.T) {
	for _, f := range []string{"finews/media-article.html", "eastmoney/a-older-template.html"} {
		whole := fixturePage(t, f)
		if _, err := Default().Extract(whole); err != nil {
			t.Fatalf("%s whole: %v", f, err)
		}
		cut := article.NewPage(whole.URL, "text/html", whole.Body[:len(whole.Body)*3/4], time.Now())
		_, err := Default().Extract(cut)
		if !errors.Is(err, article.ErrMalformed) || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("%s cut at 3/4: err = %v, want a truncated-page ErrMalformed", f, err)
		}
	}
}

func TestGenericTurnsAwayAHugeListingWithoutReadingIt(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><body><p>发布时间：2022-01-21 18:05</p><ul>")
	for i := 0; i < generic.MaxAnchors+1; i++ {
		fmt.Fprintf(&b, "<li><A href=\"/a/%d.html\">第%d条新闻标题</A></li>\n", i, i)
	}
	b.WriteString("</ul></body></html>")
	u, _ := url.Parse("http://news.example.cn/list.html")
	_, err := NewGeneric().Extract(article.NewPage(u, "text/html", []byte(b.String()), time.Now()))
	if !errors.Is(err, article.ErrNotArticle) || !strings.Contains(err.Error(), "listing") {
		t.Fatalf("err = %v, want ErrNotArticle for a listing", err)
	}
	if n := generic.CountAnchors([]byte("<a href=x><abbr>x</abbr><a\nhref=y><area><A>")); n != 3 {
		t.Errorf("countAnchors = %d, want 3 (<abbr> and <area> are not links)", n)
	}
}

func TestGenericCollectsStocksFromTheBodyOnly(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>示例公司签下大单_财经频道</title>
<meta property="article:published_time" content="2023-05-06T09:30:00+08:00"></head><body>
<div class="sidebar"><h3>热门股票</h3><a href="http://quote.eastmoney.com/unify/r/0.000001" data-code="0,000001">平安银行</a></div>
<div class="article"><h1>示例公司签下大单</h1>
<p>　　<span id="stock_1.600160"><a href="http://quote.eastmoney.com/unify/r/1.600160" class="keytip" data-code="1,600160">示例股份</a></span>今日公告，公司与海外客户签订了总额约五亿元的供货合同，合同期限为三年。</p>
<p>　　公司表示，合同的履行将对未来三个会计年度的经营业绩产生积极影响，具体金额以审计结果为准。</p>
<p>　　同行业的<a href="http://quote.eastmoney.com/unify/r/116.00700" data-code="116,00700">某港股公司</a>也在近期披露了类似订单，市场关注度持续提升。</p>
</div></body></html>`
	u, _ := url.Parse("http://finance.example.cn/2023/0506/123.html")
	rec, err := NewRegistry(NewGeneric()).Extract(article.NewPage(u, "text/html", []byte(page), time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rec.Stocks, ","); got != "600160.SH,00700.HK" {
		t.Errorf("stocks = %q, want the two in the article and not the sidebar's", got)
	}
}
