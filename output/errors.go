package output

import "errors"

// ErrUnwritable is returned when the output directory or file cannot be created or written:
// missing permissions, a full disk, a path that is a file. Lines already written stay whole.
var ErrUnwritable = errors.New("output is not writable")

// ErrInUse is returned by Dir and File when another process writes there, or when a directory
// belongs to another store: one writer per output, or crash recovery would cut another's lines.
var ErrInUse = errors.New("output is in use")

// ErrGone is returned when the output file or its folder was deleted or replaced while the run
// wrote to it. What was written there is not acknowledged; the next run writes it again.
var ErrGone = errors.New("output file is gone")

// ErrNotRegular is returned for an output path that exists and is not a regular file (a device,
// a pipe, a directory): what reached it cannot be checked after a crash.
var ErrNotRegular = errors.New("output is not a regular file")

// ErrNewStore is returned by Dir and File when the folder's owner is a store made anew at the
// same path (deleted, or lost with a container's volume) while the folder holds its lines: the
// new store knows none of the ids written there and would write every article again.
var ErrNewStore = errors.New("output folder belongs to a store that was replaced")
