package crawler

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
)

// articleHandler stands in for the extractors: a whole article page gives a record, a page cut
// before its end is an article missing its body, anything else is no article.
func articleHandler(got *sync.Map) Handler {
	return func(_ context.Context, p *article.Page) error {
		body := string(p.Body)
		switch {
		case strings.Contains(body, "<h1>") && strings.Contains(body, "</html>"):
			got.Store(p.URL.Path, true)
			return nil
		case strings.Contains(body, "<h1>"):
			return article.ErrMissingField
		}
		return article.ErrNotArticle
	}
}

func TestAnArticleWhoseFirstFetchFailsIsFetchedAgainByTheNextRun(t *testing.T) {
	whole := articleHTML("二")
	for name, fault := range map[string]http.HandlerFunc{
		"404":         func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
		"empty 200":   func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Content-Type", "text/html") },
		"cut 200":     serveHTML(whole[:len(whole)/2]),
		"busy 200":    serveHTML("<html><body><p>Server busy, please try again later.</p></body></html>"),
		"403 briefly": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) },
	} {
		t.Run(name, func(t *testing.T) {
			site := newFaultSite()
			site.HandleFunc("/", etagged(links("/a/1", "/a/2")))
			site.HandleFunc("/a/1", serveHTML(articleHTML("一")))
			var failing atomic.Bool
			failing.Store(true)
			site.HandleFunc("/a/2", func(w http.ResponseWriter, r *http.Request) {
				if failing.Load() {
					fault(w, r)
					return
				}
				serveHTML(whole)(w, r)
			})
			srv := httptest.NewServer(site)
			defer srv.Close()
			cache := &mapCache{m: map[string]Validators{}}
			opts := fastOptions(srv, "/")
			with := []Option{WithValidatorCache(cache)}
			opts.MaxRetries = retries(0)
			var got sync.Map
			for i := range 2 {
				c, err := New(opts, zap.NewNop(), nil, with...)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Run(context.Background(), articleHandler(&got)); err != nil {
					t.Fatal(err)
				}
				if i == 0 && len(cache.m) != 0 {
					t.Fatalf("the listing's validators were kept after /a/2 failed (%s): its 304 would hide /a/2 for good", name)
				}
				failing.Store(false)
			}
			if _, ok := got.Load("/a/2"); !ok {
				t.Fatalf("/a/2 never gave its record after a first fetch that failed (%s)", name)
			}
		})
	}
}

// With article patterns configured, a page at an article's URL that gave no record failed,
// whatever links its error page carries or whether its links are followed.
func TestAnErrorPageAtAnArticlePatternMarksTheRunIncompleteWhateverItsLinks(t *testing.T) {
	whole := articleHTML("二")
	for name, follow := range map[string][]string{
		"whose navigation links are followed": {`/$`, `/about$`, `/a/`},
		"off the follow patterns":             {`/$`},
	} {
		t.Run(name, func(t *testing.T) {
			site := newFaultSite()
			site.HandleFunc("/", etagged(links("/a/1", "/a/2")))
			site.HandleFunc("/a/1", serveHTML(articleHTML("一")))
			site.HandleFunc("/about", serveHTML(`<html><body><a href="/">home</a></body></html>`))
			var failing atomic.Bool
			failing.Store(true)
			site.HandleFunc("/a/2", func(w http.ResponseWriter, r *http.Request) {
				if failing.Load() {
					serveHTML(`<html><body><a href="/">home</a> <a href="/about">about</a><p>Server busy.</p></body></html>`)(w, r)
					return
				}
				serveHTML(whole)(w, r)
			})
			srv := httptest.NewServer(site)
			defer srv.Close()
			cache := &mapCache{m: map[string]Validators{}}
			opts := fastOptions(srv, "/")
			with := []Option{WithValidatorCache(cache)}
			opts.MaxRetries = retries(0)
			opts.Articles, opts.Follow = []string{`/a/\d+$`}, follow
			var got sync.Map
			for range 2 {
				c, err := New(opts, zap.NewNop(), nil, with...)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Run(context.Background(), articleHandler(&got)); err != nil {
					t.Fatal(err)
				}
				failing.Store(false)
			}
			if _, ok := got.Load("/a/2"); !ok {
				t.Fatalf("/a/2 never gave its record: the listing's 304 hid it after its error page (%s)", name)
			}
		})
	}
}

