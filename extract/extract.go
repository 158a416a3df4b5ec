// Package extract turns fetched pages into Records. It knows every site's markup and nothing of
// fetching or storage: the crawler hands it a Page, it hands back a Record or an error.
package extract

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract/emtext"
	"github.com/newsmill/newsmill/internal/textrule"
)

// HostHinter is implemented by extractors that know their site's hosts; the registry asks them
// first for pages from those hosts.
type HostHinter interface {
	Hosts() []string
}

// Registry holds the extractors in the order they are tried. It is built explicitly (see
// Default), so what runs is visible at the call site.
type Registry struct {
	list []article.Extractor
}

// NewRegistry tries the extractors in the order given, except that those hinting the page's
// host go first.
func NewRegistry(ex ...article.Extractor) *Registry {
	return &Registry{list: append([]article.Extractor(nil), ex...)}
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
func (r *Registry) Extract(p *article.Page) (*article.Record, error) {
	e := r.match(p)
	if e == nil {
		return nil, article.ErrNotArticle
	}
	rec, err := e.Extract(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name(), err)
	}
	if rec.URL == "" && p.URL != nil {
		rec.URL = p.URL.String()
	}
	fillFromHint(rec, p.Hint)
	// Codes written in the text count on every path, site extractors', rules', feeds' and
	// generic's alike; the markup's codes (Eastmoney's data-code) stay first.
	rec.Stocks = textrule.MergeStocks(rec.Stocks, textrule.TextStocks(rec.Title, rec.Summary, rec.Body))
	if err := rec.Finish(e.Name(), p.FetchedAt); err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name(), err)
	}
	return rec, nil
}

func (r *Registry) match(p *article.Page) article.Extractor {
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

// pageRoot is the parsed page an extractor scans: a page the parser cannot read is malformed,
// one with no document is no article.
func pageRoot(p *article.Page) (*html.Node, error) {
	doc, err := p.Doc()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", article.ErrMalformed, err)
	}
	if len(doc.Nodes) == 0 {
		return nil, article.ErrNotArticle
	}
	return doc.Nodes[0], nil
}

// selfURLs are the addresses a page claims for itself in its head, the first of each kind.
type selfURLs struct {
	canonical string // <link rel="canonical" href>
	ogURL     string // <meta property="og:url" content>
}

// read takes a <link> or <meta> element's claim; it reports whether c was such an element
// (which has no content to walk).
func (s *selfURLs) read(c *html.Node) bool {
	switch c.DataAtom {
	case atom.Link:
		if s.canonical == "" && strings.EqualFold(emtext.Attr(c, "rel"), "canonical") {
			s.canonical = strings.TrimSpace(emtext.Attr(c, "href"))
		}
		return true
	case atom.Meta:
		if s.ogURL == "" && emtext.Attr(c, "property") == "og:url" {
			s.ogURL = strings.TrimSpace(emtext.Attr(c, "content"))
		}
		return true
	}
	return false
}

// each lists the claimed addresses, canonical first, skipping absent ones.
func (s *selfURLs) each() []string {
	var out []string
	for _, u := range []string{s.canonical, s.ogURL} {
		if u != "" {
			out = append(out, u)
		}
	}
	return out
}
