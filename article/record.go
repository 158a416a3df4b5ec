package article

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// SchemaVersion is the version of the JSONL record contract described in docs/schema.md.
// Adding an optional field keeps the version; renaming, removing or changing the meaning of a
// field bumps it.
const SchemaVersion = 1

// Record is one normalized article: the public contract every extractor fills and every
// downstream job reads. Optional fields carry omitempty so "unknown" is an absent key, never "".
type Record struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	SourceURL   string    `json:"source_url,omitempty"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at"`
	// ModifiedAt is when the page says the article was last changed, apart from PublishedAt
	// (an update, a live blog's latest entry); on a revision whose page says nothing, when
	// newsmill first saw the change (docs/schema.md). omitzero, not omitempty: encoding/json
	// writes a zero time.Time under omitempty, and an unknown time is absent.
	ModifiedAt  time.Time `json:"modified_at,omitzero"`
	DateSource  string    `json:"date_source,omitempty"`
	Source      string    `json:"source,omitempty"`
	Editor      string    `json:"editor,omitempty"`
	Author      string    `json:"author,omitempty"`
	Categories  []string  `json:"categories,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	Summary     string    `json:"summary,omitempty"`
	Body        string    `json:"body"`
	Stocks      []string  `json:"stocks,omitempty"`
	FetchedAt   time.Time `json:"fetched_at"`
	Extractor   string    `json:"extractor"`
	ContentHash string    `json:"content_hash"`
	// ClusterID is the id of the first record of the same story (syndication): the record's own
	// id when it starts one. Set by the pipeline, not by extractors.
	ClusterID     string `json:"cluster_id,omitempty"`
	SchemaVersion int    `json:"schema_version"`
	// Revision is 1 for an id's first record and counts up with each change (Changed) a
	// refetch or a re-extraction found; RevisionOf is the content_hash of the revision before.
	Revision   int      `json:"revision,omitempty"`
	RevisionOf string   `json:"revision_of,omitempty"`
	Changed    []string `json:"changed,omitempty"`
}

// Where a record's published_at came from (Record.DateSource), on the generic extractor's records.
const (
	DateFromPage    = "page"    // the page's metadata or text
	DateFromURL     = "url"     // a /2019/11/20/ day in its address
	DateFromFeed    = "feed"    // the feed or news sitemap entry that led to the page
	DateFromHTTP    = "http"    // the response's Last-Modified header
	DateFromFetched = "fetched" // no date anywhere: the time the page was first fetched
)

// HashBody returns the content_hash of a body: "sha256:" and the hex digest of its UTF-8 bytes.
func HashBody(body string) string {
	// Fed through a small buffer: []byte(body) would copy the whole body (a page's worth of
	// text) only to hash it.
	h := sha256.New()
	var buf [32 << 10]byte
	for len(body) > 0 {
		n := copy(buf[:], body)
		h.Write(buf[:n])
		body = body[n:]
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Finish fills the fields every record derives the same way and checks the required ones, so no
// extractor can hand out half a record.
func (r *Record) Finish(extractor string, fetchedAt time.Time) error {
	r.Title = strings.TrimSpace(r.Title)
	r.Extractor = extractor
	r.FetchedAt = fetchedAt.UTC().Truncate(time.Second)
	r.ContentHash = HashBody(r.Body)
	r.SchemaVersion = SchemaVersion
	r.Author = strings.TrimSpace(r.Author)
	if !r.ModifiedAt.IsZero() && !r.ModifiedAt.After(r.PublishedAt) {
		// A "modified" time at or before the publishing time says nothing more than it.
		r.ModifiedAt = time.Time{}
	}
	return r.Validate()
}

// Validate reports the first required field that is missing.
func (r *Record) Validate() error {
	switch {
	case r.ID == "":
		return fmt.Errorf("%w: id", ErrMissingField)
	case r.URL == "":
		return fmt.Errorf("%w: url", ErrMissingField)
	case r.Title == "":
		return fmt.Errorf("%w: title", ErrMissingField)
	case r.PublishedAt.IsZero():
		return fmt.Errorf("%w: published_at", ErrMissingField)
	case strings.TrimSpace(r.Body) == "":
		return fmt.Errorf("%w: body", ErrMissingField)
	}
	return nil
}
