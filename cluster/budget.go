package cluster

import (
	"bytes"
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// The crawl-trap bounds of one machine's pass (crawler/budget.go) held over every worker of a
// tick: counters and sets in the limits bucket, changed only by compare-and-set, so two workers
// never both take the last unit of a budget.

// hostPagesKey counts a host's URLs queued in a tick (its seeds included).
func hostPagesKey(tick, host string) string {
	return "h." + hashKey(tick) + "." + hostKey(strings.ToLower(host))
}

// variantsKey holds the query strings admitted for one path in a tick.
func variantsKey(tick, path string) string { return "v." + hashKey(tick) + "." + hashKey(path) }

// casUpdate applies change to key's value (nil when absent) until a compare-and-set holds;
// change returns the new value, or nil to leave the key as it is. It reports whether a value was
// written; an error means the server did not answer.
func casUpdate(ctx context.Context, kv jetstream.KeyValue, key string, change func(cur []byte) []byte) (bool, error) {
	var err error
	for range 50 {
		var e jetstream.KeyValueEntry
		e, err = kv.Get(ctx, key)
		switch {
		case isNotFound(err):
			next := change(nil)
			if next == nil {
				return false, nil
			}
			if _, err = kv.Create(ctx, key, next); err == nil {
				return true, nil
			}
		case err != nil:
			return false, err
		default:
			next := change(e.Value())
			if next == nil {
				return false, nil
			}
			if _, err = kv.Update(ctx, key, next, e.Revision()); err == nil {
				return true, nil
			}
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
	}
	return false, err
}

// addHostPages adds n (which may be negative) to a host's count in a tick; with limit > 0 a
// positive n takes only what is left under limit. It returns how many units were taken.
func (c *Cluster) addHostPages(ctx context.Context, tick, host string, n, limit int) (int, error) {
	took := 0
	_, err := casUpdate(ctx, c.limitsKV(), hostPagesKey(tick, host), func(cur []byte) []byte {
		have, _ := strconv.Atoi(string(cur))
		took = n
		if n > 0 && limit > 0 {
			took = min(n, limit-have)
		}
		if took <= 0 && n > 0 {
			took = 0
			return nil
		}
		return []byte(strconv.Itoa(max(have+took, 0)))
	})
	return took, err
}

// HostPages is how many URLs of host a tick has queued: its share of max_pages_per_host.
func (c *Cluster) HostPages(ctx context.Context, tick, host string) int {
	e, err := c.limitsKV().Get(ctx, hostPagesKey(tick, host))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(string(e.Value()))
	return n
}

// admitVariant reports whether u's query string may be fetched in the tick: it was admitted
// already, or fewer than limit query strings of its path were. A query string admitted is kept.
func (c *Cluster) admitVariant(ctx context.Context, tick string, u *url.URL, limit int) (bool, error) {
	if u.RawQuery == "" || limit <= 0 {
		return true, nil
	}
	path := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + u.EscapedPath()
	q := []byte(hashKey(u.RawQuery)[:16])
	admitted := false
	_, err := casUpdate(ctx, c.limitsKV(), variantsKey(tick, path), func(cur []byte) []byte {
		admitted = false
		n := 0
		for rest := cur; len(rest) > 0; n++ {
			var line []byte
			line, rest, _ = bytes.Cut(rest, []byte{'\n'})
			if bytes.Equal(line, q) {
				admitted = true
				return nil
			}
		}
		if n >= limit {
			return nil
		}
		admitted = true
		return append(append(append([]byte{}, cur...), q...), '\n')
	})
	return admitted, err
}
