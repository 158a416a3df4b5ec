package pipeline

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/syndication"
)

// storyPage is an article of no known site carrying the given headline over the same text.
func storyPage(t *testing.T, u, title string) *article.Page {
	t.Helper()
	body := `<html lang="zh-CN"><head><meta charset="utf-8"><title>` + title + `</title>
<meta property="article:published_time" content="2026-12-07T09:30:00+08:00"></head><body><article><h1>` + title + `</h1>
<p>记者从市交通运输局获悉，城东新区至临港片区的快速路工程今日正式通车，全长约18公里，设计时速80公里。</p>
<p>据介绍，该工程于三年前开工建设，沿线设置互通立交6座、匝道收费站2处，总投资约95亿元。</p></article></body></html>`
	pu, _ := url.Parse(u)
	return article.NewPage(pu, "text/html", []byte(body), time.Now())
}

func TestCopiesJoinTheFirstRecordsClusterAndOnlyNewRecordsEnterTheIndex(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	x, err := LoadClusters(ctx, st, config.Syndication{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	d, err := output.Dir(out)
	if err != nil {
		t.Fatal(err)
	}
	p, done := start(t, st, d, func(p *Pipeline) {
		p.reg = extract.WithFallback(extract.Default(), nil) // pages of no known site
		p.SetClusters(x)
		p.Linger = time.Millisecond
	})
	for _, pg := range []struct{ src, u, title string }{
		{"a", "https://a.example.cn/2026/12/07/road.html", "城东至临港快速路今日通车"},
		{"b", "https://b.example.cn/news/1.html", "重磅！城东到临港只要20分钟"},
		{"b", "https://a.example.cn/2026/12/07/road.html", "城东至临港快速路今日通车"}, // the first again: a duplicate
	} {
		if err := p.From(pg.src)(ctx, storyPage(t, pg.u, pg.title)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // one batch each, in this order
	}
	p.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	d.Close()
	if p.Stats.New.Load() != 2 || p.Stats.Joined.Load() != 1 || p.Stats.Duplicates.Load() != 1 || x.Len() != 2 {
		t.Errorf("new %d, joined %d, duplicates %d, index %d; want 2, 1, 1, 2", p.Stats.New.Load(), p.Stats.Joined.Load(), p.Stats.Duplicates.Load(), x.Len())
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.jsonl"))
	b, _ := os.ReadFile(files[0])
	var recs []article.Record
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r article.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2 || recs[0].ClusterID != recs[0].ID || recs[1].ClusterID != recs[0].ID {
		t.Fatalf("records %+v; want the copy in the first one's cluster", recs)
	}
	// A later run reads the index back from the store: a third copy joins the same story.
	again, err := LoadClusters(ctx, st, config.Syndication{})
	if err != nil || again.Len() != 2 {
		t.Fatalf("reloaded index: %d entries, %v", again.Len(), err)
	}
	m, _ := again.Assign("URLthird", recs[0].PublishedAt, signOf(t, storyPage(t, "https://c.example.cn/x.html", "城东快速路通车")))
	if !m.Joined || m.Cluster != recs[0].ID {
		t.Errorf("a copy in a later run: %+v", m)
	}
	// Health counted all three records, by source, the duplicate as not new.
	reps, err := checkHealth(ctx, st, p.Health(), nil, time.Now())
	if err != nil || len(reps) != 2 || reps[0].Stats.Records != 1 || reps[1].Stats.Records != 2 || reps[1].Stats.New != 1 {
		t.Errorf("health reports %+v, %v", reps, err)
	}
	if off, _ := LoadClusters(ctx, st, config.Syndication{Off: true}); off != nil {
		t.Error("syndication off still gave an index")
	}
}

func signOf(t *testing.T, p *article.Page) syndication.Signature {
	t.Helper()
	rec, err := extract.WithFallback(extract.Default(), nil).Extract(p)
	if err != nil {
		t.Fatal(err)
	}
	return syndication.Sign(rec.Title, rec.Body)
}
