package extract

import "errors"

// ErrBadRule is returned by NewRules when a site rule cannot work: no name, no host or URL
// pattern, a selector, regular expression or time layout that does not parse. The message names
// the rule and the field.
var ErrBadRule = errors.New("bad site rule")
