package store

import "errors"

// ErrLocked is returned by Open when another process holds the store and did not release it
// within the lock timeout. The message names the holder when it is known.
var ErrLocked = errors.New("store is in use by another process")

// ErrCorrupt is returned by Open when the file is not a newsmill store or is damaged (truncated,
// overwritten). Nothing is written to such a file.
var ErrCorrupt = errors.New("store file is corrupt")

// ErrSchema is returned by Open when the store was written by a newer, incompatible newsmill.
var ErrSchema = errors.New("store format is newer than this binary")

// ErrReadOnly is returned by writes on a store opened read-only.
var ErrReadOnly = errors.New("store is opened read-only")
