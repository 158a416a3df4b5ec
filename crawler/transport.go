package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fetchPolicy is what the transport needs to know of Options.
type fetchPolicy struct {
	maxRetries     int
	retryBase      time.Duration
	retryMax       time.Duration
	attemptTimeout time.Duration // headers and whole body of one attempt
	maxBody        int64         // decompressed bytes
}

// transport is the crawler's http.RoundTripper. Colly has no retries, applies its body cap before
// gzip decompression (a small bomb becomes gigabytes) and truncates silently at the cap; so the
// transport does the whole fetch of one URL itself: it waits for the host's back-off, sends,
// reads and decompresses the body under a cap and a deadline, and retries what a retry can fix.
// Colly then receives a finished, uncompressed body.
type transport struct {
	base   http.RoundTripper
	policy fetchPolicy
	gates  sync.Map // host -> *hostGate
	// retries counts attempts after the first, for Stats.
	retries atomic.Int64
	// sleep waits d or until ctx ends; tests replace it to observe the waits.
	sleep func(ctx context.Context, d time.Duration) error
	// pages is the process's bound on the pages being read: a body's bytes are taken of it
	// before the body is read (nil: no bound). held are the bodies read under it that no driver
	// has claimed yet, by the id their response carries in pageHeader.
	pages  *pageBytes
	held   sync.Map // id -> *heldPage
	nextID atomic.Uint64
	// archive, when set, keeps every response the transport hands on (archived.go).
	archive Archiver
}

// hostGate holds back every request to one host after it answered 429 or 5xx: back-off is per
// host, not per request, or parallel requests would keep hammering a struggling server.
type hostGate struct {
	mu        sync.Mutex
	notBefore time.Time
	closed    error // the host asked for a pause longer than we wait within one run
}

func newTransport(p fetchPolicy, connectTimeout, headerTimeout time.Duration) *transport {
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   connectTimeout,
		ResponseHeaderTimeout: headerTimeout,
		// We decompress ourselves, under the body cap.
		DisableCompression:  true,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
	}
	return &transport{base: base, policy: p, sleep: Sleep}
}

// Sleep waits d, or until ctx is done (then it returns ctx's error), so no pause between
// requests outlives a stopping run. The cluster's shared politeness pauses with it too.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *transport) gate(host string) *hostGate {
	g, _ := t.gates.LoadOrStore(host, &hostGate{})
	return g.(*hostGate)
}

// RoundTrip fetches req with retries. The response it returns carries the whole body in memory,
// already decompressed; a failed fetch returns the last attempt's error.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	g := t.gate(req.URL.Host)
	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := t.waitGate(ctx, g); err != nil {
			return nil, err
		}
		resp, wait, err := t.attempt(req)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if wait < 0 || attempt >= t.policy.maxRetries || ctx.Err() != nil {
			if attempt > 0 {
				lastErr = fmt.Errorf("%w (gave up after %d attempts)", lastErr, attempt+1)
			}
			return nil, lastErr
		}
		if wait == 0 {
			wait = t.backoff(attempt)
		}
		if wait > t.policy.retryMax {
			// A server asking for a longer pause than we wait gets no more requests this run.
			g.close(fmt.Errorf("%w: %s asked for a pause of %s (retry_max_delay is %s)", ErrHostBackoff, req.URL.Host, wait.Round(time.Second), t.policy.retryMax))
			return nil, fmt.Errorf("%w; %w", lastErr, g.err())
		}
		g.pause(wait)
		t.retries.Add(1)
	}
}

func (g *hostGate) close(err error) {
	g.mu.Lock()
	if g.closed == nil {
		g.closed = err
	}
	g.mu.Unlock()
}

func (g *hostGate) err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

func (g *hostGate) pause(d time.Duration) {
	g.mu.Lock()
	if until := time.Now().Add(d); until.After(g.notBefore) {
		g.notBefore = until
	}
	g.mu.Unlock()
}

