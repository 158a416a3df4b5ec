// Package article is the record contract between the stages: the fetched Page the crawler hands
// over, the Record every extractor returns (docs/schema.md), the ids, and the errors that say why
// a page gave no record. It imports no other newsmill package, so the fetch stage can depend on
// it without knowing any site's markup.
package article

import (
	"bytes"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// FeedItemType is the ContentType of a page made from a feed item that carries the article's
// body itself (Eastmoney's JSON lists with `content`/`text`): there is no page to fetch, the
// item is the article.
const FeedItemType = "application/x-newsmill-feed-item"

// Page is one fetched document: an HTML page, a raw post file, a feed item's body.
type Page struct {
	// URL is the address the page was read from, after redirects (http, https or file).
	URL *url.URL
	// ContentType is the media type without parameters ("text/html", "text/markdown"); empty when
	// unknown, in which case extractors look at the bytes.
	ContentType string
	// Body is the page decoded to UTF-8.
	Body []byte
	// FetchedAt is when the bytes were read.
	FetchedAt time.Time
	// LastModified is the response's Last-Modified header, zero when absent (files, feeds): the
	// last date an article page that prints none can be given before its fetch time.
	LastModified time.Time
	// Hint holds the fields a feed or listing already knew about the page (title, published_at,
	// source, summary, id…), or nil. The page wins; the hint only fills gaps.
	Hint *Record
	// ETag is the response's ETag, "" when absent: a page fetched again later (the recheck
	// window) asks "changed since?" with it and with LastModified.
	ETag string
	// Archived is where the response the page was read from is kept in the run's WARC
	// archive; nil when the run keeps none (or the page came from a file).
	Archived *Archived
	// Extracted names the extractor whose record the page gave, set by whoever extracted it (the
	// pipeline), so the fetch stage's per-request debug line can say it; empty otherwise.
	Extracted string

	once   sync.Once
	parsed atomic.Bool // Doc has run
	doc    *goquery.Document
	err    error
}

// Archived says where a response is in a WARC archive: the file (its base name within the
// archive folder), the offset of its response record, and what identifies its payload.
type Archived struct {
	File     string
	Offset   int64
	RecordID string
	Digest   string // WARC-Payload-Digest
	Date     time.Time
	URL      string
}

// NewPage wraps already-decoded bytes.
func NewPage(u *url.URL, contentType string, body []byte, fetchedAt time.Time) *Page {
	return &Page{URL: u, ContentType: contentType, Body: body, FetchedAt: fetchedAt}
}

// Doc parses the body as HTML once and shares the tree between the extractors that look at it.
func (p *Page) Doc() (*goquery.Document, error) {
	p.once.Do(func() {
		p.doc, p.err = goquery.NewDocumentFromReader(bytes.NewReader(p.Body))
		if p.err != nil {
			p.err = fmt.Errorf("parse html: %w", p.err)
		}
		p.parsed.Store(true)
	})
	return p.doc, p.err
}

// Parsed reports whether Doc has already built the tree, so a caller that only needs a pass
// over the tags (the crawler's links) can reuse it, or stream the bytes instead of building
// one for a page no extractor wanted: a 20,000-link listing's tree is tens of megabytes.
func (p *Page) Parsed() bool { return p.parsed.Load() }

// IsHTML reports whether the page should be read as HTML.
func (p *Page) IsHTML() bool {
	switch p.ContentType {
	case "text/html", "application/xhtml+xml":
		return true
	case "":
		head := bytes.ToLower(bytes.TrimSpace(p.Body[:min(len(p.Body), 512)]))
		return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html"))
	}
	return false
}

// Extractor reads the articles of one site (or one kind of page).
type Extractor interface {
	// Name is written to every record as "extractor".
	Name() string
	// Match reports whether the page carries this extractor's markup signature. It looks at the
	// page, not only the host, so mirrors and saved copies are recognized too.
	Match(p *Page) bool
	// Extract reads the record. It is called only after Match returned true; an error wraps
	// ErrMissingField, ErrMalformed or ErrNotArticle.
	Extract(p *Page) (*Record, error)
}
