// Package emtext is the Eastmoney body normalizer: it reads the text of an Eastmoney article body
// (on Eastmoney's pages, in the finews mirror's posts, in JSON lists' `content`) into paragraphs,
// dropping what Eastmoney wraps around it (stock-chart blocks, image placeholders, attribution,
// editor and disclaimer lines, promotion links) and keeping what that told about the article
// (source, editor, stocks). It knows no page layout; the site extractors hand it the body nodes.
package emtext

import (
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsmill/newsmill/internal/textrule"
)

// Text is what the Eastmoney body normalizer reads out of an article body: the text split
// into paragraphs, plus what the boilerplate it dropped told about the article.
type Text struct {
	// Paragraphs hold the body text, whitespace collapsed, boilerplate removed.
	Paragraphs []string
	// Source is the medium named by the `（文章来源：…）` attribution, without the wrapper.
	Source string
	// Editor is the name in the `（责任编辑：…）` line.
	Editor string
	// Stocks are the securities the body's data-code markup points at ("601728.SH"), in order of
	// first appearance.
	Stocks []string
}

// Body joins the paragraphs the way every record's body is written: separated by a blank line.
func (t Text) Body() string { return textrule.JoinParagraphs(t.Paragraphs) }

// Options tune the normalizer for where the HTML came from.
type Options struct {
	// LineBreaks makes a line break in text start a new paragraph. Raw finews posts are Markdown
	// written one paragraph per line, with Eastmoney HTML mixed in; in real HTML a line break is
	// only white space.
	LineBreaks bool
}

// NormalizeSelection normalizes the nodes of a goquery selection, in order, as one body.
func NormalizeSelection(sel *goquery.Selection, opts Options) Text {
	return Normalize(opts, sel.Nodes...)
}

// NormalizeHTML parses an HTML fragment (a JSON feed's `content`, a raw post's body) and
// normalizes it.
func NormalizeHTML(s string, opts Options) (Text, error) {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return Text{}, fmt.Errorf("parse body html: %w", err)
	}
	// Walk the whole document, not only <body>: a comment before any element (the stock-chart
	// start marker opening a body) is attached to the document node by the HTML parser.
	return Normalize(opts, doc), nil
}

// Normalize reads the given nodes, each with its subtree, in order, as one body. State
// such as "inside the stock-chart block" carries from one node to the next, because the chart's
// comment markers are siblings of the paragraphs around them.
func Normalize(opts Options, nodes ...*html.Node) Text {
	var w bodyWalker
	w.para = textrule.Paragrapher{LineBreaks: opts.LineBreaks, Emit: w.keep}
	for _, n := range nodes {
		w.node(n)
	}
	return w.finish()
}

// bodyWalker walks the tree once, writing text into the current paragraph. Only block elements
// end a paragraph, so inline markup inside a word (a stock link inside "C…PPI…B") does not
// split it.
type bodyWalker struct {
	para     textrule.Paragrapher
	paras    []string
	stockImg bool // between the EM_StockImg_Start and EM_StockImg_End comments
	stocks   []string
	media    strings.Builder
	editor   string
}

func (w *bodyWalker) finish() Text {
	w.para.Break()
	return Text{
		Paragraphs: w.paras,
		Source:     attributionSource(w.media.String()),
		Editor:     w.editor,
		Stocks:     w.stocks,
	}
}

func (w *bodyWalker) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		if !w.stockImg {
			w.para.Text(n.Data)
		}
	case html.CommentNode:
		w.comment(n.Data)
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.node(c)
		}
	case html.ElementNode:
		w.element(n)
	}
}

func (w *bodyWalker) element(n *html.Node) {
	w.collectStock(n)
	// Inside the stock-chart block, elements are still walked (text is dropped in text): the end
	// marker may sit deeper than the start, e.g. when the start opens a parsed fragment and lands
	// on the document node.
	switch {
	case dropsElement(n):
		w.skip(n, false)
		return
	case HasClass(n, "em_media"):
		w.para.Break()
		w.skip(n, true)
		return
	case HasClass(n, "res-edit"):
		w.para.Break()
		if ed := editorName(NodeText(n)); ed != "" {
			w.editor = ed
		}
		w.skip(n, false)
		return
	}
	block := textrule.IsBlock(n.DataAtom)
	if block {
		w.para.Break()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
	switch {
	case block:
		w.para.Break()
	case textrule.IsCell(n.DataAtom):
		w.para.Space()
	}
}

// skip walks a subtree that gives no body text, still collecting its stock codes, its chart
// markers and, for the attribution paragraph, its text.
func (w *bodyWalker) skip(n *html.Node, media bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.ElementNode:
			w.collectStock(c)
			w.skip(c, media)
		case html.TextNode:
			if media && !w.stockImg {
				w.media.WriteString(c.Data)
			}
		case html.CommentNode:
			w.comment(c.Data)
		}
	}
}

