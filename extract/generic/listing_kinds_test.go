package generic

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/newsmill/newsmill/article"
)

// Listing pages of the kinds the portal templates of testdata/portals showed emitted as
// articles, each beside the article it must not be confused with.

func TestAnArchiveOfOnePostWhoseExcerptIsItsWholeTextIsAListing(t *testing.T) {
	// A CMS's tag, author or category archive: each item an <article> with its headline link in
	// its own <header>, which cleaning must not drop as chrome, and the excerpt under it.
	item := func(n int, text string) string {
		return fmt.Sprintf(`<article class="post"><header class="entry-header"><h2 class="entry-title"><a href="/2024/03/post-%d/">Harbour bus route to run on Sundays %d</a></h2>
<div class="entry-meta"><time datetime="2024-03-0%dT09:00:00+00:00">March %d, 2024</time></div></header>
<div class="entry-summary"><p>%s</p></div><a class="more-link" href="/2024/03/post-%d/">Read more</a></article>`, n, n, n, n, text, n)
	}
	text := "The harbour bus route will run on Sundays from May, the operator confirmed on Tuesday."
	for _, items := range []string{item(1, text), item(1, text) + item(2, text+" Buses run every forty minutes.")} {
		page := `<html><head><title>transport Archives - The Quay Post</title></head><body><header id="masthead"><p class="site-title"><a href="/">The Quay Post</a></p></header>
<main><header class="page-header"><h1 class="page-title">Tag: transport</h1></header>` + items + `</main><footer>© 2024 The Quay Post</footer></body></html>`
		if rec, err := extractPage(pageOf(t, "https://quay.example.com/tag/transport/", page)); !errors.Is(err, article.ErrNotArticle) {
			t.Errorf("archive of %d posts: %v %+v, want a listing", strings.Count(items, "<article"), err, rec)
		}
	}
	// The post itself, its headline linked to its own permalink as old themes do, is an article.
	post := `<html><head><title>Harbour bus route to run on Sundays 1 - The Quay Post</title></head><body>
<article><header><h2 class="entry-title"><a href="/2024/03/post-1/" rel="bookmark">Harbour bus route to run on Sundays 1</a></h2></header>
<div class="entry-content"><p>` + text + `</p></div></article>
<div class="related"><h3>Related</h3><ul><li><a href="/2024/03/post-2/">Fish market moves to earlier hours on the quay</a></li></ul></div></body></html>`
	rec, err := extractPage(pageOf(t, "https://quay.example.com/2024/03/post-1/", post))
	if err != nil || rec.Body != text {
		t.Errorf("post: %v %+v, want its one paragraph", err, rec)
	}
}

func TestASearchPageOfTwoHitsIsAListing(t *testing.T) {
	hit := func(n int) string {
		return fmt.Sprintf(`<div class="result"><h3><a href="/news/%d.html">长江二<em>桥</em>主体工程第%d段完工</a></h3><p>长江二桥主体工程第%d段昨日完工，大桥预计今年十月通车，过江时间将缩短二十分钟。</p><span>2024-03-1%d</span></div>`, n, n, n, n)
	}
	page := `<html><head><title>搜索结果-江城晚报</title></head><body><div class="sresult"><h1>搜索结果</h1><p>共找到 2 条结果</p>` + hit(1) + hit(2) +
		`</div><div class="bottom"><p>江城晚报社主办 地址：江城市滨江大道100号 新闻热线：0000-88886666</p><p>本网站所刊登的各种新闻、信息和各种专题专栏资料，均为江城晚报版权所有，未经协议授权，禁止下载使用。</p></div></body></html>`
	if rec, err := extractPage(pageOf(t, "http://jc.example.com/search?q=%E6%A1%A5", page)); !errors.Is(err, article.ErrNotArticle) {
		t.Errorf("%v %+v, want a listing", err, rec)
	}
}

func TestACategoryPageThatOpensWithItsNewestStorysLeadIsAListing(t *testing.T) {
	lead := `<div class="lead"><h2>南湖公园樱花进入最佳观赏期</h2><p>2024-03-14 11:44</p><p>南湖公园的樱花进入最佳观赏期，周末游客量超过五万人次。</p><p><a href="/city/884.html">阅读全文&gt;&gt;</a></p></div>`
	list := `<ul><li><a href="/city/885.html">江滩夜市下月开市首批摊位入驻</a><span>2024-03-15</span></li><li><a href="/city/886.html">城市书房增至三十家全天开放</a><span>2024-03-16</span></li><li><a href="/city/887.html">春季马拉松报名人数创新高</a><span>2024-03-17</span></li></ul>`
	page := `<html><head><title>城事-江城晚报</title></head><body><div class="colname"><h1>城事</h1></div>` + lead + list +
		`<div class="bottom"><p>江城晚报社主办 地址：江城市滨江大道100号 新闻热线：0000-88886666</p></div></body></html>`
	if rec, err := extractPage(pageOf(t, "http://jc.example.com/city/", page)); !errors.Is(err, article.ErrNotArticle) {
		t.Errorf("%v %+v, want a listing", err, rec)
	}
	// The story itself, under its headline with the same rail of links, is an article.
	story := `<html><head><title>南湖公园樱花进入最佳观赏期-江城晚报</title></head><body><h2>南湖公园樱花进入最佳观赏期</h2><p>2024-03-14 11:44</p><p>南湖公园的樱花进入最佳观赏期，周末游客量超过五万人次。</p>` + list + `</body></html>`
	if rec, err := extractPage(pageOf(t, "http://jc.example.com/city/884.html", story)); err != nil || rec.Body != "南湖公园的樱花进入最佳观赏期，周末游客量超过五万人次。" {
		t.Errorf("story: %v %+v", err, rec)
	}
}

func TestAHomePageOfCardsWhoseLinksWrapTheirHeadlinesIsAListing(t *testing.T) {
	var cards strings.Builder
	for i := range 6 {
		fmt.Fprintf(&cards, `<div class="card"><a href="/news/%d.html"><img src="/p/%d.jpg" alt=""><h3>地铁三号线延伸段第%d座车站投入运营</h3></a><p>第%d座新站本周起运营，沿线居民</p><span>03-1%d</span></div>`, i, i, i, i, i)
	}
	page := `<html><head><title>江城晚报-江城第一新闻门户</title></head><body><div class="cards">` + cards.String() +
		`</div><div class="bottom"><p>江城晚报社主办 地址：江城市滨江大道100号 新闻热线：0000-88886666</p></div></body></html>`
	if rec, err := extractPage(pageOf(t, "http://jc.example.com/", page)); !errors.Is(err, article.ErrNotArticle) {
		t.Errorf("%v %+v, want a listing", err, rec)
	}
}

func TestAMoreFromThisSectionBoxHeadingIsNoPartOfTheBody(t *testing.T) {
	for _, h := range []string{"本栏目更多", "You may also like"} {
		if !isLabelLine(h) {
			t.Errorf("%q is a link box's heading", h)
		}
	}
}
