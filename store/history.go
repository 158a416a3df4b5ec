package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// History (format 5). The records bucket keeps each id's latest revision, so everything that
// reads a record (export, Recover, a duplicate's check) reads the newest text; the revisions
// before it move to the revisions bucket when a new one is committed. The archive index says
// where the response of the latest revision is in the WARC archive, and the recheck bucket
// when a young article is due to be fetched again. Entries are JSON: few, small, and read by
// tools more than by the crawl's hot path.

// ArchiveRef is where an id's response lives in the archive: the file (its base name, in the
// archive folder) and the offset of the response record, with what identifies the payload.
type ArchiveRef struct {
	File     string    `json:"f"`
	Offset   int64     `json:"o"`
	RecordID string    `json:"r,omitempty"`
	URL      string    `json:"u,omitempty"`
	Date     time.Time `json:"t"`
	Digest   string    `json:"d,omitempty"`
}

// Recheck is the schedule of an article fetched again while it is young, to see it change.
type Recheck struct {
	URL    string    `json:"u"`
	Source string    `json:"s,omitempty"`
	Since  time.Time `json:"t"` // first fetched: the window runs from here
	Next   time.Time `json:"n"` // due
	Step   int       `json:"i"` // checks done
	// The validators of the page's last 200, for a conditional request.
	ETag         string `json:"e,omitempty"`
	LastModified string `json:"m,omitempty"`
}

func revKey(id []byte, rev int) []byte {
	k := make([]byte, 0, len(id)+5)
	k = append(append(k, id...), 0)
	return binary.BigEndian.AppendUint32(k, uint32(rev))
}

// revise commits it as the next revision of a stored id when it is one: the stored record is
// revision it.Revision-1. The stored line moves to the revisions bucket. buf is scratch for the
// entry.
func revise(tx *bolt.Tx, key []byte, it Item, buf *[]byte) (bool, error) {
	if it.Revision <= 1 {
		return false, nil
	}
	ids, recs := tx.Bucket(bucketIDs), tx.Bucket(bucketRecords)
	e, err := decodeEntry(ids.Get(key))
	if err != nil {
		return false, fmt.Errorf("entry of id %s: %w", key, err)
	}
	if e.Revision != it.Revision-1 {
		return false, nil
	}
	if err := tx.Bucket(bucketRevisions).Put(revKey(key, e.Revision), bytes.Clone(recs.Get(key))); err != nil {
		return false, err
	}
	if err := recs.Put(key, it.Line); err != nil {
		return false, err
	}
	e.ContentHash, e.Revision = it.Hash, it.Revision
	*buf = encodeEntry(*buf, e)
	return true, ids.Put(key, bytes.Clone(*buf))
}

func putArchive(tx *bolt.Tx, key []byte, ref ArchiveRef) error {
	v, err := json.Marshal(ref)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketArchive).Put(key, v)
}

func putRecheck(tx *bolt.Tx, key []byte, r Recheck) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketRecheck).Put(key, v)
}

// Latest is what a new revision is compared with: the stored record line of each of ids that
// is stored, with its entry.
type Latest struct {
	Entry Entry
	Line  []byte
}

// Latest returns the stored record and entry of each of ids that is stored, in one read.
func (s *Store) Latest(ctx context.Context, ids ...string) (map[string]Latest, error) {
	out := make(map[string]Latest, len(ids))
	err := s.view(func(tx *bolt.Tx) error {
		idb, recs := tx.Bucket(bucketIDs), tx.Bucket(bucketRecords)
		for _, id := range ids {
			v := idb.Get([]byte(id))
			if v == nil {
				continue
			}
			e, err := decodeEntry(v)
			if err != nil {
				return fmt.Errorf("entry of id %s: %w", id, err)
			}
			out[id] = Latest{Entry: e, Line: bytes.Clone(recs.Get([]byte(id)))}
		}
		return nil
	})
	return out, err
}

// RecordRevision returns the line of one revision of id (rev 0 or the latest: the records
// bucket's).
func (s *Store) RecordRevision(ctx context.Context, id string, rev int) ([]byte, error) {
	var line []byte
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketRevisions); b != nil && rev > 0 {
			if v := b.Get(revKey([]byte(id), rev)); v != nil {
				line = bytes.Clone(v)
				return nil
			}
		}
		if v := tx.Bucket(bucketRecords).Get([]byte(id)); v != nil {
			line = bytes.Clone(v)
		}
		return nil
	})
	if err == nil && line == nil {
		err = fmt.Errorf("store %s: no record for id %s", s.path, id)
	}
	return line, err
}

// Revisions calls fn with every stored line of id, oldest first, the latest last.
func (s *Store) Revisions(ctx context.Context, id string, fn func(rev int, line []byte) error) error {
	return s.view(func(tx *bolt.Tx) error {
		key := []byte(id)
		last := 0
		if b := tx.Bucket(bucketRevisions); b != nil { // nil in an older store opened read-only
			c := b.Cursor()
			prefix := append(bytes.Clone(key), 0)
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+4; k, v = c.Next() {
				last = int(binary.BigEndian.Uint32(k[len(prefix):]))
				if err := fn(last, v); err != nil {
					return err
				}
			}
		}
		if v := tx.Bucket(bucketRecords).Get(key); v != nil {
			return fn(last+1, v)
		}
		return nil
	})
}

