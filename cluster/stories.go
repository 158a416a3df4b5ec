package cluster

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsmill/newsmill/syndication"
)

// The near-duplicate index of cluster mode: the same signatures and the same judgement as one
// machine's (package syndication), kept in a KV bucket every worker shares. An entry per record
// (`e.<hash of id>`: its time, cluster and signature) and, per LSH band key, the ids that have it
// (`b.<band key>`, newest last, at most maxStoryIDs). The bucket's TTL is the clustering window,
// which also bounds its size. Two copies of one story assigned at the same instant by two
// workers may each start a cluster: the index is shared, not locked.

// maxStoryIDs bounds a band key's list, as maxPerKey does in memory: the newest copies stay.
const maxStoryIDs = 32

func storyEntryKey(id string) string { return "e." + hashKey(id) }
func storyBandKey(k uint64) string   { return "b." + strconv.FormatUint(k, 16) }

// storiesKV is the bucket, created by Connect when Options.StoryWindow is set.
func (c *Cluster) storiesKV() jetstream.KeyValue { return c.stories }

// AssignStory gives the record its cluster through the shared index, judged by judge's window
// and threshold, and adds it. A record already in the index (a redelivered URL, a twin) keeps the
// cluster it was given.
func (c *Cluster) AssignStory(ctx context.Context, judge *syndication.Index, id string, at time.Time, sig syndication.Signature) (syndication.Match, error) {
	kv := c.storiesKV()
	if kv == nil {
		return syndication.Match{Cluster: id}, nil
	}
	if e, err := c.storyEntry(ctx, kv, id); err != nil || e != nil {
		if e != nil {
			return syndication.Match{Cluster: e.Cluster}, nil
		}
		return syndication.Match{}, err
	}
	me := &syndication.Entry{ID: id, Cluster: id, At: at, Sig: sig}
	keys := syndication.BandKeys(sig)
	seen := map[string]bool{id: true}
	var best *syndication.Entry
	bestScore := 0.0
	for _, k := range keys {
		ent, err := kv.Get(ctx, storyBandKey(k))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return syndication.Match{}, fmt.Errorf("stories: %w", err)
		}
		for _, other := range strings.Split(string(ent.Value()), "\n") {
			if other == "" || seen[other] {
				continue
			}
			seen[other] = true
			e, err := c.storyEntry(ctx, kv, other)
			if err != nil {
				return syndication.Match{}, err
			}
			if e == nil {
				continue // past the bucket's TTL
			}
			if s, ok := judge.SameStory(me, e); ok && (s > bestScore || s == bestScore && e.At.Before(best.At)) {
				best, bestScore = e, s
			}
		}
	}
	m := syndication.Match{Cluster: id}
	if best != nil {
		me.Cluster = best.Cluster
		m = syndication.Match{Cluster: best.Cluster, Joined: true, Of: best.ID, Score: bestScore}
	}
	if _, err := kv.Create(ctx, storyEntryKey(id), encodeStory(me)); err != nil {
		// Another worker assigned the id meanwhile (a twin page): its cluster stands.
		if e, gerr := c.storyEntry(ctx, kv, id); gerr == nil && e != nil {
			return syndication.Match{Cluster: e.Cluster}, nil
		}
		return syndication.Match{}, fmt.Errorf("stories: %w", err)
	}
	for _, k := range keys {
		if _, err := casUpdate(ctx, kv, storyBandKey(k), func(cur []byte) []byte {
			ids := strings.Split(string(cur), "\n")
			if len(cur) == 0 {
				ids = nil
			}
			ids = append(ids, id)
			if len(ids) > maxStoryIDs {
				ids = ids[len(ids)-maxStoryIDs:]
			}
			return []byte(strings.Join(ids, "\n"))
		}); err != nil {
			return syndication.Match{}, fmt.Errorf("stories: %w", err)
		}
	}
	return m, nil
}

// storyEntry reads id's entry; nil when it has none.
func (c *Cluster) storyEntry(ctx context.Context, kv jetstream.KeyValue, id string) (*syndication.Entry, error) {
	ent, err := kv.Get(ctx, storyEntryKey(id))
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	e, err := decodeStory(id, ent.Value())
	if err != nil {
		return nil, nil // another version's entry: that record finds no copies
	}
	return e, nil
}

// encodeStory is the entry's time (Unix seconds) before what the store would keep of it.
func encodeStory(e *syndication.Entry) []byte {
	out := binary.AppendVarint(nil, e.At.Unix())
	return append(out, e.Value()...)
}

func decodeStory(id string, v []byte) (*syndication.Entry, error) {
	at, n := binary.Varint(v)
	if n <= 0 {
		return nil, syndication.ErrBadSignature
	}
	return syndication.DecodeEntry(id, time.Unix(at, 0), v[n:])
}
