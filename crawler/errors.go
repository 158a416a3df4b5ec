package crawler

import "errors"

// ErrBadOptions is returned by New when the options cannot give a working crawl: no seeds, a
// bad URL pattern, a seed outside the allowed hosts.
var ErrBadOptions = errors.New("bad crawl options")

// ErrHTTPStatus is returned for a response whose status is neither 2xx nor 304.
var ErrHTTPStatus = errors.New("unexpected http status")

// ErrBinary is returned by Decode when the bytes are not text at all (NUL bytes, an image or
// archive signature) although the response claimed a text type: there is nothing to decode and
// nothing to extract, so the crawler drops the response instead of feeding garbage to extractors.
var ErrBinary = errors.New("binary content")

// ErrNotFeed is returned by ParseFeed when the bytes are none of the feed formats it knows (Atom,
// RSS 2.0, sitemap, sitemap index, Eastmoney JSON news list): the crawler then treats the
// response as a page.
var ErrNotFeed = errors.New("not a feed")
