package generic

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestAuthorIsReadFromBylinesInEitherLanguage(t *testing.T) {
	for line, want := range map[string]string{
		"By Sam Lee":                         "Sam Lee",
		"By Sam Lee and Ana Cruz":            "Sam Lee and Ana Cruz",
		"作者：周岚":                              "周岚",
		"□ 本报记者 葛灵丹":                         "葛灵丹",
		"文/林晓 图/王强":                          "林晓",
		"Bylines matter more than ever here": "",
		"记者从多家组件企业了解到，本周主流型号的报价再次下调": "",
	} {
		if got := bylineAuthor(line); got != want {
			t.Errorf("bylineAuthor(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestAuthorMetadataWinsAndWebAddressesOrTheSiteNameAreNoAuthor(t *testing.T) {
	if got := pickAuthor([]string{"https://www.facebook.com/someone", "Bay Herald", "By Sam Lee"}, "Bay Herald"); got != "Sam Lee" {
		t.Errorf("got %q, want Sam Lee", got)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<html><head>
<script type="application/ld+json">{"@type":"NewsArticle","author":[{"@type":"Person","name":"Ana Cruz"}],"dateModified":"2024-03-01T11:00:00Z"}</script>
</head><body><span class="author-count">Authors 12</span><a rel="author" href="/u/1">Ana Cruz</a></body></html>`))
	m := readMeta(doc)
	if len(m.authors) == 0 || m.authors[0] != "Ana Cruz" || len(m.modified) != 1 {
		t.Errorf("authors %q modified %q", m.authors, m.modified)
	}
	if got := markedAuthor(doc); got != "Ana Cruz" {
		t.Errorf("marked author %q, want the rel=author name, not the count", got)
	}
}

func TestAnUpdateTimeIsModifiedAtAndNeverThePublishingTime(t *testing.T) {
	page := `<html><head><title>Harbour dredging ends early</title>
<meta property="article:published_time" content="2024-03-01T09:00:00-05:00">
<meta property="article:modified_time" content="2024-03-02T14:30:00-05:00"></head>
<body><article><h1>Harbour dredging ends early</h1><p class="byline">By Sam Lee</p>
<p>The dredging of the inner harbour finished two weeks ahead of schedule, the port authority said on Friday.</p>
<p>Ferries will return to the old pier from Monday, with the first sailing at seven.</p></article></body></html>`
	rec, err := extractPage(pageOf(t, "https://bayherald.example.com/news/dredging", page))
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.PublishedAt.Format("2006-01-02T15:04Z07:00"); got != "2024-03-01T09:00-05:00" {
		t.Errorf("published %s", got)
	}
	if got := rec.ModifiedAt.Format("2006-01-02T15:04Z07:00"); got != "2024-03-02T14:30-05:00" {
		t.Errorf("modified %s", got)
	}
	if rec.Author != "Sam Lee" {
		t.Errorf("author %q", rec.Author)
	}
}

func TestChineseReportersAreReadFromOutletBylinesAndAgencyDatelines(t *testing.T) {
	for line, want := range map[string]string{
		"澎湃新闻记者 葛灵丹":    "葛灵丹",
		"上海证券报记者 林晓 王强": "林晓",
	} {
		if got := bylineAuthor(line); got != want {
			t.Errorf("bylineAuthor(%q) = %q, want %q", line, got, want)
		}
	}
	for text, want := range map[string]string{
		"新华社北京1月14日电（记者刘思、陈岩）海关总署14日发布的数据显示……": "刘思、陈岩",
		"人民网北京12月29日电 （记者林晓）记者从有关部门获悉……":       "林晓",
		"新华社北京1月14日电 海关总署14日发布的数据显示……":         "",
		"他说，去年的记者会上（记者林晓）提过这个问题。":              "",
	} {
		if got := datelineAuthor(text); got != want {
			t.Errorf("datelineAuthor(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestANumberOrOneOfTheSitesNamesIsNoAuthor(t *testing.T) {
	if got := pickAuthor([]string{"103645", "新浪财经", "林晓"}, "新浪网", "新浪财经"); got != "林晓" {
		t.Errorf("got %q, want 林晓", got)
	}
}
