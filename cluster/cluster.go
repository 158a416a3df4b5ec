// Package cluster runs the crawl over NATS JetStream, shared by worker processes on several
// machines: the frontier is a work-queue stream with one subject per URL, politeness and what
// was seen live in key-value buckets, and the output is a stream of records with one subject per
// id, written create-only so that the server itself refuses a second record for an id. It knows
// NATS and the crawler's interfaces, not any site's markup (docs/cluster.md).
package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/crawler"
)

// Options say where the servers are and how the streams are named and kept.
type Options struct {
	URLs        []string
	Credentials string // a .creds file
	CA          string // PEM file of the servers' CA
	Cert, Key   string // client certificate
	// Prefix names every stream, bucket and subject, so several crawls can share servers.
	Prefix string
	// Lease is how long a URL stays with a worker without news before another gets it.
	Lease time.Duration
	// MaxDeliver bounds the attempts at one URL before it is given up.
	MaxDeliver int
	// Replicas of every stream and bucket: 1 on one server, 3 in a production cluster.
	Replicas int
	// Name is the connection's name in the server's monitoring (the command and host).
	Name string
	// StoryWindow, when set, keeps the near-duplicate index in a KV bucket of that TTL, so
	// workers give records a cluster_id (stories.go); zero leaves it out.
	StoryWindow time.Duration
	// Wait makes Connect wait for the servers (and JetStream) to be up, until ctx ends: what a
	// long-running worker or sink started beside a restarting server wants. Without it Connect
	// fails at once, as a cron job should.
	Wait bool
}

// Stream and window settings.
const (
	// frontierWindow is how long the frontier remembers a URL queued within a tick: a listing
	// linked from every page is fetched once per tick while the tick lasts less than this.
	frontierWindow = 2 * time.Hour
	// recordWindow is the record stream's message-id window, for other publishers that send
	// one. newsmill's own publishes send none (a forgotten id must be accepted again at once):
	// the create-only expectation and the per-subject limit refuse a second record for an id.
	recordWindow = 10 * time.Minute
	// robotsTTL is how long a fetched robots.txt is shared before it is fetched again.
	robotsTTL = time.Hour
	// hostsTTL drops the politeness keys of hosts not crawled for a day.
	hostsTTL = 24 * time.Hour
	// consumerName is the durable consumer all workers share.
	consumerName = "workers"
)

// Headers of the record stream.
const (
	// HeaderSource names the config source whose crawl found the record.
	HeaderSource = "Newsmill-Source"
	// HeaderArchived says where the worker that fetched a record's page archived its response:
	// "<archive name> <file> <offset>" (the archive name is the worker's host and folder).
	HeaderArchived = "Newsmill-Archived"
)

// Cluster is one connection to the servers with its streams and buckets.
type Cluster struct {
	opts       Options
	nc         *nats.Conn
	js         jetstream.JetStream
	frontier   jetstream.Stream
	records    jetstream.Stream
	urls       jetstream.KeyValue
	validators jetstream.KeyValue
	limits     jetstream.KeyValue // file storage: pauses and tick budgets outlive a restart
	recheck    jetstream.KeyValue // id -> the recheck schedule of a young article (recheck.go)
	stories    jetstream.KeyValue // the near-duplicate index, when Options.StoryWindow is set
	log        *zap.Logger

	memMu      sync.Mutex
	robots     jetstream.KeyValue // memory storage: see memoryBuckets
	hosts      jetstream.KeyValue
	memChecked time.Time
}

