package extract

import (
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/extract/emtext"
	"github.com/newsmill/newsmill/extract/generic"
)

// NewGeneric returns the fallback extractor (package generic) with the Eastmoney stock reader
// wired in: register it last, as WithFallback does.
func NewGeneric() *generic.Generic {
	return generic.New(generic.WithStocks(bodyStocks))
}

// bodyStocks are the securities linked with Eastmoney's data-code markup inside the nodes the
// generic extractor chose as the body (never a portal's sidebar of quotes).
func bodyStocks(nodes ...*html.Node) []string {
	return emtext.Normalize(emtext.Options{}, nodes...).Stocks
}
