package store

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The sites bucket: what the extractors learned of each site from its pages (the generic
// extractor's template of a host), so that the next run starts knowing it. The store keeps the
// bytes it is given per host and knows nothing of what they mean. An older binary ignores the
// bucket, so it needs no new format version.

// maxSiteState bounds one host's entry: the learner keeps its own state far smaller, and a
// bigger value is a bug that must not grow the file without end.
const maxSiteState = 4 << 20

// LoadSite returns the state kept for host, or nil when there is none.
func (s *Store) LoadSite(ctx context.Context, host string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSites) // absent from a store no binary with it has written to
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(host)); v != nil {
			out = bytes.Clone(v) // bbolt's bytes live only as long as the transaction
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load site %s: %w", host, err)
	}
	return out, nil
}

// SaveSite replaces the state kept for host; an empty state deletes it.
func (s *Store) SaveSite(ctx context.Context, host string, state []byte) error {
	if host == "" {
		return fmt.Errorf("save site: %w", ErrEmptyHost)
	}
	if len(state) > maxSiteState {
		return fmt.Errorf("save site %s: %w (%d bytes)", host, ErrSiteTooBig, len(state))
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSites)
		if len(state) == 0 {
			return b.Delete([]byte(host))
		}
		return b.Put([]byte(host), state)
	})
	if err != nil {
		return fmt.Errorf("save site %s: %w", host, err)
	}
	return nil
}
