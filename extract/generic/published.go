// Which of the dates a page carries is its publishing time, and what stands in for one when
// the page prints none.

package generic

import (
	"bytes"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// metaPublished is the publishing time the page's structured data states: JSON-LD, metas,
// itemprop, <time datetime>, the page's state object in a script.
func metaPublished(doc *goquery.Document, m pageMeta, d dateReader, titles []string) time.Time {
	for _, v := range m.ldDates {
		if t, ok := d.value(v); ok {
			return t
		}
	}
	if t, ok := d.meta(doc, titles); ok {
		return t
	}
	if t, ok := d.value(m.stateDate); ok {
		return t
	}
	return time.Time{}
}

// stampRe is a machine date-time as pages write them in metadata and scripts, with its offset
// when it has one: "2023-11-08T18:09:55-07:00", "2023-11-08 18:09:55"; anchored, it is tried
// only where the day of a twin starts.
var stampRe = regexp.MustCompile(`^((?:19|20)\d{2})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?`)

// ownZone puts a publishing time the page states in UTC into the page's own zone, when the page
// writes the same instant elsewhere with its offset ("2023-11-08T18:09:55-07:00" beside
// "2023-11-09T01:09:55Z"), or as a wall-clock time that differs from it by whole quarter hours
// with the same seconds: the day readers saw is that zone's. A time already in a zone, or with
// no such twin, is left as it is. A twin falls on the day before, of or after t's, so only
// those three days' stamps are read (a regular expression over the whole page cost more than
// the rest of the date reading).
func ownZone(t time.Time, body []byte) time.Time {
	if _, off := t.Zone(); off != 0 || t.IsZero() {
		return t
	}
	t = t.Truncate(time.Second)
	var wall *time.Location
	for _, d := range []time.Time{t.AddDate(0, 0, -1), t, t.AddDate(0, 0, 1)} {
		day := []byte(d.Format("2006-01-02"))
		for rest, seen := body, 0; seen < 200; seen++ {
			i := bytes.Index(rest, day)
			if i < 0 {
				break
			}
			rest = rest[i:]
			m := stampRe.FindSubmatch(rest[:min(len(rest), 40)])
			rest = rest[len(day):]
			if m == nil {
				continue
			}
			if loc, ok := twinZone(t, m); ok {
				return t.In(loc)
			} else if loc != nil && wall == nil {
				wall = loc
			}
		}
	}
	if wall != nil {
		return t.In(wall)
	}
	return t
}

// twinZone reads one stamp m against t: ok with the stamp's zone when it is t with a non-zero
// offset; else, for a stamp without a zone a whole number of quarter hours (at most 14 hours)
// from t, that difference as a zone, not ok (an offset stated beats one inferred).
func twinZone(t time.Time, m [][]byte) (*time.Location, bool) {
	var n [6]int
	for k := range n {
		n[k], _ = strconv.Atoi(string(m[k+1]))
	}
	if zone := string(m[7]); zone != "" {
		loc, err := textrule.ParseOffset(zone)
		if zone == "Z" || err != nil {
			return nil, false
		}
		at := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, loc)
		if _, o := at.Zone(); o != 0 && at.Equal(t) {
			return loc, true
		}
		return nil, false
	}
	diff := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC).Sub(t)
	if diff != 0 && diff%(15*time.Minute) == 0 && diff.Abs() <= 14*time.Hour {
		return time.FixedZone("", int(diff/time.Second)), false
	}
	return nil, false
}

