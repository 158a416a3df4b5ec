package crawler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// Eastmoney's JSON(P) news lists. One family of endpoints, many spellings: the same field is
// `code`, `Art_Code` or `infoCode`, a time is `showTime`, `showtime`, `Art_CreateTime` or
// `datetime`, a link is `url`, `url_w`, `uniqueUrl` or `Art_UniqueUrl`. Keys are therefore
// reduced to one canonical spelling (jsonKey) before anything is read.

var jsonpRe = regexp.MustCompile(`(?s)^(?:var\s+[\w$]+\s*=\s*|[\w$.]+\s*\(\s*)(.*?)\s*\)?\s*;?\s*$`)

// itemPaths are where Eastmoney's endpoints put their lists (keys compared canonically), tried
// before a generic search.
var itemPaths = [][]string{
	{"data", "fastnewslist"}, {"data", "list"}, {"liveslist"}, {"result", "data"}, {"data", "items"},
	{"data"}, {"result", "list"}, {"result"}, {"records"}, {"nodelist"}, {"record"}, {"list"},
	{"news"}, {"items"},
}

// Canonical keys of what an item says, most specific first.
var (
	urlKeys     = []string{"url", "uniqueurl", "urlw", "urlunique", "link", "urlm"}
	idKeys      = []string{"infocode", "code", "newsid", "id"}
	titleKeys   = []string{"title", "simtitle"}
	timeKeys    = []string{"showtime", "createtime", "publishtime", "pubtime", "ptime", "datetime", "ordertime", "date", "time"}
	sourceKeys  = []string{"medianame", "mediasource", "source", "from", "media"}
	summaryKeys = []string{"summary", "digest", "simdigest", "abstract", "snippet"}
	bodyKeys    = []string{"content", "text", "body"}
)

// artFields are the keys the search endpoints spell with an `Art_` (or `art`) prefix.
var artFields = map[string]bool{
	"code": true, "title": true, "url": true, "uniqueurl": true, "createtime": true, "showtime": true,
	"medianame": true, "image": true, "content": true, "source": true,
}

// jsonKey is the canonical spelling of a key: lower case, no underscores, no `Art_` prefix.
// `Art_Content` is the search endpoints' highlighted snippet of the article, never its body, so
// it becomes "snippet", a summary.
func jsonKey(k string) string {
	l := strings.ToLower(k)
	rest, prefixed := strings.CutPrefix(l, "art_")
	if !prefixed {
		if r, ok := strings.CutPrefix(l, "art"); ok && artFields[strings.ReplaceAll(r, "_", "")] {
			rest, prefixed = r, true
		}
	}
	if prefixed {
		l = strings.ReplaceAll(rest, "_", "")
		if l == "content" {
			return "snippet"
		}
		return l
	}
	return strings.ReplaceAll(l, "_", "")
}

// canonicalKeys re-keys an object by jsonKey. Where two keys meet (`url` and `Art_Url`), the
// first non-empty one in key order wins, so the choice does not depend on map order.
func canonicalKeys(m map[string]any) map[string]any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]any, len(m))
	for _, k := range keys {
		ck := jsonKey(k)
		if have, dup := out[ck]; dup && !empty(have) {
			continue
		}
		out[ck] = m[k]
	}
	return out
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

// eastmoneyArticleURL is where an Eastmoney article number (or its NW code) is published. The
// 7×24 list gives nothing else: its items are read by fetching this page.
const eastmoneyArticleURL = "https://finance.eastmoney.com/a/%s.html"

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
		f.add(jsonItem(base, o))
	}
	if len(f.Items) == 0 {
		return nil, fmt.Errorf("parse json feed: no item has a url, an article number or content: %w", ErrNotFeed)
	}
	return f, nil
}

