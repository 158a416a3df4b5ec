package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/crawler"
)

// KnownURL reports the id stored for an article URL: stored articles are never fetched again by
// any worker. An unreachable server counts as not known (the page is fetched; the record stream
// still refuses a second record).
func (c *Cluster) KnownURL(ctx context.Context, u string) (string, bool) {
	e, err := c.urls.Get(ctx, "u."+urlKey(u))
	if err != nil {
		return "", false
	}
	return string(e.Value()), true
}

// MarkKnown remembers an article URL and its id. A URL other than the record's own (a twin's
// route, a redirect's start) is also kept under the id, so that forgetting the id forgets every
// URL that led to it; the record's own URL is read from the record then.
func (c *Cluster) MarkKnown(ctx context.Context, u, id string, own bool) error {
	k := urlKey(u)
	if !own {
		if _, err := c.urls.Put(ctx, "i."+idToken(id)+"."+k, []byte(u)); err != nil {
			return fmt.Errorf("remember url %s: %w", u, err)
		}
	}
	if _, err := c.urls.Put(ctx, "u."+k, []byte(id)); err != nil {
		return fmt.Errorf("remember url %s: %w", u, err)
	}
	return nil
}

// forgetURLs drops every URL remembered for id: the record's own and the others kept under it.
func (c *Cluster) forgetURLs(ctx context.Context, id string, line []byte) error {
	var r struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(line, &r) == nil && r.URL != "" {
		if err := c.urls.Purge(ctx, "u."+urlKey(r.URL)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("forget urls of %s: %w", id, err)
		}
	}
	l, err := c.urls.ListKeysFiltered(ctx, "i."+idToken(id)+".*")
	if err != nil {
		return fmt.Errorf("forget urls of %s: %w", id, err)
	}
	var keys []string
	for k := range l.Keys() {
		keys = append(keys, k)
	}
	for _, k := range keys {
		urlHash := k[strings.LastIndexByte(k, '.')+1:]
		for _, del := range []string{"u." + urlHash, k} {
			if err := c.urls.Purge(ctx, del); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
				return fmt.Errorf("forget urls of %s: %w", id, err)
			}
		}
	}
	return nil
}

// Validators is a crawler.ValidatorCache over the validators bucket.
type Validators struct{ c *Cluster }

// Validators returns the shared HTTP validators cache.
func (c *Cluster) Validators() Validators { return Validators{c} }

type storedValidators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

func (v Validators) Validators(ctx context.Context, u string) (crawler.Validators, bool) {
	e, err := v.c.validators.Get(ctx, urlKey(u))
	if err != nil {
		return crawler.Validators{}, false
	}
	var s storedValidators
	if json.Unmarshal(e.Value(), &s) != nil {
		return crawler.Validators{}, false
	}
	return crawler.Validators{ETag: s.ETag, LastModified: s.LastModified}, true
}

func (v Validators) SetValidators(ctx context.Context, u string, val crawler.Validators) error {
	b, _ := json.Marshal(storedValidators{ETag: val.ETag, LastModified: val.LastModified})
	if _, err := v.c.validators.Put(ctx, urlKey(u), b); err != nil {
		return fmt.Errorf("keep validators of %s: %w", u, err)
	}
	return nil
}

// Forget drops the validators of u, so it is fetched whole next time.
func (v Validators) Forget(ctx context.Context, u string) error {
	err := v.c.validators.Delete(ctx, urlKey(u))
	if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("drop validators of %s: %w", u, err)
	}
	return nil
}

// robotsCache is a crawler.RobotsCache over the robots bucket (entries expire after robotsTTL).
type robotsCache struct{ c *Cluster }

type storedRobots struct {
	Status int    `json:"status"`
	Body   []byte `json:"body"`
}

// maxRobots caps a shared robots.txt; Google reads 500 KiB of one.
const maxRobots = 500 << 10

func (r robotsCache) Robots(ctx context.Context, hostURL string) (int, []byte, bool) {
	e, err := r.c.robotsKV().Get(ctx, urlKey(hostURL))
	if err != nil {
		return 0, nil, false
	}
	var s storedRobots
	if json.Unmarshal(e.Value(), &s) != nil {
		return 0, nil, false
	}
	return s.Status, s.Body, true
}

