package crawler

import "errors"

// ErrBadOptions is returned by New when the options cannot give a working crawl: no seeds, a
// bad URL pattern, a seed outside the allowed hosts.
var ErrBadOptions = errors.New("bad crawl options")

// ErrHTTPStatus is returned for a response whose status is neither 2xx nor 304.
var ErrHTTPStatus = errors.New("unexpected http status")
