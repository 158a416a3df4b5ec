// Package generic is the last-resort extractor: it reads any HTML page no site extractor
// claims, decides by the page's shape whether it is an article, and finds its title, date (with
// where the date came from), attribution and body. Site rules (package extract) run the same
// pipeline with the fields their selectors already read.
package generic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// minBodyRunes is the least body text an article may have. Eastmoney's rolling-news flashes
// can be a single sentence of 13 characters, so the bar is low; the page's shape carries most of
// the weight of "is this an article".
const minBodyRunes = 10

// mainTextFunc finds the main-content node of a parsed page. Kept as a function value so the
// measurement test can compare libraries on the same wrapper.
type mainTextFunc func(root *html.Node, u *url.URL) (*html.Node, error)

// Generic reads article pages no site extractor claims. A maintained main-text library
// (readeck's go-readability v2, chosen by measurement, see docs/extractors.md) finds the body on
// a page cleared of chrome; Generic decides article or listing by the page's shape, reads dates
// in every common form, always with a zone (Beijing time on Chinese pages), and says where the
// date came from; 来源：/文章来源： is the source and 责任编辑： the editor.
type Generic struct {
	main   mainTextFunc
	stocks func(nodes ...*html.Node) []string
}

// Option configures a Generic.
type Option func(*Generic)

// WithStocks sets how the securities an article references are read from its body nodes (the
// Eastmoney data-code markup reader lives with the site extractors).
func WithStocks(read func(nodes ...*html.Node) []string) Option {
	return func(g *Generic) { g.stocks = read }
}

// New returns the fallback extractor; register it last.
func New(opts ...Option) *Generic {
	g := &Generic{main: readabilityMain}
	for _, o := range opts {
		o(g)
	}
	return g
}

// Name is written to every record as "extractor".
func (g *Generic) Name() string { return "generic" }

// Match accepts any HTML page: being the last resort, it decides article-ness in Extract.
func (g *Generic) Match(p *article.Page) bool { return p.IsHTML() }

// Extract reads the record, or says why the page is none (article.ErrNotArticle,
// article.ErrErrorPage, article.ErrMissingField, article.ErrMalformed).
func (g *Generic) Extract(p *article.Page) (*article.Record, error) {
	// A page with more links than any article has is a listing: say so before building its tree,
	// which for a category page of 15,000 links costs 40 MB of allocation and most of a crawl's
	// peak memory, only to reach the same verdict.
	if n := CountAnchors(p.Body); n > MaxAnchors {
		return nil, fmt.Errorf("%w: a listing of %d links", article.ErrNotArticle, n)
	}
	root, err := html.Parse(bytes.NewReader(p.Body))
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", article.ErrMalformed)
	}
	return g.Read(p, goquery.NewDocumentFromNode(root), Overrides{})
}

// MaxAnchors is more links than an article carries: related-story boxes, stock links and page
// chrome of a heavy Chinese portal page stay in the low hundreds, an encyclopedia article with
// its navigation boxes in the low thousands.
const MaxAnchors = 5000