func (r robotsCache) SetRobots(ctx context.Context, hostURL string, status int, body []byte) {
	if len(body) > maxRobots {
		body = body[:maxRobots]
	}
	b, _ := json.Marshal(storedRobots{Status: status, Body: body})
	if _, err := r.c.robotsKV().Put(ctx, urlKey(hostURL), b); err != nil {
		r.c.log.Debug("cannot share robots.txt", zap.Error(err))
		r.c.restoreMemory(ctx)
	}
}

// Gate is the politeness of one source over every worker: per host at most parallelism requests
// in flight, each slot resting delay after its request (as Colly's limit rules do in one
// process), and a pause, set by any worker that met a 429 or 503, held by all.
//
// A slot is a key hosts/s.<host>.<i> whose value says until when it is taken ("h") or resting
// ("r"); a worker takes it by a compare-and-set on the key's revision. A worker killed while
// holding a slot leaves it taken until its lease ends (the fetch timeout plus a margin), so a
// dead worker costs a host one slot for that long, never politeness.
type Gate struct {
	c           *Cluster
	parallelism int
	delay       time.Duration
	hold        time.Duration // how long a slot is taken at most: the fetch timeout and a margin
	maxWait     time.Duration // a pause longer than this is given back to the frontier
	inFlight    func(delta int)

	// local holds, per host, this process's requests to parallelism before they ask the server:
	// a worker whose concurrency exceeds a host's slots would otherwise poll the bucket with
	// every goroutine waiting for that host.
	mu    sync.Mutex
	local map[string]chan struct{}
}

// Gate returns the politeness gate of a source.
func (c *Cluster) Gate(parallelism int, delay, timeout, maxWait time.Duration) *Gate {
	return &Gate{c: c, parallelism: max(parallelism, 1), delay: delay, hold: timeout + 2*time.Second, maxWait: maxWait, local: map[string]chan struct{}{}}
}

func (g *Gate) slotKey(host string, i int) string {
	return "s." + hostKey(strings.ToLower(host)) + "." + strconv.Itoa(i)
}

func pauseKey(host string) string { return "p." + hostKey(strings.ToLower(host)) }

func encodeSlot(state byte, until time.Time) []byte {
	return []byte(string(state) + strconv.FormatInt(until.UnixNano(), 10))
}

