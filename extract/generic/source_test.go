package generic

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestTheSourceIsReadInEveryFormPortalsPrintIt(t *testing.T) {
	for line, want := range map[string]string{
		"来源：[ 人民网 ]":                     "人民网",
		"来源：【新华网】":                       "新华网",
		"文章来源：澎湃新闻":                      "澎湃新闻",
		"本文来源于中国证券报":                     "中国证券报",
		"来源：21世纪经济报道(广州)":                "21世纪经济报道(广州)",
		"（来源：新华社）":                       "新华社",
		"2024-03-01 10:00 来源：海港日报 作者：林晓": "海港日报",
	} {
		m := sourceRe.FindStringSubmatch(line)
		if m == nil || trimSource(m[1]) != want {
			t.Errorf("%q -> %v, want %q", line, m, want)
		}
	}
	if m := sourceRe.FindStringSubmatch("数据的来源不明。"); m != nil {
		t.Errorf("prose read as a source line: %q", m)
	}
}

func TestAnOutletShownWithoutALabelIsReadFromItsSourceElement(t *testing.T) {
	for page, want := range map[string]string{
		`<div class="date-source"><span>2024年03月01日 10:00</span> <span class="source">新京报</span></div>`: "新京报",
		`<span class="a_source">中国新闻网</span>`:                                                           "中国新闻网",
		`<span class="source">来源：[ 人民网 ]</span>`:                                                        "人民网",
		`<div class="source-list">本站今日共发布稿件一百二十篇，欢迎各位读者来信。</div>`:                                       "",
	} {
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader("<html><body>" + page + "</body></html>"))
		if got := markedSource(doc); got != want {
			t.Errorf("%s: source %q, want %q", page, got, want)
		}
	}
}

func TestATraditionalChineseSourceLabelIsReadLikeTheSimplifiedOne(t *testing.T) {
	for line, want := range map[string]string{"來源：經濟日報": "經濟日報", "（文章來源：信報財經新聞）": "信報財經新聞", "稿件来源：中国证券报": "中国证券报"} {
		if m := sourceRe.FindStringSubmatch(line); m == nil || trimSource(m[1]) != want {
			t.Errorf("%q -> %v, want %q", line, m, want)
		}
	}
}

func TestAChannelAfterTheOutletIsCutAndAnotherOutletAfterItIsKept(t *testing.T) {
	sites := []string{"新浪网", "新浪财经"}
	for in, want := range map[string]string{
		"人民网-财经频道":     "人民网",
		"来源：人民网－国际频道":  "人民网",
		"中国证券报_新浪财经":   "中国证券报",
		"人民网-人民日报":     "人民网-人民日报",
		"21世纪经济报道(广州)": "21世纪经济报道(广州)",
		"中新经纬-中国新闻网":   "中新经纬-中国新闻网",
		"[ 证券时报·e公司 ]": "证券时报·e公司",
	} {
		if got := settleSource(in, sites); got != want {
			t.Errorf("settleSource(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnOutletLinkedBesideTheTimeIsTheSourceButTheSitesOwnChannelIsNot(t *testing.T) {
	page, _ := url.Parse("http://stock.hexun.com/2022-01-24/1.html")
	for markup, want := range map[string]string{
		`<span>2022-01-24 07:38:12</span> <a href="http://www.cs.com.cn/">中国证券报</a>`:       "中国证券报",
		`<span>2022-01-24 07:38:12</span> <a href="/zt/" rel="nofollow">上海证券报</a>`:         "上海证券报",
		`<span>2022-01-24 07:38:12</span> <a href="http://stock.hexun.com/">股票</a>`:        "",
		`<span>2022-01-24 07:38:12</span> <a href="http://www.cs.com.cn/">中国证券报</a> 阅读 3万`: "",
	} {
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<html><body><div class="art"><h1>公募基金四季度调仓路线浮现 消费和医药获加仓</h1>
<div class="tip">` + markup + `</div></div><p>正文。</p></body></html>`))
		if got := outletByTime(doc, page, true); got != want {
			t.Errorf("%s: outlet %q, want %q", markup, got, want)
		}
	}
}

func TestThePagesStateObjectInAScriptGivesTheOutletAndTimeAByScriptBylineShows(t *testing.T) {
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<html><head>
<script>var conf = {ad: true};</script>
<script>window.DATA = {"title": "标题", "media": "21世纪经济报道", "pubtime": "2021-12-25 11:26:08", "source": "web"}</script>
</head><body></body></html>`))
	if src, at := scriptState(doc); src != "21世纪经济报道" || at != "2021-12-25 11:26:08" {
		t.Errorf("state gives source %q time %q", src, at)
	}
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(`<script>var cfg = {"source": "web", "publishTime": ""}</script>`))
	if src, at := scriptState(doc); src != "" || at != "" {
		t.Errorf("a config object gives source %q time %q, want none", src, at)
	}
}