// CountAnchors counts <a tags in the bytes, without parsing.
func CountAnchors(b []byte) int {
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

// Overrides are fields a site rule already read; Read detects only the others.
type Overrides struct {
	Title     string
	Published time.Time
	Source    string
	// Body, when set, picks the body nodes from the cleaned document instead of the library.
	Body func(doc *goquery.Document) []*html.Node
}

// Read is the whole generic pipeline on a document it may mutate: metadata, cleaning, date, body,
// then the article-ness verdict.
func (g *Generic) Read(p *article.Page, doc *goquery.Document, o Overrides) (*article.Record, error) {
	meta := readMeta(doc)
	// Headings are read before cleaning: a page without <title> may carry its only <h1> in a
	// <header>, which cleaning removes as chrome.
	meta.h1s = readHeadings(doc)
	canon := PageCanonical(p.URL, doc) // before cleaning, which may drop the head's links
	chinese := isChinese(doc)
	dater := newDateReader(chinese)
	meta.published = o.Published
	if meta.published.IsZero() {
		meta.published = metaPublished(doc, meta, dater)
		meta.plainDate, _ = dater.plainMeta(doc)
	}
	clean := preclean(doc)

	rec := &article.Record{Source: o.Source, Editor: clean.editor}
	if rec.Source == "" {
		rec.Source = clean.source
	}
	if rec.Source == "" {
		rec.Source = meta.source
	}
	if p.URL != nil {
		rec.URL = p.URL.String()
		rec.ID = idFor(p.URL, canon)
	}
	rec.Title = o.Title
	if rec.Title == "" {
		rec.Title = readTitle(doc, meta)
	}

	var paras []string
	var summary string
	var bodyNodes []*html.Node
	if o.Body != nil {
		nodes := o.Body(doc)
		if len(nodes) == 0 {
			return nil, fmt.Errorf("%w: body selector matched nothing", article.ErrNotArticle)
		}
		paras, summary = paragraphs(nodes, rec.Title)
		bodyNodes = nodes
	} else {
		node, err := g.main(doc.Get(0), p.URL)
		if err != nil || node == nil {
			node = densestBlock(doc)
		}
		paras, summary = paragraphs([]*html.Node{node}, rec.Title)
		bodyNodes = []*html.Node{node}
		if runeCount(paras) < minBodyRunes {
			// Libraries give up on very short articles; the densest block of paragraphs does not.
			dense := densestBlock(doc)
			paras, summary = paragraphs([]*html.Node{dense}, rec.Title)
			bodyNodes = []*html.Node{dense}
		}
	}
	bodyRunes := runeCount(paras)
	if bodyRunes < minBodyRunes {
		// Too little text for an article: an error page when it says it is one (the date read
		// below is not needed for that: a page dated in its metadata is not one).
		if said, ok := errorPage(doc, meta, paras, !meta.published.IsZero()); ok {
			return nil, fmt.Errorf("%w: it says %q", article.ErrErrorPage, said)
		}
		return nil, fmt.Errorf("%w: too little text (%d characters)", article.ErrNotArticle, bodyRunes)
	}
	if markupShare(paras) >= 0.5 {
		// A page that prints markup (a template or a listing shown as escaped source) has no
		// article text, however much of it there is.
		return nil, fmt.Errorf("%w: the text is markup", article.ErrNotArticle)
	}
	// The date the page states: structured metadata first, then a labelled date, then a date by
	// the headline or by the start of the text, then the first date-time in the visible text
	// (page chrome such as <header> is gone by now). A page that states its date in the first
	// ways is dated for the listing verdict; a date-time further down may be a listing's item.
	rec.PublishedAt = meta.published
	pageDated := !rec.PublishedAt.IsZero()
	if rec.PublishedAt.IsZero() {
		text := textrule.Collapse(doc.Find("body").Text())
		near := clean.shape.bylineText(rec.Title) + "\n" + textAround(text, paras[0], 200)
		rec.PublishedAt, pageDated = textDate(text, near, meta.plainDate, dater)
	}
	if !rec.PublishedAt.IsZero() {
		rec.DateSource = article.DateFromPage
	}
	// A feed that dated the page vouches for it as an article as much as a date on the page does.
	dated := pageDated || (p.Hint != nil && !p.Hint.PublishedAt.IsZero())
	if said, ok := errorPage(doc, meta, paras, dated); ok {
		return nil, fmt.Errorf("%w: it says %q", article.ErrErrorPage, said)
	}
	if err := clean.shape.verdict(textWidth(strings.Join(paras, "")), dated, clean.shape.articleShaped(rec.Title)); err != nil {
		return nil, err
	}
	if strings.TrimSpace(rec.Title) == "" {
		rec.Title = clean.shape.headlineBefore(paras[0])
	}
	if strings.TrimSpace(rec.Title) == "" && (p.Hint == nil || strings.TrimSpace(p.Hint.Title) == "") {
		// A page with text but no headline anywhere (nor a feed's): an article we cannot
		// name is a skip, reported as such, not a record for Finish to refuse later.
		return nil, fmt.Errorf("%w: title", article.ErrMissingField)
	}
	if rec.PublishedAt.IsZero() {
		rec.PublishedAt, rec.DateSource = fallbackDate(p, doc, dater)
	}
	rec.Body = strings.Join(paras, "\n\n")
	// Securities the article links to with Eastmoney's data-code markup, read from the body only
	// (a portal's sidebar of quotes is no part of the article).
	if g.stocks != nil {
		rec.Stocks = g.stocks(bodyNodes...)
	}
	rec.Summary = clean.summary
	if rec.Summary == "" {
		rec.Summary = summary
	}
	return rec, nil
}

// textDate finds the date a page prints: one labelled as the publishing time; then a generic
// date meta, when the page has one; then the first date by the headline or by the start of the
// text (a day alone counts there: 2005年08月16日); then the first date-time anywhere; then a year
// and month alone by the headline. stated is false only for a date-time found anywhere, which on
// a listing is its first item's.
func textDate(text, byline string, plainMeta time.Time, d dateReader) (t time.Time, stated bool) {
	if loc := labelledDateRe.FindStringIndex(text); loc != nil {
		if t, ok := d.text(text[loc[1]:min(len(text), loc[1]+60)], false); ok {
			return t, true
		}
	}
	if !plainMeta.IsZero() {
		return plainMeta, true
	}
	if t, ok := d.text(byline, false); ok {
		return t, true
	}
	if t, ok := d.text(text, true); ok {
		return t, false
	}
	if t, ok := d.yearMonth(byline); ok {
		return t, true
	}
	return time.Time{}, false
}

// textAround is the text within n runes before and after the first occurrence of the start of
// para: where a page without a headline block prints its byline.
func textAround(text, para string, n int) string {
	i := strings.Index(text, runePrefix(para, 12))
	if i < 0 {
		return ""
	}
	start := max(0, i-3*n)
	for start < i && !utf8.RuneStart(text[start]) {
		start++
	}
	return text[start:i] + runePrefix(text[i:], n)
}

var markupRe = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(?:\s+[a-zA-Z-]+=|\s*/?>)`)

// markupShare is the share of the text in lines that carry HTML tags.
func markupShare(paras []string) float64 {
	all, markup := 0, 0
	for _, p := range paras {
		all += len(p)
		if markupRe.MatchString(p) {
			markup += len(p)
		}
	}
	if all == 0 {
		return 0
	}
	return float64(markup) / float64(all)
}

// runePrefix is s cut to at most n runes.
func runePrefix(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// fallbackDate is the date of an article page that prints none: its URL's day, the feed's
// time, the server's Last-Modified, else the time it was fetched.
func fallbackDate(p *article.Page, doc *goquery.Document, d dateReader) (time.Time, string) {
	if p.Hint != nil && !p.Hint.PublishedAt.IsZero() {
		// A feed or news sitemap said when: a time and a zone, where a URL has only a day.
		return p.Hint.PublishedAt, article.DateFromFeed
	}
	if t, ok := urlDate(p.URL, d.loc); ok {
		return t, article.DateFromURL
	}
	for _, sel := range []string{`link[rel="canonical"]`, `meta[property="og:url"]`} {
		s := doc.Find(sel).First()
		v := s.AttrOr("href", s.AttrOr("content", ""))
		if u, err := url.Parse(strings.TrimSpace(v)); err == nil && v != "" {
			if t, ok := urlDate(u, d.loc); ok {
				return t, article.DateFromURL
			}
		}
	}
	// Instants without a zone of the page's own are written in the zone of its readers (Beijing
	// time on a Chinese page), so that the day is the day they saw.
	if !p.LastModified.IsZero() {
		return p.LastModified.In(d.loc), article.DateFromHTTP
	}
	return p.FetchedAt.Truncate(time.Second).In(d.loc), article.DateFromFetched
}

// ---- metadata ----

type pageMeta struct {
	titles    []string // best first: og:title, JSON-LD headline, twitter:title
	h1s       []string // the page's <h1> texts, read before cleaning
	ldDates   []string // JSON-LD datePublished, then dateCreated, as written
	published time.Time
	plainDate time.Time // from a generic date meta (plainMetaDateSelectors)
	source    string
}

func readMeta(doc *goquery.Document) pageMeta {
	var m pageMeta
	attr := func(sel string) string {
		v, _ := doc.Find(sel).First().Attr("content")
		return strings.TrimSpace(v)
	}
	m.titles = append(m.titles, attr(`meta[property="og:title"]`))
	var created []string
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		var v any
		if json.Unmarshal([]byte(s.Text()), &v) != nil {
			return
		}
		walkLD(v, func(o map[string]any) {
			if h, ok := o["headline"].(string); ok {
				m.titles = append(m.titles, h)
			}
			if d, ok := o["datePublished"].(string); ok {
				m.ldDates = append(m.ldDates, d)
			}
			if d, ok := o["dateCreated"].(string); ok {
				created = append(created, d)
			}
		})
	})
	m.ldDates = append(m.ldDates, created...)
	m.titles = append(m.titles, attr(`meta[name="twitter:title"]`), attr(`meta[property="twitter:title"]`))
	if v := attr(`meta[name="source"]`); v != "" {
		m.source = v
	}
	return m
}

// readHeadings are the texts of the page's <h1>s.
func readHeadings(doc *goquery.Document) []string {
	var out []string
	doc.Find("h1").Each(func(_ int, s *goquery.Selection) {
		if t := textrule.Collapse(s.Text()); t != "" {
			out = append(out, t)
		}
	})
	return out
}

// metaPublished is the publishing time the page's structured data states: JSON-LD, metas,
// itemprop, <time datetime>.
func metaPublished(doc *goquery.Document, m pageMeta, d dateReader) time.Time {
	for _, v := range m.ldDates {
		if t, ok := d.value(v); ok {
			return t
		}
	}
	if t, ok := d.meta(doc); ok {
		return t
	}
	return time.Time{}
}

func walkLD(v any, visit func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		visit(x)
		if g, ok := x["@graph"]; ok {
			walkLD(g, visit)
		}
	case []any:
		for _, e := range x {
			walkLD(e, visit)
		}
	}
}

// readTitle prefers the page's own metadata; then an <h1> that the <title> contains (the site's
// logo is often another <h1>); then the <title> without its site suffix; then the last <h1>.
func readTitle(doc *goquery.Document, m pageMeta) string {
	for _, t := range m.titles {
		if t = textrule.Collapse(t); t != "" {
			return t
		}
	}
	title := textrule.Collapse(doc.Find("title").First().Text())
	best := ""
	for _, h := range m.h1s {
		if strings.Contains(title, h) && len(h) > len(best) {
			best = h
		}
	}
	if best != "" {
		return best
	}
	if title == "" {
		if len(m.h1s) > 0 {
			return m.h1s[len(m.h1s)-1]
		}
		return ""
	}
	return stripSiteSuffix(title)
}

// titleSeps split a <title> into headline and site name, strongest first.
var titleSeps = []string{" | ", " || ", " - ", " – ", " — ", " :: ", " · ", "｜", "|", "_", "—", "－", "-"}

// stripSiteSuffix removes the site and channel names a <title> appends to the headline
// ("标题_频道_网站", "标题-新华网", "Headline | Site"): a separator followed by a short name, taken
// off from the right while what is left is still a headline. A bare "-" counts only next to Han
// text, so "COVID-19" and "e-mail" stay whole.
func stripSiteSuffix(title string) string {
	for {
		cut := -1
		for _, sep := range titleSeps {
			i := strings.LastIndex(title, sep)
			if i <= 0 {
				continue
			}
			suffix := strings.TrimSpace(title[i+len(sep):])
			head := strings.TrimRight(title[:i], " -_|—–－｜·:")
			if sep == "-" || sep == "—" || sep == "－" {
				r, _ := utf8.DecodeRuneInString(suffix)
				l, _ := utf8.DecodeLastRuneInString(head)
				if !unicode.Is(unicode.Han, r) && !unicode.Is(unicode.Han, l) {
					continue
				}
			}
			if suffix == "" || utf8.RuneCountInString(suffix) > 24 || utf8.RuneCountInString(head) < 4 ||
				utf8.RuneCountInString(suffix) >= utf8.RuneCountInString(head) {
				continue
			}
			cut = i
			break
		}
		if cut < 0 {
			return title
		}
		title = strings.TrimRight(title[:cut], " -_|—–－｜·:")
	}
}

// ---- cleaning ----

type cleanedPage struct {
	source, editor, summary string
	shape                   pageShape
}

var (
	sourceRe = regexp.MustCompile(`(?:文章)?来源\s*[：:]\s*([^\s　）)|｜,，]+)`)
	editorRe = regexp.MustCompile(`责任编辑\s*[：:]\s*([^\s　）)|｜,，]+)`)
	// A paragraph that is only a label line: tags, keywords, share buttons, "Filed under:".
	labelLineRe = regexp.MustCompile(`^(?:tags|标签|关键词|关键字|分享到|filed under|topics|related)\s*[:：]|` +
		`^(?:share this(?: story| article| post)?|share|advertisement|click to share.*|read more|related articles?|` +
		`more from .{0,40}|follow us.{0,40}|sign up.{0,60}|(?:image|photo|picture)(?: credit)?\s*[:：].{0,120}|` +
		// Back-links and editor credits of Chinese portals: "返回搜狐，查看更多", "【编辑:刘欢】".
		`返回.{0,14}|[【\[(（]?(?:责任)?编辑\s*[:：][^。]{0,12}[】\])）]?|` +
		// Pagination: "第1页/共3页", "<< 上一页 | 下一页 >>", "Page 2 of 5", "Next page".
		`第\s*\d+\s*页.{0,12}|.{0,12}(?:上一页|下一页).{0,24}|page \d+ of \d+|(?:previous|next) page.{0,20}|` +
		// Page furniture every CMS prints around a story: copyright, skip links, calls to
		// subscribe or share, section headings of the link boxes, syndication and reading-time
		// notes, a bare byline.
		`(?:copyright|©|ⓒ|\(c\)).{0,100}|.{0,60}(?:all rights reserved|版权所有).{0,40}|skip to (?:main )?content|` +
		`click here to.{0,60}|like this (?:story|article|post)\?.{0,40}|also on \S{1,30}|via \S+\.[a-z]{2,6}|` +
		`(?:more|related|popular|recent|latest|trending|top)(?: [\p{L}']+){0,3} (?:stories|articles|news|posts|videos|reads|this week)|` +
		`(?:tempo de leitura|reading time|read time)\s*:?.{0,20}|\d{1,2} min(?:ute)?s? read|by(?: [\p{L}.'-]+){1,4})$`)
	// Comment threads, by the names every blog and CMS gives them.
	commentRe = regexp.MustCompile(`(?i)(?:^|[\s_-])(?:comments?|comment-?list|commentlist|disqus_thread|respond|replies)(?:$|[\s_-])`)
	// Image captions and credits.
	captionRe = regexp.MustCompile(`(?i)(?:^|[\s_-])(?:wp-caption-text|caption|image-caption|img-caption|photo-caption|credit|image-credit)(?:$|[\s_-])`)
)

// Selectors run once per element of a page, compiled once.
var (
	articleInside = cascadia.MustCompile("h1, article, [itemprop=articleBody], .entry-content, .post-content, " +
		".article-content, .article-body, .story-body, .post-body")
	paraOrDiv   = cascadia.MustCompile("p, div")
	blockInside = cascadia.MustCompile("p, div, li, table")
	anchorSel   = cascadia.MustCompile("a")
)

// preclean removes what no article body contains and reads the attribution lines on the way.
func preclean(doc *goquery.Document) cleanedPage {
	var c cleanedPage
	doc.Find("script, style, noscript, iframe, template, svg, nav, header, footer, aside, figcaption, " +
		"[hidden], [aria-hidden=true]").Remove()
	// A form is a search box or a login, except on pages (ASP.NET's) that wrap everything in one:
	// a form holding most of the page's text is the page.
	pageRunes := utf8.RuneCountInString(textrule.Collapse(doc.Find("body").Text()))
	doc.Find("form").Each(func(_ int, s *goquery.Selection) {
		if utf8.RuneCountInString(textrule.Collapse(s.Text()))*2 < pageRunes {
			s.Remove()
		}
	})
	doc.Find("[style]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		st := strings.ReplaceAll(strings.ToLower(s.AttrOr("style", "")), " ", "")
		return strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden")
	}).Remove()
	// Comment threads and captions, however long (a thread can outweigh a short post), unless the
	// element holds the article itself (a headline or an article body inside a "comments" wrapper).
	doc.Find("[id], [class]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		name := s.AttrOr("id", "") + " " + s.AttrOr("class", "")
		low := strings.ToLower(name)
		if !strings.Contains(low, "comment") && !strings.Contains(low, "caption") && !strings.Contains(low, "credit") &&
			!strings.Contains(low, "respond") && !strings.Contains(low, "repl") && !strings.Contains(low, "disqus") {
			return false
		}
		if !commentRe.MatchString(name) && !captionRe.MatchString(name) {
			return false
		}
		switch goquery.NodeName(s) {
		case "body", "html", "main", "article":
			return false
		}
		return s.FindMatcher(articleInside).Length() == 0
	}).Remove()
	for _, n := range doc.Nodes {
		removeCommentRanges(n, "EM_StockImg_Start", "EM_StockImg_End")
	}
	// Attribution and editor lines: short blocks, read innermost first so a wrapper <div> with the
	// whole article is never taken for a credit line.
	doc.Find("p, span, div, em, small, li, td").Each(func(_ int, s *goquery.Selection) {
		raw, short := textUpTo(s.Get(0), 1200)
		if !short {
			return
		}
		t := textrule.Collapse(raw)
		if t == "" || utf8.RuneCountInString(t) > 80 {
			return
		}
		only := true
		if m := sourceRe.FindStringSubmatch(t); m != nil {
			if c.source == "" {
				c.source = strings.Trim(m[1], "（()）")
			}
		} else if m := editorRe.FindStringSubmatch(t); m != nil {
			if c.editor == "" {
				c.editor = strings.Trim(m[1], "（()）")
			}
		} else {
			only = false
		}
		// A credit line that also carries the date stays until the date has been read; the
		// date-line filter drops it from the body later.
		if only && s.FindMatcher(paraOrDiv).Length() == 0 && !dateRe.MatchString(t) && !hasSentence(sourceRe.ReplaceAllString(editorRe.ReplaceAllString(t, ""), "")) {
			s.Remove()
		}
	})
	c.summary = leadingDigest(doc)
	if body := doc.Find("body"); body.Length() > 0 {
		c.shape = shapeOf(body.Get(0))
	}
	// Navigation: list items and blocks that are a single short link ("返回首页", a bare URL).
	doc.Find("li, p, div, dd, td").Each(func(_ int, s *goquery.Selection) {
		if s.FindMatcher(blockInside).Length() > 0 {
			return
		}
		t := textrule.Collapse(s.Text())
		a := textrule.Collapse(s.FindMatcher(anchorSel).Text())
		if t == "" || a == "" {
			return
		}
		tn, an := utf8.RuneCountInString(t), utf8.RuneCountInString(a)
		// A link with a few words of metadata after it (author, time, size, counts) is a list
		// item as much as a bare link: "标题【作者】08-11 16:06 298字 [4321/87]".
		rest := textrule.Collapse(nonLinkText(s.Get(0)))
		// A link with nothing but a count beside it is a sidebar entry however short: "未归类 (88)".
		item := an*10 >= tn*9 || isLinkItem(textWidth(t), textWidth(a), textWidth(a), rest) || countRe.MatchString(rest)
		if item && tn <= 120 {
			s.Remove()
		}
	})
	return c
}

