// Package generic is the last-resort extractor: it reads any HTML page no site extractor
// claims, decides by the page's shape whether it is an article, and finds its title, date (with
// where the date came from), attribution and body. Site rules (package extract) run the same
// pipeline with the fields their selectors already read.
package generic

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract/learn"
	"github.com/newsmill/newsmill/internal/textrule"
)

// minBodyRunes is the least body text an article may have. Eastmoney's rolling-news flashes
// can be a single sentence of 13 characters, so the bar is low; the page's shape carries most of
// the weight of "is this an article".
const minBodyRunes = 10

// Generic reads article pages no site extractor claims. A maintained main-text library
// (readeck's go-readability v2, chosen by measurement, see docs/extractors.md) finds the body on
// a page cleared of chrome; Generic decides article or listing by the page's shape, reads dates
// in every common form, always with a zone (Beijing time on Chinese pages), and says where the
// date came from; 来源：/文章来源： is the source and 责任编辑： the editor.
type Generic struct {
	main    mainTextFunc
	stocks  func(nodes ...*html.Node) []string
	learner *learn.Learner
}

// Option configures a Generic.
type Option func(*Generic)

// WithStocks sets how the securities an article references are read from its body nodes (the
// Eastmoney data-code markup reader lives with the site extractors).
func WithStocks(read func(nodes ...*html.Node) []string) Option {
	return func(g *Generic) { g.stocks = read }
}

