package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The retry list: pages whose fetch failed, by URL, so that a later run of their source fetches
// them again directly. Without it a run with one failed page could keep no validators for its
// listings (their 304 would hide the page for good), and a site with a single dead link would
// never be asked "changed since?" again.

// Retry is a URL waiting to be fetched again.
type Retry struct {
	URL      string    `json:"-"`
	Source   string    `json:"s"`
	First    time.Time `json:"f"` // the first failure
	Last     time.Time `json:"l"` // the latest failure
	Attempts int       `json:"n"` // failed runs so far
	Reason   string    `json:"r"` // why the latest fetch failed: "http 404", "empty body", …
	// Depth is the link distance from a seed at which the page was last found (0: unknown), so
	// a retried listing follows its links no deeper than it would have then.
	Depth int `json:"d,omitempty"`
}

// Failure is one failed fetch of a run, offered to RetryFailed.
type Failure struct {
	URL    string
	Reason string
	Depth  int
}

// Retries returns the source's URLs waiting to be fetched again, in URL order.
func (s *Store) Retries(ctx context.Context, source string) ([]Retry, error) {
	var out []Retry
	err := s.eachRetry(ctx, func(r Retry) error {
		if r.Source == source {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// RetryCounts returns how many URLs wait to be fetched again, by source.
func (s *Store) RetryCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := s.eachRetry(ctx, func(r Retry) error {
		out[r.Source]++
		return nil
	})
	return out, err
}

// eachRetry walks the retry bucket, which a store that no binary with the retry list has written
// to lacks (a read-only open does not add it).
func (s *Store) eachRetry(ctx context.Context, fn func(Retry) error) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRetry)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := decodeRetry(k, v)
			if err != nil {
				return err
			}
			return fn(r)
		})
	})
}

// RetryFailed counts one more failed run for each of the source's failures, at time at, in one
// transaction. A URL that has now failed limit runs is dropped from the list and returned, with
// its count: the caller gives up on it. A limit below 1 drops nothing.
func (s *Store) RetryFailed(ctx context.Context, source string, failed []Failure, limit int, at time.Time) ([]Retry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if source == "" {
		return nil, fmt.Errorf("%w: no source", ErrBadRetry)
	}
	for _, f := range failed {
		if f.URL == "" {
			return nil, fmt.Errorf("%w: a failure of source %s without a URL", ErrBadRetry, source)
		}
	}
	at = at.UTC().Truncate(time.Second)
	var dropped []Retry
	err := s.update(func(tx *bolt.Tx) error {
		dropped = dropped[:0]
		b := tx.Bucket(bucketRetry)
		for _, f := range failed {
			k := []byte(f.URL)
			r := Retry{URL: f.URL, First: at}
			if v := b.Get(k); v != nil {
				old, err := decodeRetry(k, v)
				if err != nil {
					return err
				}
				// Another source failing at the same URL starts its own count.
				if old.Source == source {
					r = old
				}
			}
			r.Source, r.Last, r.Reason, r.Depth = source, at, f.Reason, f.Depth
			r.Attempts++
			if limit > 0 && r.Attempts >= limit {
				dropped = append(dropped, r)
				if err := b.Delete(k); err != nil {
					return err
				}
				continue
			}
			v, _ := json.Marshal(r)
			if err := b.Put(k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return dropped, nil
}

// RetryDone drops the source's URLs that need fetching no more: fetched now, or stored already.
// URLs not on the list, or on it for another source, are left alone.
func (s *Store) RetryDone(ctx context.Context, source string, urls ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(urls) == 0 {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRetry)
		for _, u := range urls {
			k := []byte(u)
			v := b.Get(k)
			if v == nil {
				continue
			}
			r, err := decodeRetry(k, v)
			if err != nil {
				return err
			}
			if r.Source != source {
				continue
			}
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// ForgetRetries drops every URL waiting for the source and returns how many there were: for a
// source removed from the config, or a site whose failures are not worth another request.
func (s *Store) ForgetRetries(ctx context.Context, source string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		n = 0
		b := tx.Bucket(bucketRetry)
		return deleteWhere(b, func(v []byte) bool {
			var r Retry
			if json.Unmarshal(v, &r) == nil && r.Source == source {
				n++
				return true
			}
			return false
		})
	})
	return n, err
}

func decodeRetry(k, v []byte) (Retry, error) {
	var r Retry
	if err := json.Unmarshal(v, &r); err != nil {
		return Retry{}, fmt.Errorf("%w: retry entry of %s: %v", ErrCorrupt, k, err)
	}
	r.URL = string(k)
	return r, nil
}