func decodeSlot(b []byte) (byte, time.Time) {
	if len(b) < 2 {
		return 'r', time.Time{}
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil {
		return 'r', time.Time{}
	}
	return b[0], time.Unix(0, n)
}

// Acquire waits for a free slot of host, honouring a pause, and returns its release. A
// crawlDelay from robots.txt makes the host one slot, resting the longer of it and the delay.
func (g *Gate) Acquire(ctx context.Context, host string, crawlDelay time.Duration) (func(), error) {
	g.mu.Lock()
	sem, ok := g.local[host]
	if !ok {
		sem = make(chan struct{}, g.parallelism)
		g.local[host] = sem
	}
	g.mu.Unlock()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	slots, rest := g.parallelism, g.delay
	if crawlDelay > 0 {
		slots, rest = 1, max(g.delay, crawlDelay)
	}
	release, err := g.acquire(ctx, host, slots, rest)
	if err != nil {
		<-sem
		return nil, err
	}
	return func() { release(); <-sem }, nil
}

func (g *Gate) acquire(ctx context.Context, host string, slots int, rest time.Duration) (func(), error) {
	poll := time.Millisecond
	for {
		now := time.Now()
		wait := time.Duration(1<<62 - 1)
		start := rand.IntN(slots)
		for i := 0; i < slots; i++ {
			key := g.slotKey(host, (start+i)%slots)
			taken := encodeSlot('h', now.Add(g.hold))
			e, err := g.c.hostsKV().Get(ctx, key)
			var rev uint64
			switch {
			case isNotFound(err):
				rev, err = g.c.hostsKV().Create(ctx, key, taken)
			case err != nil:
			default:
				state, until := decodeSlot(e.Value())
				if until.After(now) {
					d := until.Sub(now)
					if state == 'h' {
						d = min(d, poll) // a taken slot is usually given back long before its lease ends
					}
					wait = min(wait, d)
					continue
				}
				rev, err = g.c.hostsKV().Update(ctx, key, taken, e.Revision())
			}
			if err == nil {
				// The pause is read once the slot is ours: a pause set by a 429 while we waited
				// for the slot holds this request too.
				if until := g.pausedUntil(ctx, host); until.After(time.Now()) {
					g.free(key, rev)
					if time.Until(until) > g.maxWait {
						return nil, &PauseError{Host: host, Until: until}
					}
					if err := crawler.Sleep(ctx, time.Until(until)); err != nil {
						return nil, err
					}
					wait = 0
					break // the pause is over: look for a slot again
				}
				if g.inFlight != nil {
					g.inFlight(1)
				}
				return g.releaser(key, rev, rest), nil
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !errors.Is(err, jetstream.ErrKeyExists) && !isNotFound(err) {
				g.c.restoreMemory(ctx) // the server may have restarted without the bucket
			}
			wait = min(wait, poll) // lost a race, or the server is away: try again soon
		}
		if err := crawler.Sleep(ctx, wait+time.Duration(rand.Int64N(int64(poll)))); err != nil {
			return nil, err
		}
		poll = min(poll*2, 20*time.Millisecond)
	}
}

// releaser lets the slot rest for the delay. A slot whose lease ran out and was taken by
// another worker meanwhile is left alone (the revision no longer matches).
func (g *Gate) releaser(key string, rev uint64, rest time.Duration) func() {
	return func() {
		if g.inFlight != nil {
			g.inFlight(-1)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = g.c.hostsKV().Update(ctx, key, encodeSlot('r', time.Now().Add(rest)), rev)
	}
}

// pausedUntil is the end of host's pause (zero when none). A pause longer than maxWait makes
// Acquire fail with a *PauseError (crawler.ErrHostBackoff): the worker gives the URL back to the
// frontier for later instead of holding it.
func (g *Gate) pausedUntil(ctx context.Context, host string) time.Time {
	e, err := g.c.limitsKV().Get(ctx, pauseKey(host))
	if err != nil {
		return time.Time{}
	}
	_, until := decodeSlot(e.Value())
	return until
}

// free gives a slot back at once, unused.
func (g *Gate) free(key string, rev uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = g.c.hostsKV().Update(ctx, key, encodeSlot('r', time.Now()), rev)
}

// PauseError is returned by Acquire for a host paused longer than a worker waits.
type PauseError struct {
	Host  string
	Until time.Time
}

func (e *PauseError) Error() string {
	return fmt.Sprintf("%s: paused until %s", e.Host, e.Until.UTC().Format(time.RFC3339))
}

func (e *PauseError) Unwrap() []error { return []error{crawler.ErrHostBackoff, crawler.ErrTransient} }

// Pause holds every worker's requests to host for d (never shortening a longer pause).
func (g *Gate) Pause(ctx context.Context, host string, d time.Duration) {
	ctx = context.WithoutCancel(ctx)
	until := time.Now().Add(d)
	for range 10 {
		e, err := g.c.limitsKV().Get(ctx, pauseKey(host))
		if isNotFound(err) {
			if _, err = g.c.limitsKV().Create(ctx, pauseKey(host), encodeSlot('p', until)); err == nil {
				break
			}
			continue
		}
		if err != nil {
			g.c.restoreMemory(ctx)
			continue
		}
		if _, cur := decodeSlot(e.Value()); !cur.Before(until) {
			return
		}
		if _, err = g.c.limitsKV().Update(ctx, pauseKey(host), encodeSlot('p', until), e.Revision()); err == nil {
			break
		}
	}
	g.c.log.Info("host paused for every worker", zap.String("host", host), zap.Duration("for", d.Round(time.Millisecond)))
}

// TickPages is how many URLs a tick has queued beyond its seeds: its share of max_pages. The
// count is kept on disk, so a server's restart does not hand the tick a fresh budget.
func (c *Cluster) TickPages(ctx context.Context, tick string) int {
	e, err := c.limitsKV().Get(ctx, "b."+hashKey(tick))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(string(e.Value()))
	return n
}

// addTickPages adds n to a tick's count.
func (c *Cluster) addTickPages(ctx context.Context, tick string, n int) {
	key := "b." + hashKey(tick)
	for range 20 {
		e, err := c.limitsKV().Get(ctx, key)
		if isNotFound(err) {
			if _, err = c.limitsKV().Create(ctx, key, []byte(strconv.Itoa(n))); err == nil {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		cur, _ := strconv.Atoi(string(e.Value()))
		if _, err = c.limitsKV().Update(ctx, key, []byte(strconv.Itoa(cur+n)), e.Revision()); err == nil {
			return
		}
	}
}
