// Package store is the dedup stage: a bbolt file that remembers every id ever emitted, the record
// it was emitted as, the output lines not yet confirmed written (the outbox), HTTP validators
// for conditional requests, and the URLs of failed pages to fetch again. It knows nothing of HTML.
package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"

	"github.com/newsmill/newsmill/internal/regular"
)

// formatVersion is the on-disk layout version, kept in the meta bucket. 2: binary id entries and
// hashed URL keys (see entry.go). 3: one outbox entry per commit instead of one per line (see
// outbox.go). 4: the retry bucket (retry.go): listings keep their validators although some page
// they led to failed, trusting the retry list to fetch that page again, which an older binary
// would never do. An older store is read as it is, gains the buckets it lacks and is marked
// with this version when opened for writing, since what is written then is no longer understood
// by an older binary (which then stops with ErrSchema instead of misreading it). 5: history
// (history.go): revisions of an id (entries say which revision the record is, and the outbox
// which revision a line is), the archive index and the recheck schedule; an older binary
// would rewrite a revised id's line as its first revision on recovery.
const formatVersion = 5

var (
	bucketMeta    = []byte("meta")
	bucketIDs     = []byte("ids")     // id -> Entry (entry.go)
	bucketRecords = []byte("records") // id -> record JSON line (without newline)
	bucketURLs    = []byte("urls")    // urlKey(article URL) -> id, so stored articles are not fetched again
	bucketOutbox  = []byte("outbox")  // seq -> the lines of one commit not confirmed written (outbox.go)
	bucketHTTP    = []byte("http")    // URL -> Validators
	bucketRetry   = []byte("retry")   // URL -> Retry of a page to fetch again (retry.go)
	// History (history.go): records keeps an id's latest revision; the revisions before it,
	// where its archived response is, and when it is due to be fetched again.
	bucketRevisions = []byte("revisions") // id 0x00 revision (4 bytes) -> record line of that revision
	bucketArchive   = []byte("archive")   // id -> ArchiveRef of the response its latest revision came from
	bucketRecheck   = []byte("recheck")   // id -> Recheck schedule of a young article
	// time+id -> a near-duplicate index entry (signatures.go). An older binary leaves it alone,
	// so it needs no new format version.
	bucketSignatures = []byte("signatures")
	bucketHealth     = []byte("health") // source -> its last pass's health report (health.go)
	bucketSites      = []byte("sites")  // host -> what the extractors learned of the site (sites.go)
	// URL -> ArchiveRef of the last response with a payload archived for it, so an unchanged
	// body in a later run is a revisit (history.go). An older binary leaves it alone.
	bucketPayloads = []byte("payloads")
	allBuckets     = [][]byte{bucketMeta, bucketIDs, bucketRecords, bucketURLs, bucketOutbox, bucketHTTP, bucketRetry,
		bucketRevisions, bucketArchive, bucketRecheck, bucketSignatures, bucketHealth, bucketSites, bucketPayloads}

	keyFormat  = []byte("format")
	keyLastRun = []byte("last_run")
	keySerial  = []byte("serial")
)

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for another process to release the store.
	LockTimeout time.Duration
	// ReadOnly opens with a shared lock: readers exclude writers, not each other.
	ReadOnly bool
	// NoSync skips fsync on commit: for benchmarks and throwaway stores only.
	NoSync bool
}

// Store is an open bbolt file.
type Store struct {
	db      *bolt.DB
	path    string
	ro      bool
	temp    bool         // a throwaway store whose file is already unlinked
	lock    *os.File     // the held <store>.holder lock file; nil for a temporary store
	id      identity     // the file as opened, see checkFile
	size    atomic.Int64 // the largest size seen, see checkFile
	ops     atomic.Int64 // operations since open, for maybeRelease
	written atomic.Int64 // bytes of records committed since the last release, for maybeRelease
	serial  string       // see Serial
}

// Entry is what the store keeps for every id.
type Entry struct {
	// FirstURL is kept by format 1 only; format 2 leaves it to the record line (its "url").
	FirstURL    string    `json:"u"`
	FirstSeen   time.Time `json:"t"`
	ContentHash string    `json:"h"`
	Source      string    `json:"s,omitempty"`
	// Revision is the revision of the id's stored record: 1 for the first (0 in entries
	// written before format 5 means 1).
	Revision int `json:"r,omitempty"`
}

