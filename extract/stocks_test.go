package extract

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
)

// storyPage is an article page of no known site: a headline, a time and paragraphs long enough
// for the generic extractor, with the given sentences inside.
func storyPage(t *testing.T, u, title string, sentences ...string) *article.Page {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<html lang="zh-CN"><head><meta charset="utf-8"><title>` + title + `</title>
<meta property="article:published_time" content="2023-05-30T19:05:00+08:00"></head><body>
<nav><a href="/">首页</a> <a href="https://quote.example.cn/sh600000.html">行情</a></nav>
<article><h1>` + title + `</h1><div class="content">`)
	for _, s := range sentences {
		b.WriteString("<p>" + s + "本报记者从多方了解到，相关机构对此持续关注，市场人士认为后续走势仍需观察。</p>\n")
	}
	b.WriteString(`</div></article><footer>客服电话：400-600-5190 京ICP备12345678号</footer></body></html>`)
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return article.NewPage(pu, "text/html", []byte(b.String()), time.Now())
}

func TestStocksWrittenInTheTextAreReadOnEveryPath(t *testing.T) {
	sentences := []string{"贵州茅台(600519)早盘走强，新希望（000876）随后跟涨。", "港股方面，腾讯控股(00700)与海伦司(9869.HK)均收涨。",
		"美股阿里巴巴(BABA.US)盘前上涨，成交金额达600519元。"}
	want := []string{"600519.SH", "000876.SZ", "00700.HK", "09869.HK", "BABA.US"}

	generic := WithFallback(Default(), nil)
	rules := rulesRegistry(t, Rule{Name: "wanbao", Hosts: []string{"wanbao.example.cn"}, Title: "h1", Body: "div.content p"})
	for name, c := range map[string]struct {
		reg       *Registry
		page      *article.Page
		extractor string
	}{
		"generic": {generic, storyPage(t, "https://news.example.org/2023/05/30/a.html", "白酒股午后拉升", sentences...), "generic"},
		"rules":   {rules, storyPage(t, "https://wanbao.example.cn/2023/05/30/a.html", "白酒股午后拉升", sentences...), "rules:wanbao"},
	} {
		rec, err := c.reg.Extract(c.page)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rec.Extractor != c.extractor || !reflect.DeepEqual(rec.Stocks, want) {
			t.Errorf("%s: extractor %s, stocks %q; want %s, %q", name, rec.Extractor, rec.Stocks, c.extractor, want)
		}
	}

	u, _ := url.Parse("https://example.cn/item/1")
	item := article.NewPage(u, article.FeedItemType, []byte("<p>"+strings.Join(sentences, "</p><p>")+"</p>"), time.Now())
	item.Hint = &article.Record{ID: "NW202305301234567890", URL: u.String(), Title: "渣打集团(2888.HK)获增持", PublishedAt: time.Now()}
	rec, err := Default().Extract(item)
	if err != nil {
		t.Fatal(err)
	}
	if got := append([]string{"02888.HK"}, want...); !reflect.DeepEqual(rec.Stocks, got) {
		t.Errorf("feed item: stocks %q; want the title's code first, then the body's: %q", rec.Stocks, got)
	}
}

func TestAPageWithoutCodesInItsTextHasNoStocks(t *testing.T) {
	rec, err := WithFallback(Default(), nil).Extract(storyPage(t, "https://news.example.org/2023/05/30/b.html", "夜市摊位重新规划",
		"2023年5月30日，记者拨打热线(021)60000000了解到，摊位共计600519个。", "有关报告(2021)已公布，编号20230530。"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Stocks != nil {
		t.Errorf("stocks %q from phone numbers, dates, amounts or links", rec.Stocks)
	}
}
