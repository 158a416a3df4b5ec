package learn

import (
	"encoding/binary"
	"errors"
	"slices"
)

// What is kept of one site: for each block print, on how many distinct pages it was seen and
// when last (as the count of pages the site had then), and the prints of the pages already
// seen, so that a page fetched again (a retry, the next run's listing) counts once.

// maxBlocks bounds the prints one site keeps. Every article adds its own paragraphs, seen once,
// so the bound evicts those first: the template's blocks are seen on every page and stay.
const maxBlocks = 4096

// maxPages bounds the page prints kept to tell a page seen before.
const maxPages = 2048

type blockStat struct {
	pages uint32 // distinct pages the block was seen on
	first uint32 // the site's page count when it was first seen
	last  uint32 // the site's page count when it was last seen
}

type site struct {
	pages  uint32 // pages observed
	blocks map[uint64]blockStat
	seen   map[uint64]struct{} // page URL prints
	order  []uint64            // seen, oldest first, for eviction
	dirty  bool
	// fresh counts what this process observed since the state was last loaded or saved, so
	// that a flush adds it to the stored state, which other workers may have added to since,
	// instead of putting this process's view in its place.
	fresh *site
}

func newSite() *site {
	s := emptySite()
	s.fresh = emptySite()
	return s
}

func emptySite() *site {
	return &site{blocks: map[uint64]blockStat{}, seen: map[uint64]struct{}{}}
}

// isTemplate reports a block seen on at least minPages pages before this one, and on at least
// half the site's pages since it first appeared: a template's block is on (nearly) every page
// of its kind, where a paragraph two stories share verbatim recurs now and then.
func (s *site) isTemplate(print uint64, minPages int) bool {
	st := s.blocks[print]
	if int(st.pages) < minPages {
		return false
	}
	return st.pages*2 >= s.pages-st.first+1
}

// observe counts a page's blocks, once per block and page.
func (s *site) observe(page uint64, blocks []block) {
	if _, ok := s.seen[page]; ok {
		return
	}
	s.count(page, blocks)
	if s.fresh != nil {
		s.fresh.count(page, blocks)
	}
}

func (s *site) count(page uint64, blocks []block) {
	s.remember(page)
	s.pages++
	s.dirty = true
	for _, b := range blocks {
		st := s.blocks[b.print]
		if st.last == s.pages && st.pages > 0 {
			continue // the same block twice on one page
		}
		if st.pages == 0 {
			st.first = s.pages
		}
		st.pages++
		st.last = s.pages
		s.blocks[b.print] = st
	}
	if len(s.blocks) > maxBlocks {
		s.evict()
	}
}

func (s *site) remember(page uint64) {
	s.seen[page] = struct{}{}
	s.order = append(s.order, page)
	if len(s.order) > maxPages {
		delete(s.seen, s.order[0])
		s.order = s.order[1:]
	}
}

// absorb adds the counts of d, pages observed after all of s's, to s: the stored state and what
// one worker saw since it last read it. d is left as it is. A page both counted (two workers
// reading one URL at once) counts twice, which only hastens a hint.
func (s *site) absorb(d *site) {
	base := s.pages
	s.pages += d.pages
	for k, st := range d.blocks {
		cur := s.blocks[k]
		if cur.pages == 0 {
			cur.first = base + st.first
		}
		cur.pages += st.pages
		cur.last = base + st.last
		s.blocks[k] = cur
	}
	for _, p := range d.order {
		if _, ok := s.seen[p]; !ok {
			s.remember(p)
		}
	}
	if len(s.blocks) > maxBlocks {
		s.evict()
	}
}

// evict drops the blocks seen on fewest pages, longest ago, down to three quarters of the bound.
func (s *site) evict() {
	type kv struct {
		k uint64
		v blockStat
	}
	all := make([]kv, 0, len(s.blocks))
	for k, v := range s.blocks {
		all = append(all, kv{k, v})
	}
	slices.SortFunc(all, func(a, b kv) int {
		if a.v.pages != b.v.pages {
			return int(a.v.pages) - int(b.v.pages)
		}
		return int(a.v.last) - int(b.v.last)
	})
	for _, e := range all[:len(all)-maxBlocks*3/4] {
		delete(s.blocks, e.k)
	}
}

// stateVersion leads the encoded state; a state of another version is learned again.
const stateVersion = 1

var errBadState = errors.New("learn: bad site state")

// encode writes the state as: version, pages, block count, (print, pages, first, last)…, page count,
// page prints… (uvarints and fixed 8-byte prints).
func (s *site) encode() []byte {
	b := binary.AppendUvarint(nil, stateVersion)
	b = binary.AppendUvarint(b, uint64(s.pages))
	b = binary.AppendUvarint(b, uint64(len(s.blocks)))
	keys := make([]uint64, 0, len(s.blocks))
	for k := range s.blocks {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same state, the same bytes
	for _, k := range keys {
		b = binary.LittleEndian.AppendUint64(b, k)
		b = binary.AppendUvarint(b, uint64(s.blocks[k].pages))
		b = binary.AppendUvarint(b, uint64(s.blocks[k].first))
		b = binary.AppendUvarint(b, uint64(s.blocks[k].last))
	}
	b = binary.AppendUvarint(b, uint64(len(s.order)))
	for _, p := range s.order {
		b = binary.LittleEndian.AppendUint64(b, p)
	}
	return b
}

func decodeSite(b []byte) (*site, error) {
	r := reader{b: b}
	if r.uvarint() != stateVersion {
		return nil, errBadState
	}
	s := newSite()
	s.pages = uint32(r.uvarint())
	n := r.uvarint()
	if n > maxBlocks*2 {
		return nil, errBadState
	}
	for range n {
		k := r.fixed()
		p, f, l := r.uvarint(), r.uvarint(), r.uvarint()
		s.blocks[k] = blockStat{pages: uint32(p), first: uint32(f), last: uint32(l)}
	}
	m := r.uvarint()
	if m > maxPages*2 {
		return nil, errBadState
	}
	for range m {
		p := r.fixed()
		s.seen[p] = struct{}{}
		s.order = append(s.order, p)
	}
	if r.bad || len(r.b) != 0 {
		return nil, errBadState
	}
	return s, nil
}

type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) fixed() uint64 {
	if len(r.b) < 8 {
		r.bad = true
		r.b = nil
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}
