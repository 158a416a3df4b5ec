package article

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// NormalizeID turns an Eastmoney identifier into the record id: an info code (two letters and 17
// or 18 digits, e.g. NW202112202219862945) is kept, upper-cased; a bare article number is the same
// article as its NW code, so it gets the NW prefix. Anything else is not an id.
func NormalizeID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if isArticleNumber(s) {
		return "NW" + s, true
	}
	if len(s) >= 19 && isASCIILetter(s[0]) && isASCIILetter(s[1]) && isArticleNumber(s[2:]) {
		return strings.ToUpper(s[:2]) + s[2:], true
	}
	return "", false
}

// isArticleNumber reports whether s is an Eastmoney article number: 18 digits, 17 before ~2019.
func isArticleNumber(s string) bool {
	if len(s) != 17 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isASCIILetter(b byte) bool { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }

// IDFromURL finds the article's id in a URL: the infoCode query parameter (NewsShare pages), or
// the file stem of the last path segment (`/a/<number>.html`, `/news/<column>,<number>.html`,
// the finews mirror's `/…/NW….html`).
func IDFromURL(u *url.URL) (string, bool) {
	if u == nil {
		return "", false
	}
	q := u.Query()
	for _, k := range []string{"infoCode", "infocode", "InfoCode"} {
		if id, ok := NormalizeID(q.Get(k)); ok {
			return id, true
		}
	}
	p := u.Path
	if p == "" {
		p = u.Opaque
	}
	stem := path.Base(p)
	if i := strings.IndexByte(stem, '.'); i >= 0 {
		stem = stem[:i]
	}
	// The news column comes first in `/news/<column>,<number>.html`.
	if i := strings.LastIndexByte(stem, ','); i >= 0 {
		stem = stem[i+1:]
	}
	return NormalizeID(stem)
}

// URLID is the id of a page without an info code: "URL" and the first 20 hex digits of the
// SHA-256 of its canonical URL (CanonicalURL: no tracking parameters, default port or fragment,
// query pairs in key order), so the same page reached through differently spelled links keeps one
// id across runs. An info code is two letters and digits, so the "URL" prefix and hex digits can
// never collide with one.
func URLID(u string) string {
	sum := sha256.Sum256([]byte(CanonicalString(u)))
	return "URL" + hex.EncodeToString(sum[:])[:20]
}

var (
	infoCodeInTextRe = regexp.MustCompile(`(?:^|[^A-Za-z0-9])([A-Za-z]{2}\d{17,18})(?:[^0-9]|$)`)
	numberInTextRe   = regexp.MustCompile(`(?:^|[^0-9])(\d{17,18})(?:[^0-9]|$)`)
)

// FindID finds an id inside running text such as a URL path that IDFromURL does not read
// (`/news/detail_202112202219862945_1.html`): the first info code standing alone, else the first
// bare article number standing alone, normalized as NormalizeID does.
func FindID(s string) (string, bool) {
	for _, re := range []*regexp.Regexp{infoCodeInTextRe, numberInTextRe} {
		if m := re.FindStringSubmatch(s); m != nil {
			return NormalizeID(m[1])
		}
	}
	return "", false
}
