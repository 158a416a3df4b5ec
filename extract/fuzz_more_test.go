package extract

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsmill/newsmill/article"
)

// FuzzFeedItem: an item's HTML body comes straight from a JSON feed, unchecked by any template.
func FuzzFeedItem(f *testing.F) {
	body, err := os.ReadFile(filepath.Join(fixtureDir, "feed-item", "item-content.html"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add([]byte(`<!--IMG#0-->`))                            // nothing but a placeholder: no body, no record
	f.Add([]byte(`<p class="em_media">（文章来源：</p>`))          // an attribution cut off before its name
	f.Add([]byte(`<span id="stock_1.600160"><!--Link#1-->`)) // unclosed stock link
	u, _ := url.Parse("https://finance.eastmoney.com/a/202201211234567890.html")
	hint := &article.Record{ID: "NW202201211234567890", URL: u.String(), Title: "标题", PublishedAt: time.Unix(1642759500, 0)}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := article.NewPage(u, article.FeedItemType, b, time.Unix(0, 0))
		p.Hint = hint
		rec, err := Default().Extract(p)
		if err != nil {
			if !errors.Is(err, article.ErrMissingField) && !errors.Is(err, article.ErrMalformed) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if rec.Body == "" || rec.ID != hint.ID || (utf8.Valid(b) && !utf8.ValidString(rec.Body)) {
			t.Fatalf("half a record: %+v", rec)
		}
	})
}

// FuzzRulesExtract: a site rule runs the user's selectors over any page of its host.
func FuzzRulesExtract(f *testing.F) {
	for _, name := range []string{"story.html", "story-plain.html", "section.html"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, "rules", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<div class="headline"></div><span class="when">13/45/2023 99:99</span><div class="story-body">`)) // the rule's elements, empty, with an impossible time
	rules, err := NewRules([]Rule{gangcheng})
	if err != nil {
		f.Fatal(err)
	}
	fuzzExtractor(f, rules.Extractors()[0], "http://gangcheng.example.cn/news/2023/0530/101.html")
}
