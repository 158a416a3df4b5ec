package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract/emtext"
	"github.com/newsmill/newsmill/internal/textrule"
)

// finewsHosts are the hosts the finews mirror has been served from.
var finewsHosts = []string{"finews.withounder.com", "finews.zning.me", "finews.zning.xyz"}

// FinewsPage reads the finews mirror's rendered post pages (Jekyll, layout "post").
type FinewsPage struct{}

// NewFinewsPage returns the extractor for the finews mirror's post pages.
func NewFinewsPage() *FinewsPage { return &FinewsPage{} }

// Name implements Extractor.
func (*FinewsPage) Name() string { return "finews" }

// Hosts implements HostHinter.
func (*FinewsPage) Hosts() []string { return finewsHosts }

// Match implements Extractor: the page has the post layout's section, a "(GMT+8, …)" small
// followed by an h1.
func (*FinewsPage) Match(p *article.Page) bool {
	// The stamp's "(GMT" must be in the bytes: listings and other sites' pages are turned
	// away before a tree is built for them.
	if !p.IsHTML() || !bytes.Contains(p.Body, []byte("(GMT")) {
		return false
	}
	doc, err := p.Doc()
	if err != nil || len(doc.Nodes) == 0 {
		return false
	}
	return scanFinews(doc.Nodes[0]).section != nil
}

// finewsScan is what one walk over a rendered page finds.
type finewsScan struct {
	section, stamp, h1 *html.Node
	self               selfURLs
	published          string
}

// scanFinews walks the whole page once. The head's og:description carries the post body
// unescaped, so the parser spills a second copy of the article (and moves the rest of the head)
// into <body> before the real wrapper; only the layout's section has the stamp small followed by
// the h1, so that is the one read, and the spilled copy is never looked at.
func scanFinews(root *html.Node) finewsScan {
	var s finewsScan
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom == atom.Meta && s.published == "" && emtext.Attr(c, "property") == "article:published_time" {
				s.published = strings.TrimSpace(emtext.Attr(c, "content"))
			}
			if s.self.read(c) {
				continue
			}
			switch c.DataAtom {
			case atom.Section:
				if s.section == nil {
					if stamp, h1 := finewsSignature(c); stamp != nil {
						s.section, s.stamp, s.h1 = c, stamp, h1
						continue // its content is the article, read later; no metadata in there
					}
				}
			case atom.Script, atom.Style:
				continue
			}
			walk(c)
		}
	}
	walk(root)
	return s
}

// finewsSignature finds the section's first small and checks that it is the post layout's
// "(GMT+8, Asia/Shanghai, CST) …" stamp followed by the title's h1.
func finewsSignature(sec *html.Node) (stamp, h1 *html.Node) {
	small := firstElement(sec, atom.Small)
	if small == nil || !strings.HasPrefix(strings.TrimSpace(emtext.NodeText(small)), "(GMT") {
		return nil, nil
	}
	next := nextElement(small)
	if next == nil || next.DataAtom != atom.H1 {
		return nil, nil
	}
	return small, next
}

// firstElement is the first descendant element with the given tag, in document order.
func firstElement(n *html.Node, a atom.Atom) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.DataAtom == a {
			return c
		}
		if f := firstElement(c, a); f != nil {
			return f
		}
	}
	return nil
}

func nextElement(n *html.Node) *html.Node {
	for c := n.NextSibling; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return c
		}
	}
	return nil
}

// Extract implements Extractor.
func (*FinewsPage) Extract(p *article.Page) (*article.Record, error) {
	root, err := pageRoot(p)
	if err != nil {
		return nil, err
	}
	s := scanFinews(root)
	if s.section == nil {
		return nil, article.ErrNotArticle
	}
	if err := whole(p.Body); err != nil {
		return nil, err
	}
	rec := &article.Record{Title: strings.TrimSpace(emtext.NodeText(s.h1))}
	if p.URL != nil {
		rec.URL = p.URL.String()
	}
	if rec.Title == "" {
		return nil, fmt.Errorf("%w: title: the page's h1 is empty", article.ErrMissingField)
	}

	published, err := parseGMTStamp(emtext.NodeText(s.stamp))
	if err != nil {
		// The SEO tag's article:published_time holds the same instant, with its offset.
		if s.published == "" {
			return nil, err
		}
		t, err2 := time.Parse(time.RFC3339, s.published)
		if err2 != nil {
			return nil, fmt.Errorf("%w; article:published_time %q: %w", err, s.published, article.ErrMalformed)
		}
		published = t
	}
	rec.PublishedAt = published

	canonical := finewsCanonical(s, p.URL)
	rec.ID, rec.Categories = finewsIDAndCategories(canonical)

	// The article follows the h1: an optional blockquote digest, the body, the link to the
	// original, the back-links, the tags.
	var body []*html.Node
	started := false
	for c := s.h1.NextSibling; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
				started = true
			}
			body = append(body, c)
			continue
		}
		switch {
		case c.DataAtom == atom.Blockquote && !started && rec.Summary == "":
			rec.Summary = strings.Join(emtext.Normalize(emtext.Options{}, c).Paragraphs, " ")
			continue
		case c.DataAtom == atom.Small && strings.HasPrefix(strings.TrimSpace(emtext.NodeText(c)), "tags:"):
			rec.Tags = finewsTags(c)
			continue
		case c.DataAtom == atom.P:
			if href, ok := originLink(c); ok {
				rec.SourceURL = href
				continue
			}
			if isBackLinks(c) {
				continue
			}
		}
		if c.DataAtom != atom.Script && c.DataAtom != atom.Style {
			started = true
		}
		body = append(body, c)
	}
	t := emtext.Normalize(emtext.Options{}, body...)
	rec.Body = t.Body()
	rec.Stocks = t.Stocks
	rec.Editor = t.Editor
	rec.Source = sourceFrom(t.Source, rec.Tags)
	if rec.ID == "" {
		return nil, fmt.Errorf("%w: id", article.ErrMissingField)
	}
	if strings.TrimSpace(rec.Body) == "" {
		return nil, fmt.Errorf("%w: body", article.ErrMissingField)
	}
	return rec, nil
}

