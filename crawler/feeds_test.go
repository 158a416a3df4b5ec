package crawler

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/internal/golden"
)

func parseFixture(t *testing.T, name, base string) *Feed {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, "feeds", name))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	// The wrong-but-common content type on purpose: recognition is by content.
	f, err := ParseFeed(u, "text/html", b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// TestParseFeedMatchesGoldenFiles pins the whole parse of every fixture; -update rewrites them.
func TestParseFeedMatchesGoldenFiles(t *testing.T) {
	for _, name := range []string{"atom.xml", "rss-gbk.xml", "sitemap.xml", "sitemap-index.xml",
		"news-sitemap.xml", "eastmoney-list.json", "eastmoney-lives.jsonp", "eastmoney-result.json",
		"eastmoney-text.json"} {
		t.Run(name, func(t *testing.T) {
			f := parseFixture(t, name, "http://news.example.cn/feeds/x")
			golden.JSON(t, filepath.Join(fixtureDir, "feeds", name+".golden.json"), f)
		})
	}
}

func TestParseFeedReadsJekyllAtomWithBodiesAndResolvesRelativeLinks(t *testing.T) {
	f := parseFixture(t, "atom.xml", "http://127.0.0.1:8932/feed.xml")
	if f.Kind != "atom" || len(f.Items) != 2 {
		t.Fatalf("kind %q, %d items", f.Kind, len(f.Items))
	}
	first, second := f.Items[0], f.Items[1]
	if first.Title != "风电设备订单排到年底 & 产能继续扩张" {
		t.Errorf("html title not unescaped: %q", first.Title)
	}
	if !first.Published.Equal(time.Date(2023, 3, 1, 10, 3, 41, 0, time.UTC)) {
		t.Errorf("published %v", first.Published)
	}
	if !strings.Contains(first.ContentHTML, "海上风电项目集中开工") {
		t.Errorf("content missing: %q", first.ContentHTML)
	}
	if second.URL != "http://127.0.0.1:8932/kuaidiribao/2023/02/28/NW202302281111111111.html" {
		t.Errorf("relative link resolved to %q", second.URL)
	}
}

func TestParseFeedDecodesAGBKRSSFeedAndReadsChinaStandardTime(t *testing.T) {
	f := parseFixture(t, "rss-gbk.xml", "http://news.example.cn/rss.xml")
	if f.Kind != "rss" || len(f.Items) != 3 {
		t.Fatalf("kind %q, %d items", f.Kind, len(f.Items))
	}
	a, b, c := f.Items[0], f.Items[1], f.Items[2]
	if a.Title != "城市更新项目带动建材需求 回暖" || a.Source != "城市建设报" || a.ID != "news-a1" {
		t.Errorf("first item: %+v", a)
	}
	if a.Summary != "多个城市启动老旧小区改造，水泥和玻璃订单随之增加。" {
		t.Errorf("description not reduced to text: %q", a.Summary)
	}
	// "CST" in a Chinese feed is China Standard Time, +08:00, not US Central.
	if _, off := b.Published.Zone(); off != 8*3600 || b.Published.Hour() != 21 {
		t.Errorf("CST read as %v", b.Published)
	}
	if b.URL != "http://news.example.cn/2023/0411/a2.html" || !strings.Contains(b.ContentHTML, "购机发票") {
		t.Errorf("second item: %+v", b)
	}
	// No link: the permalink guid is the URL; a zone-less dc:date is Asia/Shanghai.
	if c.URL != "http://news.example.cn/2020/0101/old.html" || !c.Published.Equal(time.Date(2020, 1, 1, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("third item: %+v", c)
	}
}

func TestParseFeedTellsNewsSitemapsFromPlainOnesAndListsIndexEntriesAsFeeds(t *testing.T) {
	plain := parseFixture(t, "sitemap.xml", "https://news.example.cn/sitemap.xml")
	if plain.Kind != "sitemap" || len(plain.Items) != 2 || !plain.Items[0].Published.IsZero() {
		t.Errorf("plain sitemap: %+v (lastmod is no publish date)", plain)
	}
	news := parseFixture(t, "news-sitemap.xml", "https://news.example.cn/sitemap-news.xml")
	if news.Kind != "news-sitemap" || news.Items[0].Title != "跨境电商包裹量创新高" || news.Items[0].Source != "某某财经网" {
		t.Errorf("news sitemap: %+v", news)
	}
	idx := parseFixture(t, "sitemap-index.xml", "https://news.example.cn/sitemap.xml")
	want := []string{"https://news.example.cn/sitemap-2023-04.xml", "https://news.example.cn/sitemap-news.xml"}
	if idx.Kind != "sitemap-index" || len(idx.Items) != 0 || strings.Join(idx.Feeds, " ") != strings.Join(want, " ") {
		t.Errorf("index: %+v", idx)
	}
}

func TestParseFeedFindsEastmoneyItemsUnderEachKnownKeyAndInJSONP(t *testing.T) {
	for _, tc := range []struct{ file, id, title, source, when string }{
		{"eastmoney-list.json", "202304122345678901", "光伏组件价格连续三周下调", "新能源观察", "2023-04-12T18:24:28+08:00"},
		{"eastmoney-lives.jsonp", "202304123000000001", "【央行开展逆回购操作】", "", "2023-04-12T09:20:00+08:00"},
		{"eastmoney-result.json", "NW202304124000000001", "水泥行业开启错峰生产", "建材快讯", "2023-04-12T14:00:00+08:00"},
		{"eastmoney-text.json", "202304125000000001", "数据中心用电需求上升", "科技日报网", "2023-04-12T20:10:00+08:00"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := parseFixture(t, tc.file, "http://finance.eastmoney.com/")
			it := f.Items[0]
			if f.Kind != "json" || it.ID != tc.id || it.Title != tc.title || it.Source != tc.source ||
				it.Published.Format(time.RFC3339) != tc.when {
				t.Errorf("got %+v", it)
			}
		})
	}
	f := parseFixture(t, "eastmoney-list.json", "http://finance.eastmoney.com/")
	if it := f.Items[1]; it.Title != "锂电池回收企业扩产" || it.URL != "http://finance.eastmoney.com/a/202304122345678902.html" {
		t.Errorf("highlighting or relative url: %+v", it)
	}
	f = parseFixture(t, "eastmoney-text.json", "http://finance.eastmoney.com/")
	if !strings.Contains(f.Items[0].ContentHTML, "可再生能源") {
		t.Errorf("text endpoint body lost: %+v", f.Items[0])
	}
}

func TestParseFeedRejectsPagesAndOtherJSONAsNotFeeds(t *testing.T) {
	for _, name := range []string{"not-a-feed.html", "not-news.json"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, "feeds", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseFeed(nil, "", b); !errors.Is(err, ErrNotFeed) {
			t.Errorf("%s: err = %v, want ErrNotFeed", name, err)
		}
	}
	for _, body := range []string{"", "plain words", "<svg></svg>", "[1,2,3]", "cb(not json)"} {
		if _, err := ParseFeed(nil, "", []byte(body)); !errors.Is(err, ErrNotFeed) {
			t.Errorf("%q: err = %v, want ErrNotFeed", body, err)
		}
	}
}

// The real finews feed, when the shared corpus is beside the repository.
func TestParseFeedReadsTheFinewsSiteFeed(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "corpus", "site", "feed.xml"))
	if err != nil {
		t.Skip("shared corpus absent:", err)
	}
	u, _ := url.Parse("http://127.0.0.1:8932/feed.xml")
	f, err := ParseFeed(u, "application/xml", b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != "atom" || len(f.Items) != 10 {
		t.Fatalf("kind %q, %d items", f.Kind, len(f.Items))
	}
	for _, it := range f.Items {
		if !strings.HasPrefix(it.URL, "http://127.0.0.1:8932/") || it.Title == "" || it.Published.IsZero() || it.ContentHTML == "" {
			t.Errorf("incomplete item %+v", it.URL)
		}
		if _, off := it.Published.Zone(); off != 8*3600 {
			t.Errorf("%s: zone offset %d", it.URL, off)
		}
	}
}

