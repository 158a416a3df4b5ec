// Package sitegen builds a finews-shaped Jekyll site in memory: home page, category pages, post
// pages with the real layout (including the og:description trap that spills the body into the
// document), an Atom feed, and the raw post files the pages were rendered from. End-to-end tests
// and benchmarks crawl it on loopback; its sentences are generated, never real articles.
package sitegen

import (
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/newsmill/newsmill/internal/textrule"
)

// Post is one generated article.
type Post struct {
	ID        string // info code, NW…
	Number    string // the article number (ID without NW)
	Category  string // emnews or a media category in pinyin
	Tag       string
	Media     string // 证券时报 for media posts
	Title     string
	Published time.Time
	Summary   string // rolling-news digest
	Paras     []string
	Stock     string // "600160|1" chart block code|market, optional
	Path      string // URL path of the page
}

// Site is a generated site.
type Site struct {
	Posts []Post
	pages map[string][]byte
	// Hits counts requests served, for tests that check what was fetched again.
	Hits atomic.Int64
}

var media = []struct{ cat, name string }{
	{"zhengquanshibao", "证券时报"},
	{"zhongguozhengquanbao", "中国证券报"},
	{"21shijijingjibaodao", "21世纪经济报道"},
}

var words = []string{"市场", "资金", "板块", "指数", "公司", "业绩", "投资者", "政策", "需求", "产能", "订单", "利润", "银行", "券商", "基金", "消费", "制造", "出口", "价格", "增长"}

func sentence(seed, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(words[(seed*7+i*13+i*i)%len(words)])
		if i%4 == 3 {
			b.WriteString("，")
		}
	}
	b.WriteString("。")
	return b.String()
}

// New generates n posts: every third one is a media article whose rolling-news twin (same
// number) is also on the site, the rest rolling news. Everything is derived from n alone.
func New(n int) *Site {
	s := &Site{pages: map[string][]byte{}}
	base := time.Date(2022, 1, 21, 9, 0, 0, 0, textrule.Shanghai)
	for i := 0; i < n; i++ {
		t := base.Add(time.Duration(i) * time.Minute)
		num := fmt.Sprintf("%s%010d", t.Format("20060102"), 2200000000+i)
		p := Post{ID: "NW" + num, Number: num, Published: t, Title: fmt.Sprintf("第%d号测试快讯：%s", i, sentence(i, 6))}
		for j := 0; j < 3+i%4; j++ {
			p.Paras = append(p.Paras, sentence(i+j, 24+j*5))
		}
		if i%2 == 0 {
			p.Stock = fmt.Sprintf("%06d|%d", 600000+i%1000, 1)
		}
		if i%3 == 0 {
			m := media[(i/3)%len(media)] // every third post is a media article; cycle through the media
			p.Category, p.Tag, p.Media = m.cat, m.name+"新闻", m.name
			p.Path = fmt.Sprintf("/%s/%s/NW%s.html", p.Category, t.Format("2006/01/02"), num)
			s.Posts = append(s.Posts, p)
			// its rolling-news twin: same number, a digest and the full text
			tw := p
			tw.Category, tw.Tag, tw.Media = "emnews", "东财滚动新闻", ""
			tw.Summary = p.Paras[0]
			tw.Path = fmt.Sprintf("/emnews/%s/%s.html", t.Format("2006/01/02"), num)
			s.Posts = append(s.Posts, tw)
			continue
		}
		p.Category, p.Tag = "emnews", "东财滚动新闻"
		p.Summary = p.Paras[0]
		p.Path = fmt.Sprintf("/emnews/%s/%s.html", t.Format("2006/01/02"), num)
		s.Posts = append(s.Posts, p)
	}
	s.render()
	return s
}

// IDs are the distinct info codes on the site: what a perfect crawl emits, once each.
func (s *Site) IDs() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range s.Posts {
		if !seen[p.ID] {
			seen[p.ID] = true
			out = append(out, p.ID)
		}
	}
	sort.Strings(out)
	return out
}