// timeTwinZone puts a publishing time the page states in UTC into the zone of the wall-clock
// time a <time> element of the same instant prints for its readers
// (`<time datetime="2022-01-04T08:45:00.000Z">2022年1月4日 週二 下午4:45</time>` is 16:45 at
// +08:00): the day readers saw is that zone's. times are the page's <time> elements as
// datetime and text, read before cleaning.
func timeTwinZone(t time.Time, times [][2]string, d dateReader) time.Time {
	if _, off := t.Zone(); off != 0 || t.IsZero() {
		return t
	}
	wall := d
	wall.loc, wall.local = time.UTC, nil
	for _, tt := range times {
		at, ok := d.value(tt[0])
		if !ok || !at.Equal(t) {
			continue
		}
		w, ok := wall.text(tt[1], true)
		if !ok {
			continue
		}
		diff := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC).Sub(t.Truncate(time.Minute))
		if diff != 0 && diff%(15*time.Minute) == 0 && diff.Abs() <= 14*time.Hour {
			return t.In(time.FixedZone("", int(diff/time.Second)))
		}
	}
	return t
}

// urlDayZone writes t in the offset nearest to its own that puts it on the day its URL states
// (/2023/11/08/), when one within -12:00 and +14:00 does: a time the page states in UTC for
// a site in the Americas or Australia falls on the next or previous day there, and the URL's
// day is the one its readers saw. The instant never changes; a URL without a day, or a day
// no zone reaches, leaves t as it is.
func urlDayZone(t time.Time, urls ...*url.URL) time.Time {
	if t.IsZero() {
		return t
	}
	for _, u := range urls {
		day, ok := urlDate(u, time.UTC)
		if !ok {
			continue
		}
		if sameDay(t, day) {
			return t
		}
		_, own := t.Zone()
		best, found := 0, false
		for h := -12; h <= 14; h++ {
			off := h * 3600
			if sameDay(t.In(time.FixedZone("", off)), day) && (!found || abs(off-own) < abs(best-own)) {
				best, found = off, true
			}
		}
		if found {
			return t.In(time.FixedZone("", best))
		}
		return t
	}
	return t
}

func sameDay(t, day time.Time) bool {
	return t.Year() == day.Year() && t.YearDay() == day.YearDay()
}

func abs(n int) int { return max(n, -n) }

// modifiedMetas state when the article was last changed.
var modifiedMetas = []string{`meta[property="article:modified_time"]`, `meta[name="article:modified_time"]`,
	`meta[property="og:updated_time"]`, `meta[itemprop="dateModified"]`, `meta[name="last-modified"]`,
	`meta[name="parsely-modified-date"]`, `meta[name="dcterms.modified"]`, `meta[name="DCTERMS.modified"]`,
	`meta[name="dateModified"]`, `meta[property="dateModified"]`}

// metaModified is the time the page's structured data says the article was last changed.
func metaModified(doc *goquery.Document, m pageMeta, d dateReader) time.Time {
	for _, v := range m.modified {
		if t, ok := d.value(v); ok {
			return t
		}
	}
	if t, ok := d.firstMeta(doc, modifiedMetas); ok {
		return t
	}
	if t, ok := d.firstElement(doc.Find(`[itemprop~="dateModified"]`), "content", "datetime"); ok {
		return t
	}
	return time.Time{}
}

// modifiedLabelRe labels a time as the last change: "Updated 19 Nov 2019", "更新时间：…".
var modifiedLabelRe = regexp.MustCompile(`(?:更新时间|最后更新|修改时间|(?i:last updated|updated|last modified|modified))(?:\s+on)?\s*[：:]?\s*`)

// labelledModified is a time the byline labels as the last change.
func labelledModified(byline string, d dateReader) time.Time {
	loc := modifiedLabelRe.FindStringIndex(byline)
	if loc == nil {
		return time.Time{}
	}
	t, _ := d.text(byline[loc[1]:min(len(byline), loc[1]+60)], false)
	return t
}

// dateElements are the elements pages mark as the article's time by their class or id.
var dateElements = cascadia.MustCompile(`abbr.published, [class*="date"], [class*="Date"], [class*="time"], [class*="publish"], ` +
	`[class*="datum"], [class*="posted"], [id*="date"], [id*="time"], [id*="publish"]`)

// notPublished names the marked times that are no publishing time: updates, comments, clocks,
// the day a member joined a forum or a profile's birthday.
var notPublished = regexp.MustCompile(`(?i)updat|modif|lastchange|changed|comment|reply|clock|weather|runtime|timeline|countdown|timer|times?tamp-list|datepicker|join|member|birth`)