func FuzzParseFeed(f *testing.F) {
	for _, name := range []string{"atom.xml", "rss-gbk.xml", "sitemap-index.xml", "news-sitemap.xml",
		"eastmoney-list.json", "eastmoney-lives.jsonp", "eastmoney-text.json"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, "feeds", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`cb(`))                                                   // JSONP with nothing inside
	f.Add([]byte(`{"data":{"list":[{"title":"t","id":1e400}]}}`))          // number too big for float64
	f.Add([]byte(`<rss><channel><item><pubDate>99</pubDate>`))             // truncated feed, bad date
	f.Add([]byte(`{"a":[[[[[[[[[[[[{"title":"x","url":"y"}]]]]]]]]]]]]}`)) // deep nesting
	base, _ := url.Parse("http://example.cn/dir/feed")
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := ParseFeed(base, "", body)
		if err != nil {
			if !errors.Is(err, ErrNotFeed) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		for _, it := range feed.Items {
			if it.URL == "" && it.ContentHTML == "" {
				t.Fatalf("item with neither url nor content: %+v", it)
			}
			if it.URL != "" {
				if u, err := url.Parse(it.URL); err != nil || !u.IsAbs() {
					t.Fatalf("item url not absolute: %q", it.URL)
				}
			}
		}
	})
}