// articleHTML is the article as Eastmoney's HTML: chart block, paragraphs, attribution.
func (p *Post) articleHTML() string {
	var b strings.Builder
	if p.Stock != "" {
		parts := strings.Split(p.Stock, "|")
		fmt.Fprintf(&b, `<p style="display:none;height:1px;overflow:hidden;"><br /></p>
<!-- EM_StockImg_Start -->
<p style="text-align:center;"><a href="http://quote.eastmoney.com/unify/r/%[2]s.%[1]s" data-code="%[1]s|%[2]s|1" class="EmImageRemark" target="_blank"><img src="https://webquoteklinepic.eastmoney.com/GetPic.aspx?nid=%[2]s.%[1]s&amp;imageType=k" border="0" alt="K图 %[1]s_0" data-code="K %[1]s|%[2]s|1" /></a></p>
<!-- EM_StockImg_End -->
`, parts[0], parts[1])
	}
	for _, para := range p.Paras {
		fmt.Fprintf(&b, "<p>　　%s</p>\n", para)
	}
	if p.Media != "" {
		fmt.Fprintf(&b, `<p class="em_media">（文章来源：%s）</p>`+"\n", p.Media)
	}
	return b.String()
}

// originURL is the link every post ends with, before the back-links.
func (p *Post) originURL() string {
	if p.Media != "" {
		return "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=" + p.ID
	}
	return "http://finance.eastmoney.com/a/" + p.Number + ".html"
}

func (p *Post) backLinks(host string) string {
	if p.Media != "" {
		return fmt.Sprintf(`<a href="%s/category/%s.html">返回%s</a>｜<a href="%s/">返回首页</a>`, host, p.Category, p.Tag, host)
	}
	return fmt.Sprintf(`<a href="%s/emnews/">返回东财滚动新闻</a>｜<a href="%s/">返回首页</a>`, host, host)
}

// bodyHTML is the rendered post body, as Jekyll's markdown turns the raw post into HTML.
func (p *Post) bodyHTML() string {
	var b strings.Builder
	if p.Summary != "" {
		fmt.Fprintf(&b, "<blockquote>\n  <p>%s</p>\n</blockquote>\n\n", p.Summary)
	}
	b.WriteString(p.articleHTML())
	fmt.Fprintf(&b, "\n<p><a href=\"%[1]s\">%[1]s</a></p>\n\n<p>%s</p>\n", p.originURL(), p.backLinks(""))
	return b.String()
}

func head(title, ogDescription, canonical string) string {
	// og:description carries the body unescaped, exactly as the real layout does: a parser
	// spills it into the document. Extractors must not read it twice.
	return fmt.Sprintf(`<!DOCTYPE html>
<html lang="zh-CN">
  <head>
    <meta charset="UTF-8">
    <meta property="og:title" content="%[1]s">
    <meta property="og:description" content="%[2]s">
    <meta property="og:url" content="https://finews.zning.me%[3]s">
<title>%[1]s | 金融消息</title>
<link rel="canonical" href="%[3]s" />
  </head>
  <body>
    <div class="wrapper">
      <header>
        <h1><a href="/">金融消息</a></h1>
      </header>
      <section>

`, html.EscapeString(title), ogDescription, canonical)
}

const foot = `
      </section>
      <footer>
        <p>&copy; 2021</p>
      </footer>
    </div>
  </body>
</html>
`