func (w *bodyWalker) comment(data string) {
	d := strings.TrimSpace(data)
	switch {
	case strings.HasPrefix(d, "EM_StockImg_Start"):
		w.para.Break()
		w.stockImg = true
	case strings.HasPrefix(d, "EM_StockImg_End"):
		w.stockImg = false
	}
	// Other comments (the app's <!--IMG#0--> and <!--Link#1--> placeholders) carry no text.
}

// keep takes a finished paragraph unless it is boilerplate; an editor line names the editor.
func (w *bodyWalker) keep(p string) {
	if ed := editorName(p); ed != "" {
		w.editor = ed
		return
	}
	if isBoilerplate(p) {
		return
	}
	w.paras = append(w.paras, p)
}

// collectStock reads a security from a data-code attribute in either of Eastmoney's forms: the
// chart form `code|market|…` (the chart image's own copy is prefixed "K ") and the inline link
// form `market,code`.
func (w *bodyWalker) collectStock(n *html.Node) {
	for _, a := range n.Attr {
		if a.Key != "data-code" || a.Namespace != "" {
			continue
		}
		s, ok := stockFromDataCode(a.Val)
		if !ok {
			return
		}
		for _, have := range w.stocks {
			if have == s {
				return
			}
		}
		w.stocks = append(w.stocks, s)
		return
	}
}

func stockFromDataCode(v string) (string, bool) {
	s := strings.TrimPrefix(v, "K ")
	if i := strings.IndexByte(s, '|'); i > 0 {
		code, rest := s[:i], s[i+1:]
		if j := strings.IndexByte(rest, '|'); j > 0 && textrule.IsWord(code) && textrule.IsDigits(rest[:j]) {
			return textrule.Stock(rest[:j], code)
		}
	}
	if i := strings.IndexByte(v, ','); i > 0 {
		mk, code := v[:i], v[i+1:]
		if textrule.IsDigits(mk) && textrule.IsWord(code) {
			if st, ok := textrule.Stock(mk, code); ok {
				return st, true
			}
		}
	}
	return "", false
}

// dropsElement reports elements whose content is never body text.
func dropsElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Img, atom.Iframe, atom.Object,
		atom.Embed, atom.Head, atom.Title:
		return true
	}
	if st := Attr(n, "style"); st != "" && isHiddenStyle(st) {
		return true
	}
	return false
}

func isHiddenStyle(style string) bool {
	s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
	return strings.Contains(s, "display:none")
}

// Boilerplate markers Eastmoney appends to bodies.
var boilerplate = []string{
	"郑重声明：",
	"东方财富发布此内容旨在传播更多信息",
	"风险提示及免责条款",
	"一站式开户交易>>",
}

// boilerplateLines open paragraphs that are boilerplate as a whole: the disclaimer of machine-
// written articles, the AI notice and the promotion link of the newer template. They are matched
// at the start of a paragraph only, so an article quoting them is not cut.
var boilerplateLines = []string{
	"免责声明：本文基于大数据生产",
	"本文基于AI生产",
	"全新妙想投研助理",
}

func isBoilerplate(p string) bool {
	for _, b := range boilerplate {
		if strings.Contains(p, b) {
			return true
		}
	}
	for _, b := range boilerplateLines {
		if strings.HasPrefix(p, b) {
			return true
		}
	}
	return false
}

// editorName reads "（责任编辑：名）" (full- or half-width brackets and colon); "" if p is not an
// editor line.
func editorName(p string) string {
	p = strings.TrimSpace(p)
	rest, ok := strings.CutPrefix(p, "（")
	if !ok {
		rest, ok = strings.CutPrefix(p, "(")
	}
	if !ok {
		return ""
	}
	rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "责任编辑")
	if !ok {
		return ""
	}
	return AfterColon(rest)
}

// attributionSource reads the medium out of the attribution text "（文章来源：澎湃新闻）".
func attributionSource(text string) string {
	i := strings.Index(text, "来源")
	if i < 0 {
		return ""
	}
	return AfterColon(text[i+len("来源"):])
}

// AfterColon takes "：name）" to "name"; "" without the colon.
func AfterColon(s string) string {
	rest, ok := strings.CutPrefix(s, "：")
	if !ok {
		rest, ok = strings.CutPrefix(s, ":")
	}
	if !ok {
		return ""
	}
	if j := strings.IndexAny(rest, "）)"); j >= 0 {
		rest = rest[:j]
	}
	return textrule.Collapse(rest)
}

// NodeText is the text of a subtree, as written (no collapsing).
func NodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				b.WriteString(c.Data)
			case html.ElementNode:
				if c.DataAtom != atom.Script && c.DataAtom != atom.Style {
					walk(c)
				}
			}
		}
	}
	walk(n)
	return b.String()
}

// Attr returns the value of an element's attribute, "" when absent.
func Attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

// HasClass reports whether the element's class list holds name. The attribution marker em_media
// also counts inside a longer class name, so the attribution block is recognized under every
// class that carries the marker.
func HasClass(n *html.Node, name string) bool {
	cl := Attr(n, "class")
	if cl == "" {
		return false
	}
	for _, f := range strings.Fields(cl) {
		if f == name {
			return true
		}
	}
	return name == "em_media" && strings.Contains(cl, name)
}
