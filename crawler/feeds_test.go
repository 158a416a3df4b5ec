package crawler

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/testkit/golden"
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
		"eastmoney-text.json", "eastmoney-kuaixun.jsonp", "eastmoney-fastnews.jsonp", "eastmoney-search.json",
		"eastmoney-zxbb2018.js", "eastmoney-webapi-102.json", "eastmoney-webapi-45.json", "eastmoney-market.json",
		"eastmoney-newstext-content.json", "eastmoney-newstext-text.json"} {
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
	feed, _ := filepath.Abs(filepath.Join("..", "..", "shared", "corpus", "site", "feed.xml"))
	b, err := os.ReadFile(feed)
	if err != nil {
		t.Skipf("no shared corpus feed at %s", feed)
	}
	t.Logf("shared corpus feed: %s", feed)
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
		"eastmoney-list.json", "eastmoney-lives.jsonp", "eastmoney-text.json", "eastmoney-fastnews.jsonp",
		"eastmoney-search.json", "eastmoney-zxbb2018.js", "eastmoney-webapi-102.json", "eastmoney-newstext-content.json"} {
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
	// Zone names read as +00:00 and GMT offsets with the sign reversed.
	f.Add([]byte(`<rss><channel><item><link>/a</link><pubDate>Tue, 11 Apr 2023 13:00:00 GMT+8</pubDate></item><item><link>/b</link><pubDate>Tue, 11 Apr 2023 13:00:00 PST</pubDate></item></channel></rss>`))
	// xml:base not applied to entries.
	f.Add([]byte(`<feed xml:base="http://x.cn/d/"><entry xml:base="e/"><link xml:base="//y.cn/" href="f"/></entry></feed>`))
	// A code-only item, an Art_ item, a body without a title.
	f.Add([]byte(`{"data":{"fastNewsList":[{"code":"202401163033333333","title":"t","stockList":["1.6","x"]}]}}`))
	f.Add([]byte(`{"Data":[{"Art_Code":"NW202401163033333333","Art_Title":"t","Art_Content":"【t】s"}]}`))
	f.Add([]byte(`{"text":"<p>x</p>"}`))
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

// Every list shape Eastmoney serves, each read where it was fetched from; the first item of each
// as the record hint the crawler makes of it (url, id, title, published_at, source, summary).
func TestEveryEastmoneyListShapeYieldsItsItems(t *testing.T) {
	for _, tc := range []struct {
		file, base                                 string
		items                                      int
		url, id, title, when, source, summary, stk string
	}{
		{"eastmoney-kuaixun.jsonp", "https://newsapi.eastmoney.com/kuaixun/v1/getlist_102_ajaxResult_50_1_.html", 2,
			"http://finance.eastmoney.com/a/202401163011111111.html", "NW202401163011111111", "港口集装箱吞吐量同比增长",
			"2024-01-16T10:05:12+08:00", "东方财富研究中心", "交通运输部数据显示，上周沿海港口集装箱吞吐量同比增长6.1%。", ""},
		{"eastmoney-list.json", "https://np-listapi.eastmoney.com/comm/web/getNewsByColumns?column=350", 2,
			"http://finance.eastmoney.com/a/202304122345678901.html", "NW202304122345678901", "光伏组件价格连续三周下调",
			"2023-04-12T18:24:28+08:00", "新能源观察", "多家企业下调报价，行业库存压力有所缓解。", ""},
		{"eastmoney-fastnews.jsonp", "https://np-weblist.eastmoney.com/comm/web/getFastNewsList?fastColumn=102", 2,
			"https://finance.eastmoney.com/a/202401163033333333.html", "NW202401163033333333", "航运指数连续第三周上涨",
			"2024-01-16T10:15:01+08:00", "", "上海出口集装箱运价指数报2239点，环比上涨4.2%。", "601919.SH 002352.SZ"},
		{"eastmoney-search.json", "https://searchapi.eastmoney.com/bussiness/Web/GetCMSSearchList?keyword=x", 2,
			"http://finance.eastmoney.com/a/202401152355555555.html", "NW202401152355555555", "储能电站招标规模创新高",
			"2024-01-15T07:58:53+08:00", "能源周刊", "去年全国储能电站招标规模同比翻番，磷酸铁锂电芯价格下降带动项目收益改善……", ""},
		{"eastmoney-zxbb2018.js", "https://emres.dfcfw.com/60/zxbb2018.js", 2,
			"http://finance.eastmoney.com/a/202401163077777777.html", "NW202401163077777777", "央行公开市场净投放资金",
			"2024-01-16T09:30:05+08:00", "", "", ""},
		{"eastmoney-webapi-102.json", "https://finews.example.cn/web/webapi?type=102", 2,
			"http://finance.eastmoney.com/a/202401163099999999.html", "NW202401163099999999", "物流景气指数回升",
			"2024-01-16T10:40:00+08:00", "", "1月物流业景气指数为52.7%，较上月回升0.8个百分点。", ""},
		{"eastmoney-webapi-45.json", "https://finews.example.cn/web/webapi?type=45", 1,
			"https://finance.eastmoney.com/a/202401163000000020.html", "NW202401163000000020", "跨境支付试点扩容",
			"2024-01-16T11:02:00+08:00", "金融时报网", "", ""},
		{"eastmoney-market.json", "https://finews.example.cn/web/webapi?type=market", 2,
			"https://finance.eastmoney.com/a/202401163000000030.html", "NW202401163000000030", "港股科技板块午后走强",
			"2024-01-16T13:45:10+08:00", "港股通讯社", "", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := parseFixture(t, tc.file, tc.base)
			if f.Kind != "json" || len(f.Items) != tc.items {
				t.Fatalf("kind %q, %d items, want %d", f.Kind, len(f.Items), tc.items)
			}
			it := f.Items[0]
			u, err := url.Parse(it.URL)
			if err != nil || it.URL != tc.url {
				t.Fatalf("url %q, want %q", it.URL, tc.url)
			}
			h := itemHint(u, it)
			got := []string{h.URL, h.ID, h.Title, h.PublishedAt.Format(time.RFC3339), h.Source, h.Summary, strings.Join(h.Stocks, " ")}
			want := []string{tc.url, tc.id, tc.title, tc.when, tc.source, tc.summary, tc.stk}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("hint\n got %q\nwant %q", got, want)
			}
			if it.ContentHTML != "" {
				t.Errorf("a list's snippet became a body: %q", it.ContentHTML)
			}
		})
	}
}

