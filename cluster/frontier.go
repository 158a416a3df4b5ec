package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
)

// Task is one frontier message: a URL to fetch for a source, within a tick.
type Task struct {
	Source string `json:"source"`
	URL    string `json:"url"`
	Depth  int    `json:"depth"` // a seed is 1
	// Tick names the pass that queued the URL (source@YYYYMMDDhhmm, UTC): the frontier queues
	// a URL once per tick.
	Tick string `json:"tick"`
	// Seed marks a seed: fetched even when stored, it is the way in.
	Seed bool `json:"seed,omitempty"`
	// Parent is the listing or feed that linked here; its validators are dropped if this URL is
	// given up, so the listing is read whole again instead of answering 304.
	Parent string `json:"parent,omitempty"`
	// Hint is what a feed said about the article.
	Hint *article.Record `json:"hint,omitempty"`
	// Recheck is the id of a stored article fetched again in its recheck window (recheck.go):
	// fetched although stored, asked "changed since?", its links not followed.
	Recheck string `json:"recheck,omitempty"`
}

// Tick names the pass of source started at now: two enqueues within the same minute are one
// tick, and their seeds are queued once.
func Tick(source string, now time.Time) string {
	return source + "@" + now.UTC().Format("200601021504")
}

// Enqueue publishes the seeds of a source as a new tick. It returns how many seeds were queued
// (0 when the tick was already published, or each seed is still waiting from an earlier one).
func (c *Cluster) Enqueue(ctx context.Context, source string, seeds []string, now time.Time) (int, error) {
	tick := Tick(source, now)
	tasks := make([]Task, len(seeds))
	for i, s := range seeds {
		tasks[i] = Task{Source: source, URL: s, Depth: 1, Tick: tick, Seed: true}
	}
	queued, err := c.queue(ctx, tasks)
	n := 0
	for i, q := range queued {
		if !q {
			continue
		}
		n++
		// Seeds are pages of the tick: they count towards their host's max_pages_per_host, as
		// on one machine, but are never refused by it.
		if u, perr := url.Parse(tasks[i].URL); perr == nil {
			if _, aerr := c.addHostPages(ctx, tick, u.Hostname(), 1, 0); aerr != nil {
				c.log.Warn("cannot count a seed towards its host's page budget", zap.String("url", tasks[i].URL), zap.Error(aerr))
			}
		}
	}
	return n, err
}

// Queue publishes tasks to the frontier and waits for the server to confirm each. A URL
// already waiting (one message per subject) or already queued in the same tick (the message id)
// is not queued again; it returns how many were new.
func (c *Cluster) Queue(ctx context.Context, tasks []Task) (int, error) {
	queued, err := c.queue(ctx, tasks)
	n := 0
	for _, q := range queued {
		if q {
			n++
		}
	}
	return n, err
}

// queue is Queue telling which tasks were new.
func (c *Cluster) queue(ctx context.Context, tasks []Task) ([]bool, error) {
	queued := make([]bool, len(tasks))
	futures := make([]jetstream.PubAckFuture, 0, len(tasks))
	for _, t := range tasks {
		data, err := json.Marshal(t)
		if err != nil {
			return queued, fmt.Errorf("queue %s: %w", t.URL, err)
		}
		key := urlKey(t.URL)
		m := &nats.Msg{Subject: c.subject("frontier", key), Data: data, Header: nats.Header{}}
		f, err := c.js.PublishMsgAsync(m, jetstream.WithMsgID(t.Tick+":"+key))
		if err != nil {
			return queued, fmt.Errorf("queue %s: %w", t.URL, err)
		}
		futures = append(futures, f)
	}
	var first error
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			queued[i] = !ack.Duplicate
		case err := <-f.Err():
			if queuedAlready(err) {
				continue
			}
			if first == nil {
				first = fmt.Errorf("queue %s: %w", tasks[i].URL, err)
			}
		case <-ctx.Done():
			return queued, ctx.Err()
		}
	}
	return queued, first
}

// queuedAlready tells the refusal of a URL whose subject holds a message already.
func queuedAlready(err error) bool {
	return err != nil && strings.Contains(err.Error(), "maximum messages per subject exceeded")
}

// FrontierDepth is how many URLs wait in the frontier (including those leased).
func (c *Cluster) FrontierDepth(ctx context.Context) (uint64, error) {
	info, err := c.frontier.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.Msgs, nil
}

// consumer is the workers' shared durable consumer of the frontier. The server never gives up a
// message by itself (a work-queue message past its limit would block its URL's subject forever);
// workers count the deliveries and terminate a URL they give up.
func (c *Cluster) consumer(ctx context.Context) (jetstream.Consumer, error) {
	cons, err := c.js.CreateOrUpdateConsumer(ctx, c.FrontierStream(), jetstream.ConsumerConfig{
		Durable:       consumerName,
		Description:   "newsmill workers",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.opts.Lease,
		MaxDeliver:    -1,
		MaxAckPending: 10000,
		MaxWaiting:    4096,
		Replicas:      c.opts.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: consumer %s: %v", ErrSetup, consumerName, err)
	}
	return cons, nil
}

func isNotFound(err error) bool {
	return errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrMsgNotFound)
}
