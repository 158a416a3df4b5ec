package article

import (
	"net/url"
	"strings"
	"testing"
)

func TestCanonicalURLDropsTrackingDefaultPortAndFragmentAndSortsTheQuery(t *testing.T) {
	for in, want := range map[string]string{
		"HTTP://News.Example.COM:80/a/1.html?utm_source=rss&utm_medium=feed#top": "http://news.example.com/a/1.html",
		"https://example.com:443":                               "https://example.com/",
		"https://example.com:8443/a?b=2&a=1":                    "https://example.com:8443/a?a=1&b=2",
		"https://example.com/a?id=7&spm=a2c.1&fbclid=x&gclid=y": "https://example.com/a?id=7",
		"https://example.com/a?from=timeline&isappinstalled=0":  "https://example.com/a",
		"https://example.com/list?from=20&size=10":              "https://example.com/list?from=20&size=10", // an offset
		"https://example.com/a?tag=b&tag=a&q=%E4%B8%AD+x":       "https://example.com/a?q=%E4%B8%AD+x&tag=b&tag=a",
		"https://example.com/a?UTM_Campaign=x&&k=v":             "https://example.com/a?k=v",
		"https://example.com/a?":                                "https://example.com/a",
		"file:///home/u/posts/a.html#x":                         "file:///home/u/posts/a.html",
	} {
		if got := CanonicalString(in); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestURLIDIsTheSameForTrackingVariantsOfAURL(t *testing.T) {
	base := URLID("https://news.example.com/local/story.html?id=3&page=1")
	for _, v := range []string{
		"https://news.example.com/local/story.html?page=1&id=3&utm_source=rss",
		"https://NEWS.example.com:443/local/story.html?spm=1.2.3&id=3&page=1#comments",
	} {
		if URLID(v) != base {
			t.Errorf("%s has another id", v)
		}
	}
	if URLID("https://news.example.com/local/story.html?id=4&page=1") == base {
		t.Error("a different id parameter must give a different id")
	}
}

func TestSameSiteIsTheRegistrableDomain(t *testing.T) {
	for pair, want := range map[string]bool{
		"https://www.example.com/ https://m.example.com/":     true,
		"https://a.example.com.cn/ https://b.example.com.cn/": true,
		"https://example.com/ https://example.org/":           false,
		"https://a.github.io/ https://b.github.io/":           false, // a public suffix
		"http://127.0.0.1:8080/ http://127.0.0.1:9090/":       true,
		"http://127.0.0.1/ http://127.0.0.2/":                 false,
	} {
		f := strings.Fields(pair)
		a, _ := url.Parse(f[0])
		b, _ := url.Parse(f[1])
		if SameSite(a, b) != want {
			t.Errorf("%s: %v, want %v", pair, !want, want)
		}
	}
}

func FuzzCanonicalURLIsIdempotent(f *testing.F) {
	f.Add("https://Example.com:443/a?utm_source=rss&b=2&a=1#x") // a tracking variant gave a second record
	f.Add("http://x/?from=timeline&from=20")                    // from= is tracking only when not a number
	f.Add("http://x/a?%zz=1&b")
	f.Fuzz(func(t *testing.T, s string) {
		once := CanonicalString(s)
		if twice := CanonicalString(once); twice != once {
			t.Fatalf("%q -> %q -> %q", s, once, twice)
		}
		if URLID(s) != URLID(once) {
			t.Fatalf("the id changed with the canonical form of %q", s)
		}
	})
}