// Item is one record offered to Commit.
type Item struct {
	ID     string
	URL    string
	Hash   string
	Source string // the config source that found it, for stats
	Line   []byte // the JSON line, without the newline
	Target string // where the line goes: an output file path, or "" for a stream such as stdout
	Offset int64  // the target file's size before this line, when Target is a file
	// Revision, when above 1, makes the item a new revision of a stored id: it is committed
	// (and its line written) when the stored record is revision Revision-1, and is a
	// duplicate otherwise (another run revised the id first). 0 or 1 is a first record.
	Revision int
	// Archive is where the response the record came from is archived; nil when it is not.
	Archive *ArchiveRef
	// Recheck, when set, schedules the id's page to be fetched again (new ids only).
	Recheck *Recheck
	// Signature, when set, is the record's near-duplicate index entry, kept with the record in
	// the same transaction (signatures.go); Signature.ID is the item's.
	Signature *Signature
}

// Pending is a line that was committed to the store but whose write to its target has not been
// confirmed. The lines of one commit share a Seq (one outbox entry).
type Pending struct {
	Seq    uint64 `json:"-"`
	ID     string `json:"id"`
	Target string `json:"f,omitempty"`
	Offset int64  `json:"o"`
	// Revision is the revision the line is (0 or 1: the first).
	Revision int `json:"r,omitempty"`
}

// Open opens or creates the store at path. A second writer waits up to opts.LockTimeout and then
// fails with ErrLocked naming the holder. Only a missing path makes a new store: an empty file
// is ErrEmpty, a directory ErrNotFile.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 10 * time.Second
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	if err := notFile(path); err != nil {
		return nil, err
	}
	lock, err := acquire(ctx, path, !opts.ReadOnly, opts.LockTimeout)
	if err != nil {
		return nil, err
	}
	s, err := open(path, opts, lock)
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		return nil, err
	}
	if !opts.ReadOnly {
		writeHolder(lock)
	}
	return s, nil
}

// OpenTemp makes a throwaway store for a run that dedups within itself only. Its file is
// unlinked as soon as it is open, so a killed run leaves nothing behind, except when killed in
// the milliseconds while it is made: such folders are swept by the next OpenTemp.
func OpenTemp(ctx context.Context) (*Store, error) {
	sweepTemp(time.Now().Add(-staleTemp))
	dir, err := os.MkdirTemp("", tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("temporary store: %w", err)
	}
	defer os.RemoveAll(dir)
	s, err := open(filepath.Join(dir, "run.db"), Options{NoSync: true, LockTimeout: time.Second}, nil)
	if err != nil {
		return nil, err
	}
	s.temp = true
	return s, nil
}

const (
	tempPrefix = "newsmill-run-"
	// staleTemp is far longer than a temporary store's folder lives (from its creation to the
	// store being open): an older one was left by a killed run.
	staleTemp = time.Minute
)

// sweepTemp removes the temporary store folders last changed before cutoff.
func sweepTemp(cutoff time.Time) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, d := range dirs {
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() && fi.ModTime().Before(cutoff) {
			os.RemoveAll(d)
		}
	}
}

func open(path string, opts Options, lock *os.File) (*Store, error) {
	if err := precheck(path); err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		if err := create(path); err != nil {
			return nil, err
		}
	}
	db, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, ro: opts.ReadOnly, lock: lock}
	if s.id, err = identify(path); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.size.Store(s.id.size)
	if !opts.ReadOnly {
		if err := s.init(); err != nil {
			db.Close()
			return nil, err
		}
	} else if err := s.checkFormat(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Serial is a random number the store was given when it was made (or first opened for writing
// by a binary that gives them): a store made anew at the same path has another, so an output
// folder can tell that the store that wrote it is gone. "" for an older store opened read-only.
func (s *Store) Serial() string { return s.serial }

// notFile refuses a store path that exists and is no regular file, before anything waits on it.
func notFile(path string) error {
	if m, ok := regular.NotRegular(path); ok {
		return fmt.Errorf("open store %s: %w: it is %s", path, ErrNotFile, regular.Kind(m))
	}
	return nil
}

// create makes a new store file whole or not at all: bbolt writes its first pages into the
// file it creates, so a crash there would leave an empty file, which Open refuses. The pages
// are written under a temporary name and the file is renamed into place.
func create(path string) error {
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	tmp := path + ".new"
	_ = os.Remove(tmp) // left by a crash during an earlier creation
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func openBolt(path string, opts Options) (db *bolt.DB, err error) {
	// bbolt panics on some damaged files instead of returning an error; a store is user data, so
	// turn that into ErrCorrupt rather than crash the run.
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("open store %s: %w: %v", path, ErrCorrupt, r)
		}
	}()
	// The hashmap freelist finds and frees pages in constant time; the default array freelist
	// scans and sorts every free page id on each commit, a cost that grows with the file. It
	// changes nothing on disk.
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly, NoSync: opts.NoSync, FreelistType: bolt.FreelistMapType})
	switch {
	case errors.Is(err, bolterr.ErrTimeout):
		return nil, fmt.Errorf("open store %s: %w (%s) after waiting %s", path, ErrLocked, readHolder(path), opts.LockTimeout)
	case errors.Is(err, bolterr.ErrInvalid), errors.Is(err, bolterr.ErrChecksum), errors.Is(err, bolterr.ErrVersionMismatch):
		return nil, fmt.Errorf("open store %s: %w: %v", path, ErrCorrupt, err)
	case err != nil:
		if strings.Contains(err.Error(), "file size too small") || strings.Contains(err.Error(), "invalid") {
			return nil, fmt.Errorf("open store %s: %w: %v", path, ErrCorrupt, err)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

func (s *Store) init() error {
	return s.update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keySerial) == nil {
			var b [8]byte
			if _, err := rand.Read(b[:]); err != nil {
				return err
			}
			if err := meta.Put(keySerial, []byte(hex.EncodeToString(b[:]))); err != nil {
				return err
			}
		}
		s.serial = string(meta.Get(keySerial))
		v := meta.Get(keyFormat)
		if v == nil {
			if tx.Bucket(bucketIDs).Stats().KeyN > 0 {
				return fmt.Errorf("%w: ids without a format marker", ErrCorrupt)
			}
			return meta.Put(keyFormat, []byte(strconv.Itoa(formatVersion)))
		}
		if err := checkFormatValue(v); err != nil {
			return err
		}
		if string(v) != strconv.Itoa(formatVersion) {
			return meta.Put(keyFormat, []byte(strconv.Itoa(formatVersion)))
		}
		return nil
	})
}

