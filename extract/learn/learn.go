// Package learn finds each site's template from the site's own pages: the blocks that recur
// across a host's pages, in the same place in the tree and with the same text (statements,
// footers, share bars, "related" box headings, channel labels), are the site's, and the article
// is what differs. A crawler sees many pages of one site, which no single-page extractor does;
// the generic extractor removes a known template's blocks before it looks for the body and
// decides article or listing.
//
// Nothing changes for a page whose site was never seen, nor for the first pages of a site: a
// block is the template once it was seen on MinPages other pages, and on half the site's pages
// since it first appeared. What was learned is kept per
// host in a Storage (in memory, the store's sites bucket, a cluster KV bucket) as opaque bytes,
// so that the next run starts knowing it.
package learn

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
)

// Storage keeps what was learned of each site, as bytes it need not understand (like colly's
// storage.Storage, it is what makes the learner's memory swappable).
type Storage interface {
	// LoadSite returns the state saved for host, or nil, nil when there is none.
	LoadSite(ctx context.Context, host string) ([]byte, error)
	// SaveSite replaces the state saved for host.
	SaveSite(ctx context.Context, host string, state []byte) error
}

// Learner holds the template of every site it has seen. It is safe for concurrent use: the
// crawler extracts pages in parallel.
type Learner struct {
	minPages int
	store    Storage
	shared   int // pages of a site read and saved around each page; 0: only at Load and Flush

	mu    sync.Mutex
	sites map[string]*site
}

// Option configures a Learner.
type Option func(*Learner)

// WithMinPages sets on how many other pages of a site a block must have been seen to be its
// template (default 3: one repeat is a coincidence, such as a story and its print version).
func WithMinPages(n int) Option {
	return func(l *Learner) { l.minPages = max(n, 1) }
}

// WithStorage sets where Load and Flush keep what was learned (default: nowhere; the learner
// forgets at exit).
func WithStorage(s Storage) Option {
	return func(l *Learner) { l.store = s }
}

// WithSharedStorage says the storage is written by other processes crawling the same sites at
// the same time (a cluster's workers): until a site has pages pages here, its state is read
// from the storage before each of its pages is judged and saved after, so that the workers
// learn a new site together from its first pages instead of each alone from its own share.
func WithSharedStorage(pages int) Option {
	return func(l *Learner) { l.shared = max(pages, 0) }
}

// sharedTimeout bounds one read or save of a site's state around a page: a slow storage costs
// that page the template, never the page.
const sharedTimeout = 2 * time.Second

// New returns a learner that knows no site yet.
func New(opts ...Option) *Learner {
	l := &Learner{minPages: 3, sites: map[string]*site{}}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Load reads the saved state of each host not yet in memory. A host without saved state starts
// empty; a state that does not decode (written by a newer binary, damaged) is dropped and the
// host learned again, since the template is a hint and never a record.
func (l *Learner) Load(ctx context.Context, hosts ...string) error {
	if l.store == nil {
		return nil
	}
	for _, h := range hosts {
		l.mu.Lock()
		_, known := l.sites[h]
		l.mu.Unlock()
		if known || h == "" {
			continue
		}
		b, err := l.store.LoadSite(ctx, h)
		if err != nil {
			return fmt.Errorf("learn: %w", err)
		}
		s := newSite()
		if len(b) > 0 {
			if d, err := decodeSite(b); err == nil {
				s = d
			}
		}
		l.mu.Lock()
		if _, raced := l.sites[h]; !raced {
			l.sites[h] = s
		}
		l.mu.Unlock()
	}
	return nil
}

// Updater is a Storage that several processes write at once (a cluster's KV bucket): UpdateSite
// replaces host's state by change(the state stored, or nil) atomically, calling change again if
// another writer came between, and returns the state it stored.
type Updater interface {
	UpdateSite(ctx context.Context, host string, change func(cur []byte) []byte) ([]byte, error)
}

// Flush adds what was learned of every site since it was loaded or last saved to the state
// stored, and takes the sum for its own: what other workers saved of the site meanwhile is
// kept, and known here from now on, rather than lost to this process's view of it.
func (l *Learner) Flush(ctx context.Context) error {
	if l.store == nil {
		return nil
	}
	fresh := map[string]*site{}
	l.mu.Lock()
	for h, s := range l.sites {
		if s.dirty {
			fresh[h] = s.fresh
			s.fresh, s.dirty = emptySite(), false
		}
	}
	l.mu.Unlock()
	hosts := make([]string, 0, len(fresh))
	for h := range fresh {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	for i, h := range hosts {
		state, err := l.save(ctx, h, fresh[h])
		if err != nil {
			for _, left := range hosts[i:] {
				l.unsaved(left, fresh[left]) // to save at the next flush
			}
			return fmt.Errorf("learn: %w", err)
		}
		l.adopt(h, state)
	}
	return nil
}

// sharing reports whether host's state is read and saved around each of its pages.
func (l *Learner) sharing(host string) bool {
	if l.shared == 0 || l.store == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sites[host]
	return s == nil || s.pages < uint32(l.shared)
}

// pull takes what the storage holds of host, with what this process has not saved yet.
func (l *Learner) pull(host string) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	if b, err := l.store.LoadSite(ctx, host); err == nil && len(b) > 0 {
		l.adopt(host, b)
	}
}

// push saves what this process learned of host since the last save, as Flush does.
func (l *Learner) push(host string) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	l.mu.Lock()
	s := l.sites[host]
	if s == nil || !s.dirty {
		l.mu.Unlock()
		return
	}
	fresh := s.fresh
	s.fresh, s.dirty = emptySite(), false
	l.mu.Unlock()
	state, err := l.save(ctx, host, fresh)
	if err != nil {
		l.unsaved(host, fresh) // Flush saves it, and says why it could not
		return
	}
	l.adopt(host, state)
}

