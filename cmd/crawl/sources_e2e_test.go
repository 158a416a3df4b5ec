package main_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A page in GBK with its charset only in <meta>, and an Eastmoney article page, each through the
// real binary: the output is UTF-8 and each page gets its own extractor.
func TestURLRunsReadAGBKNewsPageAndAnEastmoneyArticle(t *testing.T) {
	gbk, err := os.ReadFile(filepath.Join("..", "..", "testdata", "charset", "gbk.html"))
	if err != nil {
		t.Fatal(err)
	}
	em, err := os.ReadFile(filepath.Join("..", "..", "testdata", "eastmoney", "a-older-template.html"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/local/2023/0418/seafood.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // no charset: only the page's <meta> says GBK
		w.Write(gbk)
	})
	mux.HandleFunc("/a/202112202219862945.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(em)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	r := crawl(t, "--url", srv.URL+"/local/2023/0418/seafood.html", "--url", srv.URL+"/a/202112202219862945.html")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	recs := parseJSONL(t, r.stdout)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2\n%s", len(recs), r.stderr)
	}
	by := map[string]record{}
	for _, rec := range recs {
		by[rec.Extractor] = rec
	}
	g, ok := by["generic"]
	if !ok || g.Title != "沿海小城的早市迎来新一季海鲜上市" || !strings.Contains(g.Body, "清晨五点，码头边的早市已经人声鼎沸") {
		t.Errorf("GBK page record = %+v", g)
	}
	if g.PublishedAt != "2023-04-18T07:45:00+08:00" || g.Source != "海滨日报" || strings.HasPrefix(g.ID, "NW") {
		t.Errorf("GBK page: published_at %q, source %q, id %q", g.PublishedAt, g.Source, g.ID)
	}
	e, ok := by["eastmoney"]
	if !ok || e.ID != "NW202112202219862945" {
		t.Errorf("eastmoney record = %+v (all: %+v)", e, recs)
	}
	for _, rec := range recs {
		checkRecord(t, rec)
	}
}
