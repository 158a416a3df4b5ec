package archive

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/nlnwa/gowarc/v3"
)

// Response is one archived HTTP response: the page as it was fetched, with the URL and time
// of its record.
type Response struct {
	URL      string
	Date     time.Time
	Status   int
	Header   http.Header
	Body     []byte // decoded: chunked transfer and gzip/deflate content encodings undone
	RecordID string
	Digest   string // the record's WARC-Payload-Digest, when it has one
	File     string // base name of the file
	Offset   int64  // of the record in the file
}

// Ref is where the response is, as a Writer would have returned it.
func (r *Response) Ref() Ref {
	return Ref{File: r.File, Offset: r.Offset, RecordID: r.RecordID, URL: r.URL, Date: r.Date, Digest: r.Digest}
}

// Reader reads the HTTP responses of one WARC file (.warc or .warc.gz, one gzip member per
// record or the whole file in one), skipping every other record: warcinfo, request, metadata,
// revisit (a revisit has no payload of its own).
type Reader struct {
	name    string
	wf      *gowarc.WarcFileReader
	closer  io.Closer
	file    *os.File // set by OpenFile: the last member is checked whole before it is returned
	maxBody int64
	// A response is returned only once the record after it began (or the file's last member
	// inflated whole): a member cut in its gzip trailer still parses, and would otherwise pass
	// for a whole record.
	pending *Response
	lastOff int64
	lastEnd int64
	err     error
}

// MaxBody is the largest payload a Reader returns; a bigger response is skipped, as the crawler
// refuses a page past its body cap.
const MaxBody = 64 << 20

// OpenFile opens one WARC file for reading.
func OpenFile(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	r, err := newReader(f, filepath.Base(path), 0)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer, r.file = f, f
	return r, nil
}

// NewReader reads the records of a WARC stream; name is what Response.File says.
func NewReader(rd io.Reader, name string) (*Reader, error) {
	return newReader(rd, name, 0)
}

func newReader(rd io.Reader, name string, offset int64) (*Reader, error) {
	optionsMu.Lock()
	defer optionsMu.Unlock()
	wf, err := gowarc.NewWarcFileReaderFromStream(rd, offset,
		// Other tools' files are read as they are: a wrong digest or a missing field is not a
		// reason to lose the page. Blocks are parsed so HTTP headers are split from payloads.
		// Spec violations are collected, not ignored: only then does gowarc cache a block
		// before it skips to the next record, and a payload past its 4 KiB read buffer would
		// otherwise be lost.
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrIgnore), gowarc.WithSpecViolationPolicy(gowarc.ErrWarn),
		gowarc.WithUnknownRecordTypePolicy(gowarc.ErrIgnore), gowarc.WithBlockErrorPolicy(gowarc.ErrIgnore))
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", name, err)
	}
	return &Reader{name: name, wf: wf, maxBody: MaxBody, lastOff: -1}, nil
}

