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
	"strings"
	"sync"

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

// Flush saves the state of every site that learned something since it was loaded or last saved.
func (l *Learner) Flush(ctx context.Context) error {
	if l.store == nil {
		return nil
	}
	type dirty struct {
		host  string
		state []byte
	}
	var out []dirty
	l.mu.Lock()
	for h, s := range l.sites {
		if s.dirty {
			out = append(out, dirty{h, s.encode()})
			s.dirty = false
		}
	}
	l.mu.Unlock()
	for _, d := range out {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := l.store.SaveSite(ctx, d.host, d.state); err != nil {
			l.markDirty(d.host) // try again at the next flush
			return fmt.Errorf("learn: %w", err)
		}
	}
	return nil
}

func (l *Learner) markDirty(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.sites[host]; s != nil {
		s.dirty = true
	}
}

// Strip learns from one page of the site host (the page at pageURL, parsed as root) and removes
// from root the blocks known as the site's template before this page was seen. It returns how
// many blocks it removed. A page seen before (the same URL again) teaches nothing more.
func (l *Learner) Strip(host, pageURL string, root *html.Node) int {
	if l == nil || host == "" || root == nil {
		return 0
	}
	blocks := leafBlocks(root)
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
