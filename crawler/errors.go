// Package crawler fetches pages and feeds. This file holds the errors its callers branch on.
package crawler

import "errors"

// ErrBinary is returned by Decode when the bytes are not text at all (NUL bytes, an image or
// archive signature) although the response claimed a text type: there is nothing to decode and
// nothing to extract, so the crawler drops the response instead of feeding garbage to extractors.
var ErrBinary = errors.New("binary content")

// ErrNotFeed is returned by ParseFeed when the bytes are none of the feed formats it knows (Atom,
// RSS 2.0, sitemap, sitemap index, Eastmoney JSON news list): the crawler then treats the
// response as a page.
var ErrNotFeed = errors.New("not a feed")