// Close closes the file OpenFile opened.
func (r *Reader) Close() error {
	err := r.wf.Close()
	if r.closer != nil {
		if cerr := r.closer.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Next returns the next HTTP response. At the end it returns io.EOF; a file that ends inside a
// record returns ErrTruncated after every whole record before it.
func (r *Reader) Next() (*Response, error) {
	for {
		if r.err != nil {
			if p := r.pending; p != nil {
				r.pending = nil
				return p, nil
			}
			return nil, r.err
		}
		rec, err := r.wf.Next()
		if err != nil {
			rec.Close()
			r.err = r.classify(err, rec.Offset)
			if r.err == io.EOF && r.lastOff >= 0 {
				if !r.tailWhole() {
					if r.pending != nil && r.pending.Offset == r.lastOff {
						r.pending = nil
					}
					r.err = fmt.Errorf("%w: %s at offset %d", ErrTruncated, r.name, r.lastOff)
				} else if r.file != nil {
					// Bytes after the last whole record too few to start one: a member cut
					// in its first bytes.
					if info, err := r.file.Stat(); err == nil && info.Size() > r.lastEnd {
						r.err = fmt.Errorf("%w: %s at offset %d", ErrTruncated, r.name, r.lastEnd)
					}
				}
			}
			continue
		}
		r.lastOff, r.lastEnd = rec.Offset, rec.Offset+rec.Size
		resp, err := toResponse(rec.WarcRecord, r.name, rec.Offset, r.maxBody)
		rec.Close()
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			r.err = err
			continue
		}
		prev := r.pending
		r.pending = resp
		if prev != nil {
			return prev, nil
		}
	}
}

// tailWhole says whether the file's last gzip member, at r.lastOff, inflates to its end with a
// good checksum. A stream cannot be read again, and an uncompressed file has no trailer to lose.
func (r *Reader) tailWhole() bool {
	if r.file == nil {
		return true
	}
	info, err := r.file.Stat()
	if err != nil {
		return true
	}
	sec := io.NewSectionReader(r.file, r.lastOff, info.Size()-r.lastOff)
	br := bufio.NewReader(sec)
	if magic, err := br.Peek(2); err != nil || magic[0] != 0x1f || magic[1] != 0x8b {
		return true
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return false
	}
	zr.Multistream(false)
	_, err = io.Copy(io.Discard, zr)
	return err == nil
}

func (r *Reader) classify(err error, off int64) error {
	switch {
	case errors.Is(err, io.EOF) && off >= 0:
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader),
		errors.Is(err, gowarc.ErrNoRecord), strings.Contains(err.Error(), "unexpected EOF"):
		return fmt.Errorf("%w: %s at offset %d", ErrTruncated, r.name, off)
	}
	return fmt.Errorf("archive %s at offset %d: %w", r.name, off, err)
}

var errSkip = errors.New("not a response")

func toResponse(rec gowarc.WarcRecord, file string, off, maxBody int64) (*Response, error) {
	if rec == nil || rec.Type() != gowarc.Response {
		return nil, errSkip
	}
	h := rec.WarcHeader()
	hb, ok := rec.Block().(gowarc.HttpResponseBlock)
	if !ok {
		return nil, errSkip // a response record of another protocol (dns:, ftp:)
	}
	resp := &Response{
		URL:      strings.Trim(h.Get(gowarc.WarcTargetURI), "<>"),
		Status:   hb.HttpStatusCode(),
		RecordID: h.Get(gowarc.WarcRecordID),
		Digest:   h.Get(gowarc.WarcPayloadDigest),
		File:     file,
		Offset:   off,
	}
	if hh := hb.HttpHeader(); hh != nil {
		resp.Header = hh.Clone()
	} else {
		resp.Header = http.Header{}
	}
	if d, err := rec.Date(); err == nil {
		resp.Date = d.UTC()
	}
	p, err := hb.PayloadBytes()
	if err != nil {
		return nil, fmt.Errorf("archive %s at offset %d: payload: %w", file, off, err)
	}
	body, err := io.ReadAll(io.LimitReader(p, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("archive %s at offset %d: payload: %w", file, off, err)
	}
	if int64(len(body)) > maxBody {
		return nil, errSkip
	}
	resp.Body = decode(body, resp.Header, chunked(hb.ProtocolHeaderBytes()), maxBody)
	return resp, nil
}

// decode undoes what the payload still carries of the transfer: a chunked body (wget and
// warcprox keep it) and a gzip or deflate content encoding (Common Crawl keeps the bytes as
// sent). A payload that does not decode as its header says was stored decoded by a tool that
// kept the header; it is returned as it is.
func decode(body []byte, h http.Header, isChunked bool, maxBody int64) []byte {
	if isChunked {
		if b, err := io.ReadAll(io.LimitReader(httputil.NewChunkedReader(bytes.NewReader(body)), maxBody)); err == nil {
			body = b
		}
	}
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding")))
	var zr io.Reader
	switch enc {
	case "gzip", "x-gzip":
		if g, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
			zr = g
		}
	case "deflate":
		if z, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			zr = z
		} else {
			zr = flate.NewReader(bytes.NewReader(body))
		}
	}
	if zr != nil {
		if b, err := io.ReadAll(io.LimitReader(zr, maxBody)); err == nil {
			body = b
			h.Del("Content-Encoding")
		}
	}
	return body
}

