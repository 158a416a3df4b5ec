package article

import (
	"net/url"
	"strings"
	"testing"
)

func TestNormalizeIDPrefixesBareArticleNumbers(t *testing.T) {
	cases := map[string]string{
		"NW202112202219862945":  "NW202112202219862945",
		"202112202219862945":    "NW202112202219862945",
		"20190315123456789":     "NW20190315123456789",
		"AN202112201234567890":  "AN202112201234567890",
		"ap202112201234567890":  "AP202112201234567890",
		" 202112202219862945 ":  "NW202112202219862945",
		"2021122022198629":      "",
		"NW2021122022198629451": "",
		"N1202112202219862945":  "",
		"-2022":                 "",
	}
	for in, want := range cases {
		got, ok := NormalizeID(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeID(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestIDFromURLFindsTheArticleInEveryURLShape(t *testing.T) {
	cases := map[string]string{
		"https://finance.eastmoney.com/a/202112202219862945.html":                          "NW202112202219862945",
		"http://finance.eastmoney.com/news/1354,202201212257099936.html":                   "NW202201212257099936",
		"http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202201242259229980":   "NW202201242259229980",
		"https://finews.withounder.com/pengpaixinwen/2021/12/20/NW202112202219862945.html": "NW202112202219862945",
		"file:///tmp/site/emnews/2021/12/08/202112082206704122.html":                       "NW202112082206704122",
		"https://finews.withounder.com/category/emnews.html":                               "",
		"https://finews.withounder.com/":                                                   "",
	}
	for in, want := range cases {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := IDFromURL(u)
		if got != want || ok != (want != "") {
			t.Errorf("IDFromURL(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := IDFromURL(nil); ok {
		t.Error("a nil URL has no id")
	}
}

func TestURLIDIgnoresSchemeAndHostCaseAndTheFragment(t *testing.T) {
	a := URLID("HTTPS://Example.COM/news/page.html#top")
	b := URLID("https://example.com/news/page.html")
	if a != b {
		t.Fatalf("%s != %s", a, b)
	}
	if !strings.HasPrefix(a, "URL") || len(a) != 23 {
		t.Fatalf("bad shape %q", a)
	}
	if URLID("https://example.com/News/page.html") == b {
		t.Fatal("the path is case-sensitive and must change the id")
	}
	if _, ok := NormalizeID(a); ok {
		t.Fatal("a URL id must never read as an info code")
	}
}

func TestFindIDReadsAnInfoCodeOrArticleNumberStandingAloneInText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"an info code between separators", "/news/detail_NW202112202219862945_1.html", "NW202112202219862945"},
		{"a lower-case info code is upper-cased", "/a/nw202112202219862945/", "NW202112202219862945"},
		{"a bare article number is the NW code", "/detail_202112202219862945_1.html", "NW202112202219862945"},
		{"an info code wins over an earlier number", "/20211220221986294/x/AN202112201234567890", "AN202112201234567890"},
		{"digits running on are no article number", "/2021122022198629451234", ""},
		{"letters running on make no info code, but the number still names the article", "/XAN202112202219862945", "NW202112202219862945"},
		{"nothing id-like", "/category/emnews.html", ""},
	}
	for _, c := range cases {
		got, ok := FindID(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: FindID(%q) = %q, %v; want %q", c.name, c.in, got, ok, c.want)
		}
	}
}
