package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// genMinBodyRunes is the least body text an article may have. Eastmoney's rolling-news flashes
// can be a single sentence of 13 characters, so the bar is low; the publish date and the
// listing check carry most of the weight of "is this an article".
const genMinBodyRunes = 10

// genMainText finds the main-content node of a parsed page. Kept as a function value so the
// measurement test can compare libraries on the same wrapper.
type genMainText func(root *html.Node, u *url.URL) (*html.Node, error)

// Generic reads article pages no site extractor claims. A maintained main-text library
// (readeck's go-readability v2, chosen by measurement, see docs/extractors.md) finds the body; Generic adds
// what such libraries miss on Chinese pages: dates like 2021年12月20日 18:24 and 发布时间：,
// always with a zone; 来源：/文章来源： as the source and 责任编辑： as the editor; Eastmoney's
// stock-chart blocks; and never the same paragraph twice. A page with no publish date or too
// little text is not an article (home, category and listing pages).
type Generic struct {
	main genMainText
}

// NewGeneric returns the fallback extractor; register it last.
func NewGeneric() *Generic { return &Generic{main: genReadability} }

// Name implements Extractor.
func (g *Generic) Name() string { return "generic" }

// Match accepts any HTML page: being the last resort, it decides article-ness in Extract.
func (g *Generic) Match(p *article.Page) bool { return p.IsHTML() }

// Extract implements Extractor.
func (g *Generic) Extract(p *article.Page) (*article.Record, error) {
	// A page with more links than any article has is a listing: say so before building its tree,
	// which for a category page of 15,000 links costs 40 MB of allocation and most of a crawl's
	// peak memory, only to reach the same verdict.
	if n := countAnchors(p.Body); n > genMaxAnchors {
		return nil, fmt.Errorf("%w: a listing of %d links", article.ErrNotArticle, n)
	}
	root, err := html.Parse(bytes.NewReader(p.Body))
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", article.ErrMalformed)
	}
	return g.read(p, goquery.NewDocumentFromNode(root), genOverrides{})
}

// genMaxAnchors is more links than a news article carries: related-story boxes, stock links and
// page chrome of a heavy Chinese portal page stay in the low hundreds.
const genMaxAnchors = 1500

// countAnchors counts <a tags in the bytes, without parsing.
func countAnchors(b []byte) int {
	n := 0
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '<' && (b[i+1] == 'a' || b[i+1] == 'A') {
			switch b[i+2] {
			case ' ', '\t', '\n', '\r', '>':
				n++
			}
		}
	}
	return n
}

// genOverrides are fields a site rule already read; read detects only the others.
type genOverrides struct {
	title     string
	published time.Time
	source    string
	// body, when set, picks the body nodes from the cleaned document instead of the library.
	body func(doc *goquery.Document) []*html.Node
}