func (t *transport) waitGate(ctx context.Context, g *hostGate) error {
	g.mu.Lock()
	closed, wait := g.closed, time.Until(g.notBefore)
	g.mu.Unlock()
	if closed != nil {
		return closed
	}
	return t.sleep(ctx, wait)
}

// backoff is exponential with full jitter: retries of many requests spread out instead of
// arriving together.
func (t *transport) backoff(attempt int) time.Duration {
	d := t.policy.retryBase << min(attempt, 20)
	if d <= 0 || d > t.policy.retryMax {
		d = t.policy.retryMax
	}
	return d/2 + rand.N(d/2+1)
}

// attempt makes one request. wait tells the caller what to do on error: -1 do not retry, 0 retry
// after the usual back-off, more retry after that long (the server's Retry-After).
func (t *transport) attempt(req *http.Request) (*http.Response, time.Duration, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	defer cancel(nil)
	dl := newAttemptDeadline(t.policy.attemptTimeout, func() { cancel(errAttemptDeadline) })
	defer dl.stop()
	r := req.Clone(ctx)
	if r.Header.Get("Accept-Encoding") == "" {
		r.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, t.retryable(req.Context(), ctx, err), timeoutErr(ctx, err, t.policy.attemptTimeout)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		// Drain a little so the connection can be reused; the body of an error page is not read.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		wait := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if resp.StatusCode == http.StatusNotImplemented || resp.StatusCode == http.StatusHTTPVersionNotSupported {
			wait = -1
		}
		return nil, wait, &StatusError{Code: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
	}
	body, pm, err := t.readBody(req.Context(), dl, resp, req)
	if err != nil {
		if errors.Is(err, ErrBodyTooLarge) || errors.Is(err, ErrBadEncoding) {
			return nil, -1, err
		}
		return nil, t.retryable(req.Context(), ctx, err), fmt.Errorf("read body: %w", timeoutErr(ctx, err, t.policy.attemptTimeout))
	}
	out := *resp
	out.Header = resp.Header.Clone()
	out.Header.Del(archivedHeader) // only the transport says where a response is archived
	if t.archive != nil {
		if err := t.keep(ctx, r, resp, body, out.Header); err != nil {
			pm.release()
			return nil, -1, err
		}
	}
	out.Header.Del("Content-Encoding")
	out.Header.Del("Content-Length")
	out.ContentLength = int64(len(body))
	out.Uncompressed = true // tells Colly not to gunzip again
	out.Body = io.NopCloser(bytes.NewReader(body))
	if pm != nil {
		out.Body = t.hold(out.Header, body, pm)
	}
	out.Request = req
	return &out, 0, nil
}

// errAttemptDeadline ends an attempt that outlived the fetch policy's attemptTimeout.
var errAttemptDeadline = errors.New("attempt deadline")

// attemptDeadline is an attempt's time limit, which stops while the attempt waits for the bound
// on the pages being read: that wait is the process's own load, not the server's slowness.
type attemptDeadline struct {
	timer *time.Timer
	left  time.Duration
	since time.Time
}

func newAttemptDeadline(d time.Duration, fire func()) *attemptDeadline {
	return &attemptDeadline{timer: time.AfterFunc(d, fire), left: d, since: time.Now()}
}

// pause stops the clock; it reports false when the deadline has passed already.
func (d *attemptDeadline) pause() bool {
	if !d.timer.Stop() {
		return false
	}
	d.left -= time.Since(d.since)
	return true
}

func (d *attemptDeadline) resume() {
	d.since = time.Now()
	d.timer.Reset(max(d.left, 0))
}

func (d *attemptDeadline) stop() { d.timer.Stop() }

// timeoutErr names the attempt deadline instead of Go's "context canceled".
func timeoutErr(ctx context.Context, err error, d time.Duration) error {
	if errors.Is(context.Cause(ctx), errAttemptDeadline) && !errors.Is(err, ErrBodyTooLarge) {
		return fmt.Errorf("%w: no complete response within %s", ErrTimeout, d)
	}
	return err
}

