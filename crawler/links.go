package crawler

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLLinks resolves every a[href] and alternate feed link of a parsed page against base (or the
// page's <base href>), without fragments, each once: page links first, then feed links.
func HTMLLinks(base *url.URL, doc *goquery.Document) []*url.URL {
	return collectLinks(base, func(fn func(a atom.Atom, href string)) (string, bool) {
		return treeTags(doc.Nodes, fn)
	})
}

// TokenLinks returns what HTMLLinks returns for the same page, read with the tokenizer instead
// of a parsed tree: a listing no extractor wanted is never built into a tree, whose size (tens
// of megabytes for a 20,000-link category page) would set the crawl's peak memory.
func TokenLinks(base *url.URL, body []byte) []*url.URL {
	return collectLinks(base, func(fn func(a atom.Atom, href string)) (string, bool) {
		return scanTags(body, fn)
	})
}

// collectLinks runs one pass of a tag scanner and resolves what it found, page links first.
func collectLinks(base *url.URL, scan func(fn func(a atom.Atom, href string)) (string, bool)) []*url.URL {
	var hrefs, feeds []string
	baseHref, hasBase := scan(func(a atom.Atom, href string) {
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

// linkTags is the one rule for which tags carry links, whether read from tokens or from a tree:
// it is given one tag's name and attributes, calls fn with the href of an a[href] or of an RSS
// or Atom link[rel=alternate], and reports a <base href> as base.
type linkTags struct {
	fn       func(a atom.Atom, href string)
	baseHref string
	hasBase  bool
}

func (l *linkTags) tag(a atom.Atom, href string, hasHref bool, rel, typ string) {
	if !hasHref {
		return
	}
	switch a {
	case atom.Base:
		if !l.hasBase {
			l.baseHref, l.hasBase = href, true
		}
	case atom.A:
		l.fn(a, href)
	case atom.Link:
		if rel == "alternate" && (strings.Contains(typ, "rss") || strings.Contains(typ, "atom")) {
			l.fn(a, href)
		}
	}
}

// treeTags walks parsed nodes in document order with the linkTags rule.
func treeTags(nodes []*html.Node, fn func(a atom.Atom, href string)) (baseHref string, hasBase bool) {
	l := linkTags{fn: fn}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.DataAtom == atom.A || n.DataAtom == atom.Link || n.DataAtom == atom.Base) {
			var href, rel, typ string
			var hasHref bool
			for _, at := range n.Attr {
				switch {
				case at.Namespace != "":
				case at.Key == "href" && !hasHref:
					href, hasHref = at.Val, true
				case at.Key == "rel":
					rel = at.Val
				case at.Key == "type":
					typ = at.Val
				}
			}
			l.tag(n.DataAtom, href, hasHref, rel, typ)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return l.baseHref, l.hasBase
}

// scanTags streams the page's tags with the linkTags rule.
func scanTags(body []byte, fn func(a atom.Atom, href string)) (baseHref string, hasBase bool) {
	l := linkTags{fn: fn}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return l.baseHref, l.hasBase
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
		l.tag(a, href, hasHref, rel, typ)
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