// leadingDigest removes and returns a blockquote that opens the article (only headings, a
// date line or nothing before it in its container): the digest many Chinese pages put above
// the text. A blockquote further down is a quotation and stays in the body.
func leadingDigest(doc *goquery.Document) string {
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
		if t != "" && !isDateLine(t) {
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

// hasSentence reports whether what remains of a credit line is prose (ends a sentence).
func hasSentence(s string) bool {
	return strings.ContainsAny(s, "。！？") || utf8.RuneCountInString(strings.Trim(s, " （()）【】[]：:")) > 30
}

// removeCommentRanges deletes the siblings between a start and an end marker comment, which
// is how Eastmoney brackets its stock-chart images. A start without an end among the same
// siblings removes nothing: on a page whose markup is broken (the finews og:description spill)
// an unmatched marker must not swallow the rest of the document.
func removeCommentRanges(n *html.Node, start, end string) {
	marker := func(c *html.Node, m string) bool {
		return c.Type == html.CommentNode && strings.HasPrefix(strings.TrimSpace(c.Data), m)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !marker(c, start) {
			removeCommentRanges(c, start, end)
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

// densestBlock is the element holding the most paragraph text among its direct children: the
// classic fallback when a library finds nothing, good enough for one-paragraph flashes.
func densestBlock(doc *goquery.Document) *html.Node {
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

// paragraphs turns the main node into paragraphs: block boundaries end a paragraph, a data
// table's row is one line with its cells joined by a tab, white space (ideographic spaces
// included) collapses, empty, date-only and label lines go, and so does a second copy of a whole
// block. A blockquote before any paragraph is the page's digest: it becomes the summary.
func paragraphs(nodes []*html.Node, title string) (paras []string, summary string) {
	var b strings.Builder
	var digest []string
	seenText := false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			if strings.TrimSpace(n.Data) != "" {
				seenText = true
			}
			return
		case html.ElementNode:
			if n.Data == "script" || n.Data == "style" {
				return
			}
			if n.Data == "blockquote" && !seenText {
				var q strings.Builder
				nodeText(n, &q)
				if t := textrule.Collapse(q.String()); t != "" {
					digest = append(digest, t)
					return
				}
			}
			if n.Data == "tr" {
				if row, ok := dataRow(n); ok {
					b.WriteString("\n" + row + "\n")
					if row != "" {
						seenText = true
					}
					return
				}
			}
		}
		block := n.Type == html.ElementNode && textrule.IsBlock(textrule.Atom(n))
		if block {
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteString("\n")
		}
	}
	for _, n := range nodes {
		if n != nil {
			walk(n)
			b.WriteString("\n")
		}
	}
	ctitle := textrule.Collapse(title)
	var lines []string
	for _, line := range strings.Split(b.String(), "\n") {
		line = textrule.Collapse(line)
		if strings.Contains(line, cellSep) {
			// A row's cells are read like lines: a label cell (pagination, a share call) is no text.
			var cells []string
			for _, c := range strings.Split(line, cellSep) {
				if c = strings.TrimSpace(c); c != "" && !isLabelLine(c) {
					cells = append(cells, c)
				}
			}
			line = strings.Join(cells, "\t")
		}
		if strings.Contains(line, "]") {
			// Encyclopedia section headings carry their edit link: "简介[编辑]", "History[edit]".
			line = strings.TrimSpace(editLinkRe.ReplaceAllString(line, ""))
		}
		if line == "" || line == ctitle || !hasWord(line) || isLabelLine(line) || isDateLine(line) {
			continue
		}
		lines = append(lines, line)
	}
	return dropRepeatedBlock(lines), strings.Join(digest, " ")
}

// isLabelLine reports a line that is only a label (labelLineRe). Every label is short, so
// a paragraph of text is told apart by its length before the expression runs.
func isLabelLine(line string) bool {
	if len(line) > 600 || utf8.RuneCountInString(line) > 160 {
		return false
	}
	return labelLineRe.MatchString(strings.ToLower(line))
}

var editLinkRe = regexp.MustCompile(`\[(?:编辑|編輯|修改|edit|Edit)\]`)

var countRe = regexp.MustCompile(`^[(（\[]\d{1,6}[)）\]]$`)

// hasWord reports a line with a letter, digit or underscore in it: a line of dashes, slashes
// or bullets is layout ("___" rules are kept: authors type them as section breaks).
func hasWord(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			return true
		}
	}
	return false
}

// dataRow is a table row of short cells as one line, cells joined by a tab; false for a
// layout row whose cells hold paragraphs, lists or tables of their own.
func dataRow(tr *html.Node) (string, bool) {
	var cells []string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.Data != "td" && c.Data != "th") {
			continue
		}
		if hasBlock(c) {
			return "", false
		}
		var t strings.Builder
		nodeText(c, &t)
		cell := textrule.Collapse(t.String())
		if utf8.RuneCountInString(cell) > 200 {
			return "", false
		}
		if cell != "" {
			cells = append(cells, cell)
		}
	}
	return strings.Join(cells, cellSep), true
}

