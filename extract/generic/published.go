// Which of the dates a page carries is its publishing time, and what stands in for one when
// the page prints none.

package generic

import (
	"net/url"
	"regexp"
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

// modifiedMetas state when the article was last changed.
var modifiedMetas = []string{`meta[property="article:modified_time"]`, `meta[name="article:modified_time"]`,
	`meta[property="og:updated_time"]`, `meta[itemprop="dateModified"]`, `meta[name="last-modified"]`,
	`meta[name="parsely-modified-date"]`, `meta[name="dcterms.modified"]`, `meta[name="DCTERMS.modified"]`}

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

// notPublished names the marked times that are no publishing time: updates, comments, clocks.
var notPublished = regexp.MustCompile(`(?i)updat|modif|lastchange|changed|comment|reply|clock|weather|runtime|timeline|countdown|timer|times?tamp-list|datepicker`)

// markedDate is the first time an element marked as a date carries (in its datetime, title or
// content, else its short text), read before cleaning: the time by the headline sits in the
// article's <header>, which cleaning removes.
func markedDate(doc *goquery.Document, d dateReader) time.Time {
	var found time.Time
	doc.FindMatcher(dateElements).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if notPublished.MatchString(s.AttrOr("class", "") + " " + s.AttrOr("id", "")) {
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
		return true
	})
	return found
}

// textDate finds the date a page prints: one labelled as the publishing time; then one in an
// element marked as a date; then a generic
// date meta, when the page has one; then the first date by the headline or by the start of the
// text (a day alone counts there: 2005年08月16日); then the first date-time anywhere; then a year
// and month alone by the headline. stated is false only for a date-time found anywhere, which on
// a listing is its first item's.
func textDate(text, byline string, m pageMeta, d dateReader) (t time.Time, stated bool) {
	if loc := labelledDateRe.FindStringIndex(text); loc != nil {
		if t, ok := d.text(text[loc[1]:min(len(text), loc[1]+60)], false); ok {
			return t, true
		}
	}
	if !m.marked.IsZero() {
		return m.marked, true
	}
	if !m.plainDate.IsZero() {
		// A day-only meta yields to the time the page prints by its headline on that day.
		if p := m.plainDate; p.Hour() == 0 && p.Minute() == 0 && p.Second() == 0 {
			if t, ok := d.text(byline, true); ok && t.Year() == p.Year() && t.YearDay() == p.YearDay() {
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