func (s *Site) render() {
	byCat := map[string][]Post{}
	for _, p := range s.Posts {
		byCat[p.Category] = append(byCat[p.Category], p)
		var b strings.Builder
		b.WriteString(head(p.Title, p.bodyHTML(), p.Path))
		fmt.Fprintf(&b, "      <small>(GMT+8, Asia/Shanghai, CST) %s</small>\n<h1>%s</h1>\n\n", p.Published.Format("2006-01-02 15:04:05"), html.EscapeString(p.Title))
		b.WriteString(p.bodyHTML())
		fmt.Fprintf(&b, "\n\n  <small>tags: <em>%s</em></small>\n", p.Tag)
		b.WriteString(foot)
		s.pages[p.Path] = []byte(b.String())
	}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	var home strings.Builder
	home.WriteString(head("金融消息", "", "/"))
	for _, c := range cats {
		posts := byCat[c]
		var cp strings.Builder
		cp.WriteString(head(c, "", "/category/"+c+".html"))
		cp.WriteString("<h2 id=\"\"></h2>\n\n<ul>\n")
		for i := len(posts) - 1; i >= 0; i-- {
			fmt.Fprintf(&cp, "    <li><a href=\"%s\">%s</a></li>\n", posts[i].Path, html.EscapeString(posts[i].Title))
		}
		cp.WriteString("</ul>\n" + foot)
		s.pages["/category/"+c+".html"] = []byte(cp.String())
		fmt.Fprintf(&home, "<h2 id=\"%[1]s\">%[1]s</h2>\n<ul>\n", posts[0].Tag)
		for i := len(posts) - 1; i >= 0 && i >= len(posts)-5; i-- {
			fmt.Fprintf(&home, "      <li><a href=\"%s\">%s</a></li>\n", posts[i].Path, html.EscapeString(posts[i].Title))
		}
		home.WriteString("  </ul>\n<hr />\n")
	}
	home.WriteString(foot)
	s.pages["/"] = []byte(home.String())
	s.pages["/index.html"] = s.pages["/"]
	s.pages["/emnews/"] = []byte(head("东财滚动新闻", "", "/emnews/") + "<p>滚动新闻</p>" + foot)

	var feed strings.Builder
	feed.WriteString(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN"><title type="html">金融消息</title>`)
	for i := len(s.Posts) - 1; i >= 0 && i >= len(s.Posts)-10; i-- {
		p := s.Posts[i]
		fmt.Fprintf(&feed, `<entry><title type="html">%s</title><link href="%s" rel="alternate" type="text/html" /><published>%s</published><id>%s</id></entry>`,
			html.EscapeString(p.Title), p.Path, p.Published.Format(time.RFC3339), p.Path)
	}
	feed.WriteString("</feed>")
	s.pages["/feed.xml"] = []byte(feed.String())
}

// ServeHTTP serves the site; unknown paths are 404 like the real one.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.Hits.Add(1)
	b, ok := s.pages[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(r.URL.Path, ".xml") {
		w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.Write(b)
}

// RawPost is the post's source file as the site's repository stores it.
func (p *Post) RawPost() (name string, content []byte) {
	stem := p.Number
	if p.Media != "" {
		stem = p.ID
	}
	name = fmt.Sprintf("%s-%s.md", p.Published.Format("2006-01-02"), stem)
	var b strings.Builder
	fmt.Fprintf(&b, "---\nlayout: post\ntitle: %q\ndate: %s\ncategories: %s\ntags: %s\n---\n", p.Title, p.Published.Format("2006-01-02 15:04:05 -0700"), p.Category, p.Tag)
	if p.Summary != "" {
		fmt.Fprintf(&b, "> %s\n\n", p.Summary)
	}
	b.WriteString(p.articleHTML())
	fmt.Fprintf(&b, "\n<%s>\n\n", p.originURL())
	b.WriteString(markdownBackLinks(p) + "\n")
	return name, []byte(b.String())
}

func markdownBackLinks(p *Post) string {
	if p.Media != "" {
		return fmt.Sprintf("[返回%s](//finews.withounder.com/category/%s.html)｜[返回首页](//finews.withounder.com/)", p.Tag, p.Category)
	}
	return "[返回东财滚动新闻](//finews.withounder.com/emnews/)｜[返回首页](//finews.withounder.com/)"
}

// Page returns the bytes served at path, for benchmarks that extract without a server.
func (s *Site) Page(path string) ([]byte, bool) {
	b, ok := s.pages[path]
	return b, ok
}

// EastmoneyPage is the post as Eastmoney's newer article template shows it (title, infos with
// time and source, #ContentBody), at the address it would have there. Additive: the finews site
// itself does not link to it.
func (p *Post) EastmoneyPage() (url string, page []byte) {
	src := p.Media
	if src == "" {
		src = "东方财富网"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%[1]s_东方财富网</title>
<link rel="canonical" href="http://finance.eastmoney.com/a/%[2]s.html" /></head>
<body><div class="main"><div class="contentwrap"><div class="title">%[1]s</div>
<div class="infos"><div class="item">%[3]s</div><div class="item">来源：%[4]s</div></div>
<div class="txtinfos" id="ContentBody">
%[5]s</div></div></div></body></html>
`, html.EscapeString(p.Title), p.Number, p.Published.Format("2006年01月02日 15:04"), src, p.articleHTML())
	return "http://finance.eastmoney.com/a/" + p.Number + ".html", []byte(b.String())
}
