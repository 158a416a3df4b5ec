package crawler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robots reads each host's robots.txt once per pass and answers for it. Colly's own check
// fetched the file once per parallel request until the first answer arrived, without the run's
// context (a hanging robots.txt held up stopping by minutes), and ignored Crawl-delay.
type robots struct {
	client    *http.Client
	userAgent string

	mu    sync.Mutex
	hosts map[string]*robotsEntry // scheme://host[:port]
}

// robotsEntry is one host's answer; ready closes when it is known, so the requests that arrive
// while the file is being fetched wait for that one fetch instead of starting their own.
type robotsEntry struct {
	ready chan struct{}
	group *robotstxt.Group // nil: no rules for us
	err   error
}

func newRobots(client *http.Client, userAgent string) *robots {
	return &robots{client: client, userAgent: userAgent, hosts: map[string]*robotsEntry{}}
}

// check reports whether u may be fetched and the Crawl-delay the host asks of us (0: none). A
// robots.txt that cannot be fetched refuses the request, as a dead server would; that answer is
// not kept, so the next request to the host asks again.
func (r *robots) check(ctx context.Context, u *url.URL) (time.Duration, error) {
	key := robotsOrigin(u)
	r.mu.Lock()
	e, ok := r.hosts[key]
	if !ok {
		e = &robotsEntry{ready: make(chan struct{})}
		r.hosts[key] = e
		r.mu.Unlock()
		e.group, e.err = r.fetch(ctx, key)
		if e.err != nil {
			r.mu.Lock()
			delete(r.hosts, key)
			r.mu.Unlock()
		}
		close(e.ready)
	} else {
		r.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	if e.err != nil {
		return 0, e.err
	}
	return robotsVerdict(e.group, u)
}

func (r *robots) fetch(ctx context.Context, origin string) (*robotstxt.Group, error) {
	status, body, err := getRobots(ctx, r.client, origin, r.userAgent)
	if err != nil {
		return nil, err
	}
	return robotsGroup(status, body, r.userAgent)
}

// robotsOrigin is the scheme://host[:port] a URL's robots.txt belongs to.
func robotsOrigin(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

// getRobots fetches origin's robots.txt: its status and body, or why there was no answer.
func getRobots(ctx context.Context, client *http.Client, origin, userAgent string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin+"/robots.txt", nil)
	if err != nil {
		return 0, nil, fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	return resp.StatusCode, body, nil
}

// robotsGroup reads a robots.txt answer (status and body) for userAgent: nil when it has no
// rules for us.
func robotsGroup(status int, body []byte, userAgent string) (*robotstxt.Group, error) {
	data, err := robotstxt.FromStatusAndBytes(status, body)
	if err != nil {
		return nil, fmt.Errorf("robots.txt: %w", err)
	}
	return data.FindGroup(userAgent), nil
}

// robotsVerdict reports whether g lets u be fetched and the Crawl-delay it asks (0: none).
func robotsVerdict(g *robotstxt.Group, u *url.URL) (time.Duration, error) {
	if g == nil {
		return 0, nil
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.Query().Encode()
	}
	if !g.Test(path) {
		return 0, fmt.Errorf("%w: %s", ErrRobots, u)
	}
	return g.CrawlDelay, nil
}

// hostSlots keeps each host's politeness: at most parallelism requests in flight, each followed
// by the delay before its slot is free again. A host whose robots.txt asks for a Crawl-delay
// gets one request at a time, spaced by the longer of that and the configured delay.
type hostSlots struct {
	parallelism int
	delay       time.Duration

	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	sem   chan struct{}
	delay time.Duration
}

func newHostSlots(parallelism int, delay time.Duration) *hostSlots {
	return &hostSlots{parallelism: parallelism, delay: delay, hosts: map[string]*hostSlot{}}
}

// acquire waits for a slot of host. crawlDelay is what the host's robots.txt asked for; the
// first request to a host fixes its slots, and robots.txt is read before any request.
func (h *hostSlots) acquire(ctx context.Context, host string, crawlDelay time.Duration) (*hostSlot, error) {
	h.mu.Lock()
	s, ok := h.hosts[host]
	if !ok {
		s = &hostSlot{sem: make(chan struct{}, max(h.parallelism, 1)), delay: h.delay}
		if crawlDelay > 0 {
			s.sem = make(chan struct{}, 1)
			s.delay = max(h.delay, crawlDelay)
		}
		h.hosts[host] = s
	}
	h.mu.Unlock()
	select {
	case s.sem <- struct{}{}:
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Acquire makes hostSlots a pass's Gate: one request of host may go once a slot is free, and
// release frees it after the host's delay.
func (h *hostSlots) Acquire(ctx context.Context, host string, crawlDelay time.Duration) (func(), error) {
	s, err := h.acquire(ctx, host, crawlDelay)
	if err != nil {
		return nil, err
	}
	return func() { s.release(ctx) }, nil
}

// Pause does nothing: within one pass the transport backs a host off itself (a cluster's Gate
// shares the pause between processes).
func (h *hostSlots) Pause(context.Context, string, time.Duration) {}

// release waits the host's delay, or less if ctx ends, then frees the slot.
func (s *hostSlot) release(ctx context.Context) {
	_ = Sleep(ctx, s.delay)
	<-s.sem
}
