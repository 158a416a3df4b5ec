package generic

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// pageShape is the layout of a page's text, read block by block in document order after the
// chrome is gone: which blocks are headline links (a link that is the whole block, long enough to
// be a story's title), which are prose (text outside links, a sentence or more), and how the
// prose falls into runs between headline links.
//
// An article is one main run of prose under its headline, whatever link lists surround it; a
// listing (home, category, tag or search page) is headline links, alone or each followed by its
// own teaser. The verdict compares the two shapes instead of the total of every link list on
// the page against the body, which refused short articles on link-heavy portals.
type pageShape struct {
	links      int // headline-link blocks
	linkWidth  int // their text width
	teaserRuns int // single-block prose runs right after a headline link: a listing's teasers
	teaser     int // their width
	lastTeaser int // the first prose block after the last headline link, when more prose follows it
	prose      int // width of all prose
	segs       []segment
	heads      map[string]int // headline's answers by title (a map: shared by the copies of sh)
}

// segment is one block of text: its element, text, and kind.
type segment struct {
	tag  string
	text string
	kind byte       // 'H' headline link, 'P' prose, 0 other
	node *html.Node // the block element
}

// Widths count a Han character as two: a Chinese headline of 10 characters is as long as an
// English one of 20 letters.
const (
	headlineWidth   = 16 // a link of at least this width that is its whole block is a headline
	proseWidth      = 40 // non-link text of at least this width in a block is prose
	undatedMinWidth = 80 // the least text of a page with no date and no article shape: two sentences
)

func textWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			w += 2
		case !unicode.IsSpace(r):
			w++
		}
	}
	return w
}

// shapeOf reads the shape of the tree under n.
func shapeOf(n *html.Node) pageShape { return pageShapeOf(n, nil) }

// linkKind is where a link leads: another page, the page itself, a place on it.
type linkKind byte

const (
	otherLink linkKind = iota
	selfLinked
	inPageLink
)

// pageShapeOf reads the shape of a page's tree; self says where a link leads. A headline linked
// to its own permalink is the page's headline, read as text, not a link to another story; a
// link to a place on the page (a skip link, "back to top") is neither text nor headline.
func pageShapeOf(n *html.Node, self func(href string) linkKind) pageShape {
	sh := pageShape{heads: map[string]int{}}
	var text, link, rest strings.Builder
	longest := "" // the longest single link of the block
	cur, curNode := "body", n
	// A block inside a link (a card: "<a><img><h3>headline</h3></a>") is all link, which the
	// longest link of the block, seen before the block began, does not say.
	curLinked := false
	// A teaser run is the prose between one headline link and the next; it counts when it is a
	// single block (a listing's teaser), not several paragraphs (an article's text after an
	// inline "related" link).
	// The run after the last headline link is the last item's teaser followed by whatever the
	// page prints under its list (a pager, a statement, the footer): its first block counts.
	runBlocks, runWidth, firstWidth, afterLink := 0, 0, 0, false
	closeRun := func(last bool) {
		sh.closeTeaserRun(afterLink, last, runBlocks, runWidth, firstWidth)
		runBlocks, runWidth = 0, 0
	}
	flush := func() {
		t, l, one, r := text.String(), link.String(), longest, textrule.Collapse(rest.String())
		text.Reset()
		link.Reset()
		rest.Reset()
		longest = ""
		tw, lw, ow := textWidth(t), textWidth(l), textWidth(one)
		if tw == 0 {
			return
		}
		one, ow = wholeLink(curLinked, tw, lw, one, ow, l)
		seg := segment{tag: cur, text: textrule.Collapse(t), node: curNode}
		switch {
		case isLinkItem(tw, lw, ow, r) && ow >= headlineWidth && !isDateLine(textrule.Collapse(one)) && !isURLText(one):
			seg.kind = 'H'
			sh.links++
			sh.linkWidth += lw
			closeRun(false)
			afterLink = true
		case tw-lw >= proseWidth:
			seg.kind = 'P'
			if runBlocks == 0 {
				firstWidth = tw - lw
			}
			runBlocks++
			runWidth += tw - lw
			sh.prose += tw - lw
		}
		if len(sh.segs) < 4000 {
			sh.segs = append(sh.segs, seg)
		}
	}
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, inLink bool) {
		switch n.Type {
		case html.TextNode:
			text.WriteString(n.Data)
			if inLink {
				link.WriteString(n.Data)
			} else {
				rest.WriteString(n.Data)
			}
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style":
				return
			case "a":
				kind := linkTo(n, inLink, self)
				if kind == inPageLink {
					return
				}
				if kind == otherLink && !inLink {
					longest = longerText(n, longest)
				}
				inLink = inLink || kind == otherLink
			}
		}
		block := n.Type == html.ElementNode && (textrule.IsBlock(textrule.Atom(n)) || n.Data == "td" || n.Data == "th")
		if !block {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, inLink)
			}
			return
		}
		flush()
		outer, outerNode, outerLinked := cur, curNode, curLinked
		cur, curNode, curLinked = n.Data, n, inLink
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inLink)
		}
		flush()
		cur, curNode, curLinked = outer, outerNode, outerLinked
	}
	walk(n, false)
	flush()
	closeRun(true)
	return sh
}

