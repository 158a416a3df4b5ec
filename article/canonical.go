package article

import (
	"net"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// trackingParams are query parameters that say how a visitor arrived (a campaign, a share
// button, an ad click), never which page it is: the same article reached from an RSS reader and
// from a search result must be one URL. Names are matched case-insensitively; every "utm_"
// parameter is one. docs/schema.md lists them.
var trackingParams = map[string]bool{
	"spm": true, "scm": true, // Alibaba / Taobao
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true, "msclkid": true, "yclid": true, "twclid": true, "ttclid": true,
	"igshid": true, "mc_cid": true, "mc_eid": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true,
	"isappinstalled": true, "wxshare_count": true, "share_token": true, "sharesource": true, // WeChat and app share links
}

// isTracking reports whether the query pair k=v only tracks the visit. "from" is the Chinese
// portals' and WeChat's way of saying where a link was shared (from=timeline, from=rss), but a
// number there is a pagination offset, which names a different page.
func isTracking(k, v string) bool {
	k = strings.ToLower(k)
	switch {
	case strings.HasPrefix(k, "utm_"), trackingParams[k]:
		return true
	case k == "from":
		return v != "" && strings.Trim(v, "0123456789") != ""
	}
	return false
}

// CanonicalURL is u in the one form that ids and the crawl's visited set use: scheme and host
// lower-cased, the scheme's default port dropped, the fragment dropped, tracking parameters
// dropped and the remaining query pairs in key order (each pair's encoding kept as written, and
// pairs with the same key in their original order). An http(s) URL with an empty path gets "/".
// u is not changed; nil gives nil.
func CanonicalURL(u *url.URL) *url.URL {
	if u == nil {
		return nil
	}
	c := *u
	c.Scheme = strings.ToLower(c.Scheme)
	c.Host = strings.ToLower(c.Host)
	if p := c.Port(); c.Scheme == "http" && p == "80" || c.Scheme == "https" && p == "443" {
		c.Host = strings.TrimSuffix(c.Host, ":"+p)
	}
	if (c.Scheme == "http" || c.Scheme == "https") && c.Path == "" && c.Opaque == "" {
		c.Path, c.RawPath = "/", ""
	}
	c.Fragment, c.RawFragment = "", ""
	c.RawQuery = canonicalQuery(c.RawQuery)
	c.ForceQuery = false
	return &c
}

// CanonicalString is CanonicalURL of the parsed s, or s trimmed when it does not parse.
func CanonicalString(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return strings.TrimSpace(CanonicalURL(u).String())
}

func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type pair struct{ key, raw string }
	var pairs []pair
	for _, p := range strings.Split(raw, "&") {
		// Spaces around a pair are the page's typo (href="?a=1 "), not part of the name or value.
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		uk, err := url.QueryUnescape(k)
		if err != nil {
			uk = k
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			uv = v
		}
		if isTracking(uk, uv) {
			continue
		}
		pairs = append(pairs, pair{uk, p})
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return strings.Compare(a.key, b.key) })
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p.raw
	}
	return strings.Join(out, "&")
}

// ClaimedCanonical is the first of a page's claims to a URL (its canonical link, its og:url)
// that, resolved against pageURL, is an http(s) URL on the same site as pageURL: the same
// registrable domain (news.example.com and www.example.com are one site; another domain is not,
// or any page could claim another's id), or the same host for IP addresses and single-label
// hosts. A local file may name any web address, since it is a saved copy of one. The result is
// in canonical form; nil when no claim holds.
func ClaimedCanonical(pageURL *url.URL, claims ...string) *url.URL {
	if pageURL == nil {
		return nil
	}
	for _, claim := range claims {
		claim = strings.TrimSpace(claim)
		if claim == "" {
			continue
		}
		u, err := pageURL.Parse(claim)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		if pageURL.Scheme == "file" || SameSite(pageURL, u) {
			return CanonicalURL(u)
		}
	}
	return nil
}

// SameSite reports whether a and b share a registrable domain (eTLD+1), or the host when it has
// none (an IP address, localhost).
func SameSite(a, b *url.URL) bool {
	ha, hb := strings.ToLower(a.Hostname()), strings.ToLower(b.Hostname())
	if ha == hb {
		return true
	}
	if net.ParseIP(ha) != nil || net.ParseIP(hb) != nil {
		return false
	}
	sa, err1 := publicsuffix.EffectiveTLDPlusOne(ha)
	sb, err2 := publicsuffix.EffectiveTLDPlusOne(hb)
	return err1 == nil && err2 == nil && sa == sb
}