// finewsCanonical is the URL the post lives at: the canonical link, og:url, else where the page was
// read from. Using the page's own claim makes a saved copy (file://) give the same id and
// categories as the served page.
func finewsCanonical(s finewsScan, pageURL *url.URL) *url.URL {
	for _, c := range s.self.each() {
		if u, err := url.Parse(c); err == nil && u.Path != "" {
			if pageURL != nil {
				u = pageURL.ResolveReference(u)
			}
			return u
		}
	}
	return pageURL
}

// finewsIDAndCategories reads the id from the post URL's file stem and the categories from the
// path segments before /yyyy/mm/dd/ (Jekyll's permalink /:categories/:year/:month/:day/:title).
func finewsIDAndCategories(u *url.URL) (string, []string) {
	if u == nil {
		return "", nil
	}
	id, ok := article.IDFromURL(u)
	if !ok {
		id = article.URLID(u.String())
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	var cats []string
	for i := 0; i+3 < len(segs); i++ {
		if textrule.IsDigits(segs[i]) && len(segs[i]) == 4 && textrule.IsDigits(segs[i+1]) && len(segs[i+1]) == 2 &&
			textrule.IsDigits(segs[i+2]) && len(segs[i+2]) == 2 {
			cats = append(cats, segs[:i]...)
			break
		}
	}
	return id, cats
}

// finewsTags reads "tags: <em>a</em> - <em>b</em>".
func finewsTags(small *html.Node) []string {
	var tags []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom == atom.Em {
				if t := strings.TrimSpace(emtext.NodeText(c)); t != "" {
					tags = append(tags, t)
				}
				continue
			}
			walk(c)
		}
	}
	walk(small)
	return tags
}

// originLink recognizes the paragraph that is only a link to the Eastmoney original (kramdown's
// rendering of the post's <http://…> line) and returns its address.
func originLink(p *html.Node) (string, bool) {
	var link *html.Node
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				return "", false
			}
		case html.ElementNode:
			if c.DataAtom != atom.A || link != nil {
				return "", false
			}
			link = c
		}
	}
	if link == nil {
		return "", false
	}
	href := strings.TrimSpace(emtext.Attr(link, "href"))
	if !isOriginURL(href) {
		return "", false
	}
	return href, true
}

// isOriginURL reports whether href points at an Eastmoney article: /news/<col>,<n>.html,
// /a/<n>.html or a NewsShare.html?infoCode= page.
func isOriginURL(href string) bool {
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if _, ok := article.IDFromURL(u); !ok {
		return false
	}
	lp := strings.ToLower(u.Path)
	return strings.Contains(lp, "/news/") || strings.HasPrefix(lp, "/a/") ||
		strings.HasSuffix(lp, "newsshare.html")
}

// isBackLinks recognizes the navigation paragraph "[返回…](…)｜[返回首页](…)", on one line or two.
func isBackLinks(p *html.Node) bool {
	links := 0
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			if strings.Trim(c.Data, " \t\r\n｜|") != "" {
				return false
			}
		case html.ElementNode:
			switch c.DataAtom {
			case atom.Br:
			case atom.A:
				if !strings.HasPrefix(strings.TrimSpace(emtext.NodeText(c)), "返回") {
					return false
				}
				links++
			default:
				return false
			}
		}
	}
	return links > 0
}

// sourceFrom prefers the body's attribution; else a media tag "<media>新闻" names the medium
// (the rolling-news tag 东财滚动新闻 names none).
func sourceFrom(attribution string, tags []string) string {
	if attribution != "" {
		return attribution
	}
	for _, t := range tags {
		if strings.HasSuffix(t, "新闻") && t != "东财滚动新闻" {
			return strings.TrimSuffix(t, "新闻")
		}
	}
	return ""
}