// isLinkItem reports a block that is one link (its longest link, ow wide, of a block tw wide
// with lw in links) alone or with a few words of metadata (author, time, size, counts: rest).
func isLinkItem(tw, lw, ow int, rest string) bool {
	if lw*10 >= tw*9 && ow*10 >= tw*7 {
		return true
	}
	return ow >= headlineWidth && utf8.RuneCountInString(rest) <= 30 && !hasSentence(rest) && !strings.ContainsAny(rest, ".。")
}

// headline is the index of the block that is the page's headline (a heading, or any block, whose
// text is the title), or -1.
//
// It is asked about the same title a dozen times a page; the answers are kept in sh.heads.
func (sh pageShape) headline(title string) int {
	if at, ok := sh.heads[title]; ok {
		return at
	}
	at := sh.findHeadline(title)
	if sh.heads != nil {
		sh.heads[title] = at
	}
	return at
}

func (sh pageShape) findHeadline(title string) int {
	at := -1
	title = quotesFolded(title)
	for i, s := range sh.segs {
		if s.kind == 'H' || title == "" || s.text == "" {
			continue
		}
		s.text = quotesFolded(s.text)
		if s.text == title || (utf8.RuneCountInString(s.text) >= 4 && strings.HasPrefix(title, s.text)) ||
			(utf8.RuneCountInString(s.text) >= 2 && strings.HasPrefix(title, s.text) && startsWithSeparator(title[len(s.text):])) ||
			(strings.HasPrefix(s.text, title) && utf8.RuneCountInString(s.text) < 2*utf8.RuneCountInString(title)+8) {
			if s.tag == "h1" || s.tag == "h2" || s.tag == "h3" {
				return i
			}
			if at < 0 {
				at = i
			}
		}
	}
	return at
}

// quoteFolder writes typographic quotes and apostrophes as plain ones: a <title> and its <h1>
// often differ only there ("d'intérêts", "d’intérêts").
var quoteFolder = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "«", `"`, "»", `"`, "„", `"`, "\u00a0", " ")

func quotesFolded(s string) string {
	if !strings.ContainsAny(s, "’‘“”«»„\u00a0") {
		return s
	}
	return textrule.Collapse(quoteFolder.Replace(s))
}

// sectionHeaded reports a page headed by its title as short as a section's name, not a story's.
func (sh pageShape) sectionHeaded(title string) bool {
	at := sh.headline(title)
	return at >= 0 && textWidth(sh.segs[at].text) < headlineWidth
}