// markedDate is the first time an element marked as a date carries (in its datetime, title or
// content, else its short text), read before cleaning: the time by the headline sits in the
// article's <header>, which cleaning removes.
//
// A marked time inside another story's item (a "related" box, a rail of recent posts, a
// teaser link) is that story's: skipped, with titles the page's own headlines.
func markedDate(doc *goquery.Document, d dateReader, titles []string) time.Time {
	var found time.Time
	doc.FindMatcher(dateElements).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if !namesPublished(s.AttrOr("class", "") + " " + s.AttrOr("id", "")) {
			return true
		}
		if inOtherItem(s.Get(0), titles) {
			return true
		}
		// A machine-readable value, on the element or on a <time>/<abbr> inside it, over the words.
		for _, e := range append([]*html.Node{s.Get(0)}, s.Find("time, abbr").Nodes...) {
			for _, a := range e.Attr {
				if a.Key != "datetime" && a.Key != "title" && a.Key != "content" {
					continue
				}
				if t, ok := d.value(a.Val); ok {
					found = t
					return false
				}
			}
		}
		raw, short := textUpTo(s.Get(0), 240)
		t := textrule.Collapse(raw)
		if !short || t == "" || utf8.RuneCountInString(t) > 80 || modifiedLabelRe.MatchString(t) {
			return true
		}
		if v, ok := d.text(t, false); ok {
			found = v
			return false
		}
		if v, ok := d.shortYear(t); ok {
			found = v
			return false
		}
		return true
	})
	return found
}

// namesPublished reports class and id names that mark a publishing time: a name that says
// update, comment or clock does not, unless another name of the element says date on its own
// (WordPress prints the publishing time as "entry-date published updated").
func namesPublished(names string) bool {
	if !notPublished.MatchString(names) {
		return true
	}
	for _, n := range strings.Fields(names) {
		if !notPublished.MatchString(n) && publishedNameRe.MatchString(n) {
			return true
		}
	}
	return false
}

var publishedNameRe = regexp.MustCompile(`(?i)date|publish|datum|posted`)

// itemNameRe names the boxes that hold other stories than the page's: related, recent and
// popular lists, teasers, side bars, widgets.
var itemNameRe = regexp.MustCompile(`(?i)related|teaser|recent|popular|trending|more-?stories|read-?more|weitere`)

var (
	notStoryLinkRe = regexp.MustCompile(`(?i)^\s*(?:©|\(c\))|share|teilen|partager|compartir|condividi|comment|kommentar|reporter|redakt|editor|autor|author`)
	notStoryHrefRe = regexp.MustCompile(`(?i)^(?:mailto:|javascript:|#)|/(?:author|autor|auteur|profile|profil|user|tag|tags|category|kategorie|thema|topics?)/|` +
		`(?:facebook|twitter|x|linkedin|pinterest|reddit|whatsapp|xing|telegram|instagram)\.com/|share`)
)

// inOtherItem reports a time that belongs to another story than the page's: it sits in a box
// named for other stories, inside a link that is a story's headline, or in a small item (a few
// levels up, before the page's headline is reached) that also holds a headline link to
// another story. titles are the page's own headlines, whose links (a permalink on the
// headline) are the page's own.
func inOtherItem(n *html.Node, titles []string) bool {
	for a, depth := n.Parent, 0; a != nil && a.Type == html.ElementNode && depth < 5; a, depth = a.Parent, depth+1 {
		switch a.Data {
		case "body", "html", "main":
			return false
		case "a":
			if rest := strings.Replace(nodeTextString(a), nodeTextString(n), "", 1); isStoryLink(a, textrule.Collapse(rest)) {
				return true
			}
		}
		if itemNameRe.MatchString(attrOf(a, "class") + " " + attrOf(a, "id")) {
			return true
		}
		item, small := smallItem(a)
		switch {
		case !small || item.hasH1:
			return false // a story-sized block, or the one the page's headline is in: the page's own
		case item.link != "" && !isOwnHeadline(item.link, titles):
			return true
		case a.Data == "article" || a.Data == "h1":
			return false
		}
	}
	return false
}