// read is the whole generic pipeline on a document it may mutate: metadata, cleaning, date, body,
// then the article-ness verdict.
func (g *Generic) read(p *article.Page, doc *goquery.Document, o genOverrides) (*article.Record, error) {
	meta := genReadMeta(doc)
	clean := genPreclean(doc)

	rec := &article.Record{Source: o.source, Editor: clean.editor}
	if rec.Source == "" {
		rec.Source = clean.source
	}
	if rec.Source == "" {
		rec.Source = meta.source
	}
	if p.URL != nil {
		rec.URL = p.URL.String()
		rec.ID = genIDFor(p.URL)
	}
	rec.Title = o.title
	if rec.Title == "" {
		rec.Title = genTitle(doc, meta)
	}

	// The date: structured metadata first, then a labelled date, then the first date-time in the
	// visible text (page chrome such as <header> is gone by now), then the feed's hint.
	rec.PublishedAt = o.published
	if rec.PublishedAt.IsZero() {
		rec.PublishedAt = meta.published
	}
	text := textrule.Collapse(doc.Find("body").Text())
	if rec.PublishedAt.IsZero() {
		if loc := genLabelledDateRe.FindStringIndex(text); loc != nil {
			rec.PublishedAt, _ = textrule.FindDate(text[loc[1]:min(len(text), loc[1]+40)], false)
		}
	}
	if rec.PublishedAt.IsZero() {
		rec.PublishedAt, _ = textrule.FindDate(text, true)
	}
	if rec.PublishedAt.IsZero() && p.Hint != nil {
		// A feed said when it was published (a feed body fragment has no date of its own).
		rec.PublishedAt = p.Hint.PublishedAt
	}
	if rec.PublishedAt.IsZero() {
		return nil, fmt.Errorf("%w: no publish date", article.ErrNotArticle)
	}

	var paras []string
	var summary string
	var bodyNodes []*html.Node
	if o.body != nil {
		nodes := o.body(doc)
		if len(nodes) == 0 {
			return nil, fmt.Errorf("%w: body selector matched nothing", article.ErrNotArticle)
		}
		paras, summary = genParagraphs(nodes, rec.Title)
		bodyNodes = nodes
	} else {
		node, err := g.main(doc.Get(0), p.URL)
		if err != nil || node == nil {
			node = genDensestBlock(doc)
		}
		paras, summary = genParagraphs([]*html.Node{node}, rec.Title)
		bodyNodes = []*html.Node{node}
		if genRunes(paras) < genMinBodyRunes {
			// Libraries give up on very short articles; the densest block of paragraphs does not.
			dense := genDensestBlock(doc)
			paras, summary = genParagraphs([]*html.Node{dense}, rec.Title)
			bodyNodes = []*html.Node{dense}
		}
	}
	if genRunes(paras) < genMinBodyRunes {
		return nil, fmt.Errorf("%w: too little text (%d characters)", article.ErrNotArticle, genRunes(paras))
	}
	if clean.linkItems >= 8 && clean.linkRunes > genRunes(paras) {
		return nil, fmt.Errorf("%w: a list of %d links outweighs the text", article.ErrNotArticle, clean.linkItems)
	}
	if strings.TrimSpace(rec.Title) == "" && (p.Hint == nil || strings.TrimSpace(p.Hint.Title) == "") {
		// A dated page with text but no headline anywhere (nor a feed's): an article we cannot
		// name is a skip, reported as such, not a record for Finish to refuse later.
		return nil, fmt.Errorf("%w: title", article.ErrMissingField)
	}
	rec.Body = textrule.JoinParagraphs(paras)
	// Securities the article links to with Eastmoney's data-code markup, read from the body only
	// (a portal's sidebar of quotes is no part of the article).
	rec.Stocks = NormalizeNodes(TextOptions{}, bodyNodes...).Stocks
	rec.Summary = clean.summary
	if rec.Summary == "" {
		rec.Summary = summary
	}
	return rec, nil
}

// ---- metadata ----

type genMeta struct {
	titles    []string // best first: og:title, JSON-LD headline, twitter:title
	published time.Time
	source    string
}

func genReadMeta(doc *goquery.Document) genMeta {
	var m genMeta
	attr := func(sel string) string {
		v, _ := doc.Find(sel).First().Attr("content")
		return strings.TrimSpace(v)
	}
	m.titles = append(m.titles, attr(`meta[property="og:title"]`))
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		var v any
		if json.Unmarshal([]byte(s.Text()), &v) != nil {
			return
		}
		genWalkLD(v, func(o map[string]any) {
			if h, ok := o["headline"].(string); ok {
				m.titles = append(m.titles, h)
			}
			if d, ok := o["datePublished"].(string); ok && m.published.IsZero() {
				m.published, _ = textrule.FindDate(d, false)
			}
		})
	})
	m.titles = append(m.titles, attr(`meta[name="twitter:title"]`), attr(`meta[property="twitter:title"]`))
	for _, sel := range []string{`meta[property="article:published_time"]`, `meta[name="article:published_time"]`,
		`meta[itemprop="datePublished"]`, `meta[name="pubdate"]`, `meta[name="publishdate"]`,
		`meta[name="PubDate"]`, `meta[name="publish_time"]`} {
		if !m.published.IsZero() {
			break
		}
		m.published, _ = textrule.FindDate(attr(sel), false)
	}
	if v := attr(`meta[name="source"]`); v != "" {
		m.source = v
	}
	return m
}

func genWalkLD(v any, visit func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		visit(x)
		if g, ok := x["@graph"]; ok {
			genWalkLD(g, visit)
		}
	case []any:
		for _, e := range x {
			genWalkLD(e, visit)
		}
	}
}

// genTitle prefers the page's own metadata; then an <h1> that the <title> contains (the site's
// logo is often another <h1>); then the <title> without its " | site" suffix.
func genTitle(doc *goquery.Document, m genMeta) string {
	for _, t := range m.titles {
		if t = textrule.Collapse(t); t != "" {
			return t
		}
	}
	title := textrule.Collapse(doc.Find("title").First().Text())
	best := ""
	doc.Find("h1").Each(func(_ int, s *goquery.Selection) {
		h := textrule.Collapse(s.Text())
		if h != "" && strings.Contains(title, h) && len(h) > len(best) {
			best = h
		}
	})
	if best != "" {
		return best
	}
	for _, sep := range []string{" | ", "_", " - ", "—", "｜"} {
		if i := strings.Index(title, sep); i > 0 {
			return strings.TrimSpace(title[:i])
		}
	}
	if title == "" {
		return textrule.Collapse(doc.Find("h1").Last().Text())
	}
	return title
}