// articleShaped reports one main block of sentences under a headline: a headline as long as a
// story's (not a section's name such as "本地新闻" or "Politics"), followed by prose before any
// headline link. Link lists elsewhere on the page do not matter.
func (sh pageShape) articleShaped(title string) bool {
	at := sh.headline(title)
	if at < 0 || sh.teaserOfLink(at) {
		return false
	}
	if sh.mainRunUnder(at) {
		return true
	}
	if textWidth(sh.segs[at].text) < headlineWidth {
		return false
	}
	for _, s := range sh.segs[at+1:] {
		switch s.kind {
		case 'H':
			return false
		case 'P':
			return true
		}
	}
	return false
}

// teaserOfLink reports a paragraph at right under a headline link: that item's teaser or
// kicker (a card's line under its linked headline), which no page is headed by.
func (sh pageShape) teaserOfLink(at int) bool {
	return sh.segs[at].tag == "p" && at > 0 && sh.segs[at-1].kind == 'H'
}

// mainRunUnder reports that the first prose under the headline block at is a story's text:
// three or more prose blocks in a row, however short the headline ("Terry set for scan") and
// whatever rail of links stands between them. A listing's first prose under its heading is one
// item's teaser, a single block before the next headline link.
func (sh pageShape) mainRunUnder(at int) bool {
	if sh.segs[at].text == "" || textWidth(sh.segs[at].text) < headlineWidth/2 {
		return false
	}
	run := 0
	for _, s := range sh.segs[at+1:] {
		switch {
		case s.kind == 'P':
			run++
		case run > 0 && s.kind == 'H':
			return run >= 3
		}
	}
	return run >= 3
}

// ownText is how the page's prose falls between its own headlines and the headline links:
// blocks standing under no headline link (before the first one, or under a headline of the
// page's own), and the runs of prose that follow a headline link, short (one or two blocks: a
// teaser) or long; inner counts the long runs before the last (the last one may be the last
// item's teaser with the footer under it).
type ownText struct {
	blocks, teasers, long, inner int
	tail                         int // of blocks: those under the last headline link, outside its item (a footer)
}

// ownTextUnder reads ownText for the page's headline blocks heads (-1: none found). A heading
// that is no link ends a run too: the page's headline may stand under a rail of links. Prose
// after a headline link is a teaser only inside that link's item (the least element holding
// both holds no other headline link); outside it, it is the page's own text. A line inside
// the item short of prose (a card's kicker) is a teaser too.
func (sh pageShape) ownTextUnder(heads ...int) ownText {
	var o ownText
	link, run := -1, 0 // the headline link the run is under
	afterLink := false // since the last headline link, no heading of the page's own
	closeRun := func() {
		switch {
		case link < 0 || run == 0:
		case run <= 2:
			o.teasers++
		default:
			o.long++
			o.inner++
		}
		run = 0
	}
	for i, s := range sh.segs {
		switch {
		case slices.Contains(heads, i) || s.kind != 'H' && isHeading(s.tag) && textWidth(s.text) >= headlineWidth:
			closeRun()
			link, afterLink = -1, false
		case s.kind == 'H':
			closeRun()
			link, afterLink, o.tail = i, true, 0
		case s.kind == 'P' && link >= 0 && (run > 0 || sh.sameItem(link, i)):
			run++
		case s.kind == 0 && link >= 0 && run == 0 && textWidth(s.text) >= headlineWidth && !isDateLine(s.text) && sh.sameItem(link, i):
			run++ // a card's kicker under its headline, short of prose
		case s.kind == 'P':
			closeRun()
			link = -1
			o.blocks++
			if afterLink {
				o.tail++
			}
		}
	}
	if link >= 0 && run > 2 {
		o.inner-- // counted below as the last run
	}
	closeRun()
	return o
}