// jsonItem reads one canonically keyed news object.
func jsonItem(base *url.URL, o map[string]any) FeedItem {
	it := FeedItem{
		URL:         jsonURL(base, str(o, urlKeys...)),
		ID:          str(o, idKeys...),
		Title:       textOf(str(o, titleKeys...)),
		Source:      clean(str(o, sourceKeys...)),
		ContentHTML: str(o, bodyKeys...),
		Stocks:      stockList(o["stocklist"]),
	}
	it.Summary = dropTitleLead(textOf(str(o, summaryKeys...)), it.Title)
	it.Published = feedTime(str(o, timeKeys...))
	if it.ID == "" && base != nil && it.ContentHTML != "" {
		// The text endpoint (GetNewsText.do?id=<infoCode>) names the article only in its URL.
		it.ID = base.Query().Get("id")
	}
	if it.URL == "" && it.ContentHTML == "" {
		if n, ok := articleNumber(it.ID); ok {
			it.URL = fmt.Sprintf(eastmoneyArticleURL, n)
		}
	}
	return it
}

// jsonURL resolves an item's link. Saved lists have no base: a protocol-relative link is then
// https, and a relative one unusable.
func jsonURL(base *url.URL, ref string) string {
	if base == nil || base.Scheme == "file" {
		if strings.HasPrefix(ref, "//") {
			ref = "https:" + ref
		}
		return resolve(nil, ref)
	}
	return resolve(base, ref)
}

// articleNumber returns the article number of a bare number or an NW code: the article has a
// page on finance.eastmoney.com. Other codes (AN announcements, AP reports) have none there.
func articleNumber(id string) (string, bool) {
	norm, ok := article.NormalizeID(id)
	if !ok || !strings.HasPrefix(norm, "NW") {
		return "", false
	}
	return norm[2:], true
}

// stockList reads the 7×24 list's `stockList` ("1.600000", "0.300750"; an array or one
// comma-separated string) as "600000.SH"; sector boards (90.BK…) are no securities.
func stockList(v any) []string {
	var raw []string
	switch x := v.(type) {
	case string:
		raw = strings.Split(x, ",")
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				raw = append(raw, s)
			}
		}
	}
	var out []string
	for _, r := range raw {
		if s, ok := textrule.StockFromSecID(strings.TrimSpace(r)); ok && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// dropTitleLead removes the `【title】` that opens Eastmoney's digests: it repeats the title.
func dropTitleLead(summary, title string) string {
	rest, ok := strings.CutPrefix(summary, "【")
	if !ok {
		return summary
	}
	end := strings.Index(rest, "】")
	if end < 0 {
		return summary
	}
	lead, t := clean(rest[:end]), clean(strings.Trim(title, "【】"))
	if lead == "" || t == "" || (lead != t && !strings.Contains(t, lead) && !strings.Contains(lead, t)) {
		return summary
	}
	return clean(rest[end+len("】"):])
}

// findItems returns the news objects of a JSON document, canonically keyed: first at a known
// path, else the largest array of objects that look like news anywhere in it; a lone object with
// a body (Eastmoney's article text endpoint) is a one-item list.
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

// at follows path through objects, comparing keys canonically.
func at(v any, path []string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = nil
		for mk, mv := range m {
			if jsonKey(mk) == k && !empty(mv) {
				v = mv
				break
			}
		}
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

// newsObjects returns v's objects that have a title and something to identify or fetch them by;
// a lone object counts when it carries a body.
func newsObjects(v any) []map[string]any {
	var arr []any
	switch x := v.(type) {
	case []any:
		arr = x
	case map[string]any:
		if o := canonicalKeys(x); str(o, bodyKeys...) != "" {
			return []map[string]any{o}
		}
	}
	var out []map[string]any
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		o := canonicalKeys(m)
		if str(o, titleKeys...) == "" {
			continue
		}
		if str(o, urlKeys...) == "" && str(o, idKeys...) == "" && str(o, bodyKeys...) == "" {
			continue
		}
		out = append(out, o)
	}
	return out
}

// str returns the first non-empty value among keys (canonical) as a string.
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
