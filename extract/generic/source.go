// Attribution in the forms Chinese portals print it without a label or outside the text: a
// linked outlet beside the time, the page's state object in a script, a channel after the
// outlet's name.

package generic

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// channelRe is an outlet's name with a channel or a portal after it: "人民网-财经频道",
// "中国证券报_新浪财经". Group 1 is the outlet, group 2 what follows it.
var channelRe = regexp.MustCompile(`^(.+?)\s*(?:--?|－|_|—)\s*([^-－_—]{1,12})$`)

// settleSource is the outlet a source names: the label and brackets off, and a channel after
// the name cut ("人民网-财经频道" is 人民网), whether the channel says it is one (…频道, …栏目) or
// is the page's own site (sites: its <title> suffixes and og:site_name). Another outlet after
// the dash ("人民网-人民日报") is no channel, and the source stays whole.
func settleSource(s string, sites []string) string {
	s = strings.Trim(sourceLabelRe.ReplaceAllString(strings.TrimSpace(s), ""), " []【】［］")
	for {
		m := channelRe.FindStringSubmatch(s)
		if m == nil || !isChannel(m[2], sites) || utf8.RuneCountInString(m[1]) < 2 {
			return s
		}
		s = m[1]
	}
}

func isChannel(name string, sites []string) bool {
	for _, suf := range []string{"频道", "頻道", "栏目", "欄目", "专栏", "專欄"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	for _, s := range sites {
		if s != "" && name == s {
			return true
		}
	}
	return false
}

// siteNames are the names the page gives its site: og:site_name and the names its <title>
// appends to the headline.
func siteNames(doc *goquery.Document) []string {
	_, names := splitSiteSuffix(textrule.Collapse(doc.Find("title").First().Text()))
	if n := strings.TrimSpace(doc.Find(`meta[property="og:site_name"]`).AttrOr("content", "")); n != "" {
		names = append(names, n)
	}
	return names
}

// outletByTime is the outlet a page links to beside its time under the headline, with no label
// and no class naming it ("<span>2022-01-24 07:38:12</span> <a href=…cs.com.cn>中国证券报</a>"):
// a short block near the first story-length <h1> that holds a date, one link and nothing else.
// The link must leave the site (or be marked nofollow, as portals mark outlets' links): a link to
// the site's own pages beside a time is a channel's or a listing item's.
// Only Chinese pages are read so: elsewhere a short link beside a date is as often a tag's or a
// series' name.
func outletByTime(doc *goquery.Document, page *url.URL, chinese bool) string {
	if !chinese {
		return ""
	}
	var h1 *html.Node
	for _, n := range doc.Find("h1").Nodes {
		if textWidth(textrule.Collapse(nodeTextString(n))) >= headlineWidth/2 {
			h1 = n
			break
		}
	}
	if h1 == nil {
		return ""
	}
	for a, up := h1.Parent, 0; a != nil && a.Type == html.ElementNode && up < 3; a, up = a.Parent, up+1 {
		found := ""
		goquery.NewDocumentFromNode(a).Find("div, span, p").EachWithBreak(func(_ int, s *goquery.Selection) bool {
			if contains(s.Get(0), h1) {
				return true
			}
			if o := outletBesideTime(s, page); o != "" {
				found = o
				return false
			}
			return true
		})
		if found != "" {
			return found
		}
	}
	return ""
}

func outletBesideTime(s *goquery.Selection, page *url.URL) string {
	raw, short := textUpTo(s.Get(0), 200)
	t := textrule.Collapse(raw)
	links := s.FindMatcher(anchorSel)
	if !short || links.Length() != 1 || utf8.RuneCountInString(t) > 60 {
		return ""
	}
	loc := textrule.DateIndex(t)
	if loc == nil {
		return ""
	}
	name := textrule.Collapse(links.Text())
	if n := utf8.RuneCountInString(name); n < 2 || n > 20 || strings.ContainsAny(name, "0123456789:：。!?！？「」『』《》“”\"()（）[]【】") {
		return ""
	}
	rest := strings.Replace(t[:loc[0]]+" "+t[loc[1]:], name, "", 1)
	if strings.TrimFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) != "" {
		return ""
	}
	href, _ := links.Attr("href")
	u, err := url.Parse(strings.TrimSpace(href))
	offSite := err == nil && page != nil && u.Host != "" && !article.SameSite(page, page.ResolveReference(u))
	if !offSite && !strings.Contains(links.AttrOr("rel", ""), "nofollow") {
		return ""
	}
	return name
}

