package extract

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Kinds of real pages the generic extractor once got wrong, each in a fixture written in its shape.

func genExtract(t *testing.T, name, rawURL string) *Record {
	t.Helper()
	rec, err := NewRegistry(NewGeneric()).Extract(genPage(t, "generic", name, rawURL))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rec
}

func TestGenericKeepsTheOneFormThatWrapsAnASPNETPage(t *testing.T) {
	rec := genExtract(t, "aspnet-form", "http://gov.example.cn/Show.aspx?id=88")
	if n := strings.Count(rec.Body, "\n\n") + 1; n != 3 || !strings.HasPrefix(rec.Body, "从下月起") {
		t.Errorf("body of %d paragraphs, want the article's 3:\n%s", n, rec.Body)
	}
	for _, junk := range []string{"主办单位", "搜索", "首页"} {
		if strings.Contains(rec.Body, junk) {
			t.Errorf("body carries %q:\n%s", junk, rec.Body)
		}
	}
	if rec.Title != "区县图书馆延长夜间开放时间" || rec.PublishedAt.Format(time.RFC3339) != "2023-03-09T00:00:00+08:00" {
		t.Errorf("title %q published %s", rec.Title, rec.PublishedAt.Format(time.RFC3339))
	}
}

func TestGenericKeepsLinesThatRepeatInsideOneBodyAndTableRowsAsLines(t *testing.T) {
	rec := genExtract(t, "meal-plan", "https://kitchen.example.com/2019/11/reset-plan")
	if n := strings.Count(rec.Body, "Breakfast: oatmeal with berries"); n != 3 {
		t.Errorf("the repeated breakfast line appears %d times, want 3:\n%s", n, rec.Body)
	}
	if n := strings.Count(rec.Body, "Dinner: baked salmon with greens"); n != 2 {
		t.Errorf("the repeated dinner line appears %d times, want 2", n)
	}
	for _, row := range []string{"\n\nTeam\tWon\tLost\n\n", "\n\nHarbour Cooks\t3\t0\n\n", "\n\nHill Bakers\t0\t3"} {
		if !strings.Contains(rec.Body, row) {
			t.Errorf("body lacks the table row %q as one line:\n%s", row, rec.Body)
		}
	}
	if _, off := rec.PublishedAt.Zone(); off != -5*3600 {
		t.Errorf("published %v: the meta's offset is lost", rec.PublishedAt)
	}
}

func TestGenericPrefersAShortPostToTheLongerCommentThreadBelowIt(t *testing.T) {
	rec := genExtract(t, "comments", "https://quietdesk.example.org/paper-notebook/")
	want := "Writing by hand slows me down just enough to think about what I am writing.\n\nA notebook also never asks me to update it before I can use it."
	if rec.Body != want {
		t.Errorf("body:\n%s\nwant the post only:\n%s", rec.Body, want)
	}
	if rec.Title != "Why I keep a paper notebook" || rec.PublishedAt.Format("2006-01-02") != "2021-03-03" || rec.DateSource != DateFromPage {
		t.Errorf("title %q published %v from %q", rec.Title, rec.PublishedAt, rec.DateSource)
	}
}

func TestGenericLeavesCaptionsLabelsAndTheDateLineOutOfTheBody(t *testing.T) {
	rec := genExtract(t, "captions", "https://bayherald.example.com/news/ferry-returns")
	for _, junk := range []string{"first ferry leaves", "repaired pier", "Filed under", "Share this story", "By Sam Lee", "9:02"} {
		if strings.Contains(rec.Body, junk) {
			t.Errorf("body carries %q:\n%s", junk, rec.Body)
		}
	}
	if n := strings.Count(rec.Body, "\n\n") + 1; n != 2 {
		t.Errorf("%d paragraphs, want 2:\n%s", n, rec.Body)
	}
	// An English page's time without a zone is read as UTC: a zone is always written.
	if got := rec.PublishedAt.Format(time.RFC3339); got != "2019-11-19T09:02:00Z" {
		t.Errorf("published_at %s, want 2019-11-19T09:02:00Z", got)
	}
	if rec.Title != "Ferry service returns to the island" {
		t.Errorf("title %q", rec.Title)
	}
}

func TestGenericNamesAPageByItsHeaderH1WhenItHasNoTitleElement(t *testing.T) {
	rec := genExtract(t, "header-h1", "https://city.example.net/news/night-market")
	if rec.Title != "Night market moves to the old station square" {
		t.Errorf("title %q", rec.Title)
	}
	// No date anywhere: the record is still written, dated by its fetch.
	if rec.DateSource != DateFromFetched || !rec.PublishedAt.Equal(genFetched) {
		t.Errorf("published %v from %q, want the fetch time %v", rec.PublishedAt, rec.DateSource, genFetched)
	}
}