// Without article patterns a busy page with a navigation bar looks like a listing, but a URL
// that carries an info code names an article whatever its page says.
func TestAnErrorPageAtAnInfoCodeURLMarksTheRunIncompleteWithoutArticlePatterns(t *testing.T) {
	const failingPath = "/a/202401163022222222.html"
	site := newFaultSite()
	site.HandleFunc("/", etagged(links("/a/202401163011111111.html", failingPath)))
	site.HandleFunc("/a/202401163011111111.html", serveHTML(articleHTML("一")))
	site.HandleFunc("/about", serveHTML(`<html><body><a href="/">home</a></body></html>`))
	var failing atomic.Bool
	failing.Store(true)
	site.HandleFunc(failingPath, func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			serveHTML(`<html><body><a href="/">home</a> <a href="/about">about</a><p>Server busy.</p></body></html>`)(w, r)
			return
		}
		serveHTML(articleHTML("二"))(w, r)
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	cache := &mapCache{m: map[string]Validators{}}
	opts := fastOptions(srv, "/")
	with := []Option{WithValidatorCache(cache)}
	opts.MaxRetries = retries(0)
	var got sync.Map
	for range 2 {
		c, err := New(opts, zap.NewNop(), nil, with...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(context.Background(), articleHandler(&got)); err != nil {
			t.Fatal(err)
		}
		failing.Store(false)
	}
	if _, ok := got.Load(failingPath); !ok {
		t.Fatal("the info-code article never gave its record: the listing's 304 hid it after its busy page")
	}
}

func TestFeedHintsOfItemsNotFetchedAreNotKept(t *testing.T) {
	site := newFaultSite()
	var feed strings.Builder
	feed.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>`)
	for i := range 50 {
		feed.WriteString("<item><title>t</title><link>/a/" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "</link><description>" + strings.Repeat("x", 1000) + "</description></item>")
	}
	feed.WriteString("</channel></rss>")
	site.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(feed.String()))
	})
	site.HandleFunc("/a/", serveHTML(articleHTML("一")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/feed.xml")
	// Every item is already stored: none is fetched, so none of their hints may stay.
	c, err := New(opts, zap.NewNop(), func(context.Context, string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	// Run's steps, keeping the pass to look into.
	ctx := context.Background()
	p := c.newPass(ctx, func(context.Context, *article.Page) error { return nil })
	p.seed(ctx)
	p.fr.run(ctx, p.workers, func(q queued) { p.fetch(ctx, q) })
	p.hintsMu.Lock()
	n := len(p.hints)
	p.hintsMu.Unlock()
	if n != 0 {
		t.Errorf("%d feed hints kept after the run for items never fetched", n)
	}
}

func TestAPageWithAFewNULBytesIsNotRefusedWholeAsBinary(t *testing.T) {
	page := []byte("<html><head><meta charset=\"utf-8\"><title>标题</title></head><body><p>正文\x00段落。</p>" + strings.Repeat("<p>更多的文字内容。</p>", 100) + "\x00</body></html>")
	body, _, err := Decode("text/html; charset=utf-8", page)
	if err != nil {
		t.Fatalf("a page with two NUL bytes was refused: %v", err)
	}
	if !strings.Contains(string(body), "更多的文字内容") {
		t.Errorf("decoded body lost its text")
	}
	if _, _, err := Decode("text/html", append([]byte("<html>"), make([]byte, 600)...)); !errors.Is(err, ErrBinary) {
		t.Errorf("a body mostly of NULs: %v, want ErrBinary", err)
	}
}
