package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
)

func TestOnFetchSeesEveryResponseWithItsStatusAndLatency(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<a href="/ok">ok</a> <a href="/gone">gone</a>`))
		case "/ok":
			time.Sleep(20 * time.Millisecond)
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<p>fine</p>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var mu sync.Mutex
	got := map[int]int{}
	var slowest time.Duration
	host := ""
	c, err := New(Options{Seeds: []string{srv.URL + "/"}, IgnoreRobots: true}, nil, nil, WithFetchObserver(func(h string, status int, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		got[status]++
		host = h
		slowest = max(slowest, d)
	}))
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Run(context.Background(), func(context.Context, *article.Page) error { return article.ErrNotArticle })
	if err != nil {
		t.Fatal(err)
	}
	if got[200] != 2 || got[404] != 1 || len(got) != 2 {
		t.Errorf("statuses seen = %v, want two 200s and one 404", got)
	}
	if u, _ := url.Parse(srv.URL); host != u.Hostname() {
		t.Errorf("host = %q", host)
	}
	if slowest < 20*time.Millisecond {
		t.Errorf("slowest fetch took %v, but /ok sleeps 20ms", slowest)
	}
	if st.Fetched != 3 || st.Errors != 1 {
		t.Errorf("stats = %+v: the observer changed the crawl's own counts", st)
	}
}