// retryable is the package's retryable, with an attempt that ran out of time retried as a
// timeout is.
func (t *transport) retryable(parent, ctx context.Context, err error) time.Duration {
	if parent.Err() == nil && errors.Is(context.Cause(ctx), errAttemptDeadline) {
		return 0
	}
	return retryable(parent, err)
}

// retryable tells a transient network failure (reset, timeout, a body cut short) from one that
// will fail again the same way.
func retryable(parent context.Context, err error) time.Duration {
	if parent.Err() != nil {
		return -1 // the run is stopping
	}
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	switch {
	case errors.As(err, &de) && de.IsNotFound:
		// "no such host": the name does not exist, and asking again within seconds gets the
		// same answer (a resolver that timed out is a net.Error Timeout, retried below).
		return -1
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return 0
	case errors.As(err, &ne) && ne.Timeout():
		return 0
	case errors.As(err, &oe):
		return 0 // connection refused, reset, broken pipe
	case strings.Contains(err.Error(), "connection reset"), strings.Contains(err.Error(), "server closed"):
		return 0
	}
	return -1
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); 0 when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, 1<<20)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// freeBody is how much of a body of unknown length (compressed, or chunked) is read before its
// bytes are taken of the bound: most pages end within it and then take their size; a longer
// one takes the whole body cap while it is read and gives back the rest once read. Every fetch
// may so hold this much outside the bound while it waits.
const freeBody = 1 << 20

// firstReads are the buffers the first freeBody bytes of a body of unknown length are read into.
var firstReads = sync.Pool{New: func() any { b := make([]byte, freeBody+1); return &b }}

// readBody reads the whole body, gunzipping it when the server compressed it, and fails with
// ErrBodyTooLarge past the cap (counted after decompression) rather than returning half a page.
// The bytes are taken of the bound on the pages being read (t.pages) before they are read,
// with the attempt's clock stopped while it waits; the permit returned holds the body's size.
func (t *transport) readBody(parent context.Context, dl *attemptDeadline, resp *http.Response, req *http.Request) ([]byte, *permit, error) {
	var r io.Reader = resp.Body
	if isGzipped(resp, req) {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("%w: gzip: %v", ErrBadEncoding, err)
		}
		defer zr.Close()
		r = zr
	} else if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, nil, fmt.Errorf("%w: content-encoding %q", ErrBadEncoding, enc)
	}
	limit := t.policy.maxBody
	if resp.ContentLength > limit {
		return nil, nil, fmt.Errorf("%w: exceeds %d bytes (content-length %d)", ErrBodyTooLarge, limit, resp.ContentLength)
	}
	take := func(n int64) (*permit, error) {
		if t.pages == nil {
			return nil, nil
		}
		paused := dl.pause()
		pm, err := t.pages.take(parent, n)
		if paused {
			dl.resume()
		}
		return pm, err
	}
	var b []byte
	var pm *permit
	var err error
	if n := resp.ContentLength; n > 0 && r == resp.Body {
		// The length is known: its bytes are taken first, then read into one buffer of that
		// size, not the doublings of io.ReadAll (as much garbage again as the page).
		if pm, err = take(n); err != nil {
			return nil, nil, err
		}
		buf := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
		_, err = buf.ReadFrom(io.LimitReader(r, limit+1))
		b = buf.Bytes()
	} else {
		// The first MiB goes into a buffer of the pool, so a fetch waiting for the bound holds
		// that one buffer and no garbage of io.ReadAll's doublings; the body is copied out at
		// its size once its bytes are taken.
		bp := firstReads.Get().(*[]byte)
		first := (*bp)[:min(freeBody, limit)+1]
		n, ended := 0, false
		for n < len(first) && err == nil {
			var m int
			m, err = r.Read(first[n:])
			n += m
		}
		if errors.Is(err, io.EOF) {
			ended, err = true, nil
		}
		switch {
		case err != nil:
		case ended:
			if pm, err = take(int64(n)); err == nil {
				b = append([]byte(nil), first[:n]...)
			}
		case limit > freeBody:
			// More to come, up to the cap: its bytes are taken while it is read.
			if pm, err = take(limit); err == nil {
				buf := bytes.NewBuffer(make([]byte, 0, 2*n))
				buf.Write(first[:n])
				_, err = buf.ReadFrom(io.LimitReader(r, limit+1-int64(n)))
				b = buf.Bytes()
			}
		default:
			firstReads.Put(bp)
			return nil, nil, fmt.Errorf("%w: exceeds %d bytes after decompression", ErrBodyTooLarge, limit)
		}
		firstReads.Put(bp)
	}
	if err != nil {
		pm.release()
		if strings.Contains(err.Error(), "gzip: invalid") || strings.Contains(err.Error(), "flate: corrupt") {
			return nil, nil, fmt.Errorf("%w: gzip: %v", ErrBadEncoding, err)
		}
		return nil, nil, err
	}
	if int64(len(b)) > limit {
		pm.release()
		return nil, nil, fmt.Errorf("%w: exceeds %d bytes after decompression", ErrBodyTooLarge, limit)
	}
	pm.shrink(int64(len(b)))
	return b, pm, nil
}

