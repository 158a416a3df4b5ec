package extract

import (
	"net/url"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/extract/generic"
)

// PageCanonical is the URL a page says it lives at (<link rel="canonical">, else og:url), or
// pageURL when it makes none that holds, in canonical form. The generic extractor owns the rule
// (generic.PageCanonical); site extractors read it here.
func PageCanonical(pageURL *url.URL, doc *goquery.Document) *url.URL {
	return generic.PageCanonical(pageURL, doc)
}