// WithLearner makes the extractor learn each site's template from the pages it reads and leave
// it out of the body and the article/listing verdict (package learn). Without it every page is
// read alone.
func WithLearner(l *learn.Learner) Option {
	return func(g *Generic) { g.learner = l }
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
	root, err := html.Parse(bytes.NewReader(RepairTitle(p.Body)))
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

// pageDater is the date reader of page p. A saved page (a file, stdin) was read at no time we
// know: "2小时前" on it counts from nothing, so relative times are left unread there.
func pageDater(p *article.Page, doc *goquery.Document, canon *url.URL) dateReader {
	now := p.FetchedAt
	if p.URL != nil && p.URL.Scheme == "file" {
		now = time.Time{}
	}
	host := ""
	if canon != nil {
		host = canon.Hostname()
	}
	return pageDateReader(doc, now, host)
}

// Read is the whole generic pipeline on a document it may mutate: metadata, cleaning, date, body,
// then the article-ness verdict.
func (g *Generic) Read(p *article.Page, doc *goquery.Document, o Overrides) (*article.Record, error) {
	meta := readMeta(doc)
	// Headings are read before cleaning: a page without <title> may carry its only <h1> in a
	// <header>, which cleaning removes as chrome.
	meta.h1s = readHeadings(doc)
	titles := append(append([]string{doc.Find("title").First().Text()}, meta.titles...), meta.h1s...)
	meta.byH1 = headlineSurround(doc, titles[:len(titles)-len(meta.h1s)])
	meta.headlines = markedHeadlines(doc)
	canon := PageCanonical(p.URL, doc) // before cleaning, which may drop the head's links
	dater := pageDater(p, doc, canon)
	meta.published = o.Published
	if meta.published.IsZero() {
		meta.published = metaPublished(doc, meta, dater, titles)
		meta.plainDate, _ = dater.plainMeta(doc)
		meta.marked = markedDate(doc, dater, titles)
	}
	marks := readMarks(doc, meta, dater, p.URL)
	clean := preclean(doc, g.template(p, canon), selfLink(p.URL, canon))

	rec := &article.Record{Source: firstOf(o.Source, pageSource(clean, marks, meta)), Editor: clean.editor}
	if p.URL != nil {
		rec.URL = p.URL.String()
		rec.ID = idFor(p.URL, canon)
	}
	rec.Title = o.Title
	if rec.Title == "" {
		rec.Title = readTitle(doc, meta)
	}

	paras, summary, bodyNodes, err := g.body(p, doc, o, rec.Title)
	if err != nil {
		return nil, err
	}
	if err := refuseText(doc, meta, paras); err != nil {
		return nil, err
	}
	// The date the page states: structured metadata first, then a labelled date, then a date by
	// the headline or by the start of the text, then the first date-time in the visible text
	// (page chrome such as <header> is gone by now). A page that states its date in the first
	// ways is dated for the listing verdict; a date-time further down may be a listing's item.
	rec.PublishedAt = meta.published
	pageDated := !rec.PublishedAt.IsZero()
	// The cleaned page's text, read once: the date, the verdict and the title all look at it.
	pageText := lazyText(doc)
	if rec.PublishedAt.IsZero() {
		text := pageText()
		near := clean.shape.bylineText(rec.Title) + "\n" + meta.byH1 + "\n" + textAround(text, paras[0], 200)
		rec.PublishedAt, pageDated = textDate(text, near, meta, dater)
	}
	if !rec.PublishedAt.IsZero() {
		rec.DateSource = article.DateFromPage
		rec.PublishedAt = urlDayZone(timeTwinZone(ownZone(rec.PublishedAt, p.Body), meta.times, dater), p.URL, canon)
	}
	// A feed that dated the page vouches for it as an article as much as a date on the page does.
	dated := pageDated || (p.Hint != nil && !p.Hint.PublishedAt.IsZero())
	if said, ok := errorPage(doc, meta, paras, dated); ok {
		return nil, fmt.Errorf("%w: it says %q", article.ErrErrorPage, said)
	}
	if err := judge(clean.shape, meta, rec.Title, paras, pageText, dated, o.Title == ""); err != nil {
		return nil, err
	}
	if o.Title == "" {
		rec.Title, paras = settleTitle(clean.shape, rec.Title, paras, pageText(), meta.headlines)
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
	readByline(rec, clean.shape.bylineText(rec.Title), meta, marks, dater)
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

// judge says whether the page is a listing (pageShape.verdict). The shape is judged under the
// headline the page prints over its body too, when the title read is another (the site's
// name; guessed only when no site rule gave the title): that headline over prose is an
// article's shape.
func judge(sh pageShape, meta pageMeta, title string, paras []string, pageText func() string, dated, guess bool) error {
	shaped := sh.articleShaped(title)
	heads := []int{sh.headline(title)}
	if !shaped && guess {
		if h := sh.pageHeadline(title, paras[0], pageText(), meta.headlines); h != "" {
			// Under a title that is a section's name printed over the page, the heading found
			// over the text must head a story's run of paragraphs: a category page opens with
			// its newest story's headline and one paragraph of it.
			shaped = sh.articleShaped(h) && (!sh.sectionHeaded(title) || sh.mainRunUnder(sh.headline(h)))
			heads = append(heads, sh.headline(h))
		}
	}
	// Only a page headed by exactly a section's name ("城事", "搜索结果") may open with a lead.
	named := sh.sectionHeaded(title) && sh.namedBy(heads[0], title)
	return sh.verdict(textWidth(strings.Join(paras, "")), dated, shaped, sh.sectionHeaded(title), named, sh.ownTextUnder(heads...))
}

// body finds the body nodes (the site rule's, else the library's, else the densest block of
// paragraphs) and their paragraphs and digest.
func (g *Generic) body(p *article.Page, doc *goquery.Document, o Overrides, title string) (paras []string, summary string, nodes []*html.Node, err error) {
	if o.Body != nil {
		nodes := o.Body(doc)
		if len(nodes) == 0 {
			return nil, "", nil, fmt.Errorf("%w: body selector matched nothing", article.ErrNotArticle)
		}
		paras, summary = paragraphs(nodes, title)
		return paras, summary, nodes, nil
	}
	node, err := g.main(doc.Get(0), p.URL)
	if err != nil || node == nil {
		node = densestBlock(doc)
	}
	if hb := headlineBlock(doc, title); hb != nil && !contains(node, hb) && !contains(hb, node) && isRail(node) {
		// The library took a rail of headlines and teasers, which outweighs a short article:
		// the prose under the page's own headline is the article.
		node = hb
	}
	paras, summary = paragraphs([]*html.Node{node}, title)
	if runeCount(paras) < minBodyRunes {
		// Libraries give up on very short articles; the densest block of paragraphs does not.
		node = densestBlock(doc)
		paras, summary = paragraphs([]*html.Node{node}, title)
	}
	return paras, summary, []*html.Node{node}, nil
}

// refuseText says why text is no article's: too little of it (an error page when it says it is
// one; the date is not needed for that, a page dated in its metadata is not one), or markup.
func refuseText(doc *goquery.Document, meta pageMeta, paras []string) error {
	if n := runeCount(paras); n < minBodyRunes {
		if said, ok := errorPage(doc, meta, paras, !meta.published.IsZero()); ok {
			return fmt.Errorf("%w: it says %q", article.ErrErrorPage, said)
		}
		return fmt.Errorf("%w: too little text (%d characters)", article.ErrNotArticle, n)
	}
	if markupShare(paras) >= 0.5 {
		// A page that prints markup (a template or a listing shown as escaped source) has no
		// article text, however much of it there is.
		return fmt.Errorf("%w: the text is markup", article.ErrNotArticle)
	}
	return nil
}

// template is the step of cleaning that removes the blocks the page's site repeats, when the
// extractor learns sites.
func (g *Generic) template(p *article.Page, canon *url.URL) func(*html.Node) {
	if g.learner == nil || p.URL == nil {
		return nil
	}
	key, page := learn.SiteKey(p.URL, canon), p.URL.String()
	return func(root *html.Node) { g.learner.Strip(key, page, root) }
}

// marks are what the page marks up about the article outside its text, read before cleaning
// removes the <header> they sit in.
type marks struct {
	modified time.Time
	author   string   // an element marked as the byline
	source   string   // an element marked as the source
	outlet   string   // an outlet linked beside the time under the headline (outletByTime)
	site     string   // og:site_name, which is no author
	sites    []string // every name the page gives its site (siteNames): no author, no channel of a source
}

func readMarks(doc *goquery.Document, meta pageMeta, d dateReader, page *url.URL) marks {
	return marks{
		modified: metaModified(doc, meta, d),
		author:   markedAuthor(doc),
		source:   markedSource(doc),
		outlet:   outletByTime(doc, page, d.chinese),
		site:     strings.TrimSpace(doc.Find(`meta[property="og:site_name"]`).AttrOr("content", "")),
		sites:    siteNames(doc),
	}
}

// settleTitle lets the headline that stands over the body win over metadata and a <title> that
// disagree with it (a site's name, a section's, the headline with the site around it), and
// falls back to the short line above the text when there is no title at all. A body that starts
// with that headline loses it.
func settleTitle(sh pageShape, title string, paras []string, pageText string, marked []string) (string, []string) {
	if h := sh.pageHeadline(title, paras[0], pageText, marked); h != "" {
		title = h
	}
	if strings.TrimSpace(title) == "" {
		title = sh.headlineBefore(paras[0])
	}
	if len(paras) > 1 && sameHeadline(paras[0], title) {
		paras = paras[1:] // the headline is no paragraph of the body
	}
	return title, untilComments(fromHeadline(paras, title))
}

// commentsHeadRe is the line that opens a page's comment section: "Comments (12)", "Post a
// comment", "Thanks for your comments - this feedback is now closed", "网友评论". Not "Have your
// say": the BBC prints a reader's quote under it in the middle of its stories.
var commentsHeadRe = regexp.MustCompile(`(?i)^(?:\d+\s+)?(?:reader(?:s')? )?(?:comments?|kommentare?|commentaires?|comentarios?|commenti|评论|網友評論|网友评论|留言)(?:\s*[(（]?\d*[)）]?)?\s*[:：»]?$|` +
	`^(?i:post a comment|leave a (?:comment|reply)|add (?:a|your) comment|join the (?:discussion|conversation)|thanks for your comments\b.{0,60}|comments? (?:are|is) (?:now )?closed\.?|discuss this (?:article|story))\s*[:»]?$`)

// untilComments cuts the body at its comment section's opening line when the page's markup did
// not name it (a thread under a "Comments" line in a plain <div>), after two paragraphs at
// least: a line that only says "Comments" says where the article ends.
func untilComments(paras []string) []string {
	for k := 2; k < len(paras); k++ {
		if len(paras[k]) <= 120 && commentsHeadRe.MatchString(paras[k]) {
			return paras[:k]
		}
	}
	return paras
}

// sameHeadline reports a line that is the title, in any case and with either kind of quotes.
func sameHeadline(line, title string) bool {
	return line != "" && strings.EqualFold(quotesFolded(line), quotesFolded(textrule.Collapse(title)))
}

// fromHeadline drops what a body holds above its own headline: a main node wide enough to take
// the menu and the teasers over the story ("Local Sport | EDITOR'S CHOICE | … | Aidy recalls big
// guns | DAN SHITTU and …"). The headline is a paragraph among the first 24 that is the
// title, or starts it (a title with the site's name after it), in any case; what stands above
// it must be narrower than what follows it.
func fromHeadline(paras []string, title string) []string {
	t := strings.ToLower(quotesFolded(textrule.Collapse(title)))
	if textWidth(t) < headlineWidth {
		return paras
	}
	above := 0
	for k := 0; k < len(paras)-1 && k < 24; k++ {
		p := strings.ToLower(quotesFolded(paras[k]))
		if k > 0 && (p == t || textWidth(p) >= headlineWidth && strings.HasPrefix(t, p) && len(strings.Fields(p)) >= 3) {
			below := textWidth(strings.Join(paras[k+1:], ""))
			if above < below {
				return paras[k+1:]
			}
			return paras
		}
		above += textWidth(p)
	}
	return paras
}

// lazyText is the collapsed text of doc's body, read on the first call.
func lazyText(doc *goquery.Document) func() string {
	var text string
	read := false
	return func() string {
		if !read {
			text, read = textrule.Collapse(doc.Find("body").Text()), true
		}
		return text
	}
}

// selfLink reports an href that names the page itself (its URL or canonical, the query and
// fragment aside, a trailing slash either way), or a place on it ("#page-content": a skip
// link, "back to top"), which is no headline of another story.
func selfLink(u, canon *url.URL) func(href string) linkKind {
	if u == nil {
		return nil
	}
	key := func(v *url.URL) string { return strings.ToLower(v.Host) + strings.TrimSuffix(v.EscapedPath(), "/") }
	own := map[string]bool{key(u): true}
	if canon != nil {
		own[key(canon)] = true
	}
	return func(href string) linkKind {
		if href = strings.TrimSpace(href); len(href) > 1 && href[0] == '#' {
			return inPageLink
		}
		if href == "" || href == "#" {
			return otherLink // a script's button, or a bare anchor
		}
		if v, err := u.Parse(href); err == nil && own[key(v)] {
			return selfLinked
		}
		return otherLink
	}
}

// pageSource is the outlet the page names, best first (docs/extractors.md), its channel cut.
func pageSource(clean cleanedPage, mk marks, meta pageMeta) string {
	return settleSource(firstOf(clean.source, mk.source, meta.source, mk.outlet, meta.stateSource), mk.sites)
}

// readByline sets the writer and the update time from the metadata, the marks and the byline
// text by the headline, once the body is known (an agency's dateline opens it).
func readByline(rec *article.Record, byline string, meta pageMeta, mk marks, d dateReader) {
	rec.Author = pickAuthor(append(meta.authors, mk.author, bylineAuthor(byline), datelineAuthor(rec.Body)), append(mk.sites, mk.site)...)
	rec.ModifiedAt = mk.modified
	if rec.ModifiedAt.IsZero() {
		rec.ModifiedAt = labelledModified(byline, d)
	}
}

// firstOf is the first of vs that is not empty.
func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
