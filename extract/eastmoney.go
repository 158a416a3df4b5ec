package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract/emtext"
	"github.com/newsmill/newsmill/internal/textrule"
)

// Eastmoney reads Eastmoney's own article pages (finance.eastmoney.com/a/<n>.html,
// …/news/<column>,<n>.html and the other *.eastmoney.com channels), in both page templates.
type Eastmoney struct{}

// NewEastmoney returns the extractor for Eastmoney article pages.
func NewEastmoney() *Eastmoney { return &Eastmoney{} }

// Name implements Extractor.
func (*Eastmoney) Name() string { return "eastmoney" }

// Hosts implements HostHinter.
func (*Eastmoney) Hosts() []string { return []string{"eastmoney.com"} }

// Match implements Extractor: the body container #ContentBody plus one of the templates' title or
// time blocks.
func (*Eastmoney) Match(p *article.Page) bool {
	// #ContentBody must be in the bytes: other pages are turned away before a tree is built.
	if !p.IsHTML() || !bytes.Contains(p.Body, []byte("ContentBody")) {
		return false
	}
	doc, err := p.Doc()
	if err != nil || len(doc.Nodes) == 0 {
		return false
	}
	return scanEastmoney(doc.Nodes[0]).matches()
}

// emScan is what one walk over an Eastmoney page finds; each field is the first match.
type emScan struct {
	content    *html.Node // #ContentBody
	newsH1     *html.Node // div.newsContent > h1 (older template)
	timeSource *html.Node // div.time-source (older)
	infos      *html.Node // div.infos (newer)
	title      *html.Node // the last div.title before div.infos (newer)
	lastTitle  *html.Node
	dataSource *html.Node // div.source.data-source
	review     *html.Node // div.b-review
	abstract   *html.Node // div.abstract
	h1         *html.Node
	self       selfURLs
}

func (s *emScan) matches() bool {
	return s.content != nil && (s.newsH1 != nil || s.timeSource != nil || s.infos != nil)
}

func scanEastmoney(root *html.Node) *emScan {
	s := &emScan{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && s.visit(c) {
				walk(c)
			}
		}
	}
	walk(root)
	if s.title == nil && s.infos == nil {
		s.title = s.lastTitle
	}
	return s
}

// visit notes what element c is to the Eastmoney layout and reports whether its children are
// read too (not inside scripts, nor the body, which the normalizer reads).
func (s *emScan) visit(c *html.Node) bool {
	if s.self.read(c) {
		return false
	}
	switch c.DataAtom {
	case atom.Script, atom.Style, atom.Noscript:
		return false
	case atom.H1:
		if s.h1 == nil {
			s.h1 = c
		}
		if s.newsH1 == nil && c.Parent != nil && c.Parent.DataAtom == atom.Div && emtext.HasClass(c.Parent, "newsContent") {
			s.newsH1 = c
		}
	case atom.Div:
		return s.div(c)
	}
	return true
}

// div notes a div of the layout: the body, the time-and-source bar of either template, the
// title, the digest.
func (s *emScan) div(c *html.Node) bool {
	switch {
	case s.content == nil && emtext.Attr(c, "id") == "ContentBody":
		s.content = c
		return false // the body is read by the normalizer
	case s.timeSource == nil && emtext.HasClass(c, "time-source"):
		s.timeSource = c
	case s.infos == nil && emtext.HasClass(c, "infos"):
		s.infos = c
		s.title = s.lastTitle
	case emtext.HasClass(c, "title"):
		s.lastTitle = c
	case s.review == nil && emtext.HasClass(c, "b-review"):
		s.review = c
	case s.abstract == nil && emtext.HasClass(c, "abstract"):
		s.abstract = c
	}
	if s.dataSource == nil && emtext.HasClass(c, "data-source") && emtext.HasClass(c, "source") {
		s.dataSource = c
	}
	return true
}

// Extract implements Extractor.
func (*Eastmoney) Extract(p *article.Page) (*article.Record, error) {
	root, err := pageRoot(p)
	if err != nil {
		return nil, err
	}
	s := scanEastmoney(root)
	if !s.matches() {
		return nil, article.ErrNotArticle
	}
	if err := whole(p.Body); err != nil {
		return nil, err
	}
	rec := &article.Record{}
	if p.URL != nil {
		rec.URL = p.URL.String()
	}
	if rec.Title = s.headline(); rec.Title == "" {
		return nil, fmt.Errorf("%w: title", article.ErrMissingField)
	}
	var source string
	rec.PublishedAt, source = s.timeAndSource()
	if rec.PublishedAt.IsZero() {
		return nil, fmt.Errorf("%w: published_at: no 年月日 time in the page's time block", article.ErrMissingField)
	}
	rec.Summary = s.summary()
	t := s.body()
	rec.Body = t.Body()
	rec.Stocks = t.Stocks
	rec.Editor = t.Editor
	if source == "" {
		source = t.Source
	}
	rec.Source = source
	rec.ID = eastmoneyID(p.URL, s)
	if strings.TrimSpace(rec.Body) == "" {
		return nil, fmt.Errorf("%w: body", article.ErrMissingField)
	}
	return rec, nil
}

