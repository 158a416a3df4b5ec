package crawler

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrBadOptions is returned by New when the options cannot give a working crawl: no seeds, a
// bad URL pattern, a seed outside the allowed hosts.
var ErrBadOptions = errors.New("bad crawl options")

// ErrHTTPStatus is returned for a response whose status is neither 2xx nor 304, as a
// *StatusError.
var ErrHTTPStatus = errors.New("unexpected http status")

// StatusError is an ErrHTTPStatus that keeps its status, so a caller that needs the code (the
// retry list's reason) takes it with errors.As instead of reading it back out of the message.
type StatusError struct {
	Code       int
	RetryAfter string // the response's Retry-After header, when it sent one
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %d %s", ErrHTTPStatus, e.Code, http.StatusText(e.Code))
	if e.RetryAfter != "" {
		msg += ", Retry-After " + e.RetryAfter
	}
	return msg
}

// Is makes every StatusError an ErrHTTPStatus.
func (e *StatusError) Is(target error) bool { return target == ErrHTTPStatus }

// ErrBinary is returned by Decode when the bytes are not text at all (NUL bytes, an image or
// archive signature) although the response claimed a text type: there is nothing to decode and
// nothing to extract, so the crawler drops the response instead of feeding garbage to extractors.
var ErrBinary = errors.New("binary content")

// ErrNotFeed is returned by ParseFeed when the bytes are none of the feed formats it knows (Atom,
// RSS 2.0, sitemap, sitemap index, Eastmoney JSON news list): the crawler then treats the
// response as a page.
var ErrNotFeed = errors.New("not a feed")

// ErrBodyTooLarge is returned for a response whose body, after decompression, exceeds the
// source's max_body_bytes. The page is skipped whole, never cut to a half page.
var ErrBodyTooLarge = errors.New("body too large")

// ErrBadEncoding is returned for a body in a content-encoding we do not read, or gzip that does
// not decompress.
var ErrBadEncoding = errors.New("bad content encoding")

// ErrTimeout is returned when a fetch attempt got no complete response within the source's
// timeout (headers and whole body).
var ErrTimeout = errors.New("timeout")

// ErrHostBackoff is returned for requests to a host that asked (Retry-After) for a longer pause
// than retry_max_delay: the host gets no more requests this run.
var ErrHostBackoff = errors.New("host asked us to back off")

// ErrRedirect is returned for a redirect loop, too many redirects, or a redirect leaving the
// allowed hosts.
var ErrRedirect = errors.New("redirect not followed")

// ErrTrap is returned (and logged at debug) for a link a crawl-trap bound refuses: too long, too
// many query parameters, over the per-host page cap.
var ErrTrap = errors.New("crawl trap bound")

// ErrNotPage is returned for a 200 response with nothing to read: an empty body, or binary bytes
// served under a text type.
var ErrNotPage = errors.New("not a readable page")

// OptionError is returned by Options.Validate (and so by New, wrapped) for the first option
// that cannot work. Key is the option's config key, Index the list item at fault or -1; the
// config reader turns them into a line number. It wraps ErrBadOptions.
type OptionError struct {
	Key   string
	Index int
	Msg   string
}

func (e *OptionError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("%s: %s[%d]: %s", ErrBadOptions, e.Key, e.Index, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", ErrBadOptions, e.Key, e.Msg)
}

// Unwrap makes errors.Is(err, ErrBadOptions) hold.
func (e *OptionError) Unwrap() error { return ErrBadOptions }

// ErrRobots is returned for a URL the host's robots.txt does not allow us to fetch.
var ErrRobots = errors.New("disallowed by robots.txt")

// ErrRobotsUnreachable is returned by Fetcher.Fetch when the host's robots.txt could not be read
// (no answer, or 5xx): nothing is known of what the host allows, so the host is paused.
var ErrRobotsUnreachable = errors.New("robots.txt unreachable")

// ErrTransient wraps a Fetcher.Fetch failure that a later attempt may not meet: a timeout, a
// reset, a 429 or 5xx after the retries, robots.txt unreachable.
var ErrTransient = errors.New("transient failure")

// ErrArchive is returned for a fetch whose response could not be written to the archive (a
// full disk, a closed writer): the run cannot keep its promise that every record's response
// is archived, and stops.
var ErrArchive = errors.New("archive write failed")