// pageHeader carries, from the transport to the driver's OnResponseHeaders, the id of a body
// read under the bound. It never leaves the process.
const pageHeader = "X-Newsmill-Held-Page"

// heldPage is a body read under the bound, with its permit. The driver that claims it reads the
// body from here (Colly gets an empty one: no copy of the page) and releases the permit when done
// with the response; a body nobody claims (a redirect's, robots.txt) is read as usual and its
// permit released when it is closed.
type heldPage struct {
	body    []byte
	permit  *permit
	claimed atomic.Bool
}

// hold keeps body under an id named in h and returns the response body that serves it to
// whoever reads it before a driver claims it.
func (t *transport) hold(h http.Header, body []byte, pm *permit) io.ReadCloser {
	id := strconv.FormatUint(t.nextID.Add(1), 10)
	hp := &heldPage{body: body, permit: pm}
	t.held.Store(id, hp)
	h.Set(pageHeader, id)
	return &heldBody{t: t, id: id, hp: hp, r: bytes.NewReader(body)}
}

// claim takes the held page a response names, if any: the caller now reads its body and must
// release its permit.
func (t *transport) claim(h http.Header) *heldPage {
	id := h.Get(pageHeader)
	if id == "" {
		return nil
	}
	h.Del(pageHeader)
	v, ok := t.held.LoadAndDelete(id)
	if !ok {
		return nil
	}
	hp := v.(*heldPage)
	hp.claimed.Store(true)
	return hp
}

// done releases a claimed page's permit and lets go of its body.
func (hp *heldPage) done() {
	if hp != nil {
		hp.permit.release()
	}
}

type heldBody struct {
	t  *transport
	id string
	hp *heldPage
	r  *bytes.Reader
}

func (b *heldBody) Read(p []byte) (int, error) {
	if b.hp.claimed.Load() {
		return 0, io.EOF // the claimant has the body
	}
	return b.r.Read(p)
}

func (b *heldBody) Close() error {
	if v, ok := b.t.held.LoadAndDelete(b.id); ok {
		v.(*heldPage).permit.release() // nobody claimed it
	}
	return nil
}

// isGzipped follows Colly's rules for what it would have gunzipped, so feeds served as
// .xml.gz files keep working.
func isGzipped(resp *http.Response, req *http.Request) bool {
	enc := strings.ToLower(resp.Header.Get("Content-Encoding"))
	if enc != "" {
		return strings.Contains(enc, "gzip")
	}
	return strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "gzip") || strings.HasSuffix(strings.ToLower(req.URL.Path), ".xml.gz")
}
