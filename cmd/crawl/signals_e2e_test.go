package main_test

// Source health and story clusters through the real binary, against sites on loopback.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

// genericArticle is a page of the same site after a redesign: no Eastmoney markup and no date.
func genericArticle(title, para string) string {
	return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>` + title + `</title></head><body>
<div class="nav"><a href="/">首页</a></div><div class="story"><h1>` + title + `</h1>
<p>` + para + `</p><p>` + para + `</p></div><div class="foot">版权所有</div></body></html>`
}

// redesignedSite serves a listing of /a/<n>.html articles; the first n are always in Eastmoney's
// template, later ones in the template of redesigned (once set).
type redesignedSite struct {
	articles   atomic.Int64 // how many the listing links to
	redesigned atomic.Int64 // articles past this number use the new template; 0: none
}

func (s *redesignedSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Path == "/" {
		fmt.Fprint(w, "<html><body><ul>")
		for i := int64(1); i <= s.articles.Load(); i++ {
			fmt.Fprintf(w, `<li><a href="/a/2021120822067%05d.html">第%d条</a></li>`, i, i)
		}
		fmt.Fprint(w, "</ul></body></html>")
		return
	}
	var i int64
	if _, err := fmt.Sscanf(r.URL.Path, "/a/2021120822067%05d.html", &i); err != nil || i < 1 || i > s.articles.Load() {
		http.NotFound(w, r)
		return
	}
	title := fmt.Sprintf("第%d家公司发布三季度业绩报告", i)
	para := fmt.Sprintf("第%d家公司今日发布公告称，公司前三季度实现营业收入%d亿元，同比增长%d%%，净利润保持稳定增长，主营业务发展良好。", i, 10+i, 5+i)
	if r := s.redesigned.Load(); r > 0 && i > r {
		fmt.Fprint(w, genericArticle(title, para))
		return
	}
	fmt.Fprint(w, emArticle(title, "2021年12月08日 15:30", para))
}

func TestASiteWhoseTemplateChangesTurnsItsSourceUnhealthyOnTheRunThatChanged(t *testing.T) {
	site := &redesignedSite{}
	site.articles.Store(3)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "em.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`store: ./data/em.db
output: ./out
sources:
  - name: em
    seeds: [%s/]
    allowed_hosts: [127.0.0.1]
    articles: ['/a/\d+\.html$']
    health:
      extractor: eastmoney
      max_fetched_date_share: 0.2
`, srv.URL)), 0o644); err != nil {
		t.Fatal(err)
	}

	first := crawl(t, "--config", cfg)
	t.Logf("FIRST\n%s", first.stderr)
	if first.code != 0 || strings.Contains(first.stderr, "unhealthy") {
		t.Fatalf("first run: exit %d\n%s", first.code, first.stderr)
	}
	stats := crawl(t, "stats", "--config", cfg)
	if !strings.Contains(stats.stdout, "source health after its last pass:") || !regexpLine(stats.stdout, `em\s+healthy\s.*3 records \(3 new\).*eastmoney 3`) {
		t.Errorf("stats after the first run:\n%s", stats.stdout)
	}

	// The site is redesigned: its new articles no longer carry Eastmoney's markup or a date.
	site.redesigned.Store(3)
	site.articles.Store(6)
	second := crawl(t, "--config", cfg)
	if second.code != 0 {
		t.Fatalf("second run: exit %d, want 0 unchanged\n%s", second.code, second.stderr)
	}
	lines := strings.Split(strings.TrimRight(second.stderr, "\n"), "\n")
	warn := ""
	for _, l := range lines {
		if strings.HasPrefix(l, "crawl: warning: source em unhealthy: ") {
			warn = l
		}
	}
	if warn == "" || !strings.Contains(warn, "extractor eastmoney made 0% of records (generic 3)") || !strings.Contains(warn, "dated by fetch time") {
		t.Errorf("no warning line naming the drift on stderr:\n%s", second.stderr)
	}
	if !strings.HasPrefix(second.lastStderrLine(), "newsmill: ") {
		t.Errorf("the summary is no longer the last line: %q", second.lastStderrLine())
	}
	stats = crawl(t, "stats", "--config", cfg)
	t.Logf("SECOND\n%s\nSTATS\n%s", second.stderr, stats.stdout)
	if !regexpLine(stats.stdout, `em\s+UNHEALTHY\s.*3 records \(3 new\).*fetch time 100%.*generic 3`) || !strings.Contains(stats.stdout, "extractor eastmoney made 0%") {
		t.Errorf("stats after the redesign:\n%s", stats.stdout)
	}

	// Nothing new on the site: a pass that reads no records judges no template.
	third := crawl(t, "--config", cfg)
	if third.code != 0 || strings.Contains(third.stderr, "unhealthy") {
		t.Errorf("a run that read nothing new: exit %d\n%s", third.code, third.stderr)
	}
}

func TestACopyOnAnotherSiteJoinsTheFirstRecordsClusterAcrossRuns(t *testing.T) {
	para := "记者从市交通运输局获悉，城东新区至临港片区的快速路工程今日正式通车，全长约18公里，设计时速80公里，总投资约95亿元。通车后，城东新区到临港片区的车程将由原来的1个小时缩短至20分钟左右。"
	origin := httptest.NewServer(eastmoneyArticles(map[string]string{
		"/a/202112082206700001.html": emArticle("城东至临港快速路今日通车", "2021年12月08日 15:30", para),
	}))
	defer origin.Close()
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>重磅！城东到临港只要20分钟了</title>
<meta property="article:published_time" content="2021-12-08T17:00:00+08:00"></head><body><div class="nav"><a href="/">首页</a></div>
<article><h1>重磅！城东到临港只要20分钟了</h1><p>`+para+`</p><p>（责任编辑：王小明）</p></article></body></html>`)
	}))
	defer mirror.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	one := crawl(t, "--url", origin.URL+"/a/202112082206700001.html", "--db", db)
	two := crawl(t, "--url", mirror.URL+"/2021/12/08/road.html", "--db", db)
	if one.code != 0 || two.code != 0 {
		t.Fatalf("exit %d, %d\n%s\n%s", one.code, two.code, one.stderr, two.stderr)
	}
	var a, b struct{ ID, ClusterID string }
	a.ID, b.ID = clusterOf(t, one.stdout, &a.ClusterID), clusterOf(t, two.stdout, &b.ClusterID)
	if a.ClusterID != a.ID || b.ClusterID != a.ID || b.ID == a.ID {
		t.Errorf("origin %s in cluster %s, copy %s in cluster %s; want both in the origin's", a.ID, a.ClusterID, b.ID, b.ClusterID)
	}
	stats := crawl(t, "stats", "--db", db)
	if !regexpLine(stats.stdout, a.ID+`\s+2 records\s.*城东至临港快速路今日通车`) {
		t.Errorf("stats does not list the cluster:\n%s", stats.stdout)
	}
	ex := crawl(t, "export", "--db", db, "--clusters")
	var st struct {
		ClusterID string   `json:"cluster_id"`
		Records   int      `json:"records"`
		IDs       []string `json:"ids"`
		Title     string   `json:"title"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(ex.stdout)), &st); err != nil || ex.code != 0 || st.ClusterID != a.ID || st.Records != 2 ||
		len(st.IDs) != 2 || st.IDs[1] != b.ID || st.Title != "城东至临港快速路今日通车" || !strings.Contains(ex.stderr, "1 stories with copies") {
		t.Errorf("export --clusters: exit %d, %v\n%s%s", ex.code, err, ex.stdout, ex.stderr)
	}
	if r := crawl(t, "export", "--db", db, "--clusters", "--since", "2026-01-01"); r.code != 2 {
		t.Errorf("--clusters with --since: exit %d\n%s", r.code, r.stderr)
	}
}

// clusterOf reads the one record a --url run printed: its id, and its cluster_id into c.
func clusterOf(t *testing.T, stdout string, c *string) string {
	t.Helper()
	var r struct {
		ID        string `json:"id"`
		ClusterID string `json:"cluster_id"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), &r); err != nil {
		t.Fatalf("not one record: %v\n%s", err, stdout)
	}
	*c = r.ClusterID
	return r.ID
}

