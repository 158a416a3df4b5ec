package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The near-duplicate index (package syndication) keeps one entry per record of its time window
// here, so a story's copies found by a later run join the cluster of the first one. The store
// knows nothing of what an entry holds: a record's id, its time and opaque bytes.

// Signature is one record's entry in the near-duplicate index.
type Signature struct {
	ID    string
	At    time.Time // the record's time; entries are kept and pruned in this order
	Value []byte    // opaque to the store
}

// sigKey orders entries by time, then id: 8 bytes of big-endian Unix seconds (offset so times
// before 1970 order too), then the id.
func sigKey(at time.Time, id string) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), uint64(at.Unix())^(1<<63))
	return append(k, id...)
}

func decodeSigKey(k []byte) (time.Time, string, bool) {
	if len(k) < 8 {
		return time.Time{}, "", false
	}
	return time.Unix(int64(binary.BigEndian.Uint64(k)^(1<<63)), 0), string(k[8:]), true
}

// Signatures calls fn with the kept entries from the oldest, stopping at fn's first error. A store
// no binary with the index has written to has none.
func (s *Store) Signatures(ctx context.Context, fn func(Signature) error) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSignatures)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			at, id, ok := decodeSigKey(k)
			if !ok {
				return nil // not an entry this binary wrote; the index does without it
			}
			return fn(Signature{ID: id, At: at, Value: bytes.Clone(v)})
		})
	})
}

// PruneSignatures drops the entries older than before, then the oldest until at most keep are
// left, and returns how many went: the index's window and bound, kept on disk as in memory.
func (s *Store) PruneSignatures(ctx context.Context, before time.Time, keep int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSignatures)
		total := b.Stats().KeyN
		stop := sigKey(before, "")
		// Keys first, deletes after: a cursor moved on after a delete can skip the next key.
		var drop [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if bytes.Compare(k, stop) >= 0 && total-len(drop) <= keep {
				break
			}
			drop = append(drop, bytes.Clone(k))
		}
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(drop)
		return nil
	})
	return n, err
}

// SignatureCount is the number of entries kept.
func (s *Store) SignatureCount(ctx context.Context) (int, error) {
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSignatures); b != nil {
			n = b.Stats().KeyN
		}
		return ctx.Err()
	})
	return n, err
}
