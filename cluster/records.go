package cluster

import (
	"context"
	"errors"
	"fmt"

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
	m := &nats.Msg{Subject: c.subject("records", idToken(id)), Data: line, Header: nats.Header{}}
	if source != "" {
		m.Header.Set(HeaderSource, source)
	}
	ack, err := c.js.PublishMsg(ctx, m, jetstream.WithExpectLastSequencePerSubject(0))
	switch {
	case err == nil:
		return ack.Duplicate, nil
	case refusedTwin(err):
		return true, nil
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