func regexpLine(text, pattern string) bool {
	re := regexp.MustCompile(pattern)
	for _, l := range strings.Split(text, "\n") {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

func TestServeSetsTheSourcesHealthSeriesAfterAPass(t *testing.T) {
	site := sitegen.New(12)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "serve.yaml")
	// The finews site is read by the finews extractors: a block expecting Eastmoney's is a drift.
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`store: ./data/finews.db
output: ./out
listen: 127.0.0.1:0
run_on_start: true
sources:
  - name: finews
    seeds: [%s/]
    allowed_hosts: [127.0.0.1]
    schedule: "0 0 1 1 *"
    health:
      extractor: eastmoney
  - name: mirror
    seeds: [%s/category/emnews.html]
    allowed_hosts: [127.0.0.1]
    schedule: "0 0 1 1 *"
`, srv.URL, srv.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, cfg)
	var body string
	deadline := time.Now().Add(30 * time.Second)
	for metric(body, `newsmill_source_healthy{source="finews"}`) < 0 || metric(body, `newsmill_source_healthy{source="mirror"}`) < 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no health series within 30s\nmetrics:\n%s\nlog:\n%s", body, s.stderr)
		}
		time.Sleep(100 * time.Millisecond)
		_, body = s.get(t, "/metrics")
	}
	if got := metric(body, `newsmill_source_healthy{source="finews"}`); got != 0 {
		t.Errorf("finews healthy = %v; its records are not Eastmoney's", got)
	}
	if got := metric(body, `newsmill_source_healthy{source="mirror"}`); got != 1 {
		t.Errorf("mirror healthy = %v; a source without a health block is healthy", got)
	}
	if got := metric(body, `newsmill_source_field_share{field="published_at_page",source="finews"}`); got != 1 {
		t.Errorf("finews page-date share = %v; every finews page prints its time", got)
	}
	if got := metric(body, `newsmill_source_body_median_chars{source="finews"}`); got <= 0 {
		t.Errorf("body median = %v", got)
	}
	if got := metric(body, `newsmill_records_joined_cluster_total{source="finews"}`); got < 0 {
		t.Errorf("no joined-cluster counter:\n%s", body)
	}
	if code := s.stop(t, 30*time.Second); code != 0 {
		t.Errorf("serve exit %d", code)
	}
	if log := s.stderr.String(); !strings.Contains(log, `"msg":"source unhealthy"`) {
		t.Errorf("serve logged no warning for the drifted source:\n%s", log)
	}

	// Restarted without a pass at start: the series come from the store's last reports.
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "run_on_start: true", "run_on_start: false", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	s = startServe(t, cfg)
	if _, body = s.get(t, "/metrics"); metric(body, `newsmill_source_healthy{source="finews"}`) != 0 || metric(body, `newsmill_source_healthy{source="mirror"}`) != 1 {
		t.Errorf("after a restart, before any pass:\n%s", body)
	}
	if code := s.stop(t, 30*time.Second); code != 0 {
		t.Errorf("serve exit %d", code)
	}
}
