package crawler

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// otherPort is a second server on the same host as the site: what a link or redirect to
// another port of an allowed host reaches.
func otherPort(t *testing.T) (*httptest.Server, *faultSite) {
	t.Helper()
	other := newFaultSite()
	other.Handle("/", serveHTML(articleHTML("admin panel")))
	srv := httptest.NewServer(other)
	t.Cleanup(srv.Close)
	return srv, other
}

func TestALinkOrRedirectToAnotherPortOfAnAllowedHostIsNotFetched(t *testing.T) {
	admin, adminSite := otherPort(t)
	site := newFaultSite()
	site.Handle("/", serveHTML(links(admin.URL+"/a/linked", "/a/moved")))
	site.Handle("/a/moved", http.RedirectHandler(admin.URL+"/a/redirected", http.StatusFound))
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.AllowedHosts = []string{"127.0.0.1"}
	r := crawlSite(t, opts)
	if n := adminSite.count("/a/linked") + adminSite.count("/a/redirected"); n != 0 {
		t.Errorf("another port of 127.0.0.1 was fetched %d times:\n%s", n, r.dump())
	}
	if !r.logged("leaves the allowed hosts") {
		t.Errorf("the refused redirect is not explained:\n%s", r.dump())
	}
}

func TestAnAllowedHostWithAPortOpensThatPort(t *testing.T) {
	admin, adminSite := otherPort(t)
	site := newFaultSite()
	site.Handle("/", serveHTML(links(admin.URL+"/a/linked", "/a/moved")))
	site.Handle("/a/moved", http.RedirectHandler(admin.URL+"/a/redirected", http.StatusFound))
	srv := httptest.NewServer(site)
	defer srv.Close()
	opts := fastOptions(srv, "/")
	opts.AllowedHosts = []string{"127.0.0.1", strings.TrimPrefix(admin.URL, "http://")}
	r := crawlSite(t, opts)
	if adminSite.count("/a/linked") != 1 || adminSite.count("/a/redirected") != 1 {
		t.Errorf("the named port was not fetched:\n%s", r.dump())
	}
}

func TestOriginsTreatDefaultPortsAsNoPortAndKeepSeedPorts(t *testing.T) {
	o, err := newOrigins([]string{"Example.com", "example.org:8443", "news.example.net:443"}, []string{"http://example.com:8080/list"})
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]bool{
		"http://example.com/a":          true,
		"https://EXAMPLE.com:443/a":     true,
		"http://example.com:80/a":       true,
		"http://example.com:8080/a":     true, // the seed's port
		"http://example.com:9090/a":     false,
		"https://example.org:8443/a":    true,
		"https://example.org/a":         false, // only the named port
		"https://news.example.net/a":    true,
		"https://news.example.net:80/a": false, // 80 is not https's default
		"ftp://example.com/a":           false,
		"http://elsewhere.example/a":    false,
	} {
		u, _ := url.Parse(raw)
		if got := o.allows(u); got != want {
			t.Errorf("%s: allowed %v, want %v", raw, got, want)
		}
	}
}

func TestAllowedHostEntriesAreCheckedOneByOne(t *testing.T) {
	for _, bad := range []string{"", "http://x.com", "x.com/path", "x.com:0", "x.com:99999", "x.com:http", "user@x.com"} {
		if _, _, err := splitAllowedHost(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for entry, want := range map[string]string{"x.com": "x.com", "X.com:8080": "x.com:8080", "x.com:443": "x.com", "[::1]:8080": "[::1]:8080", "::1": "[::1]"} {
		h, p, err := splitAllowedHost(entry)
		if got := originKey(h, p); err != nil || got != want {
			t.Errorf("%q: %q (%v), want %q", entry, got, err, want)
		}
	}
	if _, err := newOrigins([]string{"x.com:8080"}, []string{"http://y.com/"}); err == nil {
		t.Error("a seed outside allowed_hosts was accepted")
	}
}
