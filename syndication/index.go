package syndication

import (
	"encoding/binary"
	"sync"
	"time"
)

// Defaults of New.
const (
	// DefaultWindow is how far apart two records' times may be and still be one story: a copy
	// appears within hours, a three-day-old story republished is rare enough to start afresh.
	DefaultWindow = 72 * time.Hour
	// DefaultMaxEntries bounds the index: about 480 bytes each in memory (measured with the
	// band maps; ~48 MB at the bound) and 330 in the store. A crawl adding more than 33,000
	// records a day forgets its oldest before the window ends; raise max_entries for it.
	DefaultMaxEntries = 100_000
	// DefaultThreshold is the least estimated Jaccard similarity of a copy. On the labelled set
	// (eval_test.go) every copy scored 0.84 or more and every two stories whose numbers agree 0.03
	// or less, so any value from 0.3 to 0.7 parts them alike; 0.5 leaves room both ways (heavier
	// edits, templates that differ in a name only).
	DefaultThreshold = 0.5
	// minShingles is the least text worth comparing: a title-only item says too little.
	minShingles = 8
	// maxPerKey bounds one band key's list, so a story copied a thousand times costs a lookup no
	// more than 16 × maxPerKey comparisons; the newest copies stay, and any of them leads to
	// the story's cluster.
	maxPerKey = 32
)

// Entry is one record as the index keeps it.
type Entry struct {
	ID      string
	Cluster string    // the id of the first record of its story
	At      time.Time // the record's published time
	Sig     Signature
}

// Index finds the earlier record a new one copies. It is safe for concurrent use.
type Index struct {
	window    time.Duration
	max       int
	threshold float64

	mu     sync.Mutex
	bands  [Bands]map[uint64][]*Entry
	order  []*Entry // insertion order, oldest first, for eviction
	head   int      // order[:head] are evicted
	newest time.Time
}

// Option configures an Index.
type Option func(*Index)

// WithWindow sets how far apart in time two records of one story may be.
func WithWindow(d time.Duration) Option { return func(x *Index) { x.window = d } }

// WithMaxEntries bounds the entries kept; the oldest go first.
func WithMaxEntries(n int) Option { return func(x *Index) { x.max = n } }

// WithThreshold sets the least similarity of a copy.
func WithThreshold(t float64) Option { return func(x *Index) { x.threshold = t } }

// New returns an empty index.
func New(opts ...Option) *Index {
	x := &Index{window: DefaultWindow, max: DefaultMaxEntries, threshold: DefaultThreshold}
	for _, o := range opts {
		o(x)
	}
	for i := range x.bands {
		x.bands[i] = map[uint64][]*Entry{}
	}
	return x
}

// Window is the index's time window.
func (x *Index) Window() time.Duration { return x.window }

// SameStory reports whether b is a copy of a (or a of b) for an index with this threshold: similar
// enough shingles, numbers that agree, times within the window. A short item and the long story
// it grew into are not one story (their similarity is their size ratio at best): the story is a
// follow-up with a record and a cluster of its own.
func (x *Index) SameStory(a, b *Entry) (float64, bool) {
	if a.Sig.Shingles < minShingles || b.Sig.Shingles < minShingles {
		return 0, false
	}
	if d := a.At.Sub(b.At); d > x.window || -d > x.window {
		return 0, false
	}
	s := a.Sig.Similarity(b.Sig)
	if s < x.threshold || !numbersAgree(a.Sig.Numbers, b.Sig.Numbers) {
		return s, false
	}
	return s, true
}

// Match is what Assign decided.
type Match struct {
	Cluster string  // the record's cluster_id: its own id when it starts a story
	Joined  bool    // it joined an earlier record's story
	Of      string  // the earlier record it matched, when Joined
	Score   float64 // their similarity, when Joined
}