// ---- cleaning ----

type genCleaned struct {
	source, editor, summary string
	// linkItems counts list items and blocks that are nothing but a link; linkRunes their text.
	linkItems, linkRunes int
}

var (
	genSourceRe = regexp.MustCompile(`(?:文章)?来源\s*[：:]\s*([^\s　）)|｜,，]+)`)
	genEditorRe = regexp.MustCompile(`责任编辑\s*[：:]\s*([^\s　）)|｜,，]+)`)
	// A paragraph that is only a label line: tags, keywords, share buttons.
	genLabelLineRe = regexp.MustCompile(`^(?:tags|标签|关键词|关键字|分享到)\s*[:：]`)
)

// genPreclean removes what no article body contains and reads the attribution lines on the way.
func genPreclean(doc *goquery.Document) genCleaned {
	var c genCleaned
	doc.Find("script, style, noscript, iframe, template, svg, form, nav, header, footer, aside, " +
		"[hidden], [aria-hidden=true]").Remove()
	doc.Find("[style]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		st := strings.ReplaceAll(strings.ToLower(s.AttrOr("style", "")), " ", "")
		return strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden")
	}).Remove()
	for _, n := range doc.Nodes {
		genRemoveCommentRanges(n, "EM_StockImg_Start", "EM_StockImg_End")
	}
	// Attribution and editor lines: short blocks, read innermost first so a wrapper <div> with the
	// whole article is never taken for a credit line.
	doc.Find("p, span, div, em, small, li, td").Each(func(_ int, s *goquery.Selection) {
		t := textrule.Collapse(s.Text())
		if t == "" || utf8.RuneCountInString(t) > 80 {
			return
		}
		only := true
		if m := genSourceRe.FindStringSubmatch(t); m != nil {
			if c.source == "" {
				c.source = strings.Trim(m[1], "（()）")
			}
		} else if m := genEditorRe.FindStringSubmatch(t); m != nil {
			if c.editor == "" {
				c.editor = strings.Trim(m[1], "（()）")
			}
		} else {
			only = false
		}
		// A credit line that also carries the date stays until the date has been read; the
		// date-line filter drops it from the body later.
		if only && s.Find("p, div").Length() == 0 && textrule.DateIndex(t) == nil && !genHasSentence(genSourceRe.ReplaceAllString(genEditorRe.ReplaceAllString(t, ""), "")) {
			s.Remove()
		}
	})
	c.summary = genLeadingDigest(doc)
	// Navigation: list items and blocks that are a single short link ("返回首页", a bare URL).
	doc.Find("li, p, div, dd, td").Each(func(_ int, s *goquery.Selection) {
		if s.Find("p, div, li, table").Length() > 0 {
			return
		}
		t := textrule.Collapse(s.Text())
		a := textrule.Collapse(s.Find("a").Text())
		if t == "" || a == "" || utf8.RuneCountInString(a)*10 < utf8.RuneCountInString(t)*9 {
			return
		}
		c.linkItems++
		c.linkRunes += utf8.RuneCountInString(t)
		if utf8.RuneCountInString(t) <= 120 {
			s.Remove()
		}
	})
	return c
}

// genLeadingDigest removes and returns a blockquote that opens the article (only headings, a
// date line or nothing before it in its container): the digest many Chinese pages put above
// the text. A blockquote further down is a quotation and stays in the body.
func genLeadingDigest(doc *goquery.Document) string {
	q := doc.Find("blockquote").First()
	if q.Length() == 0 {
		return ""
	}
	leading := true
	q.PrevAll().Each(func(_ int, s *goquery.Selection) {
		t := textrule.Collapse(s.Text())
		switch goquery.NodeName(s) {
		case "h1", "h2", "h3", "small", "time":
			return
		}
		if t != "" && !genIsDateLine(t) {
			leading = false
		}
	})
	t := textrule.Collapse(q.Text())
	if !leading || t == "" {
		return ""
	}
	q.Remove()
	return t
}

// genHasSentence reports whether what remains of a credit line is prose (ends a sentence).
func genHasSentence(s string) bool {
	return strings.ContainsAny(s, "。！？") || utf8.RuneCountInString(strings.Trim(s, " （()）【】[]：:")) > 30
}

