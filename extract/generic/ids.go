// The record id: an info code in the URL, else the URL the page claims for itself.

package generic

import (
	"net/url"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/article"
)

// idFor is the info code in the page's URL or else in its canonical URL (NW + a bare
// 17/18-digit Eastmoney article number), else the URL id of the canonical URL (PageCanonical):
// the same article under another query string, or naming itself by rel=canonical, keeps one id.
func idFor(u, canon *url.URL) string {
	for _, c := range []*url.URL{u, canon} {
		if id, ok := infoCodeRe(c); ok {
			return id
		}
	}
	if canon == nil {
		canon = u
	}
	return article.URLID(canon.String())
}

func infoCodeRe(u *url.URL) (string, bool) {
	if u == nil {
		return "", false
	}
	if id, ok := article.IDFromURL(u); ok {
		return id, true
	}
	if id, ok := article.FindID(u.EscapedPath()); ok {
		return id, true
	}
	return article.FindID(u.RawQuery)
}

// PageCanonical is the URL a page says it lives at (<link rel="canonical">, else og:url), as
// article.ClaimedCanonical reads such claims, or pageURL when it makes none that holds; either way in
// canonical form (article.CanonicalURL).
func PageCanonical(pageURL *url.URL, doc *goquery.Document) *url.URL {
	if pageURL == nil {
		return nil
	}
	if u := article.ClaimedCanonical(pageURL,
		doc.Find(`link[rel~="canonical"][href]`).First().AttrOr("href", ""),
		doc.Find(`meta[property="og:url"][content]`).First().AttrOr("content", "")); u != nil {
		return u
	}
	return article.CanonicalURL(pageURL)
}