func (s *Store) checkFormat() error {
	return s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("%w: no meta bucket (not a newsmill store?)", ErrCorrupt)
		}
		s.serial = string(meta.Get(keySerial))
		return checkFormatValue(meta.Get(keyFormat))
	})
}

func checkFormatValue(v []byte) error {
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return fmt.Errorf("%w: format marker %q", ErrCorrupt, v)
	}
	if n > formatVersion {
		return fmt.Errorf("%w: format %d, this binary reads up to %d", ErrSchema, n, formatVersion)
	}
	return nil
}

// Path is the file the store lives in.
func (s *Store) Path() string { return s.path }

// Close releases the lock.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.lock != nil {
		if !s.ro && same(s.lock, holderPath(s.path)) {
			_ = os.Remove(holderPath(s.path))
		}
		s.lock.Close()
	}
	if err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) update(fn func(*bolt.Tx) error) (err error) {
	if s.ro {
		return ErrReadOnly
	}
	if err := s.checkFile(); err != nil {
		return err
	}
	defer s.corrupt(&err)
	if err := s.db.Update(fn); err != nil {
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	s.maybeRelease()
	return nil
}

func (s *Store) view(fn func(*bolt.Tx) error) (err error) {
	if err := s.checkFile(); err != nil {
		return err
	}
	defer s.corrupt(&err)
	if err := s.db.View(fn); err != nil {
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	s.maybeRelease()
	return nil
}

// corrupt turns bbolt's panics into ErrCorrupt. bbolt asserts its page invariants with panics
// ("page expected to be: 6, but self identifies as …") when a data page is damaged; the
// transaction is rolled back by then, so the run can stop with one clear line instead of a stack.
func (s *Store) corrupt(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("store %s: %w: %v (restore it from a backup, or move it aside to start afresh)", s.path, ErrCorrupt, r)
	}
}

// Seen reports which of ids are already stored.
func (s *Store) Seen(ctx context.Context, ids ...string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIDs)
		for _, id := range ids {
			if b.Get([]byte(id)) != nil {
				out[id] = true
			}
		}
		return nil
	})
	return out, err
}

// KnownURL reports whether url was already stored as an article, and under which id; a crawl
// need not fetch it again.
func (s *Store) KnownURL(ctx context.Context, url string) (string, bool, error) {
	var id string
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketURLs)
		v := b.Get(urlKey(url))
		if v == nil {
			v = b.Get([]byte(url)) // written by format 1
		}
		if v != nil {
			id = string(v)
		}
		return nil
	})
	return id, id != "", err
}

// Commit stores the items that are new, in one transaction, and puts the new ones in the outbox
// as one entry. It returns, per item, whether it was new; a duplicate's URL is still remembered
// so the page is not fetched again. Items repeated inside one call count once.
func (s *Store) Commit(ctx context.Context, items []Item) ([]Pending, []bool, error) {
	return s.CommitAfter(ctx, nil, items)
}

