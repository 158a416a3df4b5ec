package generic

import (
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
