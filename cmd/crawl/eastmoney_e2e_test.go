package main_test

// Eastmoney's list endpoints through the real binary. Saved lists name Eastmoney's own hosts;
// the binary reaches them through HTTP(S)_PROXY, set to a proxy on loopback that answers for
// *.eastmoney.com from a local server and refuses every other host, and SSL_CERT_FILE, set to a
// certificate made here for finance.eastmoney.com. No test reaches the internet.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// emArticle is an Eastmoney article page (older template) without summary or stocks.
func emArticle(title, when, para string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + `_东方财富网</title></head><body>
<div class="newsContent"><h1>` + title + `</h1><div class="time-source"><div class="time">` + when + `</div>
<div class="source data-source" data-source="测试财经"><span>来源：</span>测试财经</div></div>
<div id="ContentBody" class="Body"><p>　　` + para + `</p><p>本文基于AI生产，仅供参考。</p><p><a href="https://example.com/">全新妙想投研助理，立即体验</a></p></div></div>
</body></html>`
}

// eastmoneyArticles serves /a/<number>.html for the given numbers and 404 for the rest.
func eastmoneyArticles(pages map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := pages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, p)
			return
		}
		http.NotFound(w, r)
	})
}

// fakeEastmoneyProxy is a forward proxy on loopback standing in for Eastmoney's hosts.
type fakeEastmoneyProxy struct {
	proxy    *httptest.Server
	tlsSrv   *httptest.Server
	certFile string
	mu       sync.Mutex
	asked    []string       // host:port of every request and tunnel, Eastmoney's or not
	served   map[string]int // requests that reached the stand-in, by path
}

func newFakeEastmoneyProxy(t *testing.T, h http.Handler) *fakeEastmoneyProxy {
	t.Helper()
	f := &fakeEastmoneyProxy{served: map[string]int{}}
	inner := h
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.served[r.URL.Path]++
		f.mu.Unlock()
		inner.ServeHTTP(w, r)
	})
	certPEM, cert := eastmoneyCert(t)
	f.certFile = filepath.Join(t.TempDir(), "eastmoney-ca.pem")
	if err := os.WriteFile(f.certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	f.tlsSrv = httptest.NewUnstartedServer(h)
	f.tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	f.tlsSrv.StartTLS()
	t.Cleanup(f.tlsSrv.Close)
	f.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		f.mu.Lock()
		f.asked = append(f.asked, host)
		f.mu.Unlock()
		if !strings.HasSuffix(strings.Split(host, ":")[0], ".eastmoney.com") {
			http.Error(w, "test proxy: not an Eastmoney host", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodConnect {
			h.ServeHTTP(w, r) // plain http: the proxy answers for the host itself
			return
		}
		up, err := net.Dial("tcp", f.tlsSrv.Listener.Addr().String())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			up.Close()
			return
		}
		io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { io.Copy(up, conn); up.Close() }()
		go func() { io.Copy(conn, up); conn.Close() }()
	}))
	t.Cleanup(f.proxy.Close)
	return f
}

// env is the binary's environment: every request to a non-loopback host goes through the proxy,
// and only the certificate made here is trusted.
func (f *fakeEastmoneyProxy) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k := strings.ToUpper(strings.SplitN(kv, "=", 2)[0])
		if !strings.HasSuffix(k, "_PROXY") && k != "SSL_CERT_FILE" && k != "SSL_CERT_DIR" {
			env = append(env, kv)
		}
	}
	return append(env, "HTTP_PROXY="+f.proxy.URL, "HTTPS_PROXY="+f.proxy.URL, "NO_PROXY=", "SSL_CERT_FILE="+f.certFile, "SSL_CERT_DIR="+filepath.Dir(f.certFile))
}

func (f *fakeEastmoneyProxy) hits(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.served[path]
}

func (f *fakeEastmoneyProxy) hosts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// eastmoneyCert is a self-signed certificate for Eastmoney's hosts, trusted as its own root.
func eastmoneyCert(t *testing.T) ([]byte, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "finance.eastmoney.com"},
		DNSNames:  []string{"finance.eastmoney.com", "*.eastmoney.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, cert
}

func crawlWithEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func byID(recs []record) map[string]record {
	m := map[string]record{}
	for _, r := range recs {
		m[r.ID] = r
	}
	return m
}

