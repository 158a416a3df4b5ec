package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/nlnwa/gowarc/v3"
)

// DefaultMaxSize is the size past which a file is closed and the next record starts a new one:
// the 1 GB that Heritrix, wget and Common Crawl use, so files move and verify as usual units.
const DefaultMaxSize = 1 << 30

// Exchange is one HTTP request and the response it got, as the crawler saw it.
type Exchange struct {
	URL           string
	Date          time.Time // when the response arrived
	Method        string    // GET when empty
	RequestHeader http.Header
	Proto         string // HTTP/1.1 when empty
	Status        int
	Header        http.Header // the response's headers as received
	// Body is the payload after any Content-Encoding was undone. The record stores it so, with
	// Content-Encoding dropped and Content-Length set to its length, so the record is
	// self-consistent for any reader; a 304 has none.
	Body []byte
	// Prior is the response this URL got last time, when the caller knows it (the store keeps
	// it for stored articles): a body with the same digest is written as a revisit of it.
	Prior *Ref
}

// Ref says where a response record is and what it held: enough to read the bytes again
// (ReadAt) and to tell an unchanged body without reading them.
type Ref struct {
	File     string    `json:"file"`   // base name, within the archive folder
	Offset   int64     `json:"offset"` // of the record's gzip member
	RecordID string    `json:"record_id"`
	URL      string    `json:"url"`
	Date     time.Time `json:"date"`
	Digest   string    `json:"digest"` // payload digest, "sha1:BASE32"
	// Revisit is true when the record is a revisit: its payload is the one at Refers.
	Revisit bool `json:"revisit,omitempty"`
	// Refers is the record holding the payload, for a revisit (nil when it is not known, as
	// for a 304 of a page archived before the archive was turned on).
	Refers *Ref `json:"refers,omitempty"`
}

// Option changes a Writer.
type Option func(*Writer)

// WithMaxSize sets the size (bytes on disk) past which the next record starts a new file.
func WithMaxSize(n int64) Option { return func(w *Writer) { w.maxSize = n } }

// WithPrefix sets the first part of every file name (default "newsmill").
func WithPrefix(p string) Option { return func(w *Writer) { w.prefix = p } }

// WithClock replaces time.Now for file names and the day rotation (tests).
func WithClock(now func() time.Time) Option { return func(w *Writer) { w.now = now } }

// WithSoftware names the writer in each file's warcinfo record.
func WithSoftware(s string) Option { return func(w *Writer) { w.software = s } }

// Writer appends exchanges to the WARC files of one folder. It is safe for concurrent use;
// records are written in the order Write is called.
type Writer struct {
	dir      string
	prefix   string
	maxSize  int64
	software string
	now      func() time.Time

	lock   *os.File
	mu     sync.Mutex
	err    error // the first failed write: the file may end in a torn member, so no more
	f      *os.File
	name   string
	day    string
	size   int64
	dirty  bool // written since the last Sync
	closed bool
	gz     *gzip.Writer
	buf    bytes.Buffer
	mar    gowarc.Marshaler
	// seen is the first response record with each payload digest of a URL, written in this
	// process or remembered from earlier ones (Remember), so a page fetched again with the same
	// body is a revisit of it, in this run or a later one.
	seen map[string]Ref
	// last is each URL's latest response record with a payload: what a 304 refers to.
	last map[string]Ref
	// fresh is the response records with a payload this process wrote, by URL: what a caller
	// keeps (Written) so that a later process can Remember them.
	fresh map[string]Ref
	files map[string]bool // the archive's files that exist, for Remember
}

// maxSeen bounds the in-memory digest index: past it, a repeated body is stored again, which
// costs bytes and never correctness.
const maxSeen = MaxRemembered

// MaxRemembered is how many response records a Writer keeps in memory to tell an unchanged
// body by (its own and those given to Remember); a caller need not hand it more.
const MaxRemembered = 1 << 16

// Open makes dir if needed and returns a Writer that appends to new files in it. The newest
// file a crashed writer left is first cut back to its last whole record (Repair), so nothing in
// the folder is half-written.
func Open(dir string, opts ...Option) (*Writer, error) {
	w := &Writer{dir: dir, prefix: "newsmill", maxSize: DefaultMaxSize, software: "newsmill", now: time.Now,
		mar: gowarc.NewMarshaler(), seen: map[string]Ref{}, last: map[string]Ref{}, fresh: map[string]Ref{}}
	for _, o := range opts {
		o(w)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("archive %s: %w", dir, err)
	}
	// Only our own newest file can be torn by our crash; another tool's files are not ours to cut.
	ours, err := filepath.Glob(filepath.Join(dir, w.prefix+"-*.warc.gz"))
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	w.lock = lock
	sort.Strings(ours)
	if n := len(ours); n > 0 {
		if _, err := Repair(ours[n-1]); err != nil {
			lock.Close()
			return nil, err
		}
		if err := w.resume(ours[n-1]); err != nil {
			lock.Close()
			return nil, err
		}
	}
	gz, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	w.gz = gz
	return w, nil
}

