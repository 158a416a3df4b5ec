package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
)

// eastmoneyPage is an article page in Eastmoney's newer template, without summary or stocks:
// those must come from the list.
func eastmoneyPage(title, when, para string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + `</title></head><body>
<div class="title">` + title + `</div><div class="infos"><div class="item">` + when + `</div><div class="item">来源：测试财经</div></div>
<div class="txtinfos" id="ContentBody"><p>　　` + para + `</p><p>免责声明：本文基于大数据生产，仅供参考，不构成任何投资建议，据此操作风险自担。</p></div>
</body></html>`
}

// fakeEastmoney serves article pages as https://finance.eastmoney.com on loopback. Its transport
// dials that host to the TLS server and every other host to where it asks only if it is loopback,
// so no test reaches the internet; dialled records every host:port asked for.
type fakeEastmoney struct {
	srv    *httptest.Server
	mu     sync.Mutex
	dialed []string
}

func newFakeEastmoney(t *testing.T, h http.Handler) *fakeEastmoney {
	t.Helper()
	f := &fakeEastmoney{srv: httptest.NewTLSServer(h)}
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeEastmoney) transport() *http.Transport {
	pool := x509.NewCertPool()
	pool.AddCert(f.srv.Certificate())
	var d net.Dialer
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			f.mu.Lock()
			f.dialed = append(f.dialed, addr)
			f.mu.Unlock()
			host, _, _ := net.SplitHostPort(addr)
			switch {
			case strings.HasSuffix(host, "eastmoney.com"):
				return d.DialContext(ctx, network, f.srv.Listener.Addr().String())
			case net.ParseIP(host).IsLoopback():
				return d.DialContext(ctx, network, addr)
			}
			return nil, fmt.Errorf("test transport: %s is not loopback", addr)
		},
		// httptest's certificate names example.com; the fake stands in for every Eastmoney host.
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"},
	}
}

func (f *fakeEastmoney) dials() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.dialed...)
}

// records runs the real extractors on what the crawler hands over, as the pipeline does.
type records struct {
	mu   sync.Mutex
	recs map[string]*article.Record // by URL
	urls []string                   // every page handed over
}

func (r *records) handle(_ context.Context, p *article.Page) error {
	rec, err := extract.Default().Extract(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.urls = append(r.urls, p.URL.String())
	if err != nil {
		return err
	}
	r.recs[rec.URL] = rec
	return nil
}

func observed() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.DebugLevel)
	return zap.New(core), logs
}

const fastNewsJSONP = `jQuery3510_1({"code":"1","data":{"fastNewsList":[` +
	`{"code":"202401163033333333","showTime":"2024-01-16 10:15:01","stockList":["1.601919","90.BK0450"],"summary":"【航运指数连续第三周上涨】上海出口集装箱运价指数环比上涨4.2%。","title":"航运指数连续第三周上涨","titleColor":0},` +
	`{"code":"202401163044444444","showTime":"2024-01-16 10:10:12","stockList":[],"summary":"【多晶硅报价企稳】均价与上周持平。","title":"多晶硅报价企稳","titleColor":1}]}})`

func TestA7x24ListServedAsOctetStreamGivesEachCodeItsFetchedEastmoneyPage(t *testing.T) {
	for _, ct := range []string{"application/octet-stream", "text/plain; charset=utf-8", "application/javascript"} {
		t.Run(ct, func(t *testing.T) {
			em := newFakeEastmoney(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/a/202401163033333333.html":
					// The page has no summary and no stocks; the list has both.
					fmt.Fprint(w, eastmoneyPage("航运指数连续第三周上涨", "2024年01月16日 10:15", "上海出口集装箱运价指数报2239点。"))
				default:
					http.NotFound(w, r)
				}
			}))
			list := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ct)
				fmt.Fprint(w, fastNewsJSONP)
			}))
			defer list.Close()
			log, logs := observed()
			opts := Options{Name: "t", Seeds: []string{list.URL + "/comm/web/getFastNewsList"}, AllowedHosts: []string{"127.0.0.1", "finance.eastmoney.com"},
				IgnoreRobots: true, MaxRetries: retries(0)}
			c, err := New(opts, log, nil, withTransport(em.transport()))
			if err != nil {
				t.Fatal(err)
			}
			got := &records{recs: map[string]*article.Record{}}
			if _, err := c.Run(context.Background(), got.handle); err != nil {
				t.Fatal(err)
			}
			rec := got.recs["https://finance.eastmoney.com/a/202401163033333333.html"]
			if rec == nil {
				t.Fatalf("the 7×24 item was not fetched and read; pages %v", got.urls)
			}
			if rec.ID != "NW202401163033333333" || rec.Title != "航运指数连续第三周上涨" || rec.Source != "测试财经" ||
				rec.Summary != "上海出口集装箱运价指数环比上涨4.2%。" || strings.Join(rec.Stocks, ",") != "601919.SH" ||
				rec.Body != "上海出口集装箱运价指数报2239点。" || rec.PublishedAt.Format(time.RFC3339) != "2024-01-16T10:15:00+08:00" {
				t.Errorf("record %+v", rec)
			}
			if len(logs.FilterMessage("fetch failed").FilterField(zap.String("url", "https://finance.eastmoney.com/a/202401163044444444.html")).All()) != 1 {
				t.Errorf("the failed article fetch is not logged with its URL")
			}
		})
	}
}