// save adds fresh to host's stored state and returns the state stored.
func (l *Learner) save(ctx context.Context, host string, fresh *site) ([]byte, error) {
	add := func(cur []byte) []byte {
		s, err := decodeSite(cur)
		if err != nil {
			s = emptySite() // nothing stored, or nothing readable: what this process saw is all
		}
		s.absorb(fresh)
		return s.encode()
	}
	if u, ok := l.store.(Updater); ok {
		return u.UpdateSite(ctx, host, add)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cur, err := l.store.LoadSite(ctx, host)
	if err != nil {
		return nil, err
	}
	state := add(cur)
	return state, l.store.SaveSite(ctx, host, state)
}

// adopt takes the state stored for host as what is known of it, with what was observed since
// the flush began.
func (l *Learner) adopt(host string, state []byte) {
	s, err := decodeSite(state)
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur := l.sites[host]; cur != nil {
		s.absorb(cur.fresh)
		s.fresh, s.dirty = cur.fresh, cur.dirty
	}
	l.sites[host] = s
}

// unsaved puts fresh, which a failed flush did not save, back before what was observed since.
func (l *Learner) unsaved(host string, fresh *site) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.sites[host]
	fresh.absorb(cur.fresh)
	cur.fresh, cur.dirty = fresh, true
}

// Strip learns from one page of the site host (the page at pageURL, parsed as root) and removes
// from root the blocks known as the site's template before this page was seen. It returns how
// many blocks it removed. A page seen before (the same URL again) teaches nothing more.
func (l *Learner) Strip(host, pageURL string, root *html.Node) int {
	if l == nil || host == "" || root == nil {
		return 0
	}
	blocks := leafBlocks(root)
	shared := l.sharing(host)
	if shared {
		l.pull(host)
	}
	l.mu.Lock()
	s := l.sites[host]
	if s == nil {
		s = newSite()
		l.sites[host] = s
	}
	var drop []*html.Node
	for _, b := range blocks {
		if s.isTemplate(b.print, l.minPages) {
			drop = append(drop, b.node)
		}
	}
	s.observe(hashString(pageURL), blocks)
	l.mu.Unlock()
	if shared {
		l.push(host)
	}
	for _, n := range drop {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	return len(drop)
}

// Knows reports whether the learner has a template for host: some block seen on enough pages.
func (l *Learner) Knows(host string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sites[host]
	if s == nil {
		return false
	}
	for k := range s.blocks {
		if s.isTemplate(k, l.minPages) {
			return true
		}
	}
	return false
}

// SiteKey is the site a page belongs to: the host it claims (its canonical URL, which a saved
// page keeps), else the host it was fetched from, else, for a saved page without either, the
// folder it lies in (a folder of saved pages is taken for one site).
func SiteKey(pageURL, canonical *url.URL) string {
	for _, u := range []*url.URL{canonical, pageURL} {
		if u != nil && u.Scheme != "file" && u.Hostname() != "" {
			return strings.ToLower(u.Host) // with the port: another port is another server
		}
	}
	if pageURL != nil && pageURL.Scheme == "file" {
		return "file:" + path.Dir(pageURL.Path)
	}
	return ""
}
