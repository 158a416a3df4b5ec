package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	htmldate "github.com/markusmobius/go-htmldate"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
)

// TestDateFinders measures the generic extractor's date rules beside go-htmldate (trafilatura's
// date finder, ported) on the pages of ../shared/extraction whose truth has a day: the share of
// pages each gets right to the day, failing if the library gets more right (docs/extractors.md
// keeps the own rules for that figure). Run: cd bench && go test -run TestDateFinders -v
func TestDateFinders(t *testing.T) {
	dayRe := regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})`)
	for _, set := range []string{"cwced", "zyte"} {
		dir, _ := filepath.Abs(filepath.Join("..", "..", "shared", "extraction", set))
		f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
		if err != nil {
			t.Skipf("no extraction set at %s", dir)
		}
		t.Logf("extraction set: %s", dir)
		var pages, ours, lib, both int
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var tr struct {
				ID          string  `json:"id"`
				URL         string  `json:"url"`
				PublishedAt *string `json:"published_at"`
			}
			if err := json.Unmarshal(sc.Bytes(), &tr); err != nil {
				t.Fatal(err)
			}
			if tr.PublishedAt == nil {
				continue
			}
			m := dayRe.FindStringSubmatch(*tr.PublishedAt)
			if m == nil {
				continue
			}
			want, _ := time.Parse("2006-1-2", m[1]+"-"+m[2]+"-"+m[3])
			raw, err := os.ReadFile(filepath.Join(dir, "pages", tr.ID+".html"))
			if err != nil {
				t.Fatal(err)
			}
			body, _, err := crawler.Decode("", raw)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			u := &url.URL{Scheme: "file", Path: "/" + tr.ID + ".html"}
			rec, err := extract.NewRegistry(extract.NewGeneric()).Extract(article.NewPage(u, "text/html", body, time.Now()))
			okOurs := err == nil && rec.DateSource == article.DateFromPage && rec.PublishedAt.Format("2006-01-02") == want.Format("2006-01-02")
			root, _ := html.Parse(bytes.NewReader(body))
			res, err := htmldate.FromDocument(root, htmldate.Options{UseOriginalDate: true, URL: tr.URL})
			okLib := err == nil && res.DateTime.Format("2006-01-02") == want.Format("2006-01-02")
			ours += b2i(okOurs)
			lib += b2i(okLib)
			both += b2i(okOurs && okLib)
			if testing.Verbose() && okOurs != okLib {
				t.Logf("%s %s: truth %s, generic %v (%v), htmldate %v", set, tr.ID[:8], *tr.PublishedAt, published(rec), err, res.DateTime)
			}
		}
		if pages == 0 {
			t.Logf("%s: no dated pages in the truth", set)
			continue
		}
		t.Logf("%s: %d dated pages, day right: generic %.3f, go-htmldate %.3f, both %d", set, pages,
			float64(ours)/float64(pages), float64(lib)/float64(pages), both)
		// docs/extractors.md keeps the own rules because they beat the library here.
		if ours < lib {
			t.Errorf("%s: the generic rules get %d days right, go-htmldate %d: the reason to keep them is gone", set, ours, lib)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func published(r *article.Record) time.Time {
	if r == nil {
		return time.Time{}
	}
	return r.PublishedAt
}
