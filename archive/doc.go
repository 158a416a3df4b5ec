// Package archive keeps what a crawl fetched as WARC 1.1 files and reads WARC files back, ours
// or any other crawler's (Common Crawl's CC-NEWS, wget --warc-file, Heritrix).
//
// A Writer appends, for every exchange, a request record and a response record (or a revisit
// record when the server answered 304 or sent a body already archived), each one gzip member,
// so a reader can start at any record's offset and a file cut by a crash is whole up to its
// last complete record. Files are rotated by size and by UTC day. Writes are buffered by the
// operating system until Sync: a caller that promises a record is kept (the pipeline, before
// it commits the ids that point at it) calls Sync first.
//
// The stage knows HTTP and WARC only: no site's markup, no store, no records.
package archive