// itemShape is what a small block holds: its longest link's text and whether it holds an <h1>.
type itemShape struct {
	link  string
	hasH1 bool
}

// smallItem reads the block a if it is small enough to be one story's item (at most 40
// elements and 600 bytes of text): its longest headline-wide link, and whether it holds the
// page's <h1>.
func smallItem(a *html.Node) (itemShape, bool) {
	var it itemShape
	elems, text := 0, 0
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		switch n.Type {
		case html.TextNode:
			text += len(n.Data)
			return text <= 600
		case html.ElementNode:
			elems++
			if elems > 40 {
				return false
			}
			switch n.Data {
			case "h1":
				it.hasH1 = true
			case "a":
				if t := textrule.Collapse(nodeTextString(n)); len(t) > len(it.link) && isStoryLink(n, t) {
					it.link = t
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	return it, walk(a)
}

// isStoryLink reports a link a, of text t, that can be a story's headline: five words or more,
// or twelve Han characters, to a page that is no author's, tag's or share button's, with text
// that is no credit or call to share.
func isStoryLink(a *html.Node, t string) bool {
	// Length first: it is the cheap test, and most links (menus, names, counts) fail it.
	w, words := textWidth(t), strings.Fields(t)
	long := w-utf8.RuneCountInString(strings.Join(words, "")) >= 12 || len(words) >= 5 && w >= 24
	if !long || isDateLine(t) || isURLText(t) || notStoryLinkRe.MatchString(t) || notStoryHrefRe.MatchString(attrOf(a, "href")) {
		return false
	}
	return !strings.Contains(attrOf(a, "rel"), "author")
}

// isOwnHeadline reports a link text that is one of the page's headlines (the permalink a blog
// puts on its post's title), or starts one.
func isOwnHeadline(link string, titles []string) bool {
	for _, t := range titles {
		t = textrule.Collapse(t)
		if t != "" && (strings.Contains(t, link) || strings.Contains(link, t)) {
			return true
		}
	}
	return false
}

func nodeTextString(n *html.Node) string {
	var b strings.Builder
	nodeText(n, &b)
	return b.String()
}

// attrOf is n's attribute key, or "".
func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textDate finds the date a page prints: one labelled as the publishing time; then one in an
// element marked as a date; then a generic
// date meta, when the page has one; then the first date by the headline or by the start of the
// text (a day alone counts there: 2005年08月16日); then the first date-time anywhere; then a year
// and month alone by the headline. stated is false only for a date-time found anywhere, which on
// a listing is its first item's.
func textDate(text, byline string, m pageMeta, d dateReader) (t time.Time, stated bool) {
	// The date printed by the headline, read before cleaning, is right more often than any
	// other the text holds (on the htmldate sets 171 of 177 pages where it is found, against
	// 268 of 285 for marked elements and 59 of 71 for labels).
	if t, ok := d.text(m.byH1, false); ok && !modifiedLabelRe.MatchString(m.byH1) {
		return t, true
	}
	if !m.marked.IsZero() {
		return m.marked, true
	}
	if loc := firstLabelled(text); loc != nil {
		if t, ok := d.text(text[loc[1]:min(len(text), loc[1]+60)], false); ok {
			return t, true
		}
	}
	if !m.plainDate.IsZero() {
		// A day-only meta yields to the time the page prints by its headline on that day.
		if p := m.plainDate; p.Hour() == 0 && p.Minute() == 0 && p.Second() == 0 {
			if t, ok := d.text(byline, true); ok && sameDay(t, p) {
				return t, true
			}
		}
		return m.plainDate, true
	}
	if t, ok := d.text(byline, false); ok {
		return t, true
	}
	if t, ok := d.relative(byline); ok {
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