func TestEastmoneyTextEndpointBodiesAreOneItemNamedByTheirURL(t *testing.T) {
	f := parseFixture(t, "eastmoney-newstext-content.json", "https://finews.example.cn/NewsData/GetNewsText.do?id=NW202401163000000020")
	if len(f.Items) != 1 || f.Items[0].ID != "NW202401163000000020" || !strings.Contains(f.Items[0].ContentHTML, "跨境支付") || f.Items[0].URL != "" {
		t.Fatalf("content body: %+v", f.Items)
	}
	f = parseFixture(t, "eastmoney-newstext-text.json", "https://finews.example.cn/NewsData/GetNewsText.do?id=x")
	if len(f.Items) != 1 || f.Items[0].ID != "NW202401163000000030" || !strings.Contains(f.Items[0].ContentHTML, "恒生科技") {
		t.Fatalf("text body: %+v", f.Items)
	}
}

func TestEastmoneyKeysAreReadInAnyCaseAndPrefix(t *testing.T) {
	for _, body := range []string{
		`{"Data":[{"Art_Code":"202401163000000050","Art_Title":"T","Art_CreateTime":"2024-01-16 08:00:00","Art_Media_Name":"M"}]}`,
		`{"data":[{"art_code":"202401163000000050","art_title":"T","art_createtime":"2024-01-16 08:00:00","art_media_name":"M"}]}`,
		`{"data":[{"artCode":"202401163000000050","artTitle":"T","artCreateTime":"2024-01-16 08:00:00","artMediaName":"M"}]}`,
		`{"DATA":[{"CODE":"202401163000000050","TITLE":"T","SHOWTIME":"1705363200","MEDIANAME":"M"}]}`,
		`{"data":[{"code":"202401163000000050","title":"T","showTime":1705363200000,"mediaName":"M"}]}`,
	} {
		f, err := ParseFeed(nil, "application/octet-stream", []byte(body))
		if err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		it := f.Items[0]
		if it.URL != "https://finance.eastmoney.com/a/202401163000000050.html" || it.Title != "T" || it.Source != "M" ||
			it.Published.Format(time.RFC3339) != "2024-01-16T08:00:00+08:00" {
			t.Errorf("%s: %+v", body, it)
		}
	}
}

