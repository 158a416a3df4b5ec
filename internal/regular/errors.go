package regular

import "errors"

// ErrNotRegular is returned by Check and Open for a path that names something other than a
// regular file: a named pipe, a device, a socket or a directory. Reading one can block forever
// (a pipe with no writer) or never end (/dev/zero), so user-given paths are refused instead.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned by ReadFile for a file larger than the limit it was given.
var ErrTooLarge = errors.New("file too large")
