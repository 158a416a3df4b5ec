package extract

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

var gangcheng = Rule{
	Name:       "gangcheng",
	Hosts:      []string{"gangcheng.example.cn"},
	URLPattern: `/news/\d{4}/\d{4}/\d+\.html$`,
	Title:      "div.headline",
	Time:       "span.when",
	TimeLayout: "01/02/2006 15:04",
	Source:     "span.src",
	Body:       "div.story-body",
	Drop:       []string{"div.picks", "div.share"},
}

func rulesRegistry(t *testing.T, rules ...Rule) *Registry {
	t.Helper()
	rs, err := NewRules(rules)
	if err != nil {
		t.Fatal(err)
	}
	return WithFallback(NewRegistry(), rs)
}

func TestRulesMatchGoldenFiles(t *testing.T) {
	reg := rulesRegistry(t, gangcheng)
	for name, u := range map[string]string{
		"story":       "http://gangcheng.example.cn/news/2023/0530/101.html",
		"story-plain": "http://www.gangcheng.example.cn/news/2023/0529/100.html",
	} {
		t.Run(name, func(t *testing.T) {
			rec, err := reg.Extract(genPage(t, "rules", name, u))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "rules", name, rec)
		})
	}
}

func TestARuleReadsWhatTheHeuristicsCannot(t *testing.T) {
	p := genPage(t, "rules", "story", "http://gangcheng.example.cn/news/2023/0530/101.html")
	// The heuristics take the page (it is an article) but name it after the site and keep the
	// editor's pick in the body: what the rule's selectors are for.
	if g, err := NewRegistry(NewGeneric()).Extract(p); err == nil && g.Title == "老码头仓库改造成社区图书馆" && !strings.Contains(g.Body, "编辑推荐") {
		t.Fatalf("generic alone read the page right (%q); the fixture should defeat it", g.Title)
	}
	rec, err := rulesRegistry(t, gangcheng).Extract(genPage(t, "rules", "story", "http://gangcheng.example.cn/news/2023/0530/101.html"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Extractor != "rules:gangcheng" || rec.Title != "老码头仓库改造成社区图书馆" || rec.Source != "港城晚报" ||
		!rec.PublishedAt.Equal(time.Date(2023, 5, 30, 19, 5, 0, 0, textrule.Shanghai)) {
		t.Errorf("got %s %q %q %v", rec.Extractor, rec.Title, rec.Source, rec.PublishedAt)
	}
	if strings.Contains(rec.Body, "编辑推荐") || strings.Contains(rec.Body, "分享到") || strings.Count(rec.Body, "\n\n") != 1 {
		t.Errorf("dropped blocks still in the body:\n%s", rec.Body)
	}
}

func TestARuleFallsBackToGenericDetectionForFieldsItsPageLacks(t *testing.T) {
	rec, err := rulesRegistry(t, gangcheng).Extract(genPage(t, "rules", "story-plain", "http://gangcheng.example.cn/news/2023/0529/100.html"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Title != "夜市摊位重新规划" || rec.Source != "港城晚报" || !rec.PublishedAt.Equal(time.Date(2023, 5, 29, 21, 10, 0, 0, textrule.Shanghai)) {
		t.Errorf("got %q %q %v", rec.Title, rec.Source, rec.PublishedAt)
	}
}

func TestARuleLeavesOtherURLsOfItsHostToTheGenericExtractor(t *testing.T) {
	_, err := rulesRegistry(t, gangcheng).Extract(genPage(t, "rules", "section", "http://gangcheng.example.cn/local/"))
	if !errors.Is(err, article.ErrNotArticle) || !strings.HasPrefix(err.Error(), "generic:") {
		t.Errorf("section page: err = %v, want generic's ErrNotArticle", err)
	}
}

func TestNewRulesNamesTheRuleAndFieldOfEachMistake(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Rule)
		want string
	}{
		{func(r *Rule) { r.Name = "" }, "rule #1: name"},
		{func(r *Rule) { r.Hosts, r.URLPattern = nil, "" }, "rule gangcheng: hosts, url_pattern"},
		{func(r *Rule) { r.URLPattern = `/news/(\d+` }, "rule gangcheng: url_pattern"},
		{func(r *Rule) { r.Title = "div..headline" }, "rule gangcheng: title selector"},
		{func(r *Rule) { r.Body = "div[" }, "rule gangcheng: body selector"},
		{func(r *Rule) { r.Drop = []string{"div.ok", ">>"} }, "rule gangcheng: drop[1] selector"},
		{func(r *Rule) { r.TimeLayout = "YYYY-MM-DD hh:mm" }, "rule gangcheng: time_layout"},
		{func(r *Rule) { r.Time = "" }, "rule gangcheng: time_layout"},
	} {
		r := gangcheng
		r.Hosts = append([]string(nil), gangcheng.Hosts...)
		tc.edit(&r)
		_, err := NewRules([]Rule{r})
		if !errors.Is(err, ErrBadRule) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("err = %v, want prefix %q", err, tc.want)
		}
	}
	if _, err := NewRules([]Rule{gangcheng, gangcheng}); !errors.Is(err, ErrBadRule) {
		t.Errorf("duplicate names: err = %v", err)
	}
}

func TestWithFallbackTriesSiteExtractorsThenRulesThenGeneric(t *testing.T) {
	rs, err := NewRules([]Rule{gangcheng})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(WithFallback(NewRegistry(NewGeneric()), rs).Names(), ",")
	if got != "generic,rules:gangcheng,generic" {
		t.Errorf("order %s", got)
	}
}

// The worked example in docs/extractors.md must stay a working rule.
func TestTheDocumentedRuleExampleParsesAndWorks(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "docs", "extractors.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(md), "```yaml\n")
	block, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatal("no yaml block in docs/extractors.md")
	}
	var cfg struct {
		Rules []Rule `yaml:"rules"`
	}
	if err := yaml.Unmarshal([]byte(block), &cfg); err != nil {
		t.Fatal(err)
	}
	reg := rulesRegistry(t, cfg.Rules...)
	rec, err := reg.Extract(genPage(t, "rules", "story", "http://gangcheng.example.cn/news/2023/0530/101.html"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Extractor != "rules:gangcheng" || rec.Source != "港城晚报" || rec.PublishedAt.Hour() != 19 {
		t.Errorf("got %s %q %v", rec.Extractor, rec.Source, rec.PublishedAt)
	}
}