// A feed vouches only for its own site: an entry's body under another host's link is no record.
func TestAFeedEntryWithItsOwnBodyAndAnOffHostLinkIsNoRecord(t *testing.T) {
	atom := `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>冒名文章</title><link href="http://elsewhere.example.cn/a/202401169999999999.html"/><id>NW202401169999999999</id>
<published>2024-01-16T10:00:00+08:00</published><content type="html">&lt;p&gt;别处的正文冒充本站。&lt;/p&gt;</content></entry>
<entry><title>本站文章</title><link href="/own/NW202401168888888888.html"/><id>NW202401168888888888</id>
<published>2024-01-16T10:00:00+08:00</published><content type="html">&lt;p&gt;本站正文。&lt;/p&gt;</content></entry></feed>`
	json := `{"data":{"list":[{"code":"202401167777777777","title":"冒名快讯","showTime":"2024-01-16 10:00:00","url":"http://elsewhere.example.cn/a/202401167777777777.html","content":"<p>别处的正文。</p>"},` +
		`{"code":"202401166666666666","title":"本站快讯","showTime":"2024-01-16 10:00:00","url":"/a/202401166666666666.html","content":"<p>本站快讯正文。</p>"}]}}`
	site := newFaultSite()
	site.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, atom) })
	site.HandleFunc("/list.json", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, json) })
	site.Handle("/own/", serveHTML(articleHTML("本站文章")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	got := &records{recs: map[string]*article.Record{}}
	c, err := New(fastOptions(srv, "/feed.xml", "/list.json"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), got.handle); err != nil {
		t.Fatal(err)
	}
	for _, u := range got.urls {
		if strings.Contains(u, "elsewhere") {
			t.Errorf("an off-host entry's body was handed over as %s", u)
		}
	}
	if got.recs[srv.URL+"/a/202401166666666666.html"] == nil || site.count("/own/NW202401168888888888.html") != 1 {
		t.Errorf("the feed's own items were lost: records %v, pages %v", len(got.recs), got.urls)
	}
}

// Another port of an allowed host is another origin: no feed kind leads there.
func TestFeedsSitemapsAndListsDoNotLeadToAnotherPortOfAnAllowedHost(t *testing.T) {
	other := newFaultSite()
	other.Handle("/", serveHTML(articleHTML("另一个端口")))
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()
	o := otherSrv.URL // http://127.0.0.1:<other port>
	site := newFaultSite()
	site.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset><url><loc>%s/sitemap-page.html</loc></url><url><loc>/a/own.html</loc></url></urlset>`, o)
	})
	site.HandleFunc("/index.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex><sitemap><loc>%s/sitemap-other.xml</loc></sitemap></sitemapindex>`, o)
	})
	site.HandleFunc("/atom.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title><link href="%s/atom-entry.html"/></entry></feed>`, o)
	})
	site.HandleFunc("/list.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"data":{"list":[{"code":"202401165555555555","title":"x","url":"%s/json-item.html"}]}}`, o)
	})
	site.Handle("/a/", serveHTML(articleHTML("本站")))
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawlSite(t, fastOptions(srv, "/sitemap.xml", "/index.xml", "/atom.xml", "/list.json"))
	for _, p := range []string{"/sitemap-page.html", "/sitemap-other.xml", "/atom-entry.html", "/json-item.html"} {
		if n := other.count(p); n != 0 {
			t.Errorf("%s on another port was fetched %d times", p, n)
		}
	}
	if site.count("/a/own.html") != 1 {
		t.Errorf("the sitemap's own entry was not fetched:\n%s", r.dump())
	}
	if !r.logged("feed items off the allowed hosts not fetched url=" + srv.URL + "/list.json") {
		t.Errorf("the skipped items are not said:\n%s", r.dump())
	}
}

