package extract

import (
	"errors"
	"net/url"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsmill/newsmill/article"
)

// The page extractors meet whatever a server sends: every input must give a whole record or an
// error wrapping one of the package's sentinels, never a panic and never half a record.

const emOlder = `<html><head><link rel="canonical" href="http://finance.eastmoney.com/a/202203151234567890.html"></head><body>
<div class="newsContent"><h1>测试标题：样本公司发布公告</h1>
<div class="time-source"><div class="time">2022年03月15日 09:30</div><div class="source">来源：<a>样本日报</a></div></div>
<div id="ContentBody"><p>　　这是一段自己写的正文。</p><p>　　第二段。</p></div></div></body></html>`

const emNewer = `<html><body><div class="title">新模板标题</div>
<div class="infos"><div class="item">2022年03月16日 10:05</div><div class="item">来源：样本网</div></div>
<div class="b-review">摘要：一句话摘要。</div>
<div id="ContentBody"><div class="sublab">原标题：旧标题</div><p>正文一。</p></div></body></html>`

const finewsPageSeed = `<!DOCTYPE html><html><head><meta charset="UTF-8"><meta property="og:description" content="<p>溢出的正文</p>">
<link rel="canonical" href="/emnews/2022/03/15/202203151234567890.html" /></head><body><div class="wrapper"><section>
<small>(GMT+8, Asia/Shanghai, CST) 2022-03-15 09:30:00</small>
<h1>镜像站标题</h1><p>　　镜像站正文。</p>
<p><a href="http://finance.eastmoney.com/a/202203151234567890.html">http://finance.eastmoney.com/a/202203151234567890.html</a></p>
<small>tags: <em>东财滚动新闻</em></small></section></div></body></html>`

func fuzzExtractor(f *testing.F, e article.Extractor, pageURL string) {
	u, _ := url.Parse(pageURL)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := article.NewPage(u, "text/html", b, time.Unix(0, 0))
		if !e.Match(p) {
			return
		}
		rec, err := e.Extract(p)
		if err != nil {
			if !errors.Is(err, article.ErrMalformed) && !errors.Is(err, article.ErrMissingField) && !errors.Is(err, article.ErrNotArticle) && !errors.Is(err, article.ErrErrorPage) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if rec.URL == "" {
			rec.URL = pageURL
		}
		if err := rec.Finish(e.Name(), time.Unix(0, 0)); err != nil {
			t.Fatalf("extracted half a record: %v", err)
		}
		if utf8.Valid(b) && (!utf8.ValidString(rec.Title) || !utf8.ValidString(rec.Body)) {
			t.Fatalf("valid UTF-8 in, invalid UTF-8 out: %q", rec.Title)
		}
	})
}

func FuzzEastmoneyExtract(f *testing.F) {
	f.Add([]byte(emOlder))
	f.Add([]byte(emNewer))
	f.Add([]byte(emOlder[:len(emOlder)/2]))                                                  // a body cut short mid-tag
	f.Add([]byte(`<div id="ContentBody"></div><div class="time-source"></div>`))             // container, no title, no time
	f.Add([]byte(`<div class="newsContent"><h1> </h1></div><div id="ContentBody">x</div>`))  // a blank title
	f.Add([]byte(`<div class="infos">2022年13月40日 99:99</div><div id="ContentBody">x</div>`)) // an impossible date
	f.Add([]byte("<div id=\"ContentBody\"><p>\xff\xfe\x00</p></div><div class=\"infos\">"))  // binary bytes in the body
	fuzzExtractor(f, NewEastmoney(), "http://finance.eastmoney.com/a/202203151234567890.html")
}

func FuzzFinewsPageExtract(f *testing.F) {
	f.Add([]byte(finewsPageSeed))
	f.Add([]byte(finewsPageSeed[:len(finewsPageSeed)*2/3]))                                            // truncated before the tags
	f.Add([]byte(`<section><small>(GMT+8, Asia/Shanghai, CST) </small><h1></h1></section>`))           // stamp without a time, empty h1
	f.Add([]byte(`<section><small>(GMT+8, Asia/Shanghai, CST) 2022-02-30 25:61:00</small><h1>x</h1>`)) // impossible clock
	f.Add([]byte(`<meta property="og:description" content="<section><small>(GMT+8`))                   // the og trap cut open
	fuzzExtractor(f, NewFinewsPage(), "https://finews.zning.me/emnews/2022/03/15/202203151234567890.html")
}

// The fuzz targets only explore the success path if their first seeds are whole articles.
func TestFuzzSeedPagesAreWholeArticles(t *testing.T) {
	for _, tc := range []struct {
		e    article.Extractor
		url  string
		page string
	}{
		{NewEastmoney(), "http://finance.eastmoney.com/a/202203151234567890.html", emOlder},
		{NewEastmoney(), "http://finance.eastmoney.com/a/202203161234567891.html", emNewer},
		{NewFinewsPage(), "https://finews.zning.me/emnews/2022/03/15/202203151234567890.html", finewsPageSeed},
	} {
		u, _ := url.Parse(tc.url)
		p := article.NewPage(u, "text/html", []byte(tc.page), time.Unix(0, 0))
		if !tc.e.Match(p) {
			t.Errorf("%s does not match its seed", tc.e.Name())
			continue
		}
		if rec, err := tc.e.Extract(p); err != nil || rec.Title == "" || rec.Body == "" {
			t.Errorf("%s seed gives %+v, %v", tc.e.Name(), rec, err)
		}
	}
}
