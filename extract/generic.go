package extract

import (
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/extract/emtext"
	"github.com/newsmill/newsmill/extract/generic"
)

// NewGeneric returns the fallback extractor (package generic) with the Eastmoney stock reader
// wired in, and the options given (generic.WithLearner): register it last, as WithFallback does.
func NewGeneric(opts ...generic.Option) *generic.Generic {
	return generic.New(append([]generic.Option{generic.WithStocks(bodyStocks)}, opts...)...)
}

// bodyStocks are the securities linked with Eastmoney's data-code markup inside the nodes the
// generic extractor chose as the body (never a portal's sidebar of quotes).
func bodyStocks(nodes ...*html.Node) []string {
	return emtext.Normalize(emtext.Options{}, nodes...).Stocks
}
