package generic

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/internal/textrule"
)

// labelledDateRe finds a date that the page labels as the publishing time.
// An update time is modified_at, never this (modifiedLabelRe).
var labelledDateRe = regexp.MustCompile(`(?:发布时间|发布日期|发表时间|发稿时间|时间|日期|发表于|发布于|` +
	`(?i:published|posted|date|veröffentlicht|erschienen|publié|publicado|pubblicato|gepubliceerd|datum|fecha|опубликовано)` +
	`(?:\s+(?:on|am|le|el|em|il|op))?)\s*[：:]?\s*`)

// labelWords are the labels of labelledDateRe as a cheap scan finds them: in an ASCII-lower-cased
// copy of the text, whose byte offsets are the text's.
var labelWords = []string{"发布时间", "发布日期", "发表时间", "发稿时间", "时间", "日期", "发表于", "发布于", "published",
	"posted", "date", "veröffentlicht", "erschienen", "publié", "publicado", "pubblicato", "gepubliceerd", "datum",
	"fecha", "опубликовано", "Опубликовано", "ОПУБЛИКОВАНО", "VERÖFFENTLICHT", "PUBLIÉ"}

// firstLabelled is where the first labelled date of text starts and ends (labelledDateRe's
// match), or nil. The expression, with its case-insensitive alternation, is run only from the
// first label a substring scan finds: run over a whole page's text it cost more than the rest
// of the page's date reading.
func firstLabelled(text string) []int {
	low := asciiLower(text)
	first := -1
	for _, w := range labelWords {
		if i := strings.Index(low, w); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	if first < 0 {
		return nil
	}
	loc := labelledDateRe.FindStringIndex(text[first:])
	if loc == nil {
		return nil
	}
	return []int{first + loc[0], first + loc[1]}
}

// asciiLower lower-cases the ASCII letters of s only, so that offsets into it are offsets into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// English month names, as pages print them.
const monthPat = `(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`

// clockPat is an optional English time of day with an optional zone: ", 9:02 AM", " at 07:09 GMT".
const clockPat = `(?:,?\s*(?:at\s+)?(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?(?:\s*\(?(GMT|UTC|[ECMP][SD]T|BST|IST|CET|CEST|[+-]\d{2}:?\d{2})\)?)?)?`

var (
	// "November 19, 2019, 9:02 AM", "Nov. 19, 2019"
	enMDYRe = regexp.MustCompile(`(?i)\b` + monthPat + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b` + clockPat)
	// "19 Nov 2019 07:09 GMT", "Tue, 19 November 2019"
	enDMYRe = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+` + monthPat + `,?\s+(\d{4})\b` + clockPat)
	// "9/17/2004 5:54:13 AM": month first unless the first number cannot be a month.
	numericDMYRe = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})/(\d{4})\b(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?`)
	// A year and month alone: 2005年8月, and a bare Chinese day without a time: 2005年08月16日.
	yearMonthRe = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月`)
	// "2022年1月4日 週二 下午4:45", "2021年12月20日 星期一 10:15": a weekday or a half of the
	// day between the day and the clock, which the shared grammar reads as a bare day.
	zhClockRe = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*` +
		`(?:[(（]?(?:星期|週|周|禮拜|礼拜)[一二三四五六日天][)）]?\s*)?(上午|下午|中午|晚上|晚间|晚間|凌晨|早上)?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?`)
	// /2019/11/20/, /2019-11-20/, /20191120/ in a URL path.
	urlDateRe = regexp.MustCompile(`(?:^|[/_-])((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)`)
)

var monthNames = map[string]string{"1": "jan", "01": "jan", "2": "feb", "02": "feb", "3": "mar",
	"03": "mar", "4": "apr", "04": "apr", "5": "may", "05": "may", "6": "jun", "06": "jun", "7": "jul",
	"07": "jul", "8": "aug", "08": "aug", "9": "sep", "09": "sep", "10": "oct", "11": "nov", "12": "dec"}

var monthNumbers = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

// dateReader reads dates for one page: loc is the zone of a time printed without one (Beijing on a
// Chinese page, UTC on any other).
type dateReader struct {
	loc     *time.Location
	chinese bool      // which settles what "CST" means (textrule.Zone)
	now     time.Time // when the page was fetched, for "2小时前" (zero: relative times unread)
	// local is the civil zone of the page's readers at an instant, when its language names one
	// with summer time (central and western Europe): a machine time in UTC is written in it, so
	// that the day is the day they saw. nil keeps UTC times in UTC.
	local func(time.Time) *time.Location
	// dayFirst reads 02/10/2020 as the 2nd of October: every language but American English
	// writes the day first.
	dayFirst bool
}

func newDateReader(chinese bool) dateReader {
	if chinese {
		return dateReader{loc: textrule.Shanghai, chinese: true}
	}
	return dateReader{loc: time.UTC}
}

// value reads a date from a metadata value: RFC 3339 and its relatives, HTTP dates, English and
// Chinese forms, a bare day.
func (d dateReader) value(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC,
		"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2006-01-02T15:04:05-0700",
		"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04-07:00", "20060102T150405-0700"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1990 {
			if t.Location() != time.UTC && t.Location().String() != "" {
				if z, ok := textrule.Zone(t.Location().String(), d.chinese); ok {
					t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, z)
				}
			}
			if _, off := t.Zone(); off == 0 && d.local != nil {
				t = t.In(d.local(t))
			}
			return t, true
		}
	}
	return d.text(s, false)
}

// text reads the first date of s in any form it knows; needTime skips dates without a time.
func (d dateReader) text(s string, needTime bool) (time.Time, bool) {
	type hit struct {
		at int
		t  time.Time
	}
	var best *hit
	consider := func(at int, t time.Time) {
		if best == nil || at < best.at {
			best = &hit{at, t}
		}
	}
	// First, so that at the same place it wins over the bare day the shared grammar reads there.
	if t, at, ok := d.zhClock(s); ok {
		consider(at, t)
	}
	if t, at, ok := textrule.FindDateIn(s, needTime, d.loc); ok {
		consider(at, t)
	}
	if t, at, ok := d.world(s, needTime); ok {
		consider(at, t)
	}
	for _, re := range []*regexp.Regexp{enMDYRe, enDMYRe} {
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			parts := submatches(s, m)
			var mon, day, year string
			if re == enMDYRe {
				mon, day, year = parts[1], parts[2], parts[3]
			} else {
				day, mon, year = parts[1], parts[2], parts[3]
			}
			if needTime && parts[4] == "" {
				continue
			}
			if t, ok := d.english(year, mon, day, parts[4:]); ok {
				consider(m[0], t)
				break
			}
		}
	}
	for _, m := range numericDMYRe.FindAllStringSubmatchIndex(s, -1) {
		parts := submatches(s, m)
		if needTime && parts[4] == "" {
			continue
		}
		mon, day := parts[1], parts[2]
		if d.dayFirst {
			mon, day = day, mon
		}
		if n, _ := strconv.Atoi(mon); n > 12 {
			mon, day = day, mon
		}
		if n, _ := strconv.Atoi(mon); n < 1 || n > 12 {
			continue
		}
		if t, ok := d.english(parts[3], monthNames[mon], day, []string{parts[4], parts[5], parts[6], parts[7], ""}); ok {
			consider(m[0], t)
			break
		}
	}
	if best == nil {
		return time.Time{}, false
	}
	return best.t, true
}

// zhClock reads the first Chinese date whose clock follows a weekday or a half of the day
// (下午4:45 is 16:45); dates without either are the shared grammar's.
func (d dateReader) zhClock(s string) (time.Time, int, bool) {
	if !strings.Contains(s, "年") {
		return time.Time{}, 0, false
	}
	for _, m := range zhClockRe.FindAllStringSubmatchIndex(s, 4) {
		p := submatches(s, m)
		if !strings.Contains(s[m[0]:m[1]], "期") && !strings.ContainsAny(s[m[0]:m[1]], "週周拜") && p[4] == "" {
			continue
		}
		n := make([]int, 8)
		for i, k := range []int{1, 2, 3, 5, 6, 7} {
			n[i], _ = strconv.Atoi(p[k])
		}
		y, mo, day, h, mi, sec := n[0], n[1], n[2], n[3], n[4], n[5]
		switch p[4] {
		case "下午", "晚上", "晚间", "晚間":
			if h < 12 {
				h += 12
			}
		case "中午":
			if h < 11 {
				h += 12
			}
		case "凌晨":
			if h == 12 {
				h = 0
			}
		}
		if y < 1990 || y > 2100 || mo < 1 || mo > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 59 {
			continue
		}
		t := time.Date(y, time.Month(mo), day, h, mi, sec, 0, d.loc)
		if t.Day() != day {
			continue
		}
		return t, m[0], true
	}
	return time.Time{}, 0, false
}

// english builds a date from an English match: clock is hour, minute, second, am/pm, zone.
func (d dateReader) english(year, mon, day string, clock []string) (time.Time, bool) {
	y, _ := strconv.Atoi(year)
	dd, _ := strconv.Atoi(day)
	mo, ok := monthNumbers[strings.ToLower(mon[:3])]
	if !ok || y < 1990 || y > 2100 || dd < 1 || dd > 31 {
		return time.Time{}, false
	}
	h, _ := strconv.Atoi(clock[0])
	mi, _ := strconv.Atoi(clock[1])
	sec, _ := strconv.Atoi(clock[2])
	switch ampm := strings.ToLower(strings.ReplaceAll(clock[3], ".", "")); {
	case ampm == "pm" && h < 12:
		h += 12
	case ampm == "am" && h == 12:
		h = 0
	}
	if h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	loc := d.loc
	if z := strings.ToUpper(clock[4]); z != "" {
		if zone, ok := textrule.Zone(z, d.chinese); ok {
			loc = zone
		} else if o, err := textrule.ParseOffset(z); err == nil {
			loc = o
		}
	}
	t := time.Date(y, mo, dd, h, mi, sec, 0, loc)
	if t.Day() != dd {
		return time.Time{}, false
	}
	return t, true
}

// yearMonth reads a 2005年8月 without a day as the first of that month.
func (d dateReader) yearMonth(s string) (time.Time, bool) {
	m := yearMonthRe.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if y < 1990 || y > 2100 || mo < 1 || mo > 12 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, d.loc), true
}

func submatches(s string, idx []int) []string {
	out := make([]string, len(idx)/2)
	for i := range out {
		if idx[2*i] >= 0 {
			out[i] = s[idx[2*i]:idx[2*i+1]]
		}
	}
	return out
}

// metaDateSelectors are the metadata a page states its publishing time in, best first: the
// Open Graph, schema.org and publishing-platform names.
var metaDateSelectors = []string{
	`meta[property="article:published_time"]`, `meta[name="article:published_time"]`,
	`meta[property="og:published_time"]`, `meta[property="og:article:published_time"]`,
	`meta[name="og:published_time"]`, `meta[itemprop="datePublished"]`, `meta[name="sailthru.date"]`,
	`meta[name="parsely-pub-date"]`, `meta[name="article.published"]`, `meta[name="citation_publication_date"]`,
	`meta[name="cXenseParse:recs:publishtime"]`, `meta[itemprop="dateCreated"]`,
	// schema.org's name written as a meta's name or property instead of its itemprop
	`meta[name="datePublished"]`, `meta[property="datePublished"]`,
}

// plainMetaDateSelectors are the generic names ("date", "pubdate", Dublin Core) a CMS fills
// with its own idea of the time, often the upload: weaker than a date the page prints under a
// label for its readers.
var plainMetaDateSelectors = []string{
	`meta[name="pubdate"]`, `meta[name="publishdate"]`, `meta[name="PubDate"]`, `meta[name="publish_time"]`,
	`meta[name="publish-date"]`, `meta[name="publish_date"]`, `meta[name="date"]`, `meta[name="Date"]`,
	`meta[name="dc.date"]`, `meta[name="DC.date"]`, `meta[name="dc.date.issued"]`, `meta[name="DC.date.issued"]`,
	`meta[name="dcterms.date"]`, `meta[name="DCTERMS.date"]`, `meta[name="dcterms.created"]`,
	`meta[name="DC.Date"]`, `meta[name="OriginalPublicationDate"]`,
}

// plainMeta reads the generic date metas.
func (d dateReader) plainMeta(doc *goquery.Document) (time.Time, bool) {
	return d.firstMeta(doc, plainMetaDateSelectors)
}

// firstMeta reads the first of the metas (in the order given) whose content is a date.
func (d dateReader) firstMeta(doc *goquery.Document, sels []string) (time.Time, bool) {
	metas := metaNames(doc)
	for _, sel := range sels {
		v, ok := metaContent(doc, metas, sel)
		if !ok {
			continue
		}
		if t, ok := d.value(v); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// metaSelRe splits a meta selector into its attribute and value.
var metaSelRe = regexp.MustCompile(`^meta\[(\w+)="([^"]+)"\]$`)