// headline is the first non-empty of the news template's h1, the infos template's title and
// the page's first h1.
func (s *emScan) headline() string {
	for _, n := range []*html.Node{s.newsH1, s.title, s.h1} {
		if n != nil {
			if t := textrule.Collapse(emtext.NodeText(n)); t != "" {
				return t
			}
		}
	}
	return ""
}

// timeAndSource reads the time and source from div.time-source (older template) or the
// div.infos items (newer); a data-source attribute names the source over both.
func (s *emScan) timeAndSource() (time.Time, string) {
	var at time.Time
	var source string
	for _, block := range []*html.Node{s.timeSource, s.infos} {
		if block == nil {
			continue
		}
		forEachElementText(block, func(text string) {
			if at.IsZero() {
				if t, ok := textrule.FindDate(text, false); ok {
					at = t
					return
				}
			}
			if source == "" {
				if rest, ok := strings.CutPrefix(text, "来源"); ok {
					source = emtext.AfterColon(strings.TrimSpace(rest))
				}
			}
		})
	}
	if source == "" && s.infos != nil {
		source = bareSource(s.infos)
	}
	if s.dataSource != nil {
		if ds := strings.TrimSpace(emtext.Attr(s.dataSource, "data-source")); ds != "" {
			source = ds
		}
	}
	return at, source
}

// summary is the digest of either template, without its label.
func (s *emScan) summary() string {
	switch {
	case s.review != nil:
		return trimDigestLabel(textrule.Collapse(emtext.NodeText(s.review)))
	case s.abstract != nil:
		return trimDigestLabel(textrule.Collapse(emtext.NodeText(s.abstract)))
	}
	return ""
}

// body normalizes the content div; div.sublab ("原标题：…") restates the headline and is not
// body text.
func (s *emScan) body() emtext.Text {
	var body []*html.Node
	for c := s.content.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && emtext.HasClass(c, "sublab") {
			continue
		}
		body = append(body, c)
	}
	return emtext.Normalize(emtext.Options{}, body...)
}

// eastmoneyID is NW + the article number from the page URL, else from the page's canonical URL;
// a page without a number gets the URL id.
func eastmoneyID(pageURL *url.URL, s *emScan) string {
	if id, ok := article.IDFromURL(pageURL); ok {
		return id
	}
	for _, c := range s.self.each() {
		if u, err := url.Parse(c); err == nil {
			if id, ok := article.IDFromURL(u); ok {
				return id
			}
		}
	}
	switch {
	case s.self.canonical != "":
		return article.URLID(s.self.canonical)
	case pageURL != nil:
		return article.URLID(pageURL.String())
	}
	return ""
}

// forEachElementText calls fn with the collapsed text of n and of each element under it, in
// document order: the info bar's items ("2021年12月20日 18:24", "来源：…") are read one by one.
func forEachElementText(n *html.Node, fn func(string)) {
	fn(textrule.Collapse(emtext.NodeText(n)))
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			forEachElementText(c, fn)
		}
	}
}

func trimDigestLabel(s string) string {
	for _, l := range []string{"【摘要】", "摘要：", "摘要:", "摘要"} {
		if r, ok := strings.CutPrefix(s, l); ok {
			return strings.TrimSpace(r)
		}
	}
	return s
}

// infoLabels open the newer template's info items that are not the source.
var infoLabels = []string{"来源", "作者", "编辑", "责任编辑", "评论", "阅读", "原标题"}

// bareSource reads the newer template's source when it is given without a label: an info item
// (`<div class="item">界面新闻</div>`) that is neither the time nor a labelled item.
func bareSource(infos *html.Node) string {
	for c := infos.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || !emtext.HasClass(c, "item") {
			continue
		}
		text := textrule.Collapse(emtext.NodeText(c))
		if text == "" || utf8.RuneCountInString(text) > 30 || strings.ContainsAny(text, "：:0123456789") {
			continue
		}
		if _, ok := textrule.FindDate(text, false); ok {
			continue
		}
		labelled := false
		for _, l := range infoLabels {
			labelled = labelled || strings.HasPrefix(text, l)
		}
		if !labelled {
			return text
		}
	}
	return ""
}
