package crawler

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsmill/newsmill/article"
)

// headScanLimit bounds how far claimedCanonical reads for the page's head.
const headScanLimit = 64 << 10

// claimedCanonical is the URL an HTML page names as its own (article.ClaimedCanonical), read
// from its head with the tokenizer; nil when it names none that holds. The crawl marks it
// visited, so the same article linked elsewhere under that URL is not fetched again.
func claimedCanonical(base *url.URL, body []byte) *url.URL {
	var canonical, ogURL string
	z := html.NewTokenizer(bytes.NewReader(body[:min(len(body), headScanLimit)]))
	for canonical == "" || ogURL == "" {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		if a == atom.Body {
			break
		}
		if !hasAttr || (a != atom.Link && a != atom.Meta) {
			continue
		}
		var rel, href, property, content string
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			switch string(k) {
			case "rel":
				rel = string(v)
			case "href":
				href = string(v)
			case "property":
				property = string(v)
			case "content":
				content = string(v)
			}
		}
		switch {
		case a == atom.Link && hasToken(rel, "canonical") && canonical == "":
			canonical = href
		case a == atom.Meta && property == "og:url" && ogURL == "":
			ogURL = content
		}
	}
	return article.ClaimedCanonical(base, canonical, ogURL)
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
