// The metadata a page states about itself in its head: titles, dates and source in Open
// Graph, JSON-LD and named metas.

package generic

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/internal/textrule"
)

type pageMeta struct {
	titles    []string // best first: og:title, JSON-LD headline, twitter:title
	h1s       []string // the page's <h1> texts, read before cleaning
	byH1      string   // the text around the page's first <h1>, read before cleaning (headlineSurround)
	headlines []string // texts of elements the page's markup names as a headline (markedHeadlines)
	ldDates   []string // JSON-LD datePublished, then dateCreated, as written
	published time.Time
	plainDate time.Time // from a generic date meta (plainMetaDateSelectors)
	marked    time.Time // from an element marked as a date (markedDate)
	source    string
	// What the page's state object in a script says (scriptState): a byline drawn by script.
	stateSource, stateDate string
	provider               string      // JSON-LD provider's name
	modified               []string    // JSON-LD dateModified, as written
	times                  [][2]string // the <time datetime> elements: datetime and text, as written
	authors                []string    // JSON-LD author names, then the author metas
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
			if d, ok := o["dateModified"].(string); ok {
				m.modified = append(m.modified, d)
			}
			m.authors = append(m.authors, ldNames(o["author"])...)
			if p := ldNames(o["provider"]); len(p) > 0 && m.provider == "" {
				m.provider = p[0] // the outlet a portal republishes (schema.org provider)
			}
		})
	})
	m.ldDates = append(m.ldDates, created...)
	m.titles = append(m.titles, attr(`meta[name="twitter:title"]`), attr(`meta[property="twitter:title"]`))
	m.source = firstOf(attr(`meta[name="source"]`), m.provider)
	m.stateSource, m.stateDate = scriptState(doc)
	doc.Find("time[datetime]").Each(func(_ int, s *goquery.Selection) {
		if len(m.times) < 20 {
			m.times = append(m.times, [2]string{s.AttrOr("datetime", ""), textrule.Collapse(s.Text())})
		}
	})
	for _, sel := range authorMetas {
		m.authors = append(m.authors, attr(sel))
	}
	return m
}

// authorMetas name the writer in the head, best first.
var authorMetas = []string{`meta[name="author"]`, `meta[property="article:author"]`, `meta[name="byl"]`,
	`meta[name="parsely-author"]`, `meta[name="sailthru.author"]`, `meta[name="dc.creator"]`, `meta[name="DC.creator"]`}

// ldNames are the names of a JSON-LD author value: a name, a Person or an array of either.
func ldNames(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		if n, ok := x["name"].(string); ok {
			return []string{n}
		}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, ldNames(e)...)
		}
		return out
	}
	return nil
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

// headlineSurround is the text around the first <h1> of a story's length: the kicker above it
// and the date line under it, which sit in the article's <header> that cleaning removes
// ("<header><h1>…</h1><p class=meta-info>03.02.2022 15:34</p></header>"). It climbs to the
// first ancestor that holds more than the headline, at most three levels up, and keeps 120
// runes before the headline and 200 after it.
//
// The <h1> is the one the page's titles name, when one does: a page may print its site's name
// or a line for screen readers in an <h1> before the story's.
func headlineSurround(doc *goquery.Document, titles []string) string {
	var h1 *html.Node
	for _, n := range doc.Find("h1").Nodes {
		t := quotesFolded(textrule.Collapse(nodeTextString(n)))
		if textWidth(t) < headlineWidth/2 {
			continue
		}
		if h1 == nil {
			h1 = n
		}
		if namedBy(t, titles) {
			h1 = n
			break
		}
	}
	if h1 == nil {
		return ""
	}
	head := textrule.Collapse(nodeTextString(h1))
	for a, up := h1.Parent, 0; a != nil && a.Type == html.ElementNode && up < 3; a, up = a.Parent, up+1 {
		raw, short := visibleTextUpTo(a, h1, 8000)
		if !short {
			return ""
		}
		t := textrule.Collapse(raw)
		if utf8.RuneCountInString(t) < utf8.RuneCountInString(head)+12 {
			continue
		}
		i := strings.Index(t, head)
		if i < 0 {
			return ""
		}
		r := []rune(t[:i])
		before := string(r[max(0, len(r)-120):])
		after := []rune(t[i+len(head):])
		return before + "\n" + string(after[:min(len(after), 200)])
	}
	return ""
}

// visibleTextUpTo is the text under n that a reader sees as the article's own, scripts, styles,
// figures and WordPress's captions aside (a photo's caption dates the photo), or false past
// limit bytes. Other "caption" classes are no guide: sites style their date line so.
// A figure that holds the headline itself (a lead photo's caption printing it) is read.
func visibleTextUpTo(n, headline *html.Node, limit int) (string, bool) {
	return textUpToSkipping(n, limit, func(e *html.Node) bool {
		switch e.Data {
		case "script", "style", "noscript", "template":
			return true
		case "figure", "figcaption":
			return !contains(e, headline)
		}
		return strings.Contains(attrOf(e, "class"), "wp-caption") && !contains(e, headline)
	})
}

// namedBy reports a headline that one of titles holds, or that holds one of them.
func namedBy(head string, titles []string) bool {
	for _, t := range titles {
		if t = quotesFolded(textrule.Collapse(t)); t != "" && (strings.Contains(t, head) || strings.Contains(head, t)) {
			return true
		}
	}
	return false
}

// markedHeadlines are the texts of elements whose class or id names them the story's headline
// ("headline", "headingstory", "storytitle", "article-title"): the headline of pages of the
// 2000s, which print it in a styled <span> or <p>, no heading, under a <title> that names only
// the site. Links are left out (a listing's items are marked up the same way), and so is text
// too short or too long to be a story's headline.
func markedHeadlines(doc *goquery.Document) []string {
	var out []string
	doc.Find("[class],[id]").Each(func(_ int, s *goquery.Selection) {
		// The names first: the link tests walk the element's subtree and ancestors, on every
		// named element of the page.
		names := strings.ToLower(s.AttrOr("class", "") + " " + s.AttrOr("id", ""))
		if !strings.Contains(names, "title") && !strings.Contains(names, "head") || !headlineClass(names) {
			return
		}
		if goquery.NodeName(s) == "a" || s.Find("a").Length() > 0 || s.ParentsFiltered("a").Length() > 0 {
			return
		}
		t := textrule.Collapse(s.Text())
		if textWidth(t) < headlineWidth || len([]rune(t)) > 200 || isDateLine(t) {
			return
		}
		out = append(out, t)
	})
	return out
}

// headlineClass reports class and id names that mark a story's headline, not a sub-headline, a
// page's or section's title, or a box of headlines.
func headlineClass(names string) bool {
	for _, f := range strings.FieldsFunc(names, func(r rune) bool { return r == ' ' || r == '\t' }) {
		f = strings.NewReplacer("-", "", "_", "").Replace(f)
		if strings.Contains(f, "sub") || strings.Contains(f, "headlines") || strings.Contains(f, "list") ||
			strings.Contains(f, "page") || strings.Contains(f, "section") || strings.Contains(f, "site") {
			continue
		}
		switch {
		case strings.Contains(f, "headline"), strings.Contains(f, "headingstory"),
			strings.Contains(f, "storytitle"), strings.Contains(f, "storyheading"),
			strings.Contains(f, "articletitle"), strings.Contains(f, "articleheading"),
			strings.Contains(f, "newstitle"), strings.Contains(f, "posttitle"), strings.Contains(f, "entrytitle"):
			return true
		}
	}
	return false
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