// chunked says whether the HTTP header block says Transfer-Encoding: chunked. net/http's parser
// (which gowarc uses) moves that header out of the header map, so it is read from the bytes.
func chunked(header []byte) bool {
	for _, line := range bytes.Split(header, []byte("\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("transfer-encoding")) &&
			bytes.Contains(bytes.ToLower(value), []byte("chunked")) {
			return true
		}
	}
	return false
}

// ReadAt reads the response record at offset of the file at path: the bytes an index entry
// points at.
func ReadAt(path string, offset int64) (*Response, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	defer f.Close()
	r, err := newReader(f, filepath.Base(path), offset)
	if err != nil {
		return nil, err
	}
	defer r.wf.Close()
	rec, err := r.wf.Next()
	if err != nil {
		rec.Close()
		return nil, r.classify(err, offset)
	}
	defer rec.Close()
	resp, err := toResponse(rec.WarcRecord, r.name, rec.Offset, r.maxBody)
	if errors.Is(err, errSkip) {
		return nil, fmt.Errorf("%w: %s at %d", ErrNoResponse, path, offset)
	}
	return resp, err
}

// IsWARC says whether a path names a WARC file by its name.
func IsWARC(path string) bool {
	p := strings.ToLower(path)
	return strings.HasSuffix(p, ".warc") || strings.HasSuffix(p, ".warc.gz")
}

// Files lists the WARC files at path: path itself when it is a file, else the .warc and
// .warc.gz files in the folder and below it, in name order (ours sort by the time they were
// begun).
func Files(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && IsWARC(p) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

// Repair cuts the file at path back to the end of its last whole record, the state after a
// crash mid-write, and says how many bytes it cut. A file that ends cleanly is left as it is.
func Repair(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	end, err := lastWholeEnd(f)
	if err != nil {
		return 0, fmt.Errorf("archive: repair %s: %w", path, err)
	}
	cut := info.Size() - end
	if cut == 0 {
		return 0, nil
	}
	if err := f.Truncate(end); err != nil {
		return 0, fmt.Errorf("archive: repair %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("archive: repair %s: %w", path, err)
	}
	return cut, nil
}

// lastWholeEnd is the offset just after the last gzip member that inflates whole. It reads
// members, not WARC records: a member is what one Write appended, so a whole member is a whole
// record, and it needs no WARC parsing.
func lastWholeEnd(f *os.File) (int64, error) {
	cr := &countReader{r: bufio.NewReaderSize(f, 1<<20)}
	br := bufio.NewReader(cr) // gzip reads a ByteReader byte by byte: no read-ahead past a member
	var zr *gzip.Reader
	var end int64
	for {
		if _, err := br.Peek(1); err != nil {
			return end, nil
		}
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(br)
		} else {
			err = zr.Reset(br)
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrHeader) {
				return end, nil
			}
			return end, err
		}
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return end, nil
		}
		end = cr.n - int64(br.Buffered())
	}
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// CopyRecord copies the record at offset of the file at path to w as the bytes it is on disk:
// one gzip member of our files, so what w gets is itself a .warc.gz any reader takes.
func CopyRecord(w io.Writer, path string, offset int64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	if offset < 0 || offset >= info.Size() {
		return 0, fmt.Errorf("%w: %s at %d", ErrNoResponse, path, offset)
	}
	sec := io.NewSectionReader(f, offset, info.Size()-offset)
	cr := &countReader{r: sec}
	br := bufio.NewReader(cr)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return 0, fmt.Errorf("archive: %s at %d: %w", path, offset, err)
	}
	zr.Multistream(false)
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return 0, fmt.Errorf("%w: %s at %d", ErrTruncated, path, offset)
	}
	end := cr.n - int64(br.Buffered())
	return io.Copy(w, io.NewSectionReader(f, offset, end))
}
