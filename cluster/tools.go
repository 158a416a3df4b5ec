package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ExportFilter bounds an export: records stored at or after Since and before Until (the
// server's time of the first write, the cluster's "first seen"), from Source only.
type ExportFilter struct {
	Since, Until time.Time
	Source       string
	headersOnly  bool
}

// Export calls fn with every record of the stream within f, in stream order (first-seen
// order), and returns how many it passed.
func (c *Cluster) Export(ctx context.Context, f ExportFilter, fn func(id string, line []byte) error) (int, error) {
	n := 0
	err := c.scan(ctx, f, func(m jetstream.Msg, md *jetstream.MsgMetadata) error {
		var r struct {
			ID string `json:"id"`
		}
		if !f.headersOnly {
			if err := json.Unmarshal(m.Data(), &r); err != nil {
				return fmt.Errorf("record at sequence %d: %w", md.Sequence.Stream, err)
			}
		}
		n++
		return fn(r.ID, m.Data())
	})
	return n, err
}

// scan reads the record stream from f.Since (or its start) to its end at the time of the call.
func (c *Cluster) scan(ctx context.Context, f ExportFilter, fn func(jetstream.Msg, *jetstream.MsgMetadata) error) error {
	info, err := c.records.Info(ctx)
	if err != nil {
		return fmt.Errorf("record stream: %w", err)
	}
	end := info.State.LastSeq
	if info.State.Msgs == 0 {
		return nil
	}
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy, HeadersOnly: f.headersOnly}
	if !f.Since.IsZero() {
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &f.Since
	}
	cons, err := c.js.OrderedConsumer(ctx, c.RecordStream(), cfg)
	if err != nil {
		return fmt.Errorf("record stream: %w", err)
	}
	for {
		batch, err := cons.Fetch(1024, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return fmt.Errorf("record stream: %w", err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			md, err := m.Metadata()
			if err != nil {
				return err
			}
			if !f.Until.IsZero() && !md.Timestamp.Before(f.Until) {
				return nil
			}
			if f.Source == "" || m.Headers().Get(HeaderSource) == f.Source {
				if err := fn(m, md); err != nil {
					return err
				}
			}
			if md.Sequence.Stream >= end || md.NumPending == 0 {
				return nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return fmt.Errorf("record stream: %w", err)
		}
		if got == 0 {
			return nil // nothing more came within the wait: the end, or everything after was purged
		}
	}
}

// Stats describe the cluster's streams.
type Stats struct {
	Records      uint64
	RecordBytes  uint64
	FirstSeen    time.Time
	LastSeen     time.Time
	BySource     map[string]int
	ByDaySource  map[[2]string]int // UTC day, source
	Frontier     uint64            // URLs waiting or leased
	Leased       int               // URLs held by workers right now
	Redelivered  int               // URLs being tried again
	KnownURLs    uint64
	FrontierByte uint64
}

// Stats reads the streams' state and counts the records by source and first-seen day (reading
// the headers only).
func (c *Cluster) Stats(ctx context.Context) (Stats, error) {
	st := Stats{BySource: map[string]int{}, ByDaySource: map[[2]string]int{}}
	info, err := c.records.Info(ctx)
	if err != nil {
		return st, fmt.Errorf("record stream: %w", err)
	}
	st.Records, st.RecordBytes, st.FirstSeen, st.LastSeen = info.State.Msgs, info.State.Bytes, info.State.FirstTime, info.State.LastTime
	fi, err := c.frontier.Info(ctx)
	if err != nil {
		return st, fmt.Errorf("frontier stream: %w", err)
	}
	st.Frontier, st.FrontierByte = fi.State.Msgs, fi.State.Bytes
	if ci, err := c.js.Consumer(ctx, c.FrontierStream(), consumerName); err == nil {
		if cinfo, err := ci.Info(ctx); err == nil {
			st.Leased, st.Redelivered = cinfo.NumAckPending, cinfo.NumRedelivered
		}
	}
	if ks, err := c.urls.Status(ctx); err == nil {
		st.KnownURLs = ks.Values()
	}
	err = c.scan(ctx, ExportFilter{headersOnly: true}, func(m jetstream.Msg, md *jetstream.MsgMetadata) error {
		src := m.Headers().Get(HeaderSource)
		st.BySource[src]++
		st.ByDaySource[[2]string{md.Timestamp.UTC().Format(time.DateOnly), src}]++
		return nil
	})
	return st, err
}

// Forget drops ids from the record stream and their URLs from the known set, so a later crawl
// emits them again. It returns the ids that were there. A forgotten id comes back only after the
// record stream's message-id window (10 minutes).
func (c *Cluster) Forget(ctx context.Context, ids ...string) ([]string, error) {
	var gone []string
	for _, id := range ids {
		subj := c.subject("records", idToken(id))
		m, err := c.records.GetLastMsgForSubject(ctx, subj)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return gone, fmt.Errorf("forget %s: %w", id, err)
		}
		if err := c.forgetURLs(ctx, id, m.Data); err != nil {
			return gone, err
		}
		if err := c.records.Purge(ctx, jetstream.WithPurgeSubject(subj)); err != nil {
			return gone, fmt.Errorf("forget %s: %w", id, err)
		}
		if err := c.records.Purge(ctx, jetstream.WithPurgeSubject(subj+".*")); err != nil {
			return gone, fmt.Errorf("forget revisions of %s: %w", id, err)
		}
		if err := c.forgetRecheck(ctx, id, m.Data); err != nil {
			return gone, err
		}
		gone = append(gone, id)
	}
	return gone, nil
}

// ForgetBefore drops every record first seen before t (retention).
func (c *Cluster) ForgetBefore(ctx context.Context, t time.Time) ([]string, error) {
	var ids []string
	err := c.scan(ctx, ExportFilter{Until: t}, func(m jetstream.Msg, _ *jetstream.MsgMetadata) error {
		var r struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(m.Data(), &r) == nil && r.ID != "" {
			ids = append(ids, r.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.Forget(ctx, ids...)
}