// Assign gives the record its cluster and adds it to the index. A record already in the index
// (same id) keeps the cluster it has.
func (x *Index) Assign(id string, at time.Time, sig Signature) (Match, *Entry) {
	e := &Entry{ID: id, Cluster: id, At: at, Sig: sig}
	x.mu.Lock()
	defer x.mu.Unlock()
	best, score := x.lookup(e)
	if best != nil && best.ID == id {
		return Match{Cluster: best.Cluster}, best
	}
	m := Match{Cluster: id}
	if best != nil {
		e.Cluster = best.Cluster
		m = Match{Cluster: best.Cluster, Joined: true, Of: best.ID, Score: score}
	}
	x.add(e)
	return m, e
}

// Load adds an entry read back from the store (its cluster already decided).
func (x *Index) Load(e *Entry) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.add(e)
}

// Cutoff is what the store should keep of the index: entries at or after before, at most keep
// of them. before is zero while the index is empty.
func (x *Index) Cutoff() (before time.Time, keep int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.newest.IsZero() {
		return time.Time{}, x.max
	}
	return x.newest.Add(-x.window), x.max
}

// Len is the number of entries kept.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.order) - x.head
}

// lookup returns the most similar earlier record of the same story, preferring the same id.
func (x *Index) lookup(e *Entry) (*Entry, float64) {
	if e.Sig.Shingles < minShingles {
		return nil, 0
	}
	var best *Entry
	bestScore := 0.0
	seen := map[*Entry]bool{}
	for b, k := range e.Sig.bandKeys() {
		for _, c := range x.bands[b][k] {
			if seen[c] {
				continue
			}
			seen[c] = true
			if c.ID == e.ID {
				return c, 1
			}
			if s, ok := x.SameStory(e, c); ok && (s > bestScore || s == bestScore && c.At.Before(best.At)) {
				best, bestScore = c, s
			}
		}
	}
	return best, bestScore
}

func (x *Index) add(e *Entry) {
	for b, k := range e.Sig.bandKeys() {
		list := append(x.bands[b][k], e)
		if len(list) > maxPerKey {
			list = append(list[:0:0], list[len(list)-maxPerKey:]...)
		}
		x.bands[b][k] = list
	}
	x.order = append(x.order, e)
	if e.At.After(x.newest) {
		x.newest = e.At
	}
	x.evict()
}

// evict drops entries past the bound, then those older than the window before the newest
// record's time, oldest first. Times are the records' own, so a backfill of old articles is
// compared among itself; the bound keeps memory and the store's bucket fixed whatever the times.
func (x *Index) evict() {
	cutoff := x.newest.Add(-x.window)
	for x.head < len(x.order) {
		e := x.order[x.head]
		if len(x.order)-x.head <= x.max && !e.At.Before(cutoff) {
			break
		}
		x.drop(e)
		x.order[x.head] = nil
		x.head++
	}
	if x.head > 1024 && x.head*2 > len(x.order) {
		x.order = append([]*Entry(nil), x.order[x.head:]...)
		x.head = 0
	}
}

func (x *Index) drop(e *Entry) {
	for b, k := range e.Sig.bandKeys() {
		list := x.bands[b][k]
		for i, c := range list {
			if c == e {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(x.bands[b], k)
		} else {
			x.bands[b][k] = list
		}
	}
}

// Value encodes what the store keeps of an entry beside its id and time: the cluster id and the
// signature, opaque to the store.
func (e *Entry) Value() []byte {
	sig, _ := e.Sig.MarshalBinary()
	out := binary.AppendUvarint(nil, uint64(len(e.Cluster)))
	out = append(out, e.Cluster...)
	return append(out, sig...)
}

// DecodeEntry reads back an entry the store kept under id and at.
func DecodeEntry(id string, at time.Time, v []byte) (*Entry, error) {
	n, k := binary.Uvarint(v)
	if k <= 0 || uint64(len(v)-k) < n {
		return nil, ErrBadSignature
	}
	e := &Entry{ID: id, At: at, Cluster: string(v[k : k+int(n)])}
	if err := e.Sig.UnmarshalBinary(v[k+int(n):]); err != nil {
		return nil, err
	}
	return e, nil
}