// metaContent is the content of the first meta a selector names, found among the page's
// metas by attribute and value instead of running a compiled selector over the whole tree for
// each of some thirty names.
func metaContent(doc *goquery.Document, metas []*html.Node, sel string) (string, bool) {
	m := metaSelRe.FindStringSubmatch(sel)
	if m == nil {
		return doc.Find(sel).First().Attr("content")
	}
	for _, n := range metas {
		for _, a := range n.Attr {
			if a.Key == m[1] && a.Val == m[2] {
				for _, c := range n.Attr {
					if c.Key == "content" {
						return c.Val, true
					}
				}
				return "", false
			}
		}
	}
	return "", false
}

// metaNames are the page's <meta> elements.
func metaNames(doc *goquery.Document) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "meta":
				out = append(out, n)
				return
			case "body":
				if len(out) > 0 {
					return // the metas of a well-formed page are in its head
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range doc.Nodes {
		walk(n)
	}
	return out
}

// meta reads the publishing time from the page's structured markup: metas, itemprop
// datePublished/dateCreated on any element, then the first <time datetime> or <time pubdate>.
//
// An element inside another story's item (inOtherItem) is that story's time, not the page's.
func (d dateReader) meta(doc *goquery.Document, titles []string) (time.Time, bool) {
	if t, ok := d.firstMeta(doc, metaDateSelectors); ok {
		return t, true
	}
	for _, m := range []struct {
		sel   string
		attrs []string
	}{
		{`[itemprop~="datePublished"]`, []string{"content", "datetime"}},
		{`[itemprop~="dateCreated"]`, []string{"content", "datetime"}},
		{"time[datetime], time[pubdate]", []string{"datetime"}},
	} {
		own := doc.Find(m.sel).FilterFunction(func(_ int, s *goquery.Selection) bool { return !inOtherItem(s.Get(0), titles) })
		if t, ok := d.firstElement(own, m.attrs...); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// firstElement reads the first of sel that carries a date: in one of attrs (in that order),
// else in its text, so that a machine-readable value wins over the words shown beside it.
func (d dateReader) firstElement(sel *goquery.Selection, attrs ...string) (time.Time, bool) {
	var found time.Time
	sel.EachWithBreak(func(_ int, s *goquery.Selection) bool {
		for _, a := range attrs {
			if v, ok := s.Attr(a); ok {
				if t, ok := d.value(v); ok {
					found = t
					return false
				}
			}
		}
		if t, ok := d.text(textrule.Collapse(s.Text()), false); ok {
			found = t
			return false
		}
		return true
	})
	return found, !found.IsZero()
}

// pageLang is the language the page says it is in: <html lang>, else xml:lang, else the
// Content-Language or og:locale metas.
func pageLang(doc *goquery.Document) string {
	h := doc.Find("html").First()
	for _, a := range []string{"lang", "xml:lang"} {
		if v := strings.TrimSpace(h.AttrOr(a, "")); v != "" {
			return v
		}
	}
	for _, sel := range []string{`meta[http-equiv="content-language"]`, `meta[http-equiv="Content-Language"]`, `meta[property="og:locale"]`} {
		if v := strings.TrimSpace(doc.Find(sel).First().AttrOr("content", "")); v != "" {
			v, _, _ = strings.Cut(v, ",")
			return v
		}
	}
	return ""
}

// domainLangs are the languages of country domains whose readers share one zone.
var domainLangs = map[string]string{"de": "de", "at": "de", "ch": "de", "fr": "fr", "it": "it", "es": "es-es",
	"nl": "nl", "pl": "pl", "se": "sv", "dk": "da", "no": "nb", "cz": "cs", "sk": "sk", "hu": "hu", "hr": "hr",
	"si": "sl", "pt": "pt-pt", "uk": "en-gb", "ie": "en-ie", "au": "en-au", "nz": "en-nz", "jp": "ja", "kr": "ko"}

// domainLang is the language of a host's country domain, or "".
func domainLang(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		return domainLangs[host[i+1:]]
	}
	return ""
}

// writesDayFirst reports a page language that writes numeric dates day first: any but English,
// and the English of Britain and the Commonwealth. No lang, or English alone, is read the
// American way.
func writesDayFirst(lang string) bool {
	base, region, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(strings.TrimSpace(lang), "_", "-")), "-")
	switch base {
	case "", "en":
		switch region {
		case "gb", "uk", "ie", "au", "nz", "in", "za", "sg", "hk", "ng", "ke", "pk":
			return true
		}
		return false
	case "zh", "ja", "ko":
		return false // year first; a bare m/d/y there is American
	}
	return true
}

