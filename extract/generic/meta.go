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
	source    string
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
		})
	})
	m.ldDates = append(m.ldDates, created...)
	m.titles = append(m.titles, attr(`meta[name="twitter:title"]`), attr(`meta[property="twitter:title"]`))
	if v := attr(`meta[name="source"]`); v != "" {
		m.source = v
	}
	return m
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