func TestASearchSnippetIsASummaryNeverABody(t *testing.T) {
	f, err := ParseFeed(nil, "", []byte(`{"Data":[{"Art_Title":"T","Art_Url":"https://finance.eastmoney.com/a/202401163000000060.html","Art_Content":"片段<em>高亮</em>"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if it := f.Items[0]; it.ContentHTML != "" || it.Summary != "片段高亮" {
		t.Errorf("%+v", it)
	}
}

func TestFeedDatesReadZoneNamesAndGMTOffsets(t *testing.T) {
	for in, want := range map[string]string{
		"Tue, 11 Apr 2023 13:00:00 PST":       "2023-04-11T21:00:00Z",
		"Tue, 11 Apr 2023 13:00:00 PDT":       "2023-04-11T20:00:00Z",
		"Tue, 11 Apr 2023 13:00:00 GMT+8":     "2023-04-11T05:00:00Z",
		"Tue, 11 Apr 2023 13:00:00 GMT+08:00": "2023-04-11T05:00:00Z",
		"2023-04-11 13:00:00 UTC-5":           "2023-04-11T18:00:00Z",
		"2023-04-11 13:00:00 GMT+0800":        "2023-04-11T05:00:00Z",
		"Tue, 11 Apr 2023 13:00:00 (GMT+8)":   "2023-04-11T05:00:00Z",
		"Tue, 11 Apr 2023 13:00:00 GMT":       "2023-04-11T13:00:00Z",
		"Tue, 11 Apr 2023 13:00:00 EST":       "2023-04-11T18:00:00Z",
		"Tue, 11 Apr 2023 13:00:00 JST":       "2023-04-11T04:00:00Z",
		"Tue, 11 Apr 2023 13:00:00 CST":       "2023-04-11T05:00:00Z",
		"2023-04-11T13:00:00Z":                "2023-04-11T13:00:00Z",
		"Tue, 11 Apr 2023 13:00:00 +0800":     "2023-04-11T05:00:00Z",
	} {
		got, err := parseFeedTime(in)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("%q: %v, %v; want %s", in, got, err, want)
		}
	}
	if got, err := parseFeedTime("Tue, 11 Apr 2023 13:00:00 XYZT"); err == nil {
		t.Errorf("an unknown zone name was read as %v, not refused", got)
	}
}

func TestAtomXMLBaseResolvesTheEntriesRelativeLinks(t *testing.T) {
	body := `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://news.example.cn/zh/">
<entry><title>a</title><link href="2024/a.html"/></entry>
<entry xml:base="/archive/"><title>b</title><link href="b.html"/></entry>
<entry><title>c</title><link xml:base="http://other.example.cn/x/" href="c.html"/></entry>
</feed>`
	u, _ := url.Parse("http://feeds.example.cn/atom.xml")
	f, err := ParseFeed(u, "application/atom+xml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"http://news.example.cn/zh/2024/a.html", "http://news.example.cn/archive/b.html", "http://other.example.cn/x/c.html"}
	for i, w := range want {
		if i >= len(f.Items) || f.Items[i].URL != w {
			t.Errorf("entry %d: %+v, want %s", i, f.Items, w)
		}
	}
}
