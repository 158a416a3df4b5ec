package syndication

import "errors"

// ErrBadSignature is returned when stored signature bytes are not ones this package wrote (a
// store written by a newer binary, or damaged).
var ErrBadSignature = errors.New("bad signature encoding")
