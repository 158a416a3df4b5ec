package extract

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
)

// cnfinanceWant is what testdata/cnfinance/expected.json says each page of the Chinese finance
// portals' templates must give.
type cnfinanceWant struct {
	URL         string `json:"url"`
	Title       string `json:"title"`
	PublishedAt string `json:"published_at"`
	Source      string `json:"source"`
	Author      string `json:"author"`
	Body        string `json:"body"`
}

// cnfinancePages reads the expected fields and the pages as the crawler hands them over:
// decoded from the charset they declare (GBK and GB2312 on the older templates).
func cnfinancePages(t *testing.T) (map[string]cnfinanceWant, []string) {
	t.Helper()
	dir := filepath.Join(fixtureDir, "cnfinance")
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]cnfinanceWant{}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pages {
		names = append(names, filepath.Base(p))
	}
	sort.Strings(names)
	if len(names) != len(want) {
		t.Fatalf("%d pages but %d entries in expected.json: every page needs its fields", len(names), len(want))
	}
	return want, names
}

func cnfinancePage(t *testing.T, name, rawURL string) *article.Page {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "cnfinance", name))
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := crawler.Decode("text/html", raw)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return article.NewPage(u, "text/html", text, fixtureFetchedAt)
}

func TestEveryChineseFinancePortalTemplateGivesItsTitleTimeSourceAuthorAndBodyExactly(t *testing.T) {
	want, names := cnfinancePages(t)
	reg := WithFallback(Default(), nil)
	right := map[string]int{}
	for _, name := range names {
		w, ok := want[name]
		if !ok {
			t.Errorf("%s has no entry in expected.json", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			rec, err := reg.Extract(cnfinancePage(t, name, w.URL))
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			right["emitted"]++
			if rec.Extractor != "generic" {
				t.Errorf("extractor %q, want generic", rec.Extractor)
			}
			check := func(field, got, want string) {
				if got != want {
					t.Errorf("%s %q, want %q", field, got, want)
					return
				}
				right[field]++
			}
			check("title", rec.Title, w.Title)
			check("published_at", rec.PublishedAt.Format(time.RFC3339), w.PublishedAt)
			check("source", rec.Source, w.Source)
			check("author", rec.Author, w.Author)
			check("body", rec.Body, w.Body)
		})
	}
	t.Logf("of %d pages: %v", len(names), right)
}
