package extract

import (
	"net/url"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/article"
)

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
