package crawler

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// origins is the set of places a source may fetch from. Each key is a lower-cased host name,
// followed by ":port" unless the port is its scheme's default (80 for http, 443 for https): a
// server on another port of an allowed host is another program, often an admin panel or a
// development server, not the site. The scheme is not part of the key, since sites redirect
// from http to https as a matter of course.
type origins map[string]bool

// newOrigins builds the set from allowed_hosts entries ("host" or "host:port"; ports 80 and
// 443 are the same as no port) and the seeds. A seed is always reachable, port and all: naming
// a host in allowed_hosts and a seed on one of its ports means that port. With no entries, the
// seeds alone make the set. A seed whose host is not listed is an error.
func newOrigins(allowed, seeds []string) (origins, error) {
	o := origins{}
	listed := map[string]bool{} // host names of the entries, for the seed check
	for _, a := range allowed {
		host, port, err := splitAllowedHost(a)
		if err != nil {
			return nil, err
		}
		listed[host] = true
		o[originKey(host, port)] = true
	}
	for _, s := range seeds {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("seed %q is not an http(s) URL", s)
		}
		host := strings.ToLower(u.Hostname())
		if len(allowed) > 0 && !listed[host] {
			return nil, fmt.Errorf("seed %q is outside allowed_hosts", s)
		}
		o[urlOrigin(u)] = true
	}
	return o, nil
}

// allows reports whether u, an http(s) URL, is on one of the origins.
func (o origins) allows(u *url.URL) bool {
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	return o[urlOrigin(u)]
}

// sameOrigin reports whether u is on one of the crawl's origins: the one check for every link,
// redirect and feed entry.
func (c *Crawler) sameOrigin(u *url.URL) bool { return c.origins.allows(u) }

// hostNames are the distinct host names of the set, without ports.
func (o origins) hostNames() map[string]bool {
	out := map[string]bool{}
	for k := range o {
		h := k
		if host, _, err := net.SplitHostPort(k); err == nil {
			h = host
		}
		out[strings.Trim(h, "[]")] = true
	}
	return out
}

// urlOrigin is u's key in an origins set.
func urlOrigin(u *url.URL) string {
	port := u.Port()
	if u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443" {
		port = ""
	}
	return originKey(strings.ToLower(u.Hostname()), port)
}

func originKey(host, port string) string {
	if port == "" {
		if strings.Contains(host, ":") {
			return "[" + host + "]" // IPv6, so that the key never reads as host:port
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// splitAllowedHost reads one allowed_hosts entry: a host name or IP, optionally with a port
// ("example.com", "example.com:8080", "[::1]:8080"). The port is "" for none, 80 or 443.
func splitAllowedHost(entry string) (host, port string, err error) {
	e := strings.ToLower(strings.TrimSpace(entry))
	if e == "" || strings.ContainsAny(e, "/@?# ") {
		return "", "", fmt.Errorf("%q is not a host name (write example.com or example.com:8080, without scheme or path)", entry)
	}
	host = e
	if h, p, err := net.SplitHostPort(e); err == nil {
		n, perr := strconv.Atoi(p)
		if perr != nil || n < 1 || n > 65535 {
			return "", "", fmt.Errorf("%q: port %q is not a number from 1 to 65535", entry, p)
		}
		host, port = h, strconv.Itoa(n)
		if n == 80 || n == 443 {
			port = ""
		}
	} else if strings.Count(e, ":") == 1 {
		return "", "", fmt.Errorf("%q: %v", entry, err)
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		return "", "", fmt.Errorf("%q has no host name", entry)
	}
	return host, port, nil
}
