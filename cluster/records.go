package cluster

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Publish writes one record line to the record stream, create-only: the server is told to expect
// no earlier message on the id's subject, so a second record for an id (a twin page, a
// redelivered URL, two workers racing, a retried publish whose ack was lost) is refused by the
// server itself. No message id is sent: the stream's duplicate window would go on refusing an id
// for its whole length after forget purged it, and the expectation refuses every second record
// already. It returns duplicate = true for such a refusal; the first record stays.
// Publish returns only once the server has confirmed (or refused) the write.
func (c *Cluster) Publish(ctx context.Context, id string, line []byte, source string) (duplicate bool, err error) {
	return c.publish(ctx, id, 1, line, source, "")
}

// publish writes revision rev of id create-only, with the source and, when archived is not
// "", where the worker archived the record's response (HeaderArchived).
func (c *Cluster) publish(ctx context.Context, id string, rev int, line []byte, source, archived string) (duplicate bool, err error) {
	m := &nats.Msg{Subject: c.revisionSubject(id, rev), Data: line, Header: nats.Header{}}
	if source != "" {
		m.Header.Set(HeaderSource, source)
	}
	if archived != "" {
		m.Header.Set(HeaderArchived, archived)
	}
	ack, err := c.js.PublishMsg(ctx, m, jetstream.WithExpectLastSequencePerSubject(0))
	switch {
	case err == nil:
		return ack.Duplicate, nil
	case refusedTwin(err):
		return true, nil
	}
	if rev > 1 {
		return false, fmt.Errorf("publish revision %d of %s: %w", rev, id, err)
	}
	return false, fmt.Errorf("publish record %s: %w", id, err)
}

// refusedTwin tells the server's refusal of a second message on an id's subject: the expected
// last sequence did not hold, or the per-subject limit refused it.
func refusedTwin(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return true
	}
	return queuedAlready(err)
}

// revisionSubject is the subject of one revision of an id: its first record keeps the subject
// it always had (records.<id>), so streams written before revisions read as they are; revision
// n >= 2 is records.<id>.<n>. Each subject takes one message: one message per (id, revision).
func (c *Cluster) revisionSubject(id string, rev int) string {
	if rev <= 1 {
		return c.subject("records", idToken(id))
	}
	return c.subject("records", idToken(id)+"."+strconv.Itoa(rev))
}

// PublishRevision writes revision rev (>= 2) of id, create-only like Publish: two workers
// finding the same change publish it once, and duplicate says the other came first.
func (c *Cluster) PublishRevision(ctx context.Context, id string, rev int, line []byte, source string) (duplicate bool, err error) {
	return c.publish(ctx, id, max(rev, 1), line, source, "")
}

// LatestRecord returns the latest revision of id on the stream and its number; found is false
// when the id has no record. Revisions are published in order, so the last message on
// records.<id>.* is the highest.
func (c *Cluster) LatestRecord(ctx context.Context, id string) (line []byte, rev int, found bool, err error) {
	m, err := c.records.GetLastMsgForSubject(ctx, c.subject("records", idToken(id)+".*"))
	if err == nil {
		tok := m.Subject[strings.LastIndexByte(m.Subject, '.')+1:]
		if n, perr := strconv.Atoi(tok); perr == nil {
			return m.Data, n, true, nil
		}
	} else if !isNotFound(err) {
		return nil, 0, false, fmt.Errorf("latest record of %s: %w", id, err)
	}
	m, err = c.records.GetLastMsgForSubject(ctx, c.subject("records", idToken(id)))
	if isNotFound(err) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("latest record of %s: %w", id, err)
	}
	return m.Data, 1, true, nil
}
