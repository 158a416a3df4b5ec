package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Administration: the store tools (crawl stats, export, forget) walk and prune the store through
// these. A crawl never calls them.

// ForEach calls fn for every stored id in key order, with its entry. fn must not call the store:
// the walk holds a read transaction.
func (s *Store) ForEach(ctx context.Context, fn func(id string, e Entry) error) error {
	return s.view(func(tx *bolt.Tx) error {
		recs := tx.Bucket(bucketRecords)
		return tx.Bucket(bucketIDs).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			e, err := decodeEntry(v)
			if err != nil {
				return fmt.Errorf("entry of id %s: %w", k, err)
			}
			if e.FirstURL == "" {
				e.FirstURL = recordURL(recs.Get(k)) // format 2 keeps it in the record only
			}
			return fn(string(k), e)
		})
	})
}

// Records calls fn with the stored JSON line of each of ids, in the given order, all in one read
// transaction. An id without a record is an error: the store always keeps both.
func (s *Store) Records(ctx context.Context, ids []string, fn func(id string, line []byte) error) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				return err
			}
			v := b.Get([]byte(id))
			if v == nil {
				return fmt.Errorf("%w: no record for id %s", ErrCorrupt, id)
			}
			if err := fn(id, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete forgets ids: their entries, records, outbox entries and every URL that maps to them, so a
// later crawl fetches and emits them again. It returns the ids that were stored (and are now
// gone); unknown ids are not an error.
func (s *Store) Delete(ctx context.Context, ids ...string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var gone []string
	err := s.update(func(tx *bolt.Tx) error {
		gone = gone[:0]
		idb, recs := tx.Bucket(bucketIDs), tx.Bucket(bucketRecords)
		drop := map[string]bool{}
		for _, id := range ids {
			if idb.Get([]byte(id)) == nil || drop[id] {
				continue
			}
			drop[id] = true
			gone = append(gone, id)
			if err := idb.Delete([]byte(id)); err != nil {
				return err
			}
			if err := recs.Delete([]byte(id)); err != nil {
				return err
			}
		}
		if len(drop) == 0 {
			return nil
		}
		if err := forgetHistory(tx, drop); err != nil {
			return err
		}
		// The url index maps url -> id with no reverse index; one pass over it is cheaper than
		// keeping a second index up to date on every commit.
		if err := deleteWhere(tx.Bucket(bucketURLs), func(v []byte) bool { return drop[string(v)] }); err != nil {
			return err
		}
		// A listing that answered 304 is not read, so a forgotten article it links to would not
		// be found again until the listing changed: forget every HTTP validator too.
		if err := tx.DeleteBucket(bucketHTTP); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bucketHTTP); err != nil {
			return err
		}
		// A forgotten id's unconfirmed line goes too: Recover would find no record to write.
		outbox := tx.Bucket(bucketOutbox)
		var seqs []uint64
		if err := outbox.ForEach(func(k, _ []byte) error {
			seqs = append(seqs, binary.BigEndian.Uint64(k))
			return nil
		}); err != nil {
			return err
		}
		for _, seq := range seqs {
			if err := keepUnless(outbox, seq, func(p Pending) bool { return drop[p.ID] }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gone, nil
}

// deleteWhere removes the keys of b whose values match. Keys are collected first: bbolt cursors
// skip entries when the bucket changes under them.
func deleteWhere(b *bolt.Bucket, match func(v []byte) bool) error {
	var keys [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		if match(v) {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// DeleteBefore forgets every id first seen before t (see Delete) and returns them.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time) ([]string, error) {
	var old []string
	err := s.ForEach(ctx, func(id string, e Entry) error {
		if e.FirstSeen.Before(t) {
			old = append(old, id)
		}
		return nil
	})
	if err != nil || len(old) == 0 {
		return nil, err
	}
	return s.Delete(ctx, old...)
}

// LastRun returns the summary line the last crawl left, "" when none did.
func (s *Store) LastRun(ctx context.Context) (string, error) {
	var out string
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta); b != nil {
			out = string(b.Get(keyLastRun))
		}
		return nil
	})
	return out, err
}

// Size is the store file's size in bytes. bbolt does not shrink its file when keys are deleted:
// freed pages are reused by later writes.
func (s *Store) Size() (int64, error) {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0, fmt.Errorf("store %s: %w", s.path, err)
	}
	return fi.Size(), nil
}
