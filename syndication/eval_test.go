package syndication

// The labelled set: the finews corpus's articles as three kinds of source publish them (the finews
// layout, the raw posts, and three page layouts of our own with the edits republishers make),
// read back through the extractors, plus hard negatives made from the same articles. It measures
// pairwise precision and recall of the clusters; it skips without ../shared.

import (
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
)

// labelled is one record of the set with the story it truly belongs to.
type labelled struct {
	id, story, kind string
	at              time.Time
	title, body     string
}

func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "site")); err != nil {
		t.Skipf("shared corpus not available at %s", dir)
	}
	return dir
}

// extractAll reads every file with the suffix under dir through reg, first record per id.
func extractAll(t testing.TB, reg *extract.Registry, dir, suffix, ctype string) map[string]*article.Record {
	t.Helper()
	out := map[string]*article.Record{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, suffix) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rec, err := reg.Extract(article.NewPage(&url.URL{Scheme: "file", Path: p}, ctype, b, time.Unix(1700000000, 0)))
		if err == nil && out[rec.ID] == nil {
			out[rec.ID] = rec
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Three layouts of our own: a portal with a headline sidebar, a mobile page, an aggregator. Each
// carries chrome the generic extractor must leave out, and the edits republishers make.
var layouts = []struct {
	name string
	edit func(title string, paras []string) (string, []string)
	page func(title, when string, paras []string, others []string) string
}{
	{"portal: changed headline, editor line", func(title string, paras []string) (string, []string) {
		return "独家｜" + strings.TrimRight(title, "。！") + "（附解读）", append(append([]string{}, paras...), "（编辑：李明 审核：周强）")
	}, func(title, when string, paras, others []string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>%s_财经频道_华东门户网</title>
<meta property="article:published_time" content="%s"></head><body><div class="top"><a href="/">首页</a> <a href="/finance/">财经</a> <a href="/stock/">股票</a></div>
<div class="main"><div class="left"><h1>%s</h1><div class="info">%s 来源：华东门户网</div><div class="article">`, html.EscapeString(title), when, html.EscapeString(title), when[:16])
		for _, p := range paras {
			fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
		}
		b.WriteString(`</div><div class="share">分享到：微博 微信</div></div><div class="right"><h3>热点新闻</h3><ul>`)
		for _, o := range others[:min(6, len(others))] {
			fmt.Fprintf(&b, `<li><a href="/a/%d.html">%s</a></li>`, len(o), html.EscapeString(o))
		}
		b.WriteString(`</ul></div></div><div class="foot">版权所有 华东门户网 沪ICP备00000000号</div></body></html>`)
		return b.String()
	}},
	{"mobile: cut last paragraph", func(title string, paras []string) (string, []string) {
		if len(paras) > 2 {
			paras = paras[:len(paras)-1]
		}
		return title, paras
	}, func(title, when string, paras, others []string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<html><head><meta name="viewport" content="width=device-width"><title>%s</title>
<script type="application/ld+json">{"@type":"NewsArticle","headline":%q,"datePublished":%q}</script></head><body>
<header><a href="/">手机财经</a></header><section id="article"><h2 class="t">%s</h2><div class="content">`, html.EscapeString(title), title, when, html.EscapeString(title))
		for _, p := range paras {
			fmt.Fprintf(&b, "<div class=\"para\">%s</div>\n", html.EscapeString(p))
		}
		b.WriteString(`</div></section><aside class="rec"><p>猜你喜欢</p>`)
		for _, o := range others[:min(3, len(others))] {
			fmt.Fprintf(&b, `<a href="/m/%d">%s</a><br>`, len(o), html.EscapeString(o))
		}
		b.WriteString(`</aside><footer>打开APP阅读更多</footer></body></html>`)
		return b.String()
	}},
	{"aggregator: reordered sentences, reprint line", func(title string, paras []string) (string, []string) {
		out := append([]string{}, paras...)
		if len(out) >= 2 {
			out[0], out[1] = out[1], out[0]
		} else if len(out) == 1 {
			// A one-paragraph item: its sentences swapped.
			s := splitSentences(out[0])
			if len(s) >= 2 {
				s[0], s[1] = s[1], s[0]
				out[0] = strings.Join(s, "")
			}
		}
		return title, append([]string{"本文转载自合作媒体，版权归原作者所有。"}, out...)
	}, func(title, when string, paras, others []string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<html><head><meta charset="utf-8"><title>%s - 资讯聚合</title><meta name="pubdate" content="%s"></head><body>
<div id="nav"><a href="/">资讯聚合</a> | <a href="/hot">热榜</a></div><div id="wrap"><div class="post"><div class="post-title">%s</div><div class="post-body">`, html.EscapeString(title), when, html.EscapeString(title))
		for _, p := range paras {
			fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(p))
		}
		b.WriteString(`</div></div><div class="comments"><h4>评论</h4><div class="c">沙发</div><div class="c">路过看看</div></div></div></body></html>`)
		return b.String()
	}},
}

var sentenceEnd = regexp.MustCompile(`[^。！？]+[。！？]?`)

func splitSentences(p string) []string { return sentenceEnd.FindAllString(p, -1) }

var digitRun = regexp.MustCompile(`[0-9]+`)

// bumpFirstNumber changes the first figure of the title, and the same figure in the body, the
// way one template's item of another hour or amount differs (超40亿元 → 超50亿元).
func bumpFirstNumber(title, body string) (string, string, bool) {
	m := digitRun.FindString(title)
	if m == "" {
		m = digitRun.FindString(body)
	}
	if m == "" {
		return "", "", false
	}
	n, _ := strconv.Atoi(m)
	repl := strconv.Itoa(n + 10)
	for k := 20; strings.Contains(title+body, repl); k += 10 {
		repl = strconv.Itoa(n + k) // a figure the text already has would make the copy a subset
	}
	return strings.ReplaceAll(title, m, repl), strings.ReplaceAll(body, m, repl), true
}

// wrap is a made-up daily market wrap of one template.
func wrap(day int, sh float64, turnover int) (string, string) {
	return fmt.Sprintf("收评：沪指涨%.2f%% 两市成交额%d亿元", sh, turnover), strings.Join([]string{
		fmt.Sprintf("12月%d日，A股三大指数集体上涨，截至收盘，沪指涨%.2f%%，深成指涨%.2f%%，创业板指涨%.2f%%。", day, sh, sh+0.3, sh+0.5),
		fmt.Sprintf("两市全天成交额%d亿元，较上一交易日有所放大，北向资金全天净买入%d亿元。", turnover, turnover/200),
		"板块方面，煤炭、电力、银行板块涨幅居前，旅游、酒店、医美板块跌幅居前。",
		"分析人士表示，市场情绪有所回暖，短期内指数有望维持震荡上行格局，建议关注业绩确定性较强的板块。"}, "\n\n")
}

// labelledSet builds the set: every article of the corpus as finews page, raw post and three
// layouts of ours; hard negatives beside them.
func labelledSet(t testing.TB) []labelled {
	dir := corpusDir(t)
	site := extractAll(t, extract.Default(), filepath.Join(dir, "site"), ".html", "text/html")
	raw := extractAll(t, extract.Default(), filepath.Join(dir, "posts"), ".md", "")
	generic := extract.WithFallback(extract.NewRegistry(), nil)

	ids := make([]string, 0, len(site))
	for id := range site {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var titles []string
	for _, id := range ids {
		titles = append(titles, site[id].Title)
	}
	var set []labelled
	add := func(id, story, kind string, at time.Time, title, body string) {
		set = append(set, labelled{id: id, story: story, kind: kind, at: at, title: title, body: body})
	}
	for i, id := range ids {
		r := site[id]
		add("site:"+id, id, "finews page", r.PublishedAt, r.Title, r.Body)
		if p := raw[id]; p != nil {
			add("raw:"+id, id, "raw post", p.PublishedAt.Add(10*time.Minute), p.Title, p.Body)
		}
		paras := strings.Split(r.Body, "\n\n")
		others := append(append([]string{}, titles[:i]...), titles[i+1:]...)
		for j, l := range layouts {
			title, ps := l.edit(r.Title, paras)
			at := r.PublishedAt.Add(time.Duration(j+1) * time.Hour)
			page := l.page(title, at.Format(time.RFC3339), ps, others[j%len(others):])
			u, _ := url.Parse(fmt.Sprintf("https://layout%d.example.cn/news/%s.html", j, strings.ToLower(id)))
			rec, err := generic.Extract(article.NewPage(u, "text/html", []byte(page), at))
			if err != nil {
				t.Fatalf("%s through %s: %v", id, l.name, err)
			}
			add(fmt.Sprintf("layout%d:%s", j, id), id, l.name, rec.PublishedAt, rec.Title, rec.Body)
		}
		// Hard negatives made from the article.
		if len([]rune(r.Body)) < 400 {
			if ti, bo, ok := bumpFirstNumber(r.Title, r.Body); ok {
				add("number:"+id, "number:"+id, "same template, another figure", r.PublishedAt.Add(30*time.Minute), ti, bo)
			}
		} else if s := splitSentences(paras[0]); len(s) > 0 {
			add("flash:"+id, "flash:"+id, "short item of a longer story", r.PublishedAt.Add(-time.Hour), r.Title, s[0])
		}
	}
	day := time.Date(2021, 12, 6, 15, 30, 0, 0, time.FixedZone("", 8*3600))
	for d, w := range []struct {
		sh float64
		to int
	}{{0.52, 9120}, {0.31, 8790}, {0.77, 10240}} {
		ti, bo := wrap(6+d, w.sh, w.to)
		add(fmt.Sprint("wrap:", d), fmt.Sprint("wrap:", d), "daily wrap", day.Add(time.Duration(d)*24*time.Hour), ti, bo)
	}
	sort.SliceStable(set, func(i, j int) bool { return set[i].at.Before(set[j].at) })
	return set
}

// pairScore is precision and recall over pairs of records: a pair is predicted together when
// same(i, j), truly together when of one story.
func pairScore(set []labelled, same func(i, j int) bool) (p, r float64, tp, fp, fn int) {
	for i := range set {
		for j := i + 1; j < len(set); j++ {
			truth, pred := set[i].story == set[j].story, same(i, j)
			switch {
			case truth && pred:
				tp++
			case pred:
				fp++
			case truth:
				fn++
			}
		}
	}
	return float64(tp) / float64(max(1, tp+fp)), float64(tp) / float64(max(1, tp+fn)), tp, fp, fn
}

func TestClustersOnTheLabelledCorpusSet(t *testing.T) {
	set := labelledSet(t)
	kinds := map[string]int{}
	for _, l := range set {
		kinds[l.kind]++
	}
	t.Logf("labelled set: %d records %v", len(set), kinds)

	sigs := make([]Signature, len(set))
	sims := make([]uint64, len(set))
	for i, l := range set {
		sigs[i], sims[i] = Sign(l.title, l.body), simHash(l.title, l.body)
	}
	// The two methods pair by pair, each with and without the number check.
	for _, th := range []float64{0.3, 0.4, 0.5, 0.6, 0.7} {
		for _, guard := range []bool{false, true} {
			p, r, tp, fp, fn := pairScore(set, func(i, j int) bool {
				return sigs[i].Similarity(sigs[j]) >= th && (!guard || numbersAgree(sigs[i].Numbers, sigs[j].Numbers))
			})
			t.Logf("minhash jaccard>=%.1f numbers=%v: precision %.3f recall %.3f (tp %d fp %d fn %d)", th, guard, p, r, tp, fp, fn)
		}
	}
	for _, k := range []int{3, 6, 10, 14} {
		for _, guard := range []bool{false, true} {
			p, r, tp, fp, fn := pairScore(set, func(i, j int) bool {
				return hamming(sims[i], sims[j]) <= k && (!guard || numbersAgree(sigs[i].Numbers, sigs[j].Numbers))
			})
			t.Logf("simhash hamming<=%d numbers=%v: precision %.3f recall %.3f (tp %d fp %d fn %d)", k, guard, p, r, tp, fp, fn)
		}
	}

	// The margin: the least similarity of a true pair, the most of a false pair the number check
	// lets through.
	lo, hi := 1.0, 0.0
	for i := range set {
		for j := i + 1; j < len(set); j++ {
			s := sigs[i].Similarity(sigs[j])
			if set[i].story == set[j].story {
				lo = min(lo, s)
			} else if numbersAgree(sigs[i].Numbers, sigs[j].Numbers) {
				hi = max(hi, s)
			}
		}
	}
	t.Logf("least similarity of a copy %.2f; most of two stories whose numbers agree %.2f", lo, hi)

	// What the crawl does: records in time order through the index.
	x := New()
	cluster := make([]string, len(set))
	for i, l := range set {
		m, _ := x.Assign(l.id, l.at, sigs[i])
		cluster[i] = m.Cluster
	}
	p, r, tp, fp, fn := pairScore(set, func(i, j int) bool { return cluster[i] == cluster[j] })
	t.Logf("index (LSH %d bands x %d rows, threshold %.2f, numbers checked): precision %.3f recall %.3f (tp %d fp %d fn %d)",
		Bands, Rows, DefaultThreshold, p, r, tp, fp, fn)
	for i := range set {
		for j := i + 1; j < len(set); j++ {
			if (set[i].story == set[j].story) != (cluster[i] == cluster[j]) {
				t.Logf("  wrong: %s [%s] / %s [%s]: similarity %.2f numbers agree %v", set[i].id, set[i].kind, set[j].id, set[j].kind,
					sigs[i].Similarity(sigs[j]), numbersAgree(sigs[i].Numbers, sigs[j].Numbers))
			}
		}
	}
	if p < 0.98 || r < 0.9 {
		t.Errorf("precision %.3f, recall %.3f; the bars are 0.98 and 0.90", p, r)
	}
}