// Connect dials the servers and creates (or checks) the streams and buckets, so that any
// command may be the first to run against a fresh server.
func Connect(ctx context.Context, opts Options, log *zap.Logger) (*Cluster, error) {
	if log == nil {
		log = zap.NewNop()
	}
	if opts.Prefix == "" {
		opts.Prefix = "newsmill"
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.MaxDeliver <= 0 {
		opts.MaxDeliver = 5
	}
	if opts.Replicas <= 0 {
		opts.Replicas = 1
	}
	nopts := []nats.Option{
		nats.Name(opts.Name),
		nats.MaxReconnects(-1), // a server restart is waited out, never the end of a worker
		nats.ReconnectWait(250 * time.Millisecond),
		nats.Timeout(5 * time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected; reconnecting", zap.Error(err))
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("nats reconnected", zap.String("server", nc.ConnectedUrlRedacted())) }),
	}
	if opts.Credentials != "" {
		nopts = append(nopts, nats.UserCredentials(opts.Credentials))
	}
	if opts.CA != "" {
		nopts = append(nopts, nats.RootCAs(opts.CA))
	}
	if opts.Cert != "" {
		nopts = append(nopts, nats.ClientCert(opts.Cert, opts.Key))
	}
	for {
		c, err := dial(ctx, opts, nopts, log)
		if err == nil || !opts.Wait || ctx.Err() != nil {
			return c, err
		}
		log.Warn("nats not ready; trying again", zap.Error(err))
		if crawler.Sleep(ctx, time.Second) != nil {
			return nil, err
		}
	}
}

func dial(ctx context.Context, opts Options, nopts []nats.Option, log *zap.Logger) (*Cluster, error) {
	nc, err := nats.Connect(strings.Join(opts.URLs, ","), nopts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConnect, strings.Join(opts.URLs, ","), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("%w: %v", ErrConnect, err)
	}
	c := &Cluster{opts: opts, nc: nc, js: js, log: log}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.setup(sctx); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// Close drains the connection: publishes in flight reach the server first.
func (c *Cluster) Close() error {
	return c.nc.Drain()
}

// Names of the streams and buckets under the prefix.
func (c *Cluster) streamName(what string) string { return c.opts.Prefix + "_" + what }
func (c *Cluster) subject(what, token string) string {
	return c.opts.Prefix + "." + what + "." + token
}

// FrontierStream and RecordStream name the streams, for docs, tests and the nats CLI.
func (c *Cluster) FrontierStream() string { return c.streamName("frontier") }

// RecordStream names the stream of records.
func (c *Cluster) RecordStream() string { return c.streamName("records") }

func (c *Cluster) setup(ctx context.Context) error {
	var err error
	c.frontier, err = c.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        c.FrontierStream(),
		Description: "newsmill frontier: one subject per URL waiting to be fetched",
		Subjects:    []string{c.subject("frontier", "*")},
		Retention:   jetstream.WorkQueuePolicy,
		// One pending message per URL: a URL linked from many pages is queued once.
		MaxMsgsPerSubject:    1,
		Discard:              jetstream.DiscardNew,
		DiscardNewPerSubject: true,
		Duplicates:           frontierWindow,
		Storage:              jetstream.FileStorage,
		Replicas:             c.opts.Replicas,
	})
	if err != nil {
		return fmt.Errorf("%w: stream %s: %v", ErrSetup, c.FrontierStream(), err)
	}
	c.records, err = c.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        c.RecordStream(),
		Description: "newsmill records: one subject per id, written once",
		// records.<id> is an id's first record, records.<id>.<n> its revision n (n >= 2).
		Subjects:  []string{c.subject("records", "*"), c.subject("records", "*.*")},
		Retention: jetstream.LimitsPolicy,
		// Publishers expect no earlier message on the id's subject; the limit refuses a second
		// one even from a publisher that forgot to expect.
		MaxMsgsPerSubject:    1,
		Discard:              jetstream.DiscardNew,
		DiscardNewPerSubject: true,
		Duplicates:           recordWindow,
		AllowDirect:          true,
		Storage:              jetstream.FileStorage,
		Replicas:             c.opts.Replicas,
	})
	if err != nil {
		return fmt.Errorf("%w: stream %s: %v", ErrSetup, c.RecordStream(), err)
	}
	if c.urls, err = c.bucket(ctx, "urls", "newsmill: article URLs stored, never fetched again", 0, jetstream.FileStorage); err != nil {
		return err
	}
	if c.validators, err = c.bucket(ctx, "validators", "newsmill: ETag and Last-Modified of listings", 0, jetstream.FileStorage); err != nil {
		return err
	}
	if c.recheck, err = c.bucket(ctx, "recheck", "newsmill: articles fetched again while young", 0, jetstream.FileStorage); err != nil {
		return err
	}
	// Pauses and budgets are written once per 429 and once per page, and their loss would last
	// far longer than a restart (a Retry-After of an hour, a tick's whole budget): on disk. Slots
	// change twice per request and their loss lasts one delay: in memory (docs/cluster.md).
	if c.limits, err = c.bucket(ctx, "limits", "newsmill: host pauses and tick budgets", hostsTTL, jetstream.FileStorage); err != nil {
		return err
	}
	if c.opts.StoryWindow > 0 {
		if c.stories, err = c.bucket(ctx, "stories", "newsmill: near-duplicate index (cluster_id)", c.opts.StoryWindow, jetstream.FileStorage); err != nil {
			return err
		}
	}
	return c.memoryBuckets(ctx)
}

