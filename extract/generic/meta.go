// The metadata a page states about itself in its head: titles, dates and source in Open
// Graph, JSON-LD and named metas.

package generic

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/internal/textrule"
)

type pageMeta struct {
	titles    []string // best first: og:title, JSON-LD headline, twitter:title
	h1s       []string // the page's <h1> texts, read before cleaning
	ldDates   []string // JSON-LD datePublished, then dateCreated, as written
	published time.Time
	plainDate time.Time // from a generic date meta (plainMetaDateSelectors)
	marked    time.Time // from an element marked as a date (markedDate)
	source    string
	modified  []string // JSON-LD dateModified, as written
	authors   []string // JSON-LD author names, then the author metas
}

func readMeta(doc *goquery.Document) pageMeta {
	var m pageMeta
	attr := func(sel string) string {
		v, _ := doc.Find(sel).First().Attr("content")
		return strings.TrimSpace(v)
	}
	m.titles = append(m.titles, attr(`meta[property="og:title"]`))
	var created []string
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		var v any
		if json.Unmarshal([]byte(s.Text()), &v) != nil {
			return
		}
		walkLD(v, func(o map[string]any) {
			if h, ok := o["headline"].(string); ok {
				m.titles = append(m.titles, h)
			}
			if d, ok := o["datePublished"].(string); ok {
				m.ldDates = append(m.ldDates, d)
			}
			if d, ok := o["dateCreated"].(string); ok {
				created = append(created, d)
			}
			if d, ok := o["dateModified"].(string); ok {
				m.modified = append(m.modified, d)
			}
			m.authors = append(m.authors, ldNames(o["author"])...)
		})
	})
	m.ldDates = append(m.ldDates, created...)
	m.titles = append(m.titles, attr(`meta[name="twitter:title"]`), attr(`meta[property="twitter:title"]`))
	if v := attr(`meta[name="source"]`); v != "" {
		m.source = v
	}
	for _, sel := range authorMetas {
		m.authors = append(m.authors, attr(sel))
	}
	return m
}

// authorMetas name the writer in the head, best first.
var authorMetas = []string{`meta[name="author"]`, `meta[property="article:author"]`, `meta[name="byl"]`,
	`meta[name="parsely-author"]`, `meta[name="sailthru.author"]`, `meta[name="dc.creator"]`, `meta[name="DC.creator"]`}

// ldNames are the names of a JSON-LD author value: a name, a Person or an array of either.
func ldNames(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		if n, ok := x["name"].(string); ok {
			return []string{n}
		}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, ldNames(e)...)
		}
		return out
	}
	return nil
}

// readHeadings are the texts of the page's <h1>s.
func readHeadings(doc *goquery.Document) []string {
	var out []string
	doc.Find("h1").Each(func(_ int, s *goquery.Selection) {
		if t := textrule.Collapse(s.Text()); t != "" {
			out = append(out, t)
		}
	})
	return out
}

func walkLD(v any, visit func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		visit(x)
		if g, ok := x["@graph"]; ok {
			walkLD(g, visit)
		}
	case []any:
		for _, e := range x {
			walkLD(e, visit)
		}
	}
}
