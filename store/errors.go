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

// ErrMoved is returned by every store call once the store file was deleted, replaced or cut
// short while this process had it open: going on would write into a file no later run reads.
var ErrMoved = errors.New("store file was changed under the running process")

// ErrEmpty is returned by Open for a store file of zero bytes: no store ever is, so it is not
// taken as a new one (only a missing file is).
var ErrEmpty = errors.New("store file is empty")

// ErrNotFile is returned by Open when the store path is a directory or another non-regular file.
var ErrNotFile = errors.New("store path is not a regular file")

// ErrBadRetry is returned by RetryFailed for a failure without a URL or a source: the entry could
// never be fetched again or listed by source.
var ErrBadRetry = errors.New("bad retry entry")

// ErrEmptyHost is returned by SaveSite for a state without a host to keep it under.
var ErrEmptyHost = errors.New("site state without a host")

// ErrSiteTooBig is returned by SaveSite for a state over the bound one host may keep (4 MiB):
// a learner's state is far smaller, so a bigger one is a bug, refused before it grows the file.
var ErrSiteTooBig = errors.New("site state is too big")
