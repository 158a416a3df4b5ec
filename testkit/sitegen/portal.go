package sitegen

import (
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// Item is one short news item of a Portal.
type Item struct {
	Path      string
	Title     string
	Category  string
	Published time.Time // the time the page shows or states; zero when it shows none
	// DateKind says where the page states its date: "byline" (a time line under the headline),
	// "label" (发布时间：…), "meta" (article:published_time only), "url" (none on the page, the
	// day in the path), "none" (nowhere: the record's date is its Last-Modified header when the
	// server sends one, else its fetch time).
	DateKind string
	Paras    []string
	// LastModified, when set on an undated item, is sent as its Last-Modified header.
	LastModified time.Time
}

// Portal is a Chinese news portal of short items (a headline, a time, two sentences), every item
// page flanked by link-heavy "related" and "24小时热门" boxes and a long navigation bar, reached
// from category pages (paginated; one category shows a teaser under each headline), a home page,
// tag pages and a search page. None of those is an article. No extractor knows its markup: it is
// the generic extractor's ground.
type Portal struct {
	Items []Item
	// Listings are the paths of every page that is not an article.
	Listings []string
	pages    map[string][]byte
	modified map[string]time.Time
	Hits     atomic.Int64
}

var portalCats = []struct{ path, name string }{{"local", "本地"}, {"finance", "财经"}, {"sports", "体育"}}

var portalDateKinds = []string{"byline", "label", "meta", "url", "none"}

// NewPortal generates n items.
func NewPortal(n int) *Portal {
	s := &Portal{pages: map[string][]byte{}, modified: map[string]time.Time{}}
	base := time.Date(2023, 4, 18, 7, 45, 0, 0, time.FixedZone("CST", 8*3600))
	for i := 0; i < n; i++ {
		c := portalCats[i%len(portalCats)]
		t := base.Add(-time.Duration(i) * 7 * time.Hour)
		it := Item{Category: c.path, Title: fmt.Sprintf("%s快讯第%d条：%s", c.name, i, strings.TrimSuffix(sentence(i+3, 5), "。")),
			DateKind: portalDateKinds[i%len(portalDateKinds)], Published: t}
		it.Path = fmt.Sprintf("/%s/%s/%d.html", c.path, t.Format("2006/0102"), 1000+i)
		paras := 1
		if it.DateKind == "url" || it.DateKind == "none" {
			// An undated page must earn its place with its text: four paragraphs, not two lines.
			paras = 4
		}
		for j := 0; j < paras; j++ {
			it.Paras = append(it.Paras, sentence(i+j, 10)+sentence(i+j+7, 8))
		}
		switch it.DateKind {
		case "url":
			it.Published = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
		case "none":
			it.Path = fmt.Sprintf("/%s/a/%d.html", c.path, 1000+i)
			it.Published = time.Time{}
			if i%2 == 1 {
				it.LastModified = t.UTC().Truncate(time.Second)
			}
		}
		if !it.LastModified.IsZero() {
			s.modified[it.Path] = it.LastModified
		}
		s.Items = append(s.Items, it)
	}
	s.render()
	return s
}

func (s *Portal) nav() string {
	var b strings.Builder
	b.WriteString(`<div class="topnav"><a href="/">首页</a>`)
	for _, c := range portalCats {
		fmt.Fprintf(&b, ` | <a href="/%s/">%s</a>`, c.path, c.name)
	}
	b.WriteString(` | <a href="/tag/hot.html">热门标签</a> | <a href="/search.html?q=%E5%BF%AB%E8%AE%AF">搜索</a> | <a href="/about.html">关于我们</a></div>` + "\n")
	return b.String()
}

const portalFoot = `<div class="copyright">海滨新闻网 版权所有 未经授权禁止转载 联系电话：0000-1234567</div></body></html>`

func (s *Portal) itemLink(it Item) string {
	return fmt.Sprintf(`<li><a href="%s">%s</a></li>`, it.Path, html.EscapeString(it.Title))
}

// sidebar is the "related" and "24小时热门" boxes: eighteen headline links.
func (s *Portal) sidebar(i int) string {
	var b strings.Builder
	b.WriteString(`<div class="side"><div class="box"><div class="boxtitle">相关新闻</div><ul>`)
	for k := 1; k <= 8; k++ {
		b.WriteString(s.itemLink(s.Items[(i+k)%len(s.Items)]))
	}
	b.WriteString(`</ul></div><div class="box"><div class="boxtitle">24小时热门</div><ol>`)
	for k := 0; k < 10; k++ {
		b.WriteString(s.itemLink(s.Items[(i*3+k*5+1)%len(s.Items)]))
	}
	b.WriteString("</ol></div></div>\n")
	return b.String()
}

func (s *Portal) render() {
	for i, it := range s.Items {
		var b strings.Builder
		b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8">`)
		sep := "_" + it.Category + "_"
		if i%2 == 0 {
			sep = "-"
		}
		fmt.Fprintf(&b, "<title>%s%s海滨新闻网</title>\n", html.EscapeString(it.Title), sep)
		if it.DateKind == "meta" {
			fmt.Fprintf(&b, `<meta property="article:published_time" content="%s">`, it.Published.Format(time.RFC3339))
		}
		b.WriteString("</head><body>\n" + s.nav())
		fmt.Fprintf(&b, `<div class="main"><div class="article"><h1>%s</h1>`+"\n", html.EscapeString(it.Title))
		switch it.DateKind {
		case "byline":
			fmt.Fprintf(&b, `<div class="info">%s 来源：海滨日报</div>`, it.Published.Format("2006-01-02 15:04"))
		case "label":
			fmt.Fprintf(&b, `<div class="info">发布时间：%s</div>`, it.Published.Format("2006年01月02日 15:04"))
		default:
			b.WriteString(`<div class="info">来源：海滨日报</div>`)
		}
		b.WriteString(`<div class="content">`)
		for _, p := range it.Paras {
			fmt.Fprintf(&b, "<p>%s</p>", p)
		}
		b.WriteString(`</div><div class="share">分享到： <a href="#">微信</a> <a href="#">微博</a></div></div>` + "\n")
		b.WriteString(s.sidebar(i) + "</div>" + portalFoot)
		s.pages[it.Path] = []byte(b.String())
	}

	byCat := map[string][]Item{}
	for _, it := range s.Items {
		byCat[it.Category] = append(byCat[it.Category], it)
	}
	listing := func(path, heading, list string) {
		s.pages[path] = []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + heading + `_海滨新闻网</title></head><body>` +
			"\n" + s.nav() + `<div class="main"><div class="list"><h1>` + heading + "</h1>\n" + list + "</div>" + s.sidebar(len(path)) + "</div>" + portalFoot)
		s.Listings = append(s.Listings, path)
	}
	const perPage = 6
	for ci, c := range portalCats {
		items := byCat[c.path]
		for page := 0; page*perPage < len(items); page++ {
			var b strings.Builder
			b.WriteString(`<ul class="newslist">`)
			for _, it := range items[page*perPage : min(len(items), (page+1)*perPage)] {
				when := ""
				if !it.Published.IsZero() {
					when = `<span class="time">` + it.Published.Format("2006-01-02 15:04") + `</span>`
				}
				if ci == 1 {
					// This category shows a teaser sentence under each headline.
					fmt.Fprintf(&b, `<li><h3><a href="%s">%s</a></h3><p>%s</p>%s</li>`, it.Path, html.EscapeString(it.Title), it.Paras[0], when)
				} else {
					fmt.Fprintf(&b, `<li><a href="%s">%s</a>%s</li>`, it.Path, html.EscapeString(it.Title), when)
				}
			}
			b.WriteString("</ul>")
			if (page+1)*perPage < len(items) {
				fmt.Fprintf(&b, `<div class="pages"><a href="/%s/index_%d.html">下一页</a></div>`, c.path, page+2)
			}
			path := "/" + c.path + "/"
			if page > 0 {
				path = fmt.Sprintf("/%s/index_%d.html", c.path, page+1)
			}
			listing(path, c.name+"新闻", b.String())
		}
	}
	var home, tag, search strings.Builder
	home.WriteString(`<div class="focus">`)
	for i, it := range s.Items {
		if i < 4 {
			fmt.Fprintf(&home, `<h2><a href="%s">%s</a></h2><p>%s</p>`, it.Path, html.EscapeString(it.Title), it.Paras[0])
		} else if i < 16 {
			home.WriteString(s.itemLink(it))
		}
		if i%4 == 1 {
			tag.WriteString(s.itemLink(it))
		}
		if i%3 == 2 {
			fmt.Fprintf(&search, `<div class="result"><a href="%s">%s</a><p>%s</p></div>`, it.Path, html.EscapeString(it.Title), it.Paras[0])
		}
	}
	home.WriteString(`</div><p>海滨新闻网，记录身边的每一天。</p>`)
	listing("/", "海滨新闻网", home.String())
	listing("/tag/hot.html", "热门标签：快讯", "<ul>"+tag.String()+"</ul>")
	listing("/search.html", "搜索结果：快讯", search.String())
	sort.Strings(s.Listings)
}

// ArticlePaths are the item pages, sorted: what a perfect crawl emits, once each.
func (s *Portal) ArticlePaths() []string {
	var out []string
	for _, it := range s.Items {
		out = append(out, it.Path)
	}
	sort.Strings(out)
	return out
}

// ServeHTTP serves the portal; unknown paths are 404.
func (s *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.Hits.Add(1)
	b, ok := s.pages[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if t, ok := s.modified[r.URL.Path]; ok {
		w.Header().Set("Last-Modified", t.Format(http.TimeFormat))
	}
	w.Write(b)
}
