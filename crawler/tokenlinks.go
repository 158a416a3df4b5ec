package crawler

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TokenLinks returns what HTMLLinks returns for the same page, read with the tokenizer instead
// of a parsed tree: a listing no extractor wanted is never built into a tree, whose size (tens
// of megabytes for a 20,000-link category page) would set the crawl's peak memory.
func TokenLinks(base *url.URL, body []byte) []*url.URL {
	var hrefs, feeds []string
	baseHref, hasBase := scanTags(body, func(a atom.Atom, href string) {
		if a == atom.A {
			hrefs = append(hrefs, href)
		} else {
			feeds = append(feeds, href)
		}
	})
	if hasBase {
		if bu, err := base.Parse(baseHref); err == nil {
			base = bu
		}
	}
	l := newLinkSet(base)
	for _, h := range hrefs {
		l.add(h)
	}
	for _, h := range feeds {
		l.add(h)
	}
	return l.out
}

// eachTokenLink calls fn with each link of the page as it streams past, without collecting
// them: on a 20,000-link listing, holding every parsed URL at once was most of the crawl's
// peak heap. Unlike TokenLinks it may repeat a link (the frontier drops repeats) and gives feed
// links in document order among the others. A page with a <base> is read in two passes, since
// the base may come after links it applies to.
func eachTokenLink(base *url.URL, body []byte, fn func(*url.URL)) {
	if bytes.Contains(bytes.ToLower(body), []byte("<base")) {
		for _, u := range TokenLinks(base, body) {
			fn(u)
		}
		return
	}
	l := &linkSet{base: base}
	scanTags(body, func(_ atom.Atom, href string) {
		if u, ok := l.resolve(href); ok {
			fn(u)
		}
	})
}

// scanTags streams the page's tags, calling fn with the href of each a[href] and each
// rss/atom link[rel=alternate], and returns the first <base href>.
func scanTags(body []byte, fn func(a atom.Atom, href string)) (baseHref string, hasBase bool) {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return baseHref, hasBase
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		if !hasAttr || (a != atom.A && a != atom.Link && a != atom.Base) {
			continue
		}
		var href, rel, typ string
		var hasHref bool
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "href":
				if !hasHref {
					href, hasHref = string(v), true
				}
			case "rel":
				rel = string(v)
			case "type":
				typ = string(v)
			}
			if !more {
				break
			}
		}
		if !hasHref {
			continue
		}
		switch a {
		case atom.Base:
			if !hasBase {
				baseHref, hasBase = href, true
			}
		case atom.A:
			fn(a, href)
		case atom.Link:
			if rel == "alternate" && (strings.Contains(typ, "rss") || strings.Contains(typ, "atom")) {
				fn(a, href)
			}
		}
	}
}

// linkSet resolves hrefs against a base, dropping fragments, non-web schemes and repeats.
type linkSet struct {
	base *url.URL
	seen map[string]bool
	out  []*url.URL
}

func newLinkSet(base *url.URL) *linkSet { return &linkSet{base: base, seen: map[string]bool{}} }

func (l *linkSet) add(href string) {
	u, ok := l.resolve(href)
	if !ok {
		return
	}
	if s := u.String(); !l.seen[s] {
		l.seen[s] = true
		l.out = append(l.out, u)
	}
}

// resolve makes href absolute without its fragment; ok is false for what is no page link.
func (l *linkSet) resolve(href string) (*url.URL, bool) {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(href, "javascript:") || strings.HasPrefix(href, "mailto:") {
		return nil, false
	}
	u, err := l.base.Parse(href)
	if err != nil {
		return nil, false
	}
	u.Fragment = ""
	return u, true
}
