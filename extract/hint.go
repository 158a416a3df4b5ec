package extract

import (
	"strings"

	"github.com/newsmill/newsmill/article"
)

// fillFromHint completes a record with what a feed or listing said about the page.
//
// The rule: the page wins, the hint fills gaps. A field the extractor read from the page is never
// replaced; an empty one (title, published_at, source, editor, summary, source_url, categories,
// tags, stocks, body, url) is taken from the hint. The one exception is the id: an id that is only
// a hash of the URL ("URL…") yields to an info code from the hint, because the info code is the
// article's identity across every URL it is published under (docs/DESIGN.md). It runs before
// Record.Finish, so a hint can supply a required field the page lacks.
func fillFromHint(rec, hint *article.Record) {
	if rec == nil || hint == nil {
		return
	}
	if code, ok := article.NormalizeID(hint.ID); ok && (rec.ID == "" || strings.HasPrefix(rec.ID, "URL")) {
		rec.ID = code
	}
	if rec.ID == "" && strings.HasPrefix(hint.ID, "URL") {
		rec.ID = hint.ID
	}
	fill := func(dst *string, src string) {
		if strings.TrimSpace(*dst) == "" {
			*dst = strings.TrimSpace(src)
		}
	}
	fill(&rec.URL, hint.URL)
	fill(&rec.SourceURL, hint.SourceURL)
	fill(&rec.Title, hint.Title)
	fill(&rec.Source, hint.Source)
	fill(&rec.Editor, hint.Editor)
	fill(&rec.Summary, hint.Summary)
	fill(&rec.Body, hint.Body)
	if rec.PublishedAt.IsZero() {
		rec.PublishedAt = hint.PublishedAt
	}
	if len(rec.Categories) == 0 {
		rec.Categories = append([]string(nil), hint.Categories...)
	}
	if len(rec.Tags) == 0 {
		rec.Tags = append([]string(nil), hint.Tags...)
	}
	if len(rec.Stocks) == 0 {
		rec.Stocks = append([]string(nil), hint.Stocks...)
	}
}