// sameItem reports that the prose block p belongs to the item of the headline link h: the
// least element holding both holds neither the headline link before h nor the one after p.
func (sh pageShape) sameItem(h, p int) bool {
	a, b := sh.segs[h].node, sh.segs[p].node
	if a == nil || b == nil {
		return false
	}
	var lca *html.Node
	for n := a; n != nil && lca == nil; n = n.Parent {
		if contains(n, b) {
			lca = n
		}
	}
	if lca == nil || lca.Data == "body" {
		return false
	}
	for i := h - 1; i >= 0; i-- {
		if sh.segs[i].kind == 'H' {
			if contains(lca, sh.segs[i].node) {
				return false
			}
			break
		}
	}
	for i := p + 1; i < len(sh.segs); i++ {
		if sh.segs[i].kind == 'H' {
			return !contains(lca, sh.segs[i].node)
		}
	}
	return true
}

func isHeading(tag string) bool {
	switch tag {
	case "h1", "h2", "h3", "h4":
		return true
	}
	return false
}

// namedBy reports that the block at is the title itself, nothing around it.
func (sh pageShape) namedBy(at int, title string) bool {
	return at >= 0 && quotesFolded(sh.segs[at].text) == quotesFolded(textrule.Collapse(title))
}

// bylineText is the text around the headline where an article prints its date and byline: the
// blocks from two before the headline to the first prose block or headline link after it. A
// listing's item dates follow a headline link, never its page's heading directly.
func (sh pageShape) bylineText(title string) string {
	at := sh.headline(title)
	if at < 0 {
		return ""
	}
	var b strings.Builder
	for i := max(0, at-2); i < len(sh.segs) && i <= at+6; i++ {
		s := sh.segs[i]
		if s.kind == 'H' {
			if i > at {
				break
			}
			continue
		}
		b.WriteString(s.text)
		b.WriteString("\n")
		if i > at && s.kind == 'P' {
			break
		}
	}
	return b.String()
}

// headlineBefore is the short line right above the text that starts with para: the headline of a
// page that marks it up as no heading and names it nowhere else (no <title>, no <h1>).
func (sh pageShape) headlineBefore(para string) string {
	start := runePrefix(para, 12)
	for i, s := range sh.segs {
		if !strings.HasPrefix(s.text, start) {
			continue
		}
		for j := i - 1; j >= 0 && j >= i-3; j-- {
			t := sh.segs[j].text
			n := utf8.RuneCountInString(t)
			if sh.segs[j].kind == 'H' || n < 2 || n > 60 || isDateLine(t) || strings.ContainsAny(t, "：:") ||
				strings.HasSuffix(t, "。") || strings.HasSuffix(t, ".") {
				continue
			}
			return t
		}
		return ""
	}
	return ""
}