// The kuaixun list as Eastmoney serves it: JSONP, labelled application/octet-stream.
func TestAJSONPListServedAsOctetStreamGivesTheArticlesItLists(t *testing.T) {
	mux := http.NewServeMux()
	// The list names its articles by the address it was asked on, so nothing is shared between
	// the test and the server's goroutines (the race detector sees no order through the process).
	list := func(base string) string {
		return `var ajaxResult={"LivesList":[{"id":"202401163011111111","newsid":"202401163011111111","url_w":"` + base + `/a/202401163011111111.html",` +
			`"title":"港口集装箱吞吐量同比增长","digest":"【港口集装箱吞吐量同比增长】交通运输部数据显示集装箱吞吐量增长。","showtime":"2024-01-16 10:05:12","Art_Media_Name":"东方财富研究中心"}],"Tag":0};`
	}
	mux.HandleFunc("/kuaixun/v1/getlist_102_ajaxResult_50_1_.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		fmt.Fprint(w, list("http://"+r.Host))
	})
	mux.Handle("/a/", eastmoneyArticles(map[string]string{
		"/a/202401163011111111.html": emArticle("港口集装箱吞吐量同比增长", "2024年01月16日 10:05", "上周沿海港口集装箱吞吐量同比增长6.1%。"),
	}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	r := crawl(t, "--url", srv.URL+"/kuaixun/v1/getlist_102_ajaxResult_50_1_.html")
	recs := parseJSONL(t, r.stdout)
	if r.code != 0 || len(recs) != 1 {
		t.Fatalf("exit %d, %d records, want 1\n%s", r.code, len(recs), r.stderr)
	}
	rec := recs[0]
	checkRecord(t, rec)
	if rec.ID != "NW202401163011111111" || rec.Title != "港口集装箱吞吐量同比增长" || rec.Summary != "交通运输部数据显示集装箱吞吐量增长。" ||
		rec.Body != "上周沿海港口集装箱吞吐量同比增长6.1%。" || rec.Source != "测试财经" {
		t.Errorf("record %+v", rec)
	}
}

// An archive of saved list responses, replayed: each list's articles come from Eastmoney's hosts
// (here the loopback stand-in), the list fills what a page lacks, a text body saved beside them
// is an article by itself, and an article that fails is logged with its URL.
func TestAFolderOfSavedListsReadByFileURLGivesTheirArticles(t *testing.T) {
	em := newFakeEastmoneyProxy(t, eastmoneyArticles(map[string]string{
		"/a/202401163033333333.html": emArticle("航运指数连续第三周上涨", "2024年01月16日 10:15", "上海出口集装箱运价指数报2239点。"),
		"/a/202401163077777777.html": emArticle("央行公开市场净投放资金", "2024年01月16日 09:30", "央行今日开展逆回购操作。"),
	}))
	dir := t.TempDir()
	files := map[string]string{
		// 7×24: codes only, one of which the stand-in does not serve.
		"2024-01-16/getFastNewsList.jsonp": `jQuery3510_1({"code":"1","data":{"fastNewsList":[` +
			`{"code":"202401163033333333","showTime":"2024-01-16 10:15:01","stockList":["1.601919"],"summary":"【航运指数连续第三周上涨】运价指数环比上涨4.2%。","title":"航运指数连续第三周上涨"},` +
			`{"code":"202401163044444444","showTime":"2024-01-16 10:10:12","stockList":[],"summary":"均价持平。","title":"多晶硅报价企稳"}]}})`,
		// The headline box: Art_ keys, plain-http links.
		"2024-01-16/zxbb2018.js": `zxbb2018({"Result":[{"Art_Title":"央行公开市场净投放资金","Art_Code":"202401163077777777","Art_Url":"http://finance.eastmoney.com/a/202401163077777777.html","Art_Showtime":"2024-01-16 09:30:05"}]});`,
		// A text endpoint's answer saved under its info code.
		"2024-01-16/text/NW202401163000000030.json": `{"data":{"title":"港股科技板块午后走强","showtime":"2024-01-16 13:45:10","medianame":"港股通讯社","text":"<p>　　港股科技板块午后走强。</p>"}}`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(t.TempDir(), "backfill.db")
	r := crawlWithEnv(t, em.env(), "--url", "file://"+dir, "--db", db)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	recs := byID(parseJSONL(t, r.stdout))
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3: %v\n%s", len(recs), ids(parseJSONL(t, r.stdout)), r.stderr)
	}
	for _, rec := range recs {
		checkRecord(t, rec)
	}
	if rec := recs["NW202401163033333333"]; rec.URL != "https://finance.eastmoney.com/a/202401163033333333.html" ||
		rec.Summary != "运价指数环比上涨4.2%。" || strings.Join(rec.Stocks, ",") != "601919.SH" || rec.Body != "上海出口集装箱运价指数报2239点。" {
		t.Errorf("7×24 article %+v", rec)
	}
	if rec := recs["NW202401163077777777"]; rec.URL != "http://finance.eastmoney.com/a/202401163077777777.html" || rec.Extractor != "eastmoney" {
		t.Errorf("headline article %+v", rec)
	}
	if rec := recs["NW202401163000000030"]; rec.Body != "港股科技板块午后走强。" || rec.Source != "港股通讯社" || rec.Extractor != "feed-item" {
		t.Errorf("saved text body %+v", rec)
	}
	if !strings.Contains(r.stderr, "https://finance.eastmoney.com/a/202401163044444444.html") || !strings.Contains(r.stderr, "fetch failed") {
		t.Errorf("the failed article is not logged with its URL:\n%s", r.stderr)
	}
	for _, h := range em.hosts() {
		if !strings.HasPrefix(h, "finance.eastmoney.com") {
			t.Errorf("the binary asked for %s", h)
		}
	}
	// Replayed again with the same store: the stored articles are not fetched again, the one that
	// failed is tried again.
	again := crawlWithEnv(t, em.env(), "--url", "file://"+dir, "--db", db)
	if again.code != 0 || len(parseJSONL(t, again.stdout)) != 0 {
		t.Fatalf("replay: exit %d, %d records\n%s", again.code, len(parseJSONL(t, again.stdout)), again.stderr)
	}
	for path, want := range map[string]int{"/a/202401163033333333.html": 1, "/a/202401163077777777.html": 1, "/a/202401163044444444.html": 2} {
		if n := em.hits(path); n != want {
			t.Errorf("%s served %d times over two runs, want %d", path, n, want)
		}
	}
}