func (c *Cluster) bucket(ctx context.Context, name, desc string, ttl time.Duration, storage jetstream.StorageType) (jetstream.KeyValue, error) {
	b, err := c.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: c.streamName(name), Description: desc, History: 1, TTL: ttl,
		Storage: storage, Replicas: c.opts.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: bucket %s: %v", ErrSetup, c.streamName(name), err)
	}
	return b, nil
}

// memoryBuckets creates the buckets kept in memory: slots change twice per request and losing
// them frees each host for one delay; robots.txt is fetched again at worst. A single server's
// restart drops them; workers create them again (restoreMemory).
func (c *Cluster) memoryBuckets(ctx context.Context) error {
	robots, err := c.bucket(ctx, "robots", "newsmill: robots.txt per host", robotsTTL, jetstream.MemoryStorage)
	if err != nil {
		return err
	}
	hosts, err := c.bucket(ctx, "hosts", "newsmill: per-host request slots and pauses", hostsTTL, jetstream.MemoryStorage)
	if err != nil {
		return err
	}
	c.memMu.Lock()
	c.robots, c.hosts = robots, hosts
	c.memMu.Unlock()
	return nil
}

// restoreMemory recreates the memory buckets after an error that may mean a server restart
// dropped them; at most once a second, however many goroutines ask.
func (c *Cluster) restoreMemory(ctx context.Context) {
	c.memMu.Lock()
	if time.Since(c.memChecked) < time.Second {
		c.memMu.Unlock()
		return
	}
	c.memChecked = time.Now()
	c.memMu.Unlock()
	if _, err := c.js.KeyValue(ctx, c.streamName("hosts")); err == nil {
		return
	}
	if err := c.memoryBuckets(ctx); err != nil {
		c.log.Debug("cannot restore the memory buckets yet", zap.Error(err))
		return
	}
	c.log.Info("politeness and robots.txt buckets created again (the server restarted)")
}

func (c *Cluster) hostsKV() jetstream.KeyValue {
	c.memMu.Lock()
	defer c.memMu.Unlock()
	return c.hosts
}

// limitsKV holds what bounds a tick or a host beyond one request: pauses and budgets.
func (c *Cluster) limitsKV() jetstream.KeyValue { return c.limits }

func (c *Cluster) robotsKV() jetstream.KeyValue {
	c.memMu.Lock()
	defer c.memMu.Unlock()
	return c.robots
}

// urlKey is a key (and subject token) for a URL: the SHA-256 of its canonical form
// (article.CanonicalURL: tracking parameters, default port and query order make no other page),
// 128 bits in hex.
func urlKey(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		u = article.CanonicalURL(pu).String()
	}
	return hashKey(u)
}

// hashKey is a key for any string: its SHA-256, 128 bits in hex.
func hashKey(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// hostKey makes a host:port a key token: only [-_a-zA-Z0-9] survive, anything else becomes '_'
// followed by its hex code, so two hosts never share a key.
func hostKey(host string) string {
	var b strings.Builder
	for i := 0; i < len(host); i++ {
		ch := host[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '-':
			b.WriteByte(ch)
		default:
			fmt.Fprintf(&b, "_%02x", ch)
		}
	}
	return b.String()
}

// idToken makes a record id a subject token. Ids are letters and digits (NW…, URL…); any other
// id is hashed, keeping one subject per id.
func idToken(id string) string {
	for i := 0; i < len(id); i++ {
		ch := id[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			return "H" + hashKey(id)
		}
	}
	return id
}
