package extract

import (
	"net/url"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

func TestHintFillsGapsButThePageWins(t *testing.T) {
	p := genPage(t, "generic", "local-news", genFixtureURLs["local-news"])
	p.Hint = &article.Record{
		ID:          "202304181234567890",
		Title:       "a feed's shortened title",
		PublishedAt: time.Date(2023, 4, 17, 0, 0, 0, 0, time.UTC),
		Source:      "feed source",
		Summary:     "摊主们把刚捞上来的海鲜摆上案板。",
		Tags:        []string{"早市"},
	}
	rec, err := NewRegistry(NewGeneric()).Extract(p)
	if err != nil {
		t.Fatal(err)
	}
	// From the page:
	if rec.Title != "沿海小城的早市迎来新一季海鲜上市" || rec.Source != "海滨日报" ||
		!rec.PublishedAt.Equal(time.Date(2023, 4, 18, 7, 45, 0, 0, textrule.Shanghai)) {
		t.Errorf("the hint overrode the page: %q %q %v", rec.Title, rec.Source, rec.PublishedAt)
	}
	// From the hint, where the page had nothing; the info code beats a URL hash.
	if rec.Summary != p.Hint.Summary || len(rec.Tags) != 1 || rec.ID != "NW202304181234567890" {
		t.Errorf("gaps not filled: summary %q tags %v id %q", rec.Summary, rec.Tags, rec.ID)
	}
}

func TestHintIgnoresFeedIdsThatAreNotInfoCodes(t *testing.T) {
	p := genPage(t, "generic", "local-news", genFixtureURLs["local-news"])
	p.Hint = &article.Record{ID: "http://news.example.cn/feed/entry/7"}
	rec, err := NewRegistry(NewGeneric()).Extract(p)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != article.URLID(p.URL.String()) {
		t.Errorf("id %q, want the page's URL id", rec.ID)
	}
}

// A feed that carries the article body (Atom content, Eastmoney's text endpoint) gives the crawler
// an HTML fragment with no title or date of its own: the hint supplies them.
func TestGenericTurnsAFeedBodyFragmentIntoARecordWithItsHint(t *testing.T) {
	u, _ := url.Parse("http://finance.eastmoney.com/a/202304125000000001.html")
	frag := []byte("<p>　　随着算力需求增加，多地数据中心用电量同比上升。</p><p>　　业内人士建议提高可再生能源使用比例。</p>")
	p := article.NewPage(u, "text/html", frag, genFetched)
	if _, err := NewRegistry(NewGeneric()).Extract(p); err == nil {
		t.Fatal("a dateless fragment without a hint became a record")
	}
	p = article.NewPage(u, "text/html", frag, genFetched)
	p.Hint = &article.Record{Title: "数据中心用电需求上升", PublishedAt: time.Date(2023, 4, 12, 20, 10, 0, 0, textrule.Shanghai), Source: "科技日报网"}
	rec, err := NewRegistry(NewGeneric()).Extract(p)
	if err != nil {
		t.Fatal(err)
	}
	want := "随着算力需求增加，多地数据中心用电量同比上升。\n\n业内人士建议提高可再生能源使用比例。"
	if rec.Title != p.Hint.Title || rec.Source != "科技日报网" || rec.Body != want || rec.ID != "NW202304125000000001" {
		t.Errorf("got %+v", rec)
	}
}
