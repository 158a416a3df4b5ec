package crawler

import (
	"context"
	"hash/maphash"
	"sync"
)

// frontier is the crawl's to-do list: URLs found but not fetched yet, first in first out, and the
// set of every URL ever queued so a link is fetched once per run.
//
// Colly's async mode starts a goroutine per queued link, each parked on the host's LimitRule
// with its request, headers and context: a 20,000-link category page cost ~30 KiB per link and
// peak RSS grew with the site. Here a link waiting costs its string and depth, a URL seen costs
// one 8-byte hash in a set, and a fixed number of workers fetch.
type frontier struct {
	mu      sync.Mutex
	wake    *sync.Cond
	queue   []queued
	head    int
	seen    map[uint64]struct{}
	seed    maphash.Seed
	busy    int // workers inside a fetch
	stopped bool
}

type queued struct {
	url   string
	depth int
}

func newFrontier() *frontier {
	f := &frontier{seen: map[uint64]struct{}{}, seed: maphash.MakeSeed()}
	f.wake = sync.NewCond(&f.mu)
	return f
}

// markSeen records url as fetched or queued; it reports false when it already was. Hash
// collisions (2^-64 per pair) would skip a page, far below any other cause of a missed page.
func (f *frontier) markSeen(url string) bool {
	h := maphash.String(f.seed, url)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.seen[h]; ok {
		return false
	}
	f.seen[h] = struct{}{}
	return true
}

// isSeen reports whether url was queued or fetched already.
func (f *frontier) isSeen(url string) bool {
	h := maphash.String(f.seed, url)
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.seen[h]
	return ok
}

// push queues a URL already marked seen.
func (f *frontier) push(url string, depth int) {
	f.mu.Lock()
	f.queue = append(f.queue, queued{url, depth})
	f.mu.Unlock()
	f.wake.Signal()
}

// pop waits for a URL; ok is false once the queue is empty with no fetch in progress (nothing
// more can arrive) or ctx is done.
func (f *frontier) pop(ctx context.Context) (queued, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if f.stopped || ctx.Err() != nil {
			f.stop()
			return queued{}, false
		}
		if f.head < len(f.queue) {
			q := f.queue[f.head]
			f.queue[f.head] = queued{}
			f.head++
			if f.head == len(f.queue) || f.head > 4096 && f.head*2 > len(f.queue) {
				// drop the consumed prefix so the queue's memory follows what is waiting
				f.queue = append(f.queue[:0], f.queue[f.head:]...)
				f.head = 0
			}
			f.busy++
			return q, true
		}
		if f.busy == 0 {
			f.stop()
			return queued{}, false
		}
		f.wake.Wait()
	}
}

// done ends a fetch begun by pop.
func (f *frontier) done() {
	f.mu.Lock()
	f.busy--
	if f.busy == 0 && f.head == len(f.queue) {
		f.stop()
	}
	f.mu.Unlock()
	f.wake.Signal()
}

func (f *frontier) stop() {
	f.stopped = true
	f.wake.Broadcast()
}

// run starts workers that fetch until the frontier is exhausted or ctx is done. A cancelled ctx
// wakes the waiting workers.
func (f *frontier) run(ctx context.Context, workers int, fetch func(queued)) {
	stopCancel := context.AfterFunc(ctx, func() {
		f.mu.Lock()
		f.stop()
		f.mu.Unlock()
	})
	defer stopCancel()
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				q, ok := f.pop(ctx)
				if !ok {
					return
				}
				fetch(q)
				f.done()
			}
		}()
	}
	wg.Wait()
}
