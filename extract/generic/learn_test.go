package generic

import (
	"fmt"
	"strings"
	"testing"

	"github.com/newsmill/newsmill/extract/learn"
)

// siteStatement is a line only this site prints: a portal's usual "声明：本文仅代表作者观点…"
// is removed by a rule on any page, which would leave learning untested.
const siteStatement = "海港网所载文章仅供读者参考，依据其内容所作的决定由读者自行负责。"

// portalArticle is an article of a portal that prints its statement under every article and a
// box of the day's most read stories beside it.
func portalArticle(i int) string {
	return fmt.Sprintf(`<html lang="zh-CN"><head><title>港口第%d季度吞吐量公布_海港网</title></head><body>
<div class="wrap"><div class="art"><h1>港口第%d季度吞吐量公布</h1>
<div class="info">2024-0%d-1%d 10:3%d 来源：海港日报</div>
<div class="text"><p>记者从港务局获悉，港口第%d季度完成货物吞吐量一亿吨，同比增长百分之五，集装箱业务增长较快。</p>
<p>港务局表示，新建的第%d个泊位将在年内投入使用，届时港口的通过能力将进一步提高。</p>
<p class="note">%s</p></div></div>
<div class="hot"><h3>24小时热门</h3><ul><li><a href="/a/9%d.html">渔港码头改造完成</a></li><li><a href="/a/8%d.html">跨海大桥通车一周年</a></li></ul></div>
</div></body></html>`, i, i, i, i, i, i, i, siteStatement, i, i)
}

func TestTheSitesStatementLeavesEveryRecordOnceTheTemplateIsKnown(t *testing.T) {
	for _, c := range []struct {
		name    string
		learner *learn.Learner
	}{{"learning", learn.New()}, {"alone", nil}} {
		g := New()
		if c.learner != nil {
			g = New(WithLearner(c.learner))
		}
		for i := 1; i <= 6; i++ {
			p := pageOf(t, fmt.Sprintf("http://port.example.cn/a/%d.html", i), portalArticle(i))
			rec, err := g.Extract(p)
			if err != nil {
				t.Fatalf("%s page %d: %v", c.name, i, err)
			}
			kept := strings.Contains(rec.Body, siteStatement)
			if want := c.learner == nil || i <= 3; kept != want {
				t.Errorf("%s page %d: statement kept %v, want %v:\n%s", c.name, i, kept, want, rec.Body)
			}
			if !strings.Contains(rec.Body, fmt.Sprintf("第%d季度完成货物吞吐量", i)) || strings.Count(rec.Body, "\n\n") < 1 {
				t.Errorf("%s page %d: the article's text is lost:\n%s", c.name, i, rec.Body)
			}
			if rec.Source != "海港日报" {
				t.Errorf("%s page %d: source %q", c.name, i, rec.Source)
			}
		}
	}
}