// genRemoveCommentRanges deletes the siblings between a start and an end marker comment, which
// is how Eastmoney brackets its stock-chart images. A start without an end among the same
// siblings removes nothing: on a page whose markup is broken (the finews og:description spill)
// an unmatched marker must not swallow the rest of the document.
func genRemoveCommentRanges(n *html.Node, start, end string) {
	marker := func(c *html.Node, m string) bool {
		return c.Type == html.CommentNode && strings.HasPrefix(strings.TrimSpace(c.Data), m)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !marker(c, start) {
			genRemoveCommentRanges(c, start, end)
			continue
		}
		stop := c.NextSibling
		for stop != nil && !marker(stop, end) {
			stop = stop.NextSibling
		}
		if stop == nil {
			continue
		}
		for x := c.NextSibling; x != stop; {
			next := x.NextSibling
			n.RemoveChild(x)
			x = next
		}
		c = stop
	}
}

// genDensestBlock is the element holding the most paragraph text among its direct children: the
// classic fallback when a library finds nothing, good enough for one-paragraph flashes.
func genDensestBlock(doc *goquery.Document) *html.Node {
	var best *html.Node
	bestN := 0
	doc.Find("body, body *").Each(func(_ int, s *goquery.Selection) {
		n := 0
		s.ChildrenFiltered("p, blockquote").Each(func(_ int, p *goquery.Selection) {
			n += utf8.RuneCountInString(textrule.Collapse(p.Text()))
		})
		if n > bestN {
			best, bestN = s.Get(0), n
		}
	})
	if best == nil && len(doc.Find("body").Nodes) > 0 {
		best = doc.Find("body").Get(0)
	}
	return best
}

// ---- body text ----

// genParagraphs turns the main node into paragraphs: block elements and line feeds end a
// paragraph, white space collapses (textrule), and empty, date-only, label and repeated lines go.
// A blockquote before any paragraph is the page's digest: it becomes the summary.
func genParagraphs(nodes []*html.Node, title string) (paras []string, summary string) {
	seen := map[string]bool{textrule.Collapse(title): true}
	w := textrule.Paragrapher{LineBreaks: true, Emit: func(line string) {
		if seen[line] || genLabelLineRe.MatchString(strings.ToLower(line)) || genIsDateLine(line) {
			return
		}
		seen[line] = true
		paras = append(paras, line)
	}}
	var digest []string
	seenText := false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			w.Text(n.Data)
			if strings.TrimSpace(n.Data) != "" {
				seenText = true
			}
			return
		case html.ElementNode:
			if a := textrule.Atom(n); a == atom.Script || a == atom.Style {
				return
			}
			if textrule.Atom(n) == atom.Blockquote && !seenText {
				var q strings.Builder
				genText(n, &q)
				if t := textrule.Collapse(q.String()); t != "" {
					digest = append(digest, t)
					return
				}
			}
		}
		block := n.Type == html.ElementNode && textrule.IsBlock(textrule.Atom(n))
		if block {
			w.Break()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		switch {
		case block:
			w.Break()
		case n.Type == html.ElementNode && textrule.IsCell(textrule.Atom(n)):
			w.Space()
		}
	}
	for _, n := range nodes {
		if n != nil {
			walk(n)
			w.Break()
		}
	}
	return paras, strings.Join(digest, " ")
}

func genText(n *html.Node, b *strings.Builder) {
	if n.Type == html.TextNode {
		b.WriteString(n.Data)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		genText(c, b)
	}
}

// genIsDateLine reports a line that is a date-time and a few words of label around it
// ("(GMT+8, Asia/Shanghai, CST) 2021-12-20 18:24:28", "发布时间：2021年12月20日 来源：…").
func genIsDateLine(line string) bool {
	loc := textrule.DateIndex(line)
	if loc == nil {
		return false
	}
	rest := line[:loc[0]] + line[loc[1]:]
	return !genHasSentence(rest) && utf8.RuneCountInString(rest) <= 40
}

func genRunes(paras []string) int {
	n := 0
	for _, p := range paras {
		n += utf8.RuneCountInString(p)
	}
	return n
}

// ---- ids ----

// genIDFor is the info code in the URL (NW + a bare 17/18-digit Eastmoney article number), else
// the URL id of docs/DESIGN.md.
func genIDFor(u *url.URL) string {
	if id, ok := article.IDFromURL(u); ok {
		return id
	}
	if id, ok := article.FindID(u.EscapedPath()); ok {
		return id
	}
	if id, ok := article.FindID(u.RawQuery); ok {
		return id
	}
	return article.URLID(u.String())
}

// ---- libraries ----

// genReadability runs go-readability (readeck's maintained fork, v2) for the content node only;
// the wrapper reads title, date and attribution itself, with zones.
func genReadability(root *html.Node, u *url.URL) (*html.Node, error) {
	p := readability.NewParser()
	a, err := p.ParseDocument(root, u)
	if err != nil {
		return nil, fmt.Errorf("readability: %w", err)
	}
	return a.Node, nil
}
