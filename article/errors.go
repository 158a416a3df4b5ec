package article

import "errors"

// ErrNotArticle is returned when no extractor recognizes a page as an article: a listing page,
// a feed, an error page. The crawler still follows its links; nothing is emitted.
var ErrNotArticle = errors.New("not an article")

// ErrMissingField is returned when a page looks like an article of a known site but lacks a field
// every record must have (id, url, title, published_at, body). The page is skipped and logged,
// never emitted as half a record.
var ErrMissingField = errors.New("missing required field")

// ErrMalformed is returned when a page claimed by an extractor cannot be read as that site's
// article: broken front matter, an unparseable date, a truncated page.
var ErrMalformed = errors.New("malformed page")

// ErrErrorPage is returned when a page is a server's error page sent with status 200 ("not
// found", "server busy", "too many requests") in place of the page asked for. It is no article
// and no listing: the crawler treats it as a failed fetch, to be tried again by a later run.
var ErrErrorPage = errors.New("an error page served as 200")