func TestGenericStripsTheSiteNameAfterAnySeparatorButNotInsideWords(t *testing.T) {
	for in, want := range map[string]string{
		"国务院常务会议部署稳就业举措-新华网":                   "国务院常务会议部署稳就业举措",
		"国务院常务会议部署稳就业举措_要闻_海滨新闻网":              "国务院常务会议部署稳就业举措",
		"Ferry service returns | Bay Herald":   "Ferry service returns",
		"Ferry service returns - Bay Herald":   "Ferry service returns",
		"COVID-19 cases fall for a third week": "COVID-19 cases fall for a third week",
		"港城晚报 - 新闻频道":                          "港城晚报 - 新闻频道",
	} {
		if got := genStripSiteSuffix(in); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func TestGenericReadsTheDateFormsPagesPrint(t *testing.T) {
	bj, en := newGenDater(true), newGenDater(false)
	for _, c := range []struct {
		d    genDater
		in   string
		want string
	}{
		{en, "Published November 19, 2019, 9:02 AM", "2019-11-19T09:02:00Z"},
		{en, "Nov. 19, 2019 at 9:02 p.m. EST", "2019-11-19T21:02:00-05:00"},
		{en, "Updated 19 Nov 2019 07:09 GMT", "2019-11-19T07:09:00Z"},
		{en, "Tue, 19 November 2019", "2019-11-19T00:00:00Z"},
		{bj, "发布日期： 9/17/2004 5:54:13 AM", "2004-09-17T05:54:13+08:00"},
		{bj, "2005年08月16日", "2005-08-16T00:00:00+08:00"},
		{bj, "2021年12月20日18时24分", "2021-12-20T18:24:00+08:00"},
		{bj, "2019-11-19T09:02:00-05:00", "2019-11-19T09:02:00-05:00"},
	} {
		got, ok := c.d.text(c.in, false)
		if !ok || got.Format(time.RFC3339) != c.want {
			t.Errorf("%q -> %v %v, want %s", c.in, got.Format(time.RFC3339), ok, c.want)
		}
	}
	for in, want := range map[string]string{
		"Tue, 19 Nov 2019 07:09:00 -0500": "2019-11-19T07:09:00-05:00",
		"2019-11-19 09:02:00":             "2019-11-19T09:02:00+08:00", // JSON-LD not in ISO form
		"2019-11-19T09:02:00.000+0800":    "2019-11-19T09:02:00+08:00",
		"November 19, 2019":               "2019-11-19T00:00:00+08:00",
	} {
		if got, ok := bj.value(in); !ok || got.Format(time.RFC3339) != want {
			t.Errorf("value %q -> %s %v, want %s", in, got.Format(time.RFC3339), ok, want)
		}
	}
	if got, ok := bj.yearMonth("1996年6月"); !ok || got.Format("2006-01-02") != "1996-06-01" {
		t.Errorf("year-month -> %v %v", got, ok)
	}
}

// An undated short article page built around its date source, to see which one the record names.
func genDatedPage(head, byline string) []byte {
	return []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>港口新建两座智能化泊位投入使用</title>` + head + `</head><body>
<h1>港口新建两座智能化泊位投入使用</h1>` + byline + `
<p>港口集团表示，两座新泊位采用自动化岸桥，单船作业时间缩短三成，年吞吐能力增加八十万标箱。</p>
<p>新泊位投用后，港区夜间作业的噪声也有所下降，附近居民反映情况明显改善。</p>
</body></html>`)
}

func TestGenericSaysWhereEveryDateCameFrom(t *testing.T) {
	fetched := time.Date(2023, 6, 1, 3, 0, 0, 0, time.UTC)
	lastMod := time.Date(2023, 5, 30, 8, 0, 0, 0, time.UTC)
	feed := time.Date(2023, 5, 29, 10, 0, 0, 0, genShanghai)
	for _, c := range []struct {
		name, url, head, byline string
		hint, lastModified      bool
		want, source            string
	}{
		{"sailthru meta", "http://port.example.cn/a/1.html", `<meta name="sailthru.date" content="2023-05-28 09:30:00">`, "", false, false, "2023-05-28T09:30:00+08:00", DateFromPage},
		{"plain date meta", "http://port.example.cn/a/1.html", `<meta name="date" content="2023-05-28">`, "", false, false, "2023-05-28T00:00:00+08:00", DateFromPage},
		{"itemprop on text", "http://port.example.cn/a/1.html", "", `<span itemprop="datePublished dateCreated">2023年05月27日 08:15</span>`, false, false, "2023-05-27T08:15:00+08:00", DateFromPage},
		{"time element", "http://port.example.cn/a/1.html", "", `<time datetime="2023-05-26T07:00:00+08:00">5月26日</time>`, false, false, "2023-05-26T07:00:00+08:00", DateFromPage},
		{"bare day by the headline", "http://port.example.cn/a/1.html", "", `<div>2023年05月25日 来源：港口日报</div>`, false, false, "2023-05-25T00:00:00+08:00", DateFromPage},
		{"feed before URL", "http://port.example.cn/2023/05/24/1.html", "", "", true, false, "2023-05-29T10:00:00+08:00", DateFromFeed},
		{"URL path", "http://port.example.cn/2023/05/24/1.html", "", "", false, false, "2023-05-24T00:00:00+08:00", DateFromURL},
		{"Last-Modified", "http://port.example.cn/a/1.html", "", "", false, true, "2023-05-30T16:00:00+08:00", DateFromHTTP},
		{"nothing", "http://port.example.cn/a/1.html", "", "", false, false, "2023-06-01T11:00:00+08:00", DateFromFetched},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, _ := url.Parse(c.url)
			p := NewPage(u, "text/html", genDatedPage(c.head, c.byline), fetched)
			if c.hint {
				p.Hint = &Record{PublishedAt: feed}
			}
			if c.lastModified {
				p.LastModified = lastMod
			}
			rec, err := NewRegistry(NewGeneric()).Extract(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.PublishedAt.Format(time.RFC3339); got != c.want || rec.DateSource != c.source {
				t.Errorf("published_at %s from %q, want %s from %q", got, rec.DateSource, c.want, c.source)
			}
		})
	}
}

func TestGenericRefusesTeaserListingsAndMarkupPages(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<html><head><title>搜索结果：港口_海滨新闻网</title></head><body><h1>搜索结果：港口</h1>`)
	for i := 0; i < 6; i++ {
		b.WriteString(`<div class="r"><h3><a href="/a/` + string(rune('0'+i)) + `.html">港口新建两座智能化泊位投入使用第` + string(rune('0'+i)) + `篇</a></h3><p>港口集团表示，两座新泊位采用自动化岸桥，单船作业时间缩短三成。</p></div>`)
	}
	b.WriteString(`</body></html>`)
	u, _ := url.Parse("http://port.example.cn/search?q=x")
	if _, err := NewRegistry(NewGeneric()).Extract(NewPage(u, "text/html", []byte(b.String()), genFetched)); !errors.Is(err, ErrNotArticle) {
		t.Errorf("search page of teasers: err = %v, want ErrNotArticle", err)
	}
	code := `<html><head><title>列表模板</title></head><body><pre><code>&lt;ul&gt;
&lt;li&gt;&lt;a href="/a/1.html"&gt;港口新建两座智能化泊位投入使用&lt;/a&gt;&lt;/li&gt;
&lt;li&gt;&lt;a href="/a/2.html"&gt;渔港避风塘完成清淤，渔船可以安全靠岸&lt;/a&gt;&lt;/li&gt;
&lt;/ul&gt;</code></pre></body></html>`
	if _, err := NewRegistry(NewGeneric()).Extract(NewPage(u, "text/html", []byte(code), genFetched)); !errors.Is(err, ErrNotArticle) {
		t.Errorf("page of escaped markup: err = %v, want ErrNotArticle", err)
	}
}

func TestGenericDropsOnlyASecondCopyOfAWholeBlock(t *testing.T) {
	spill := []string{"第一段记者从部门获悉的消息。", "第二段部门表示下一步的计划。", "第一段记者从部门获悉的消息。", "第二段部门表示下一步的计划。"}
	if got := genDropRepeatedBlock(spill); len(got) != 2 {
		t.Errorf("a body spilled twice gives %d lines, want 2: %q", len(got), got)
	}
	plan := []string{"A plan that keeps the same breakfast every day of the week.", "Day 1", "Breakfast: oats", "Day 2", "Breakfast: oats", "Day 3", "Breakfast: oats"}
	if got := genDropRepeatedBlock(plan); len(got) != len(plan) {
		t.Errorf("repeated lines inside one body lost: %q", got)
	}
}

func TestGenericFindsAPostTimeAfterMoreThanTwentyDateLikeRuns(t *testing.T) {
	// A blog's archive links ("12/01/2004 - 01/01/2005") before the post's own time once
	// exhausted a bounded search.
	var b strings.Builder
	for i := 0; i < 30; i++ {
		b.WriteString("2004 - 01/01 ")
	}
	b.WriteString("湘菜粤菜 2005-06-14 03:25:55")
	got, ok := newGenDater(true).text(b.String(), true)
	if !ok || got.Format(time.RFC3339) != "2005-06-14T03:25:55+08:00" {
		t.Errorf("got %v %v", got, ok)
	}
}

func TestGenericLabelLinesAreTheirOwnLinesOnly(t *testing.T) {
	for _, line := range []string{"Filed under: Local, Transport", "Share this story", "返回搜狐，查看更多", "【编辑:刘欢】", "责任编辑：", "标签：港口",
		"Copyright © 2019 Bay Herald. All rights reserved.", "Skip to content", "Click here to subscribe to our newsletter",
		"Like this story? Share it with a friend!", "More Great Harbour Stories", "Also on bayherald.com", "Via SyndiGate.info",
		"Tempo de leitura: 2 minutos", "4 min read", "By Sam Lee", "第1页/共2页", "<< 上一页 | 下一页 >>"} {
		if !genLabelLineRe.MatchString(strings.ToLower(line)) {
			t.Errorf("%q is not taken for a label line", line)
		}
	}
	for _, line := range []string{"Share prices fell on Monday after the report.", "返回家乡的年轻人越来越多，他们带回了新的种植技术和销售渠道。", "编辑部收到了很多读者来信。",
		"By Sunday the river had risen above the old flood mark.", "By now, everyone knows the ferry is back.", "More than 300 people came to the opening."} {
		if genLabelLineRe.MatchString(strings.ToLower(line)) {
			t.Errorf("%q, a sentence, is taken for a label line", line)
		}
	}
}

func TestGenericTakesAListicleWhoseItemsAreLinkedHeadlinesWithAParagraphEach(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<html lang="en"><head><title>Five quiet beaches to visit this winter | Coast Guide</title></head><body>
<h1>Five quiet beaches to visit this winter</h1><p>Winter is the best time to walk an empty beach, and these five are within a day's drive of the city.</p>`)
	for _, name := range []string{"North Sands and the old lighthouse", "Gull Bay beside the fishing harbour", "The long dunes at Marram Point", "Shell Cove under the chalk cliffs", "Pebble Strand at the river mouth"} {
		b.WriteString(`<h3><a href="/beach/x">` + name + `</a></h3><p>A wide stretch of sand with a café that stays open all year and a car park a short walk from the water.</p>`)
	}
	b.WriteString(`</body></html>`)
	u, _ := url.Parse("https://coast.example.com/guides/winter-beaches")
	rec, err := NewRegistry(NewGeneric()).Extract(NewPage(u, "text/html", []byte(b.String()), genFetched))
	if err != nil {
		t.Fatalf("listicle refused: %v", err)
	}
	if !strings.Contains(rec.Body, "Winter is the best time") || strings.Count(rec.Body, "A wide stretch of sand") != 5 {
		t.Errorf("body:\n%s", rec.Body)
	}
}

func TestGenericLeavesPaginationEditLinksCountedLinksAndRulesOut(t *testing.T) {
	page := `<html><head><meta charset="utf-8"><title>港口新建两座智能化泊位投入使用_海滨新闻网</title></head><body>
<div class="main"><h1>港口新建两座智能化泊位投入使用</h1>
<p>2023-05-25 08:00 更新 来源：海滨日报</p>
<h2>简介[编辑]</h2>
<p>港口集团表示，两座新泊位采用自动化岸桥，单船作业时间缩短三成，年吞吐能力增加八十万标箱。</p>
<p>-</p>
<p>新泊位投用后，港区夜间作业的噪声也有所下降，附近居民反映情况明显改善。</p>
<p>第1页/共2页</p><p>&lt;&lt; 上一页 | 下一页 &gt;&gt;</p>
<ul class="cats"><li><a href="/c/1">未归类</a> (88)</li><li><a href="/c/2">歷史</a> (25)</li><li><a href="/c/3">軍情</a> (7)</li></ul>
</div></body></html>`
	u, _ := url.Parse("http://port.example.cn/a/2.html")
	rec, err := NewRegistry(NewGeneric()).Extract(NewPage(u, "text/html", []byte(page), genFetched))
	if err != nil {
		t.Fatal(err)
	}
	want := "简介\n\n港口集团表示，两座新泊位采用自动化岸桥，单船作业时间缩短三成，年吞吐能力增加八十万标箱。\n\n新泊位投用后，港区夜间作业的噪声也有所下降，附近居民反映情况明显改善。"
	if rec.Body != want {
		t.Errorf("body:\n%s\nwant:\n%s", rec.Body, want)
	}
}
