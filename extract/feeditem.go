package extract

import (
	"fmt"
	"strings"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract/emtext"
)

// FeedItem reads feed items that deliver their body as HTML. The body goes through the same
// normalizer as Eastmoney's pages (stock-chart blocks, `<!--IMG#0-->` placeholders, attribution
// and editor lines are dropped; stocks collected); every other field comes from the item.
type FeedItem struct{}

// NewFeedItem returns the feed-item extractor.
func NewFeedItem() *FeedItem { return &FeedItem{} }

// Name implements Extractor.
func (FeedItem) Name() string { return "feed-item" }

// Match implements Extractor: only pages the crawler made from a feed item.
func (FeedItem) Match(p *article.Page) bool {
	return p.ContentType == article.FeedItemType && p.Hint != nil
}

// Extract implements Extractor.
func (FeedItem) Extract(p *article.Page) (*article.Record, error) {
	text, err := emtext.NormalizeHTML(string(p.Body), emtext.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w: item body: %v", article.ErrMalformed, err)
	}
	h := p.Hint
	rec := &article.Record{
		ID: h.ID, URL: h.URL, SourceURL: h.SourceURL, Title: strings.TrimSpace(h.Title), PublishedAt: h.PublishedAt,
		Source: h.Source, Summary: h.Summary, Body: text.Body(), Stocks: text.Stocks, Editor: text.Editor,
	}
	if text.Source != "" {
		rec.Source = text.Source // the body's own attribution line is more exact than a list's media name
	}
	if rec.ID == "" && p.URL != nil {
		if id, ok := article.IDFromURL(p.URL); ok {
			rec.ID = id
		} else {
			rec.ID = article.URLID(p.URL.String())
		}
	}
	return rec, nil
}