// urlDate reads a /2019/11/20/ day from a URL path, at noon in loc so that the day stays the
// day in any zone a reader converts it to within ±12 hours.
func urlDate(u *url.URL, loc *time.Location) (time.Time, bool) {
	if u == nil || u.Scheme == "file" {
		return time.Time{}, false
	}
	m := urlDateRe.FindStringSubmatch(u.Path)
	if m == nil {
		m = urlDateRe.FindStringSubmatch(u.RawQuery)
	}
	if m == nil {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// pageDateReader reads the dates of one page: zone-less times in the zone of its language (its
// lang attribute, else its visible text, scripts and styles aside: mostly Han is Chinese, kana
// among the Han Japanese, Hangul Korean), relative ones against now, the time it was fetched.
//
// host is the site's (from its canonical address): a page that names no language is taken to be
// in its country domain's (.de, .it, .co.uk), for the zone and the order of day and month.
func pageDateReader(doc *goquery.Document, now time.Time, host string) dateReader {
	lang := pageLang(doc)
	if lang == "" {
		lang = domainLang(host)
	}
	han, kana, hangul, letters := 0, 0, 0, 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if han+letters > 4000 {
			return
		}
		switch n.Type {
		case html.TextNode:
			for _, r := range n.Data {
				switch {
				case r < 0x80: // most of the text of most pages: no table look-up
					if r|0x20 >= 'a' && r|0x20 <= 'z' {
						letters++
					}
				case unicode.Is(unicode.Han, r):
					han++
				case isKana(r):
					kana++
					letters++
				case unicode.Is(unicode.Hangul, r):
					hangul++
					letters++
				case unicode.IsLetter(r):
					letters++
				}
			}
			return
		case html.ElementNode:
			if n.Data == "script" || n.Data == "style" || n.Data == "noscript" {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if !strings.HasPrefix(strings.ToLower(lang), "zh") {
		// A lang that says Chinese settles it; any other is often a template's default, so the
		// text decides.
		for _, n := range doc.Nodes {
			walk(n)
		}
	}
	loc, chinese := pageZone(lang, han, kana, hangul, letters)
	d := newDateReader(chinese)
	if !chinese {
		d.loc = loc
	}
	d.now = now
	d.local = europeanZone(lang)
	d.dayFirst = writesDayFirst(lang)
	return d
}