// resume appends to the newest file when it is today's and not full, so runs every few
// minutes (serve's passes, cron) make one file a day rather than one each.
func (w *Writer) resume(path string) error {
	now := w.now().UTC()
	base := filepath.Base(path)
	stamp := strings.TrimPrefix(base, w.prefix+"-")
	if len(stamp) < 8 || stamp[:8] != now.Format("20060102") {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil || (w.maxSize > 0 && info.Size() >= w.maxSize) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	w.f, w.name, w.day, w.size = f, base, stamp[:8], info.Size()
	return nil
}

// lockDir holds DIR/.newsmill-archive.lock for the Writer's life: two writers in one folder
// would append to one file and Repair would cut the other's record being written.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, ".newsmill-archive.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s (%v)", ErrLocked, dir, err)
	}
	return f, nil
}

// Dir is the folder the Writer writes to.
func (w *Writer) Dir() string { return w.dir }

// Write appends ex's request record and its response (or revisit) record and returns where the
// response is. The bytes are in the file but not on disk until Sync.
func (w *Writer) Write(ctx context.Context, ex Exchange) (Ref, error) {
	if err := ctx.Err(); err != nil {
		return Ref{}, err
	}
	if ex.Date.IsZero() {
		ex.Date = w.now()
	}
	ex.Date = ex.Date.UTC().Truncate(time.Second)
	digest := PayloadDigest(ex.Body)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return Ref{}, ErrClosed
	}
	if w.err != nil {
		return Ref{}, w.err
	}
	if err := w.rotate(); err != nil {
		return Ref{}, err
	}
	respID := newID()
	reqID := newID()
	ref := Ref{File: w.name, RecordID: respID, URL: ex.URL, Date: ex.Date, Digest: digest}

	var refers *Ref
	profile := ""
	switch {
	case ex.Status == http.StatusNotModified:
		profile = gowarc.ProfileServerNotModifiedV1_1
		refers = ex.Prior
		if last, ok := w.last[ex.URL]; refers == nil && ok {
			refers = &last
		}
		if refers != nil {
			ref.Digest = refers.Digest
		}
	case ex.Prior != nil && ex.Prior.Digest == digest && !ex.Prior.Revisit:
		profile, refers = gowarc.ProfileIdenticalPayloadDigestV1_1, ex.Prior
	default:
		if first, ok := w.seen[ex.URL+" "+digest]; ok {
			profile, refers = gowarc.ProfileIdenticalPayloadDigestV1_1, &first
		}
	}

	// The request first: readers (pywb, warcio) pair it with the response through
	// WARC-Concurrent-To, and a reader starting at the response's offset skips nothing.
	req, err := w.buildRequest(ex, reqID, respID)
	if err != nil {
		return Ref{}, fmt.Errorf("archive %s: %w", ex.URL, err)
	}
	if _, err := w.append(req); err != nil {
		return Ref{}, err
	}
	resp, err := w.buildResponse(ex, respID, reqID, digest, profile, refers)
	if err != nil {
		return Ref{}, fmt.Errorf("archive %s: %w", ex.URL, err)
	}
	off, err := w.append(resp)
	if err != nil {
		return Ref{}, err
	}
	ref.Offset = off
	if profile != "" {
		ref.Revisit = true
		if refers != nil {
			r := *refers
			r.Refers = nil
			ref.Refers = &r
		}
	} else {
		if _, ok := w.fresh[ex.URL]; ok || len(w.fresh) < maxSeen {
			w.fresh[ex.URL] = ref
		}
		if len(w.seen) < maxSeen {
			w.seen[ex.URL+" "+digest] = ref
			w.last[ex.URL] = ref
		}
	}
	return ref, nil
}