// cellSep joins a row's cells until the lines are collapsed, then becomes a tab.
const cellSep = "\x1f"

func hasBlock(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			switch c.Data {
			case "p", "div", "table", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article":
				return true
			}
			if hasBlock(c) {
				return true
			}
		}
	}
	return false
}

// dropRepeatedBlock removes a second copy of a block of lines that holds a large part of the
// text (a page that spills its body into the document twice, as the finews pages' broken
// og:description does), and nothing else: lines that repeat inside one body (a meal plan's
// "Breakfast", a table's cells) are the article's own.
func dropRepeatedBlock(lines []string) []string {
	total := 0
	first := map[string]int{}
	for i, l := range lines {
		total += utf8.RuneCountInString(l)
		if _, ok := first[l]; !ok {
			first[l] = i
		}
	}
	drop := make([]bool, len(lines))
	for i := 0; i < len(lines); {
		j, ok := first[lines[i]]
		if !ok || j == i {
			i++
			continue
		}
		// The run of lines from i that repeats the run from j, line for line.
		k, runes := 0, 0
		for i+k < len(lines) && j+k < i && lines[i+k] == lines[j+k] {
			runes += utf8.RuneCountInString(lines[i+k])
			k++
		}
		if runes*4 >= total {
			for x := i; x < i+k; x++ {
				drop[x] = true
			}
		}
		i += max(k, 1)
	}
	out := lines[:0:0]
	for i, l := range lines {
		if !drop[i] {
			out = append(out, l)
		}
	}
	return out
}

