package output

import "errors"

// ErrUnwritable is returned when the output directory or file cannot be created or written:
// missing permissions, a full disk, a path that is a file. Lines already written stay whole.
var ErrUnwritable = errors.New("output is not writable")
