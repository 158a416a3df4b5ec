package crawler

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"sort"
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
	Entries []struct {
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
		for _, e := range a.Entries {
			it := FeedItem{
				ID:      strings.TrimSpace(e.ID),
				Title:   textOf(e.Title),
				Summary: textOf(e.Summary),
				Source:  clean(e.Source),
			}
			it.URL = resolve(base, atomLink(e.Links))
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

func atomLink(links []xmlLink) string {
	for _, l := range links {
		if l.Rel == "" || l.Rel == "alternate" {
			return l.Href
		}
	}
	return ""
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
	"Mon, 2 Jan 2006 15:04 -0700", "2 Jan 2006 15:04:05 -0700",
	time.RFC822Z, time.RFC822,
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

// ---- JSON ----

var jsonpRe = regexp.MustCompile(`(?s)^(?:var\s+[\w$]+\s*=\s*|[\w$.]+\s*\(\s*)(.*?)\s*\)?\s*;?\s*$`)

// itemPaths are where Eastmoney's endpoints put their lists, tried before a generic search.
var itemPaths = [][]string{
	{"data", "list"}, {"LivesList"}, {"result", "data"}, {"data", "items"}, {"data"},
	{"result", "list"}, {"list"}, {"news"}, {"items"}, {"Data"},
}

func parseJSONFeed(base *url.URL, b []byte) (*Feed, error) {
	if b[0] != '{' && b[0] != '[' {
		// JSONP: cb({...}) or cb({...}); or var x = {...};
		m := jsonpRe.FindSubmatch(b)
		if m == nil || len(m[1]) == 0 || (m[1][0] != '{' && m[1][0] != '[') {
			return nil, fmt.Errorf("parse feed: neither xml nor json: %w", ErrNotFeed)
		}
		b = m[1]
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse json feed: %v: %w", err, ErrNotFeed)
	}
	objs := findItems(doc)
	if len(objs) == 0 {
		return nil, fmt.Errorf("parse json feed: no news items: %w", ErrNotFeed)
	}
	f := &Feed{Kind: "json"}
	for _, o := range objs {
		it := FeedItem{
			URL:         resolve(base, str(o, "url", "uniqueurl", "url_w", "url_unique", "url_m", "link", "arturl")),
			ID:          str(o, "infocode", "code", "newsid", "id", "art_code", "artcode"),
			Title:       textOf(str(o, "title", "art_title")),
			Source:      clean(str(o, "medianame", "mediasource", "source", "from")),
			Summary:     textOf(str(o, "summary", "digest", "abstract")),
			ContentHTML: str(o, "content", "text", "body"),
		}
		it.Published = feedTime(str(o, "showtime", "publishtime", "ptime", "date", "time"))
		f.add(it)
	}
	if len(f.Items) == 0 {
		return nil, fmt.Errorf("parse json feed: no item has a url or content: %w", ErrNotFeed)
	}
	return f, nil
}

// findItems returns the news objects of a JSON document: first at a known path, else the
// largest array of objects that look like news anywhere in it; a lone object with a title and a
// body (Eastmoney's article text endpoint) is a one-item list.
func findItems(doc any) []map[string]any {
	for _, p := range itemPaths {
		if items := newsObjects(at(doc, p)); len(items) > 0 {
			return items
		}
	}
	var best []map[string]any
	walkJSON(doc, 0, func(v any) {
		if items := newsObjects(v); len(items) > len(best) {
			best = items
		}
	})
	return best
}

func at(v any, path []string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func walkJSON(v any, depth int, visit func(any)) {
	if depth > 8 {
		return
	}
	visit(v)
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic choice between equally large lists
		for _, k := range keys {
			walkJSON(x[k], depth+1, visit)
		}
	case []any:
		for _, e := range x {
			walkJSON(e, depth+1, visit)
		}
	}
}

// newsObjects returns v's objects that have a title and something to identify or fetch them by.
func newsObjects(v any) []map[string]any {
	var arr []any
	switch x := v.(type) {
	case []any:
		arr = x
	case map[string]any:
		if str(lowerKeys(x), "content", "text", "body") != "" {
			arr = []any{x}
		}
	}
	var out []map[string]any
	for _, e := range arr {
		o, ok := e.(map[string]any)
		if !ok {
			continue
		}
		o = lowerKeys(o)
		if str(o, "title", "art_title") == "" {
			continue
		}
		if str(o, "url", "uniqueurl", "url_w", "url_unique", "url_m", "link", "arturl",
			"infocode", "code", "newsid", "id", "art_code", "content", "text") == "" {
			continue
		}
		out = append(out, o)
	}
	return out
}

func lowerKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		if _, dup := out[lk]; !dup || k == lk {
			out[lk] = v
		}
	}
	return out
}

// str returns the first non-empty value among keys (already lower-cased) as a string.
func str(o map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := o[k].(type) {
		case string:
			if s := strings.TrimSpace(v); s != "" {
				return s
			}
		case json.Number:
			return v.String()
		}
	}
	return ""
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// textOf turns a title or summary that may be HTML (Atom type="html", RSS descriptions, the <em>
// highlighting of Eastmoney's search endpoints) into one line of plain text.
func textOf(s string) string { return clean(html.UnescapeString(tagRe.ReplaceAllString(s, ""))) }