// verdict says whether a page of this shape, whose chosen body is bodyWidth wide, is a
// listing. dated reports that the page states its own publishing time (metadata, a labelled date
// or a date by the headline): an article's mark that a listing's first item date cannot fake on
// its own, so an undated page needs its text to outweigh its link lists, a dated one only not to
// drown in them.
func (sh pageShape) verdict(bodyWidth int, dated, articleShaped, sectionHeaded, sectionNamed bool, own ownText) error {
	if articleShaped {
		// A list of linked items each with its paragraph under a story's headline and intro is
		// a listicle, not a listing: section pages are headed by a section's short name.
		return nil
	}
	// However few its items, a page whose every paragraph is a teaser under a headline link to
	// another page has no text of its own: a tag or author archive of one post (its excerpt the
	// whole post), a search of two hits.
	if own.blocks == own.tail && own.tail <= 2 && own.teasers >= 1 && own.long == 0 {
		return fmt.Errorf("%w: %d headline links each with a teaser, no text of its own", article.ErrNotArticle, own.teasers)
	}
	// A section's page may open with its newest story, headline and first paragraph, above the
	// list of the others: under a section's name, one paragraph before the links is a lead.
	if sectionNamed && own.blocks-own.tail <= 1 && own.tail <= 2 && own.inner == 0 && sh.links >= 2 {
		return fmt.Errorf("%w: a section's name over %d headline links and at most a lead paragraph", article.ErrNotArticle, sh.links)
	}
	if sh.teaserRuns >= 4 && sh.teaser*2 >= sh.prose {
		return fmt.Errorf("%w: %d headline links each with a teaser, no main text", article.ErrNotArticle, sh.teaserRuns)
	}
	// Under a section's name ("Opinion", "本地新闻" heading the page), fewer items make a
	// listing: three headline links with their teasers (the last one's counted though the page
	// prints more under it), or two among more links.
	if sectionHeaded {
		runs, width := sh.teaserRuns, sh.teaser
		if sh.lastTeaser > 0 {
			runs, width = runs+1, width+sh.lastTeaser
		}
		if runs >= 2 && width*2 >= sh.prose && (runs >= 3 || sh.links >= 4) {
			return fmt.Errorf("%w: %d headline links each with a teaser under a section's name", article.ErrNotArticle, runs)
		}
	}
	if !dated && bodyWidth < undatedMinWidth {
		// Neither a story's headline over prose nor a date of its own: a line or two of text
		// ("No news today.", a notice, an error page) is not an article.
		return fmt.Errorf("%w: too little text for a page with no date and no headline over it", article.ErrNotArticle)
	}
	limit := bodyWidth
	if dated {
		limit *= 12
	}
	if sh.links >= 3 && sh.linkWidth > limit {
		return fmt.Errorf("%w: a list of %d links outweighs the text", article.ErrNotArticle, sh.links)
	}
	return nil
}

// isURLText reports link text that is an address, not a headline.
func isURLText(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "www.")
}

// startsWithSeparator reports a title's rest that begins with a site-name separator: "首页" is
// the headline of "首页--县新闻网".
func startsWithSeparator(rest string) bool {
	for _, sep := range titleSeps {
		if strings.HasPrefix(rest, sep) || strings.HasPrefix(strings.TrimLeft(rest, " "), strings.TrimSpace(sep)) {
			return strings.TrimSpace(sep) != ""
		}
	}
	return false
}

// pageHeadline is the headline the page prints over its body when the title read from its
// metadata is not one of the page's blocks: a block that is the title without the site's name
// around it (before or after: "EuroNews : Obama waits…", "… - SJSUSpartans.com—Official Web
// Site of …"), else the heading right above the body's first paragraph. "" keeps the title.
func (sh pageShape) pageHeadline(title, firstPara, pageText string, marked []string) string {
	title = textrule.Collapse(title)
	// A headline the markup names as one, over the body or opening it, is the page's own,
	// whatever its <title> says (the site's name, printed again in the logo and footer).
	if h := sh.markedAbove(firstPara, marked); h != "" {
		return h
	}
	if h, settled := sh.underSectionTitle(title, firstPara); settled {
		return h
	}
	best := ""
	for _, s := range sh.segs {
		if s.kind == 'H' || s.text == "" {
			continue
		}
		if s.text == title && textWidth(title) >= headlineWidth {
			return ""
		}
		if w := textWidth(s.text); w >= headlineWidth && w*2 >= textWidth(title) && strings.Contains(title, s.text) && len(s.text) > len(best) {
			best = s.text
		}
	}
	if best != "" {
		return best
	}
	if title != "" && !sh.standsOver(sh.headline(title), firstPara) {
		// The title is no block right over the body: the site's name, printed in its logo,
		// chrome or footer. The heading right above the body wins (the body may open with it).
		for _, p := range []string{firstPara, sh.proseFrom(firstPara)} {
			if h := sh.headingAbove(p, false); h != "" {
				return h
			}
		}
	}
	if title != "" && (sh.headline(title) >= 0 || strings.Contains(pageText, title)) {
		return ""
	}
	if part := titlePartOnPage(title, pageText); part != "" {
		return part
	}
	return sh.headingAbove(firstPara, title == "" || !strings.Contains(pageText, title))
}

