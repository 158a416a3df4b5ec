package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Source health (package health): the last pass's report of each source, kept so that `crawl
// stats` shows it after the run and serve's metrics start from it. Opaque to the store.

// SetHealth keeps the reports of one pass, one per source, replacing each source's last one.
func (s *Store) SetHealth(ctx context.Context, reports map[string][]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(reports) == 0 {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHealth)
		for src, v := range reports {
			if err := b.Put([]byte(src), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Health calls fn with each source's last report, in source order.
func (s *Store) Health(ctx context.Context, fn func(source string, report []byte) error) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHealth)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return fn(string(k), bytes.Clone(v))
		})
	})
}

// CountSince counts the stored ids first seen at or after since, by source ("" for --url runs):
// the records a source added in a day, for its min_records_per_day. It walks every entry.
func (s *Store) CountSince(ctx context.Context, since time.Time) (map[string]int, error) {
	out := map[string]int{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIDs).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			e, err := decodeEntry(v)
			if err != nil {
				return fmt.Errorf("entry of id %s: %w", k, err)
			}
			if !e.FirstSeen.Before(since) {
				out[e.Source]++
			}
			return nil
		})
	})
	return out, err
}