// textUpTo is the text under n when it is at most limit bytes long; false when longer (a
// wrapper of the whole article is no credit line, and its text need not be built to say so).
func textUpTo(n *html.Node, limit int) (string, bool) {
	var b strings.Builder
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.TextNode {
			if b.Len()+len(n.Data) > limit {
				return false
			}
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	if !walk(n) {
		return "", false
	}
	return b.String(), true
}

// nonLinkText is the text under n outside links.
func nonLinkText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "a" {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func nodeText(n *html.Node, b *strings.Builder) {
	if n.Type == html.TextNode {
		b.WriteString(n.Data)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		nodeText(c, b)
	}
}

// isDateLine reports a line that is a date-time and a few words of label around it
// ("(GMT+8, Asia/Shanghai, CST) 2021-12-20 18:24:28", "发布时间：2021年12月20日 来源：…").
func isDateLine(line string) bool {
	// Cheap refusals first: it runs on every block. A date has a four-digit year, and a date
	// line with its few words of label is short.
	if len(line) > 300 || utf8.RuneCountInString(line) > 90 {
		return false
	}
	digits := 0
	for i := 0; i < len(line) && digits < 4; i++ {
		if line[i] >= '0' && line[i] <= '9' {
			digits++
		}
	}
	if digits < 4 {
		return false
	}
	loc := dateRe.FindStringIndex(line)
	if loc == nil {
		loc = enMDYRe.FindStringIndex(line)
	}
	if loc == nil {
		loc = enDMYRe.FindStringIndex(line)
	}
	if loc == nil {
		return false
	}
	rest := line[:loc[0]] + line[loc[1]:]
	return !hasSentence(rest) && utf8.RuneCountInString(rest) <= 40
}

func runeCount(paras []string) int {
	n := 0
	for _, p := range paras {
		n += utf8.RuneCountInString(p)
	}
	return n
}

// ---- ids ----

// idFor is the info code in the page's URL or else in its canonical URL (NW + a bare
// 17/18-digit Eastmoney article number), else the URL id of the canonical URL (PageCanonical):
// the same article under another query string, or naming itself by rel=canonical, keeps one id.
func idFor(u, canon *url.URL) string {
	for _, c := range []*url.URL{u, canon} {
		if id, ok := infoCodeRe(c); ok {
			return id
		}
	}
	if canon == nil {
		canon = u
	}
	return article.URLID(canon.String())
}

func infoCodeRe(u *url.URL) (string, bool) {
	if u == nil {
		return "", false
	}
	if id, ok := article.IDFromURL(u); ok {
		return id, true
	}
	if id, ok := article.FindID(u.EscapedPath()); ok {
		return id, true
	}
	return article.FindID(u.RawQuery)
}

// PageCanonical is the URL a page says it lives at (<link rel="canonical">, else og:url), as
// article.ClaimedCanonical reads such claims, or pageURL when it makes none that holds; either way in
// canonical form (article.CanonicalURL).
func PageCanonical(pageURL *url.URL, doc *goquery.Document) *url.URL {
	if pageURL == nil {
		return nil
	}
	if u := article.ClaimedCanonical(pageURL,
		doc.Find(`link[rel~="canonical"][href]`).First().AttrOr("href", ""),
		doc.Find(`meta[property="og:url"][content]`).First().AttrOr("content", "")); u != nil {
		return u
	}
	return article.CanonicalURL(pageURL)
}

// ---- libraries ----

// readabilityMain runs go-readability (readeck's maintained fork, v2) for the content node only;
// the wrapper reads title, date and attribution itself, with zones.
func readabilityMain(root *html.Node, u *url.URL) (*html.Node, error) {
	p := readability.NewParser()
	a, err := p.ParseDocument(root, u)
	if err != nil {
		return nil, fmt.Errorf("readability: %w", err)
	}
	return a.Node, nil
}
