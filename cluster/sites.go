package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// SiteStore keeps what the generic extractor learned of each site (package learn's Storage) in a
// KV bucket, so that every worker and every later run of the cluster starts knowing a site's
// template. It keeps the bytes it is given per host and knows nothing of what they mean; the
// workers add what they learned to a host's state with UpdateSite, a compare-and-set, so that
// one worker's save never puts its own view of a site in place of what the others learned.
type SiteStore struct {
	kv jetstream.KeyValue
}

// Sites opens (creating it on first use) the cluster's sites bucket, on disk: a template takes a
// site's pages to learn, and its loss would last until they are read again.
func (c *Cluster) Sites(ctx context.Context) (*SiteStore, error) {
	kv, err := c.bucket(ctx, "sites", "newsmill: what the extractors learned of each site", 0, jetstream.FileStorage)
	if err != nil {
		return nil, err
	}
	return &SiteStore{kv: kv}, nil
}

// LoadSite returns the state kept for host, or nil when there is none.
func (s *SiteStore) LoadSite(ctx context.Context, host string) ([]byte, error) {
	e, err := s.kv.Get(ctx, hashKey(host))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load site %s: %w", host, err)
	}
	return bytes.Clone(e.Value()), nil
}

// SaveSite replaces the state kept for host; an empty state deletes it.
func (s *SiteStore) SaveSite(ctx context.Context, host string, state []byte) error {
	var err error
	if len(state) == 0 {
		err = s.kv.Delete(ctx, hashKey(host))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			err = nil
		}
	} else {
		_, err = s.kv.Put(ctx, hashKey(host), state)
	}
	if err != nil {
		return fmt.Errorf("save site %s: %w", host, err)
	}
	return nil
}

// UpdateSite replaces the state kept for host by change(the state kept, or nil), again with the
// newer state while another worker's save comes between, and returns the state kept.
func (s *SiteStore) UpdateSite(ctx context.Context, host string, change func(cur []byte) []byte) ([]byte, error) {
	var state []byte
	if _, err := casUpdate(ctx, s.kv, hashKey(host), func(cur []byte) []byte {
		state = change(cur)
		return state
	}); err != nil {
		return nil, fmt.Errorf("save site %s: %w", host, err)
	}
	return state, nil
}
