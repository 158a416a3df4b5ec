package extract

import (
	"net/url"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
)

func TestExplainSaysWhichRulesApplyAndWhatEachSelectorMatchedAfterTheDrops(t *testing.T) {
	rules, err := NewRules([]Rule{
		{Name: "site", Hosts: []string{"news.example.com"}, Title: "h1", Body: "div.story p", Drop: []string{"p.ad"}},
		{Name: "elsewhere", Hosts: []string{"other.example.org"}, Title: "h2.none"},
	})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://news.example.com/a/1.html")
	page := article.NewPage(u, "text/html", []byte(`<html><body><h1> 标题 </h1><div class="story"><p>一</p><p class="ad">广告</p><p>二</p></div></body></html>`), time.Now())
	reps := rules.Explain(page)
	if len(reps) != 2 || !reps[0].Applies || reps[1].Applies {
		t.Fatalf("reports %+v", reps)
	}
	got := map[string]SelectorReport{}
	for _, f := range reps[0].Fields {
		got[f.Field] = f
	}
	if f := got["title"]; f.Matches != 1 || f.First != "标题" {
		t.Errorf("title: %+v", f)
	}
	if f := got["body"]; f.Matches != 2 { // the ad was dropped first, as Extract does
		t.Errorf("body: %+v", f)
	}
	if f := got["drop[0]"]; f.Matches != 1 || f.Selector != "p.ad" {
		t.Errorf("drop: %+v", f)
	}
	if f := reps[1].Fields; len(f) != 1 || f[0].Matches != 0 {
		t.Errorf("the rule for another host: %+v", f)
	}
}
