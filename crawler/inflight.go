package crawler

import (
	"context"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// DefaultMaxBytesInFlight is the bound on the bytes of pages being read at once (fetched,
// decoded, parsed, extracted) when the config sets none. A page's tree and the extractors'
// working copies hold 5 to 13 bytes per byte of page at their peak with the site extractors, up
// to 34 with the generic one (BenchmarkReadOfNearCapPages); twice that with the collector's
// headroom, 12 MiB keeps the process under about 1 GiB at any parallelism
// (docs/operations.md#memory), while still more than one page of the default max_body_bytes and
// room for some 60 pages of 200 KiB at once.
const DefaultMaxBytesInFlight = 12 << 20

// MaxMaxBytesInFlight bounds max_bytes_in_flight: past 16 GiB of pages (about 180 GiB held) the
// value is a typo, not a machine.
const MaxMaxBytesInFlight = 16 << 30

// pageBytes bounds the bytes of the pages being read at once by every crawler that shares it: a
// page waits, raw, before it is decoded until the pages being read leave room for it, and
// gives its bytes back once the reader is done with it (its record handed on). Peak memory is
// then set by one number, whatever the parallelism and the number of sources and hosts.
type pageBytes struct {
	sem  *semaphore.Weighted
	max  int64
	held atomic.Int64 // bytes taken and not given back: for the tests and nothing else
}

var (
	boundsMu sync.Mutex
	bounds   = map[int64]*pageBytes{}
)

// sharedPageBytes is the process's bound of size bytes (DefaultMaxBytesInFlight when size is 0).
// The sources of one config all name the same size, so they share one semaphore, and so do the
// crawls of a --url run, which take the default: the bound is the process's, not a crawler's.
func sharedPageBytes(size int64) *pageBytes {
	if size <= 0 {
		size = DefaultMaxBytesInFlight
	}
	boundsMu.Lock()
	defer boundsMu.Unlock()
	b := bounds[size]
	if b == nil {
		b = newPageBytes(size)
		bounds[size] = b
	}
	return b
}

func newPageBytes(size int64) *pageBytes {
	return &pageBytes{sem: semaphore.NewWeighted(size), max: size}
}

// permit is the bytes one page holds of the bound, from before its body is read until the
// reader is done with it. Its methods may be called on a nil permit (nothing held) and any
// number of times.
type permit struct {
	b  *pageBytes
	mu sync.Mutex
	w  int64 // bytes held; 0 once given back
}

// take waits until a page of n bytes fits beside the pages being read and returns its permit.
// A page larger than the whole bound takes all of it and is read alone rather than never. When
// ctx ends first nothing is held and ctx's error is returned.
func (b *pageBytes) take(ctx context.Context, n int64) (*permit, error) {
	w := min(max(n, 1), b.max)
	if err := b.sem.Acquire(ctx, w); err != nil {
		return nil, err
	}
	b.held.Add(w)
	return &permit{b: b, w: w}, nil
}

// shrink gives back what the page holds beyond n bytes: a body of unknown length took the
// whole body cap while it was read, and needs only its size once read.
func (p *permit) shrink(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if keep := max(n, 1); p.w > keep {
		p.b.held.Add(keep - p.w)
		p.b.sem.Release(p.w - keep)
		p.w = keep
	}
}

// release gives back everything the page holds.
func (p *permit) release() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w > 0 {
		p.b.held.Add(-p.w)
		p.b.sem.Release(p.w)
		p.w = 0
	}
}
