package article

import (
	"slices"
	"testing"
	"time"
)

func TestChangedNamesTheFieldsOfTheArticleThatDiffer(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	base := Record{ID: "NW1", URL: "http://a/1", Title: "T", PublishedAt: time.Date(2026, 12, 7, 9, 0, 0, 0, sh),
		Body: "a\n\nb", Stocks: []string{"600000.SH"}, FetchedAt: time.Now(), Extractor: "finews", ContentHash: HashBody("a\n\nb")}
	same := base
	same.URL, same.FetchedAt, same.Extractor, same.ModifiedAt = "http://a/1?x", time.Now().Add(time.Hour), "generic", time.Now()
	if got := Changed(&base, &same); got != nil {
		t.Errorf("a refetch at another time and URL changed %v, want nothing", got)
	}
	next := base
	next.Title, next.Body, next.Stocks = "T (updated)", "a\n\nb\n\nc", nil
	next.PublishedAt = base.PublishedAt.UTC() // the same instant restated in UTC
	if got, want := Changed(&base, &next), []string{"title", "published_at", "body", "stocks"}; !slices.Equal(got, want) {
		t.Errorf("Changed = %v, want %v", got, want)
	}
}

func TestReviseCountsOnFromThePreviousRevision(t *testing.T) {
	prev := &Record{ContentHash: "sha256:1"}
	next := &Record{ContentHash: "sha256:2"}
	seen := time.Date(2026, 12, 7, 10, 0, 0, 500, time.UTC)
	Revise(prev, next, []string{"body"}, seen)
	if next.Revision != 2 || next.RevisionOf != "sha256:1" || !next.ModifiedAt.Equal(seen.Truncate(time.Second)) {
		t.Errorf("revision of a first record: %+v", next)
	}
	third := &Record{ModifiedAt: time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)}
	Revise(next, third, []string{"title"}, seen)
	if third.Revision != 3 || third.RevisionOf != "sha256:2" || third.ModifiedAt.Hour() != 9 {
		t.Errorf("a page's own modified_at is kept: %+v", third)
	}
}
