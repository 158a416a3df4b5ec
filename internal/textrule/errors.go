package textrule

import "errors"

// ErrBadDate is returned when a value meant to be one date (a front-matter date, a feed's date)
// is not a date this package reads, or names a day or offset that does not exist.
var ErrBadDate = errors.New("bad date")
