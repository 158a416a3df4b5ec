// Package redact hides the passwords that a URL may carry (http://user:secret@host/) wherever
// text leaves the process: logs, records, the store's holder file. The user name stays, so a
// reader can still tell which account was meant.
package redact

import (
	"net/url"
	"regexp"
)

// Mask replaces a password.
const Mask = "xxxxx"

// userinfo matches the user:password@ part of any URL inside free text (an error message, a
// command line): a scheme, "//", a user without '/', '@' or space, then ':' and the password up
// to the '@' before the host.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*):[^/@\s]*@`)

// String masks the password of every URL in s.
func String(s string) string {
	if !containsAt(s) {
		return s
	}
	return userinfo.ReplaceAllString(s, "${1}:"+Mask+"@")
}

func containsAt(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			return true
		}
	}
	return false
}

// Strings masks every element of ss, in a new slice.
func Strings(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = String(s)
	}
	return out
}

// URL is u without its user information: the form a record and the store keep, since a
// password is no part of an article's address.
func URL(raw string) string {
	if !containsAt(raw) {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return String(raw)
	}
	u.User = nil
	return u.String()
}
