package crawler

import (
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/newsmill/newsmill/article"
)

// StdinURL is the address of a page read from stdin that says nothing of its own.
var StdinURL = &url.URL{Scheme: "file", Path: "/dev/stdin"}

// ReadPage reads one HTML page from r (stdin: `curl … | crawl --url -`, `crawl extract -`), at
// most DefaultMaxBodyBytes, decoded to UTF-8 by its declared or detected charset. Its address
// is u when given; else the absolute URL the page names as its own (<link rel=canonical>,
// og:url), which is where it was served from; else StdinURL.
func ReadPage(r io.Reader, u *url.URL) (*article.Page, error) {
	b, err := io.ReadAll(io.LimitReader(r, DefaultMaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	if len(b) > DefaultMaxBodyBytes {
		return nil, fmt.Errorf("read stdin: %w: more than %d bytes", ErrBodyTooLarge, DefaultMaxBodyBytes)
	}
	if err := readable(b); err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	text, _, err := Decode("", b)
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	if u == nil {
		u = OwnURL(text)
	}
	if u == nil {
		u = StdinURL
	}
	return article.NewPage(u, "", text, time.Now()), nil
}

// OwnURL is the absolute http(s) URL an HTML page names as its own (<link rel=canonical>,
// og:url), or nil: where a saved or piped page was served from.
func OwnURL(body []byte) *url.URL { return claimedCanonical(StdinURL, body) }
