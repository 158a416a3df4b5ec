package archive

import "errors"

// ErrTruncated is returned by Reader.Next when a file ends inside a record: the process that
// wrote it stopped mid-write. Every record before it was read whole; nothing after it exists.
var ErrTruncated = errors.New("archive: file ends inside a record")

// ErrNotWARC is returned when a file holds neither a WARC record nor a gzip member where one
// should start.
var ErrNotWARC = errors.New("archive: not a warc file")

// ErrNoResponse is returned by ReadAt when the record at the offset is not an HTTP response
// (a request, a revisit, warcinfo).
var ErrNoResponse = errors.New("archive: no http response at offset")

// ErrClosed is returned by Writer.Write after Close.
var ErrClosed = errors.New("archive: writer closed")

// ErrLocked is returned by Open when another process writes to the archive folder.
var ErrLocked = errors.New("archive is in use by another process")
