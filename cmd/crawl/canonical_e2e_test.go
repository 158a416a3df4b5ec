package main_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// storyPage is a news article no site extractor knows, with no number in its URL: its id is
// the URL id, the case where a tracking parameter used to make a second record.
const storyPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>海港早市迎来新一季海鲜</title></head><body>
<article><h1>海港早市迎来新一季海鲜</h1><p>发布时间：2023年04月18日 07:45　来源：海滨日报</p>
<p>清晨五点，码头边的早市已经人声鼎沸。渔船陆续靠岸，摊主们把刚捞上来的梭子蟹、带鱼和花蛤摆上案板，价格比上个月回落了将近两成。</p>
<p>市场管理处表示，下一步将延长早市营业时间，并在入口处增设公平秤，方便市民核对重量。</p></article></body></html>`

func TestATrackingParameterGivesNoSecondRecord(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/local/story.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, storyPage)
	})
	mux.HandleFunc("/local/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><body><a href="/local/story.html">story</a> <a href="/local/story.html?utm_source=rss&amp;utm_medium=feed">rss</a></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	db, out := filepath.Join(dir, "s.db"), filepath.Join(dir, "out.jsonl")
	// One run meeting both spellings, then a later run given the tracked one.
	for _, u := range []string{srv.URL + "/local/", srv.URL + "/local/story.html?utm_source=rss"} {
		if r := crawl(t, "--url", u, "--db", db, "--out", out); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
	}
	recs := parseJSONL(t, string(must(os.ReadFile(out))))
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1: %+v", len(recs), recs)
	}
	if want := srv.URL + "/local/story.html"; recs[0].URL != want {
		t.Errorf("url %q, want %q", recs[0].URL, want)
	}
}
