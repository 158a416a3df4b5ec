package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/newsmill/newsmill/extract"
)

func TestLinksAfterAnOffSiteLinkAreStillFollowed(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><body><p><a href="http://finance.eastmoney.com/a/1.html">original</a></p>
<p><a href="/category/zhengquanshibao.html">返回</a></p></body></html>`))
	})
	mux.HandleFunc("/category/zhengquanshibao.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><body><ul><li>nothing yet</li></ul></body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := New(Options{Name: "t", Seeds: []string{srv.URL + "/"}, IgnoreRobots: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]bool{}
	_, err = c.Run(context.Background(), func(ctx context.Context, p *extract.Page) error {
		mu.Lock()
		got[p.URL.Path] = true
		mu.Unlock()
		return extract.ErrNotArticle
	})
	if err != nil {
		t.Fatal(err)
	}
	if !got["/category/zhengquanshibao.html"] {
		t.Errorf("the category page linked after an off-site link was not fetched; fetched %v", got)
	}
}
