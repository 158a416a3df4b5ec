package crawler

import (
	"net"
	"net/url"
	"strings"
)

// An origin is scheme-less host:port. Another port of an allowed host is another server, often
// another application (an admin console, a staging copy), so a crawl stays on the ports it was
// given: those of its seeds on that host, the default web ports when it was given no other
// (http and https of one site are the same site), and any port an allowed_hosts entry names
// ("127.0.0.1:8932").

// originPorts returns, for each allowed host name, the ports the crawl may fetch from.
func originPorts(seeds, allowed []string) (hosts map[string]bool, origins map[string]bool) {
	hosts, origins = map[string]bool{}, map[string]bool{}
	seedPorts := map[string][]string{}
	for _, s := range seeds {
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			h := strings.ToLower(u.Hostname())
			seedPorts[h] = append(seedPorts[h], portOf(u))
			if len(allowed) == 0 {
				hosts[h] = true
			}
		}
	}
	named := map[string]bool{} // hosts listed without a port
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimSpace(a))
		if h, p, err := net.SplitHostPort(a); err == nil && p != "" {
			hosts[h] = true
			origins[h+":"+p] = true
			continue
		}
		hosts[a] = true
		named[a] = true
	}
	if len(allowed) == 0 {
		for h := range hosts {
			named[h] = true
		}
	}
	for h := range named {
		defaults := true
		for _, p := range seedPorts[h] {
			origins[h+":"+p] = true
			if p != "80" && p != "443" {
				defaults = false
			}
		}
		if defaults {
			origins[h+":80"], origins[h+":443"] = true, true
		}
	}
	return hosts, origins
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// sameOrigin reports whether u is on one of the crawl's origins: an http(s) URL on an allowed host
// and port. Every link, redirect and feed entry is checked with it.
func (c *Crawler) sameOrigin(u *url.URL) bool {
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return c.origins[strings.ToLower(u.Hostname())+":"+portOf(u)]
}