// underSectionTitle settles the headline of a page whose title is as short as a section's name
// ("Sport", "Football"), which the page prints in its menu and over its section: the title's own
// block right over the text (bylines and dates aside) is a short headline ("Terry set for
// scan"), kept (""); else the heading right over the text is the story's. settled is false for
// a title of a story's length, or when neither is found.
func (sh pageShape) underSectionTitle(title, firstPara string) (h string, settled bool) {
	if title == "" || textWidth(title) >= headlineWidth {
		return "", false
	}
	prose := sh.proseFrom(firstPara) // a body may open with its headings
	if at := sh.headline(title); at >= 0 && sh.directlyOver(at, prose) {
		return "", true
	}
	if h := sh.headingAbove(prose, false); h != "" && h != title {
		return h, true
	}
	return "", false
}

// standsOver reports that block at is above the block that starts with para, a few blocks
// away at most (a byline, a date, a picture's caption between).
func (sh pageShape) standsOver(at int, para string) bool {
	if at < 0 {
		return false
	}
	start := runePrefix(para, 12)
	for i := at + 1; i < len(sh.segs) && i <= at+8; i++ {
		if strings.HasPrefix(sh.segs[i].text, start) {
			return true
		}
	}
	return false
}

// markedAbove is the first block, up to the one that starts with para, whose text is one of the
// page's marked headlines, or "".
func (sh pageShape) markedAbove(para string, marked []string) string {
	if len(marked) == 0 {
		return ""
	}
	start := runePrefix(para, 12)
	for _, s := range sh.segs {
		if s.kind != 'H' {
			for _, m := range marked {
				if s.text == m {
					return m // above the body, or the body's first block
				}
			}
		}
		if strings.HasPrefix(s.text, start) {
			return ""
		}
	}
	return ""
}

// titleSplitSeps split a <title> into the headline and the site's and section's names, on
// either side.
var titleSplitSeps = []string{" | ", " || ", " - ", " – ", " — ", " :: ", " : ", ": ", " » ", " > ", " · ", "｜", "_", "—"}

// titlePartOnPage is the longest piece of the title, cut at its separators, that the page's
// text prints and is as wide as a headline: what is left when the site's name, which the page
// prints only in its chrome, is taken off either end.
func titlePartOnPage(title, pageText string) string {
	parts := []string{title}
	for _, sep := range titleSplitSeps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	best := ""
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if textWidth(p) >= headlineWidth && len(p) > len(best) && strings.Contains(pageText, p) {
			best = p
		}
	}
	if best == "" || textWidth(best)*3 < textWidth(title) {
		return ""
	}
	return best
}

// headingAbove is the heading (h1–h4) among the three blocks right above the text that starts
// with para; any short line there when loose (the title names nothing the page prints).
func (sh pageShape) headingAbove(para string, loose bool) string {
	start := runePrefix(para, 12)
	for i, s := range sh.segs {
		if !strings.HasPrefix(s.text, start) {
			continue
		}
		if s.text == para && (s.tag == "h1" || s.tag == "h2" || s.tag == "h3") && textWidth(s.text) >= headlineWidth && !endsSentence(s.text) {
			return s.text // the body starts with its own headline
		}
		return sh.headingOver(i, loose)
	}
	return ""
}

// proseFrom is the text of the first prose block at or after the one that starts with para
// (para itself when none is found).
func (sh pageShape) proseFrom(para string) string {
	start := runePrefix(para, 12)
	for i, s := range sh.segs {
		if !strings.HasPrefix(s.text, start) {
			continue
		}
		for _, t := range sh.segs[i:] {
			if t.kind == 'P' {
				return t.text
			}
		}
		break
	}
	return para
}