// Remember tells the Writer of response records an earlier process wrote (what Written
// returned then, kept by the caller): a later response of the same URL with the same payload is
// written as a revisit of one, and a 304 names it. A ref whose file is no longer in the folder
// (retention deleted it) is passed over, so no revisit names bytes that are gone; Remember
// returns the URLs of those, for the caller to forget.
func (w *Writer) Remember(refs ...Ref) (gone []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.files == nil {
		w.files = map[string]bool{}
		if names, err := filepath.Glob(filepath.Join(w.dir, "*.warc.gz")); err == nil {
			for _, n := range names {
				w.files[filepath.Base(n)] = true
			}
		}
	}
	for _, r := range refs {
		if !w.files[filepath.Base(r.File)] {
			gone = append(gone, r.URL)
			continue
		}
		if r.Revisit || r.URL == "" || r.Digest == "" || r.RecordID == "" || len(w.seen) >= maxSeen {
			continue
		}
		r.Refers = nil
		if prev, ok := w.last[r.URL]; !ok || !prev.Date.After(r.Date) {
			w.last[r.URL] = r
		}
		if _, ok := w.seen[r.URL+" "+r.Digest]; !ok {
			w.seen[r.URL+" "+r.Digest] = r
		}
	}
	return gone
}

// Written returns the latest response record with a payload that this process wrote for each
// URL: what a caller keeps, once the archive is synced, to Remember in its next process.
func (w *Writer) Written() []Ref {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Ref, 0, len(w.fresh))
	for _, r := range w.fresh {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out
}

// rotate closes the current file when the day changed or it is full, and opens the next.
func (w *Writer) rotate() error {
	now := w.now().UTC()
	day := now.Format("20060102")
	if w.f != nil && (day != w.day || (w.maxSize > 0 && w.size >= w.maxSize)) {
		if err := w.closeFile(); err != nil {
			return err
		}
	}
	if w.f != nil {
		return nil
	}
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	// Microseconds in the name: names sort in the order files were begun, even for files rotated
	// by size within one second, and Open repairs the last of them.
	name := fmt.Sprintf("%s-%s%06d-%s.warc.gz", w.prefix, now.Format("20060102150405"), now.Nanosecond()/1000, hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	w.f, w.name, w.day, w.size = f, name, day, 0
	if err := syncDir(w.dir); err != nil {
		return err
	}
	info, err := w.buildInfo(name)
	if err != nil {
		return err
	}
	_, err = w.append(info)
	return err
}

// append writes rec as one gzip member in one write, so a crash tears at most the member
// being written, and returns the member's offset.
func (w *Writer) append(rec gowarc.WarcRecord) (int64, error) {
	defer rec.Close()
	w.buf.Reset()
	w.gz.Reset(&w.buf)
	if _, _, err := w.mar.Marshal(w.gz, rec, 0); err != nil {
		return 0, fmt.Errorf("archive: marshal: %w", err)
	}
	if err := w.gz.Close(); err != nil {
		return 0, fmt.Errorf("archive: gzip: %w", err)
	}
	off := w.size
	n, err := w.f.Write(w.buf.Bytes())
	w.size += int64(n)
	w.dirty = true
	if err != nil {
		// A short write leaves a torn member that the next Open repairs; appending after it
		// would hide records behind it, and a sync would confirm it.
		w.err = fmt.Errorf("archive: write %s: %w", w.name, err)
		return 0, w.err
	}
	return off, nil
}

// Sync puts every record written so far on disk. A caller acknowledging anything that points
// into the archive calls it first.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.f == nil || !w.dirty {
		return nil
	}
	if err := w.f.Sync(); err != nil {
		w.err = fmt.Errorf("archive: sync %s: %w", w.name, err)
		return w.err
	}
	w.dirty = false
	return nil
}

// Close syncs and closes the current file. Writes after it fail with ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := errors.Join(w.err, w.closeFile())
	if w.lock != nil {
		w.lock.Close()
	}
	return err
}

func (w *Writer) closeFile() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("archive: sync %s: %w", w.name, err)
	}
	w.dirty = false
	if err := f.Close(); err != nil {
		return fmt.Errorf("archive: close %s: %w", w.name, err)
	}
	return nil
}

func (w *Writer) buildInfo(name string) (gowarc.WarcRecord, error) {
	b := newBuilder(gowarc.Warcinfo, recordOpts...)
	b.AddWarcHeader(gowarc.WarcRecordID, newID())
	b.AddWarcHeaderTime(gowarc.WarcDate, w.now())
	b.AddWarcHeader(gowarc.WarcFilename, name)
	b.AddWarcHeader(gowarc.ContentType, gowarc.ApplicationWarcFields)
	fmt.Fprintf(b, "software: %s\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n", w.software)
	rec, _, err := b.Build()
	return rec, err
}