// CommitAfter is Ack(ack) and Commit(items) in one transaction: a writer that acknowledges a
// batch's lines inside the next batch's commit pays one transaction (two fsyncs) per batch
// instead of two. ack must be lines already confirmed written, as for Ack.
func (s *Store) CommitAfter(ctx context.Context, ack []Pending, items []Item) ([]Pending, []bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	isNew := make([]bool, len(items))
	var pend []Pending
	err := s.update(func(tx *bolt.Tx) error {
		ids, recs, urls, outbox := tx.Bucket(bucketIDs), tx.Bucket(bucketRecords), tx.Bucket(bucketURLs), tx.Bucket(bucketOutbox)
		sigs := tx.Bucket(bucketSignatures)
		if err := ackIn(outbox, ack); err != nil {
			return err
		}
		// Ids and records arrive in rising order (info codes start with the date): fill pages
		// instead of leaving them half empty for inserts that do not come.
		// URL keys keep new articles side by side too (see urlKey).
		ids.FillPercent, recs.FillPercent, urls.FillPercent = 0.95, 0.95, 0.95
		pend = pend[:0]
		now := time.Now().UTC().Truncate(time.Second)
		var e []byte
		var seq uint64
		for i, it := range items {
			key := []byte(it.ID)
			known := ids.Get(key) != nil
			if it.URL != "" {
				// A URL seen again under the same id is left alone: rewriting it would copy a
				// page of the tree for nothing. A new id's URL is new too (no lookup).
				if uk := urlKey(it.URL); !known || !bytes.Equal(urls.Get(uk), key) {
					if err := urls.Put(uk, key); err != nil {
						return err
					}
				}
			}
			rev := 1
			if known {
				ok, err := revise(tx, key, it, &e)
				if err != nil {
					return err
				}
				if !ok {
					isNew[i] = false
					continue
				}
				rev = it.Revision
			} else {
				e = encodeEntry(e, Entry{FirstURL: it.URL, FirstSeen: now, ContentHash: it.Hash, Source: it.Source, Revision: 1})
				if err := ids.Put(key, bytes.Clone(e)); err != nil {
					return err
				}
				if err := recs.Put(key, it.Line); err != nil {
					return err
				}
				if it.Recheck != nil {
					if err := putRecheck(tx, key, *it.Recheck); err != nil {
						return err
					}
				}
			}
			if it.Archive != nil {
				if err := putArchive(tx, key, *it.Archive); err != nil {
					return err
				}
			}
			if sg := it.Signature; sg != nil && rev == 1 { // a revision is the same story, indexed once
				if err := sigs.Put(sigKey(sg.At, it.ID), sg.Value); err != nil {
					return err
				}
			}
			s.written.Add(int64(len(it.Line)))
			if seq == 0 {
				seq, _ = outbox.NextSequence()
			}
			pend = append(pend, Pending{Seq: seq, ID: it.ID, Target: it.Target, Offset: it.Offset, Revision: rev})
			isNew[i] = true
		}
		if len(pend) == 0 {
			return nil
		}
		return outbox.Put(u64(seq), encodeOutbox(pend))
	})
	if err != nil {
		return nil, nil, err
	}
	return pend, isNew, nil
}

// Ack confirms that the lines reached their targets. An outbox entry goes when all its lines
// are confirmed; confirming some of them keeps the others.
func (s *Store) Ack(ctx context.Context, pend []Pending) error {
	if len(pend) == 0 {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error { return ackIn(tx.Bucket(bucketOutbox), pend) })
}

// Outbox lists the unconfirmed lines in the order they were committed.
func (s *Store) Outbox(ctx context.Context) ([]Pending, error) {
	var out []Pending
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			ps, err := decodeOutbox(binary.BigEndian.Uint64(k), v)
			if err != nil {
				return err
			}
			out = append(out, ps...)
			return nil
		})
	})
	return out, err
}

// Record returns the stored JSON line of id.
func (s *Store) Record(ctx context.Context, id string) ([]byte, error) {
	return s.RecordRevision(ctx, id, 0)
}

// Validators are the HTTP cache validators of a URL's last 200 response.
type Validators struct {
	ETag         string `json:"e,omitempty"`
	LastModified string `json:"m,omitempty"`
}

// Validators returns what the store kept for url.
func (s *Store) Validators(ctx context.Context, url string) (Validators, bool, error) {
	var v Validators
	var ok bool
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketHTTP).Get([]byte(url)); b != nil {
			ok = json.Unmarshal(b, &v) == nil
		}
		return nil
	})
	return v, ok, err
}

// SetValidators remembers url's validators; empty ones delete the entry.
func (s *Store) SetValidators(ctx context.Context, url string, v Validators) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHTTP)
		if v == (Validators{}) {
			return b.Delete([]byte(url))
		}
		buf, _ := json.Marshal(v)
		return b.Put([]byte(url), buf)
	})
}

// SetLastRun records a run's summary line for `crawl stats`.
func (s *Store) SetLastRun(ctx context.Context, summary string) error {
	return s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyLastRun, []byte(summary))
	})
}

// Count returns how many ids are stored.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketIDs).Stats().KeyN
		return nil
	})
	return n, err
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}