// directlyOver reports that block at is the text that starts with para, or stands right over
// it with only bylines and date lines between.
func (sh pageShape) directlyOver(at int, para string) bool {
	start := runePrefix(para, 12)
	for i := at; i < len(sh.segs) && i <= at+6; i++ {
		switch t := sh.segs[i].text; {
		case strings.HasPrefix(t, start):
			return true
		case i > at && !isBylineLine(t):
			return false
		}
	}
	return false
}

// allCaps reports text in capitals only: "STATE NEWS", a section's label or an agency's
// credit, never a short headline.
func allCaps(t string) bool {
	return strings.ToUpper(t) == t && strings.ToLower(t) != t
}

// bylineRe starts a byline in the languages of the pages: "By Chris Stanton", "von Jana Berg".
var bylineRe = regexp.MustCompile(`(?i)^(?:by|von|par|por|di|door|af|av)\s+\p{L}`)

// isBylineLine reports a line that is a byline or a date line, which pages print between a
// headline and its text.
func isBylineLine(t string) bool {
	return isDateLine(t) || bylineRe.MatchString(t) && len(strings.Fields(t)) <= 12
}

// headingOver is the heading (h1–h4) among the three blocks right above block i, bylines and
// date lines between not counted; any short line there when loose.
// headingOver is the heading (h1–h4) among the three blocks right above block i, bylines and
// date lines between not counted; any short line there when loose.
func (sh pageShape) headingOver(i int, loose bool) string {
	for j, between := i-1, 0; j >= 0 && j >= i-3-between; j-- {
		h := sh.segs[j]
		if h.kind == 'H' {
			return ""
		}
		if isBylineLine(h.text) {
			between++ // "by Chris Stanton, 30 December 2007" between the headline and the text
			continue
		}
		ok := textWidth(h.text) >= headlineWidth && utf8.RuneCountInString(h.text) <= 200 && !isDateLine(h.text) && !isLabelLine(h.text)
		switch h.tag {
		case "h1", "h2", "h3", "h4":
			// A heading right over the text (bylines and dates aside) is its headline
			// however short: "Capping the deal".
			if ok || textWidth(h.text) >= headlineWidth/2 && j >= i-1-between && !isLabelLine(h.text) && !isDateLine(h.text) && !allCaps(h.text) {
				return h.text
			}
		default:
			if ok && loose && len(strings.Fields(h.text)) <= 20 && utf8.RuneCountInString(h.text) <= 120 && !endsSentence(h.text) {
				return h.text
			}
		}
	}
	return ""
}

// endsSentence reports a line that ends as a sentence does, which a headline does not.
func endsSentence(s string) bool {
	s = strings.TrimSpace(s)
	for _, end := range []string{".", "。", "!", "！", "?", "？", "…"} {
		if strings.HasSuffix(s, end) {
			return true
		}
	}
	return false
}

// closeTeaserRun counts the prose run that ends here: a teaser when it is one block right after
// a headline link; the first block of the page's last run when more prose follows it.
func (sh *pageShape) closeTeaserRun(afterLink, last bool, blocks, width, first int) {
	switch {
	case afterLink && blocks == 1:
		sh.teaserRuns++
		sh.teaser += width
	case afterLink && last && blocks > 1:
		sh.lastTeaser = first
	}
}

// wholeLink is the block's longest link and its width, or, for a block inside a link that is
// all link (linked), the block's link text l of width lw.
func wholeLink(linked bool, tw, lw int, one string, ow int, l string) (string, int) {
	if linked && lw == tw && ow < lw {
		return l, lw
	}
	return one, ow
}

// linkTo is where the link n leads; a link inside a link is another page's.
func linkTo(n *html.Node, inLink bool, self func(href string) linkKind) linkKind {
	if self == nil || inLink {
		return otherLink
	}
	return self(attrOf(n, "href"))
}

// longerText is n's text when it is longer than s, else s.
func longerText(n *html.Node, s string) string {
	var b strings.Builder
	nodeText(n, &b)
	if b.Len() > len(s) {
		return b.String()
	}
	return s
}