func (w *Writer) buildRequest(ex Exchange, id, concurrent string) (gowarc.WarcRecord, error) {
	method := ex.Method
	if method == "" {
		method = http.MethodGet
	}
	target, host := requestTarget(ex.URL)
	b := newBuilder(gowarc.Request, recordOpts...)
	fmt.Fprintf(b, "%s %s HTTP/1.1\r\n", method, target)
	h := ex.RequestHeader.Clone()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("Host") == "" {
		h.Set("Host", host)
	}
	writeHeader(b, h)
	b.AddWarcHeader(gowarc.WarcRecordID, id)
	b.AddWarcHeaderTime(gowarc.WarcDate, ex.Date)
	b.AddWarcHeader(gowarc.WarcTargetURI, ex.URL)
	b.AddWarcHeader(gowarc.WarcConcurrentTo, concurrent)
	b.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=request")
	rec, _, err := b.Build()
	return rec, err
}

func (w *Writer) buildResponse(ex Exchange, id, concurrent, digest, profile string, refers *Ref) (gowarc.WarcRecord, error) {
	proto := ex.Proto
	if proto == "" || !strings.HasPrefix(proto, "HTTP/") {
		proto = "HTTP/1.1"
	}
	typ := gowarc.Response
	if profile != "" {
		typ = gowarc.Revisit
	}
	b := newBuilder(typ, recordOpts...)
	fmt.Fprintf(b, "%s %d %s\r\n", proto, ex.Status, http.StatusText(ex.Status))
	h := ex.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	// The body is stored decoded: the headers must say so or a reader would gunzip it again.
	h.Del("Content-Encoding")
	h.Del("Transfer-Encoding")
	if profile == "" {
		h.Set("Content-Length", strconv.Itoa(len(ex.Body)))
	}
	writeHeader(b, h)
	if profile == "" {
		_, _ = b.Write(ex.Body)
	}
	b.AddWarcHeader(gowarc.WarcRecordID, id)
	b.AddWarcHeaderTime(gowarc.WarcDate, ex.Date)
	b.AddWarcHeader(gowarc.WarcTargetURI, ex.URL)
	b.AddWarcHeader(gowarc.WarcConcurrentTo, concurrent)
	b.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=response")
	if profile != "" {
		b.AddWarcHeader(gowarc.WarcProfile, profile)
		if refers != nil {
			b.AddWarcHeader(gowarc.WarcRefersTo, refers.RecordID)
			b.AddWarcHeader(gowarc.WarcRefersToTargetURI, refers.URL)
			b.AddWarcHeaderTime(gowarc.WarcRefersToDate, refers.Date)
			digest = refers.Digest
		}
		if ex.Status != http.StatusNotModified || refers != nil {
			b.AddWarcHeader(gowarc.WarcPayloadDigest, digest)
		}
		b.AddWarcHeader(gowarc.WarcTruncated, "length")
	} else {
		b.AddWarcHeader(gowarc.WarcPayloadDigest, digest)
	}
	rec, _, err := b.Build()
	return rec, err
}

func writeHeader(w io.Writer, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			// A header value never carries a line break into the record.
			v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
			fmt.Fprintf(w, "%s: %s\r\n", k, v)
		}
	}
	_, _ = io.WriteString(w, "\r\n")
}

func requestTarget(raw string) (target, host string) {
	rest := raw
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host, target = rest[:i], rest[i:]
		if target[0] == '?' {
			target = "/" + target
		}
		return target, host
	}
	return "/", rest
}

// PayloadDigest is the WARC-Payload-Digest of body: SHA-1 in base 32, as CDX indexes and
// Common Crawl write it, so digests compare across tools.
func PayloadDigest(body []byte) string {
	sum := sha1.Sum(body)
	return "sha1:" + base32.StdEncoding.EncodeToString(sum[:])
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "<urn:uuid:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] + ">"
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("archive: sync %s: %w", dir, err)
	}
	return nil
}

// recordOpts make the library fill Content-Length and the block digest. SHA-1, as the payload
// digest: what CDX indexes and Common Crawl use, and a third cheaper than the library's
// default SHA-256 on every page written. The builder validates what it builds (a seventh
// of a write is its WHATWG parse of the URL): without it the block digest it fills is wrong,
// which the strict reader of the tests finds.
var recordOpts = []gowarc.WarcRecordOption{gowarc.WithAddMissingDigest(true), gowarc.WithFixContentLength(true),
	gowarc.WithAddMissingContentLength(true), gowarc.WithDefaultDigestAlgorithm("sha1")}

// optionsMu serializes what makes gowarc options: v3.1.0's defaults call
// uuid.EnableRandPool(), which writes a package variable of google/uuid unguarded, so two
// goroutines making a reader or a builder at once race (the race detector's report on
// re-extraction, which reads on one goroutine per CPU).
var optionsMu sync.Mutex

func newBuilder(t gowarc.RecordType, opts ...gowarc.WarcRecordOption) gowarc.WarcRecordBuilder {
	optionsMu.Lock()
	defer optionsMu.Unlock()
	return gowarc.NewRecordBuilder(t, opts...)
}
