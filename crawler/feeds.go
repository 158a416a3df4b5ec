package crawler

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/newsmill/newsmill/internal/textrule"
)

// Feed is what a feed, sitemap or JSON news list says about the pages it lists.
type Feed struct {
	// Kind is "atom", "rss", "rdf", "sitemap", "news-sitemap", "sitemap-index" or "json".
	Kind string
	// Items are the listed pages, in feed order.
	Items []FeedItem
	// Feeds are more feeds to fetch: the entries of a sitemap index.
	Feeds []string
}

// FeedItem is one listed page with whatever the feed already knew about it. Every field but URL
// may be empty; the extractor treats them as hints the page itself overrides.
type FeedItem struct {
	// URL is absolute, resolved against the feed's address (and Atom's xml:base).
	URL string
	// ID is the feed's own identifier, as given: an Atom id, an RSS guid, an Eastmoney
	// code/infoCode/newsid. Turning it into a record id is the extractor's business.
	ID        string
	Title     string
	Published time.Time
	// Source is the publishing medium (Eastmoney's mediaName, a news sitemap's publication).
	Source  string
	Summary string
	// ContentHTML is the article body when the feed carries it (Atom content, RSS
	// content:encoded, Eastmoney's content/text).
	ContentHTML string
	// Stocks are the securities the item names ("600000.SH"; Eastmoney's stockList).
	Stocks []string `json:",omitempty"`
}

