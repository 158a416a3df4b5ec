// Package extract turns fetched pages into Records. It knows every site's markup and nothing of
// fetching or storage: the crawler hands it a Page, it hands back a Record or an error.
package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"
)

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
	// source, summary, id…), or nil. The page wins; the hint only fills gaps (see fillFromHint).
	Hint *Record

	once   sync.Once
	parsed atomic.Bool // Doc has run
	doc    *goquery.Document
	err    error
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

// HostHinter is implemented by extractors that know their site's hosts; the registry asks them
// first for pages from those hosts.
type HostHinter interface {
	Hosts() []string
}

// Registry holds the extractors in the order they are tried. It is built explicitly (see
// Default), so what runs is visible at the call site.
type Registry struct {
	list []Extractor
}

// NewRegistry tries the extractors in the order given, except that those hinting the page's
// host go first.
func NewRegistry(ex ...Extractor) *Registry {
	return &Registry{list: append([]Extractor(nil), ex...)}
}

// Default is the registry the crawl command uses. The site extractors come first, each claiming
// pages by its own markup; a generic fallback, when added, goes last so that it only sees pages
// no site extractor recognized.
func Default() *Registry {
	return NewRegistry(
		NewFeedItem(),
		NewFinewsPage(),
		NewFinewsPost(),
		NewEastmoney(),
	)
}

// Names lists the registered extractors, in order.
func (r *Registry) Names() []string {
	var out []string
	for _, e := range r.list {
		out = append(out, e.Name())
	}
	return out
}

// Extract finds the extractor for the page and runs it. A page no extractor matches gives
// ErrNotArticle. The returned record has passed Finish.
func (r *Registry) Extract(p *Page) (*Record, error) {
	e := r.match(p)
	if e == nil {
		return nil, ErrNotArticle
	}
	rec, err := e.Extract(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name(), err)
	}
	if rec.URL == "" && p.URL != nil {
		rec.URL = p.URL.String()
	}
	fillFromHint(rec, p.Hint)
	if err := rec.Finish(e.Name(), p.FetchedAt); err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name(), err)
	}
	return rec, nil
}

func (r *Registry) match(p *Page) Extractor {
	host := ""
	if p.URL != nil {
		host = strings.ToLower(p.URL.Hostname())
	}
	if host != "" {
		for _, e := range r.list {
			if h, ok := e.(HostHinter); ok && hostIn(host, h.Hosts()) && e.Match(p) {
				return e
			}
		}
	}
	for _, e := range r.list {
		if e.Match(p) {
			return e
		}
	}
	return nil
}

// hostIn reports whether host is one of hosts or a subdomain of one.
func hostIn(host string, hosts []string) bool {
	for _, h := range hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}