func TestAnAllowedHostNamedWithAPortAllowsThatPort(t *testing.T) {
	other := newFaultSite()
	other.Handle("/", serveHTML(articleHTML("另一个端口")))
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()
	site := newFaultSite()
	site.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset><url><loc>%s/a/there.html</loc></url></urlset>`, otherSrv.URL)
	})
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/sitemap.xml")
	opts.AllowedHosts = []string{srv.Listener.Addr().String(), otherSrv.Listener.Addr().String()}
	crawlSite(t, opts)
	if other.count("/a/there.html") != 1 {
		t.Errorf("a port named in allowed_hosts was not fetched")
	}
}

// Saved lists are backfill input: read from disk, their articles fetched from their own hosts.
func TestAFolderOfSavedListsIsReadAndItsArticlesFetchedFromTheirOwnHosts(t *testing.T) {
	em := newFakeEastmoney(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a/202401163033333333.html" {
			fmt.Fprint(w, eastmoneyPage("航运指数连续第三周上涨", "2024年01月16日 10:15", "运价指数报2239点。"))
			return
		}
		http.NotFound(w, r)
	}))
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "2024", "01"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "2024", "01", "getFastNewsList.jsonp"), []byte(fastNewsJSONP), 0o644))
	// A text endpoint's body saved under the article's code: no fetch, the file is the article.
	must(os.WriteFile(filepath.Join(dir, "2024", "01", "NW202401163000000030.json"),
		[]byte(`{"data":{"title":"港股科技板块午后走强","showtime":"2024-01-16 13:45:10","text":"<p>港股科技板块午后走强。</p>"}}`), 0o644))
	must(os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"x","version":"1.0.0"}`), 0o644))
	log, logs := observed()
	got := &records{recs: map[string]*article.Record{}}
	_, items, err := ReadLocal(context.Background(), dir, log, got.handle)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("%d items to fetch, want the two codes of the 7×24 list", len(items))
	}
	opts := Options{IgnoreRobots: true, MaxRetries: retries(0)}
	if _, err := FetchItems(context.Background(), items, opts, log, nil, got.handle, withTransport(em.transport())); err != nil {
		t.Fatal(err)
	}
	if rec := got.recs["https://finance.eastmoney.com/a/202401163033333333.html"]; rec == nil || rec.Summary == "" || len(rec.Stocks) != 1 {
		t.Errorf("fetched article: %+v (pages %v)", rec, got.urls)
	}
	var text *article.Record
	for _, r := range got.recs {
		if r.ID == "NW202401163000000030" {
			text = r
		}
	}
	if text == nil || text.Body != "港股科技板块午后走强。" {
		t.Errorf("saved text body: %+v", text)
	}
	if len(logs.FilterMessage("fetch failed").FilterField(zap.String("url", "https://finance.eastmoney.com/a/202401163044444444.html")).All()) != 1 {
		t.Errorf("the failed article fetch is not logged with its URL")
	}
	for _, d := range em.dials() {
		if !strings.HasPrefix(d, "finance.eastmoney.com:") {
			t.Errorf("dialled %s", d)
		}
	}
}

func TestALocalPostThatOnlyBeginsLikeJSONPIsStillReadAsAPost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "2024-01-16-202401163000000070.md")
	if err := os.WriteFile(path, []byte("Apple(AAPL) 盘前上涨。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	_, items, err := ReadLocal(context.Background(), path, zap.NewNop(), func(_ context.Context, p *article.Page) error {
		got = append(got, p.ContentType)
		return nil
	})
	if err != nil || len(items) != 0 || strings.Join(got, ",") != "text/markdown" {
		t.Fatalf("handled %v, items %d, err %v", got, len(items), err)
	}
}