// ParseFeed reads Atom, RSS 2.0 (and RSS 1.0), sitemaps, sitemap indexes, Google news sitemaps and
// Eastmoney's JSON(P) news lists. It recognizes them by their content, since servers label feeds
// text/html, text/plain or application/octet-stream as often as correctly; contentType only helps
// to decode the bytes. Anything else gives ErrNotFeed.
func ParseFeed(base *url.URL, contentType string, body []byte) (*Feed, error) {
	text, _, err := Decode(contentType, body)
	if err != nil {
		return nil, fmt.Errorf("parse feed: %w", ErrNotFeed)
	}
	text = bytes.TrimSpace(text)
	if len(text) == 0 {
		return nil, fmt.Errorf("parse feed: empty body: %w", ErrNotFeed)
	}
	var f *Feed
	switch text[0] {
	case '<':
		f, err = parseXMLFeed(base, text)
	default:
		f, err = parseJSONFeed(base, text)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ---- XML ----

type xmlLink struct {
	Base string `xml:"base,attr"` // xml:base
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type xmlText struct {
	Base string `xml:"base,attr"`
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomFeed struct {
	Base    string `xml:"base,attr"` // xml:base
	Entries []struct {
		Base      string    `xml:"base,attr"`
		Title     string    `xml:"title"`
		Links     []xmlLink `xml:"link"`
		ID        string    `xml:"id"`
		Published string    `xml:"published"`
		Updated   string    `xml:"updated"`
		Summary   string    `xml:"summary"`
		Content   xmlText   `xml:"content"`
		Source    string    `xml:"source>title"`
	} `xml:"entry"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Links       []string `xml:"link"`
	GUID        string   `xml:"guid"`
	About       string   `xml:"about,attr"`
	PubDate     string   `xml:"pubDate"`
	Date        string   `xml:"date"` // dc:date
	Description string   `xml:"description"`
	Encoded     string   `xml:"encoded"` // content:encoded
	Source      string   `xml:"source"`
}

type rssFeed struct {
	Items        []rssItem `xml:"channel>item"`
	RootItems    []rssItem `xml:"item"` // RSS 1.0 puts items beside the channel
	ChannelTitle string    `xml:"channel>title"`
}

type urlSet struct {
	URLs []struct {
		Loc  string `xml:"loc"`
		News struct {
			Title       string `xml:"title"`
			Published   string `xml:"publication_date"`
			Publication string `xml:"publication>name"`
			Keywords    string `xml:"keywords"`
		} `xml:"news"`
	} `xml:"url"`
}

type sitemapIndex struct {
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

func newXMLDecoder(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	// Feeds in the wild carry HTML entities (&nbsp;) and stray ampersands. No AutoClose: its HTML
	// list includes <link>, which in RSS has content.
	d.Strict = false
	d.Entity = xml.HTMLEntity
	// Decode already produced UTF-8; an encoding="gbk" declaration must not convert it again.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return d
}

// rootElement returns the local name of the document element, skipping the prolog.
func rootElement(b []byte) (string, error) {
	d := newXMLDecoder(b)
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return strings.ToLower(se.Name.Local), nil
		}
	}
}

func parseXMLFeed(base *url.URL, b []byte) (*Feed, error) {
	root, err := rootElement(b)
	if err != nil {
		return nil, fmt.Errorf("parse feed: no document element: %w", ErrNotFeed)
	}
	decode := func(kind string, v any) error {
		if err := newXMLDecoder(b).Decode(v); err != nil {
			return fmt.Errorf("parse %s: %v: %w", kind, err, ErrNotFeed)
		}
		return nil
	}
	f := &Feed{}
	switch root {
	case "feed":
		var a atomFeed
		if err := decode("atom", &a); err != nil {
			return nil, err
		}
		f.Kind = "atom"
		feedBase := withBase(base, a.Base)
		for _, e := range a.Entries {
			entryBase := withBase(feedBase, e.Base)
			it := FeedItem{
				ID:      strings.TrimSpace(e.ID),
				Title:   textOf(e.Title),
				Summary: textOf(e.Summary),
				Source:  clean(e.Source),
			}
			if l, ok := atomLink(e.Links); ok {
				it.URL = resolve(withBase(entryBase, l.Base), l.Href)
			}
			it.Published = feedTime(firstNonEmpty(e.Published, e.Updated))
			if t := strings.ToLower(e.Content.Type); t == "html" || t == "xhtml" || t == "text/html" {
				it.ContentHTML = strings.TrimSpace(e.Content.Body)
			}
			f.add(it)
		}
	case "rss", "rdf":
		var r rssFeed
		if err := decode(root, &r); err != nil {
			return nil, err
		}
		f.Kind = map[string]string{"rss": "rss", "rdf": "rdf"}[root]
		for _, e := range append(r.Items, r.RootItems...) {
			link := ""
			for _, l := range e.Links {
				if l = strings.TrimSpace(l); l != "" {
					link = l
					break
				}
			}
			it := FeedItem{
				URL:         resolve(base, firstNonEmpty(link, permalink(e.GUID), e.About)),
				ID:          strings.TrimSpace(e.GUID),
				Title:       textOf(e.Title),
				Summary:     textOf(e.Description),
				Source:      clean(e.Source),
				ContentHTML: strings.TrimSpace(e.Encoded),
			}
			it.Published = feedTime(firstNonEmpty(e.PubDate, e.Date))
			f.add(it)
		}
	case "urlset":
		var u urlSet
		if err := decode("sitemap", &u); err != nil {
			return nil, err
		}
		f.Kind = "sitemap"
		for _, e := range u.URLs {
			it := FeedItem{
				URL:    resolve(base, e.Loc),
				Title:  clean(e.News.Title),
				Source: clean(e.News.Publication),
			}
			if e.News.Title != "" || e.News.Published != "" {
				f.Kind = "news-sitemap"
			}
			// lastmod is when the entry changed, not when the article appeared: not a publish date.
			it.Published = feedTime(e.News.Published)
			f.add(it)
		}
	case "sitemapindex":
		var s sitemapIndex
		if err := decode("sitemap index", &s); err != nil {
			return nil, err
		}
		f.Kind = "sitemap-index"
		for _, e := range s.Sitemaps {
			if u := resolve(base, e.Loc); u != "" {
				f.Feeds = append(f.Feeds, u)
			}
		}
	default:
		return nil, fmt.Errorf("parse feed: root element <%s>: %w", root, ErrNotFeed)
	}
	return f, nil
}

// add keeps items that lead somewhere or carry their own body.
func (f *Feed) add(it FeedItem) {
	if it.URL != "" || it.ContentHTML != "" {
		f.Items = append(f.Items, it)
	}
}

func atomLink(links []xmlLink) (xmlLink, bool) {
	for _, l := range links {
		if l.Rel == "" || l.Rel == "alternate" {
			return l, true
		}
	}
	return xmlLink{}, false
}

// withBase applies an xml:base attribute: it is itself resolved against the enclosing base
// (RFC 3986), so a relative xml:base on an entry refines the feed's.
func withBase(base *url.URL, xmlBase string) *url.URL {
	xmlBase = strings.TrimSpace(xmlBase)
	if xmlBase == "" {
		return base
	}
	u, err := url.Parse(xmlBase)
	if err != nil {
		return base
	}
	if base != nil {
		return base.ResolveReference(u)
	}
	return u
}

// permalink returns an RSS guid that is a URL, which is then the item's link.
func permalink(guid string) string {
	guid = strings.TrimSpace(guid)
	if strings.HasPrefix(guid, "http://") || strings.HasPrefix(guid, "https://") {
		return guid
	}
	return ""
}

func clean(s string) string { return textrule.Collapse(s) }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// resolve makes ref absolute against base; protocol-relative links (//host/path) take base's
// scheme. Unusable references give "".
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if !u.IsAbs() {
		return ""
	}
	return u.String()
}

var feedTimeLayouts = []string{
	time.RFC3339Nano,
	time.RFC1123Z, time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700", "2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05", "Mon, 2 Jan 2006 15:04",
	time.RFC822Z, time.RFC822,
}

var (
	// "GMT+8", "UTC+08:00", "GMT-0500", "(GMT+8)" at the end of a date: an offset from UTC, which
	// Go would read with the sign reversed (the POSIX convention).
	gmtOffsetRe = regexp.MustCompile(`(?i)\s*\(?\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*\)?$`)
	zoneNameRe  = regexp.MustCompile(`\s+\(?([A-Za-z]{1,5})\)?$`)
)

// numericZone rewrites a trailing zone name or GMT offset as a numeric offset. ok is false for a
// zone name it does not know: such a date is unreadable rather than read in the wrong zone.
func numericZone(s string) (string, bool) {
	if m := gmtOffsetRe.FindStringSubmatchIndex(s); m != nil {
		sign, hh := s[m[2]:m[3]], s[m[4]:m[5]]
		mm := "00"
		if m[6] >= 0 {
			mm = s[m[6]:m[7]]
		}
		if len(hh) == 1 {
			hh = "0" + hh
		}
		return s[:m[0]] + " " + sign + hh + mm, true
	}
	if m := zoneNameRe.FindStringSubmatchIndex(s); m != nil {
		name := strings.ToUpper(s[m[2]:m[3]])
		// "CST" in a Chinese feed is China Standard Time, not US Central.
		if z, ok := textrule.Zone(name, true); ok {
			return s[:m[0]] + " " + time.Time{}.In(z).Format("-0700"), true
		}
		// A trailing word that is no zone (a month name, "AM"): leave it to the layouts.
		if len(name) >= 2 && !strings.EqualFold(name, "AM") && !strings.EqualFold(name, "PM") && !isMonthOrDay(name) {
			return s, false
		}
	}
	return s, true
}

func isMonthOrDay(s string) bool {
	switch strings.ToUpper(s) {
	case "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
		"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN":
		return true
	}
	return false
}

// feedTime is parseFeedTime for items: one odd date must not cost the other items of a feed, and
// the page itself usually carries the date again, so an unreadable one is left zero.
func feedTime(s string) time.Time {
	t, _ := parseFeedTime(s)
	return t
}

// parseFeedTime reads the date formats feeds use: Unix stamps, the RFC 822/1123 family, and
// every numeric or Chinese form textrule.ParseDate reads. A time without a zone is Asia/Shanghai
// (the sources are Chinese); an empty string is the zero time, not an error.
func parseFeedTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 1e8 {
		// Unix seconds or milliseconds, as some JSON endpoints give them.
		if n > 1e11 {
			return time.UnixMilli(n).In(textrule.Shanghai), nil
		}
		return time.Unix(n, 0).In(textrule.Shanghai), nil
	}
	s, ok := numericZone(s)
	if !ok {
		return time.Time{}, fmt.Errorf("parse date %q: unknown time zone", s)
	}
	for _, l := range feedTimeLayouts {
		if t, err := time.ParseInLocation(l, s, textrule.Shanghai); err == nil {
			return t, nil
		}
	}
	if t, err := textrule.ParseDate(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("parse date %q: unknown format", s)
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// textOf turns a title or summary that may be HTML (Atom type="html", RSS descriptions, the <em>
// highlighting of Eastmoney's search endpoints) into one line of plain text.
func textOf(s string) string { return clean(html.UnescapeString(tagRe.ReplaceAllString(s, ""))) }