// Archived returns where id's latest response is in the archive.
func (s *Store) Archived(ctx context.Context, id string) (ArchiveRef, bool, error) {
	var ref ArchiveRef
	var ok bool
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketArchive); b != nil {
			if v := b.Get([]byte(id)); v != nil {
				ok = json.Unmarshal(v, &ref) == nil
			}
		}
		return nil
	})
	return ref, ok, err
}

// EachArchived calls fn for every id with an archived response, in id order, with its entry
// and its latest record line (valid only during the call). fn must not call the store.
func (s *Store) EachArchived(ctx context.Context, fn func(id string, e Entry, ref ArchiveRef, line []byte) error) error {
	return s.view(func(tx *bolt.Tx) error {
		idb, recs, b := tx.Bucket(bucketIDs), tx.Bucket(bucketRecords), tx.Bucket(bucketArchive)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var ref ArchiveRef
			if err := json.Unmarshal(v, &ref); err != nil {
				return fmt.Errorf("%w: archive entry of %s: %v", ErrCorrupt, k, err)
			}
			ev := idb.Get(k)
			if ev == nil {
				return nil // forgotten meanwhile
			}
			e, err := decodeEntry(ev)
			if err != nil {
				return err
			}
			return fn(string(k), e, ref, recs.Get(k))
		})
	})
}

// DueRechecks returns the ids of source (every source when "") whose recheck is due at now,
// at most limit of them (0: all).
func (s *Store) DueRechecks(ctx context.Context, source string, now time.Time, limit int) (map[string]Recheck, error) {
	out := map[string]Recheck{}
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecheck)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if limit > 0 && len(out) >= limit {
				return nil
			}
			var r Recheck
			if json.Unmarshal(v, &r) != nil {
				return nil
			}
			if !r.Next.After(now) && (source == "" || r.Source == source) {
				out[string(k)] = r
			}
			return nil
		})
	})
	return out, err
}

// SetRecheck replaces id's schedule; a nil one ends it (the window is over, the id is gone).
func (s *Store) SetRecheck(ctx context.Context, id string, r *Recheck) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecheck)
		if r == nil {
			return b.Delete([]byte(id))
		}
		if b.Get([]byte(id)) == nil && tx.Bucket(bucketIDs).Get([]byte(id)) == nil {
			return nil // forgotten while it was being fetched
		}
		return putRecheck(tx, []byte(id), *r)
	})
}

// forgetHistory drops what history keeps of the ids in drop (Delete): revisions, archive
// refs, rechecks, the payload digest of each one's page (a re-crawl archives it whole again,
// so its bytes do not hang on a file retention may delete) and its near-duplicate index entry
// (a re-crawled record starts its own cluster rather than keeping the old one).
func forgetHistory(tx *bolt.Tx, drop map[string]bool) error {
	arc, pays := tx.Bucket(bucketArchive), tx.Bucket(bucketPayloads)
	for id := range drop {
		var ref ArchiveRef
		if v := arc.Get([]byte(id)); v != nil && json.Unmarshal(v, &ref) == nil && ref.URL != "" {
			if err := pays.Delete([]byte(ref.URL)); err != nil {
				return err
			}
		}
	}
	var sigs [][]byte
	sb := tx.Bucket(bucketSignatures)
	if err := sb.ForEach(func(k, _ []byte) error {
		if _, id, ok := decodeSigKey(k); ok && drop[id] {
			sigs = append(sigs, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range sigs {
		if err := sb.Delete(k); err != nil {
			return err
		}
	}
	for _, name := range [][]byte{bucketArchive, bucketRecheck} {
		b := tx.Bucket(name)
		for id := range drop {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
	}
	revs := tx.Bucket(bucketRevisions)
	for id := range drop {
		prefix := append([]byte(id), 0)
		var keys [][]byte
		c := revs.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+4; k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			if err := revs.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// Payloads calls fn with the kept ref of every URL's last archived response with a payload
// (PutPayloads), in URL order. An older store opened read-only has none.
func (s *Store) Payloads(ctx context.Context, fn func(ArchiveRef) error) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPayloads)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var ref ArchiveRef
			if json.Unmarshal(v, &ref) != nil {
				return nil // not an entry this binary wrote: the archive stores that body again
			}
			return fn(ref)
		})
	})
}

// PutPayloads keeps refs, each as its URL's last archived response, and drops the URLs in
// drop. A caller puts only refs to records already synced to disk: a later run's revisit names
// the record, and must not name one a crash took away.
func (s *Store) PutPayloads(ctx context.Context, refs []ArchiveRef, drop []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(refs) == 0 && len(drop) == 0 {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPayloads)
		for _, u := range drop {
			if err := b.Delete([]byte(u)); err != nil {
				return err
			}
		}
		for _, r := range refs {
			if r.URL == "" {
				continue
			}
			v, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(r.URL), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// HistoryCounts are what `crawl stats` says of history.
type HistoryCounts struct {
	Archived int // ids whose response is indexed in the archive
	Revised  int // revisions kept before the latest ones (lines of changed articles)
	Rechecks int // young articles scheduled to be fetched again
}

// History counts the ids indexed in the archive, the earlier revisions kept and the rechecks
// scheduled. An older store opened read-only has none.
func (s *Store) History(ctx context.Context) (HistoryCounts, error) {
	var h HistoryCounts
	err := s.view(func(tx *bolt.Tx) error {
		n := func(name []byte) int {
			if b := tx.Bucket(name); b != nil {
				return b.Stats().KeyN
			}
			return 0
		}
		h = HistoryCounts{Archived: n(bucketArchive), Revised: n(bucketRevisions), Rechecks: n(bucketRecheck)}
		return nil
	})
	return h, err
}