// stateLHSRe is what stands before the "=" of a script assigning an object to a page variable:
// "window.DATA = {", "var ARTICLE_INFO = {".
var stateLHSRe = regexp.MustCompile(`(?:window\.|var\s+|let\s+|const\s+)[A-Za-z_$][\w$]*\s*$`)

// stateObjects are the offsets of the first n objects assigned to page variables in a script:
// each "=" followed by "{" is checked against what stands before it, so that no expression runs
// over the whole of a long script.
func stateObjects(text string, n int) []int {
	var out []int
	for i := 0; i < len(text) && len(out) < n; {
		j := strings.IndexByte(text[i:], '=')
		if j < 0 {
			break
		}
		eq := i + j
		i = eq + 1
		k := eq + 1
		for k < len(text) && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r') {
			k++
		}
		if k >= len(text) || text[k] != '{' || eq > 0 && strings.IndexByte("=!<>", text[eq-1]) >= 0 {
			continue
		}
		if stateLHSRe.MatchString(text[max(0, eq-80):eq]) {
			out = append(out, k)
		}
	}
	return out
}

// The keys of a page's state object that name its outlet and its publishing time, as portals
// that render the byline in the browser (Tencent News, Toutiao) write them.
var (
	stateSourceKeys = []string{"media", "media_name", "mediaName", "source", "source_name", "sourceName"}
	stateTimeKeys   = []string{"pubtime", "pubTime", "pub_time", "publish_time", "publishTime", "publishtime"}
)

// scriptState is the outlet and the publishing time a page's state object in a script states,
// as written: what a page whose byline is drawn by script shows no other way. Only objects that
// are JSON are read.
func scriptState(doc *goquery.Document) (source, published string) {
	doc.Find("script:not([src])").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		text := s.Text()
		// Decoding is for the scripts that can hold such an object: ones that name one of the
		// keys, and not the megabyte state blobs of script-rendered sites, whose decoding would
		// cost more than reading the rest of the page.
		if len(text) > 256<<10 || !strings.Contains(text, "=") || !namesStateKey(text) {
			return true
		}
		for _, at := range stateObjects(text, 8) {
			var v map[string]any
			if json.NewDecoder(strings.NewReader(text[at:])).Decode(&v) != nil {
				continue
			}
			if source == "" {
				source = stateName(v, stateSourceKeys)
			}
			if published == "" {
				published = stateString(v, stateTimeKeys)
			}
		}
		return source == "" || published == ""
	})
	return source, published
}

// namesStateKey reports a script that names one of the state keys as a JSON key.
func namesStateKey(text string) bool {
	for _, keys := range [][]string{stateSourceKeys, stateTimeKeys} {
		for _, k := range keys {
			if strings.Contains(text, `"`+k+`"`) {
				return true
			}
		}
	}
	return false
}

func stateString(v map[string]any, keys []string) string {
	for _, k := range keys {
		if s, ok := v[k].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// stateName is the first value under keys that is an outlet's name: short, with letters, no
// address ("source": "web" or a URL is no outlet).
func stateName(v map[string]any, keys []string) string {
	for _, k := range keys {
		s, _ := v[k].(string)
		s = textrule.Collapse(s)
		if n := utf8.RuneCountInString(s); n < 2 || n > 24 || strings.Contains(s, "/") || !hasHan(s) {
			continue
		}
		return s
	}
	return ""
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
