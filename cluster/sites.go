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
// template. It keeps the bytes it is given per host and knows nothing of what they mean; two
// workers saving the same host keep the later one's state, which is as good a hint as the other.
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
