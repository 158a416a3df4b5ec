package article

import (
	"slices"
	"time"
)

// Changed names the fields in which next differs from prev, by their JSON names, in the
// record's order; nil when it is the same article text. What says where or when the page was
// read (url, fetched_at), what read it (extractor), what derives from the rest (content_hash,
// schema_version), the page's modified_at (a page that restamps it on every render would revise
// itself forever) and the revision fields are not compared.
func Changed(prev, next *Record) []string {
	var out []string
	add := func(name string, differs bool) {
		if differs {
			out = append(out, name)
		}
	}
	add("source_url", prev.SourceURL != next.SourceURL)
	add("title", prev.Title != next.Title)
	add("published_at", !sameTime(prev.PublishedAt, next.PublishedAt))
	add("date_source", prev.DateSource != next.DateSource)
	add("source", prev.Source != next.Source)
	add("editor", prev.Editor != next.Editor)
	add("categories", !slices.Equal(prev.Categories, next.Categories))
	add("tags", !slices.Equal(prev.Tags, next.Tags))
	add("summary", prev.Summary != next.Summary)
	add("body", prev.Body != next.Body)
	add("stocks", !slices.Equal(prev.Stocks, next.Stocks))
	return out
}

// sameTime compares instants and their offsets: a time restated in another zone is written
// differently, so it is a change of the record's text.
func sameTime(a, b time.Time) bool {
	_, oa := a.Zone()
	_, ob := b.Zone()
	return a.Equal(b) && oa == ob
}

// Revise makes next the revision after prev: its number, the hash it follows and the fields
// that changed. A next whose page states no modified_at gets seen (when the change was found),
// unless the change is the extractors' own (reextract passes a zero seen).
func Revise(prev, next *Record, changed []string, seen time.Time) {
	next.Revision = max(prev.Revision, 1) + 1
	next.RevisionOf = prev.ContentHash
	next.Changed = changed
	if next.ModifiedAt.IsZero() && !seen.IsZero() {
		next.ModifiedAt = seen.UTC().Truncate(time.Second)
	}
}
