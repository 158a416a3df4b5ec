package crawler

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"go.uber.org/zap"
)

// runState is one run's bookkeeping shared by Colly's callbacks: the page budgets, the crawl-trap
// bounds, the validators to keep if the run completes, and what changes on the retry list.
type runState struct {
	c          *Crawler
	mu         sync.Mutex
	pages      int
	perHost    map[string]int
	variants   map[string]map[string]bool // scheme://host/path -> query strings admitted
	validators map[string]Validators
	partial    bool // some link was not fetched for a reason another run may not have
	warned     map[string]bool
	retrying   map[string]bool    // URLs of the retry list queued this run
	failed     map[string]Failure // URL -> why and where it failed, for the retry list
	done       map[string]bool    // URLs of the retry list that need no fetch any more
}

func newRunState(c *Crawler) *runState {
	return &runState{c: c, perHost: map[string]int{}, variants: map[string]map[string]bool{}, validators: map[string]Validators{}, warned: map[string]bool{},
		retrying: map[string]bool{}, failed: map[string]Failure{}, done: map[string]bool{}}
}

// admit decides whether u may be fetched and, if so, charges it to the budgets. Trap bounds
// (length, parameters, query variants) are properties of the link and refused quietly; a spent
// budget is a property of the run, logged once, and leaves the run partial.
func (r *runState) admit(u *url.URL) error {
	o := r.c.opts
	s := u.String()
	if err := r.c.withinLimits(u); err != nil {
		return err
	}
	host := strings.ToLower(u.Hostname())
	path := strings.ToLower(u.Scheme) + "://" + host + u.EscapedPath()
	r.mu.Lock()
	defer r.mu.Unlock()
	if u.RawQuery != "" {
		seen := r.variants[path]
		if !seen[u.RawQuery] && len(seen) >= o.MaxQueryVariants {
			return fmt.Errorf("%w: more than %d query variants of %s (max_query_variants)", ErrTrap, o.MaxQueryVariants, path)
		}
	}
	if r.pages >= o.MaxPages {
		r.spent("max_pages", fmt.Sprintf("page budget of %d spent; the rest waits for the next run", o.MaxPages), s)
		return fmt.Errorf("%w: max_pages %d spent", ErrTrap, o.MaxPages)
	}
	if r.perHost[host] >= o.MaxPagesPerHost {
		r.spent("host:"+host, fmt.Sprintf("page budget of %d for %s spent; the rest waits for the next run", o.MaxPagesPerHost, host), s)
		return fmt.Errorf("%w: max_pages_per_host %d spent for %s", ErrTrap, o.MaxPagesPerHost, host)
	}
	r.pages++
	r.perHost[host]++
	if u.RawQuery != "" {
		if r.variants[path] == nil {
			r.variants[path] = map[string]bool{}
		}
		r.variants[path][u.RawQuery] = true
	}
	return nil
}

// spent logs a budget running out once per run and marks the run partial.
func (r *runState) spent(key, msg, url string) {
	r.partial = true
	if !r.warned[key] {
		r.warned[key] = true
		r.c.log.Warn(msg, zap.String("url", url))
	}
}

// giveBack returns u's charge when it was not fetched after all (already visited, too deep).
func (r *runState) giveBack(u *url.URL) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages--
	r.perHost[strings.ToLower(u.Hostname())]--
}

func (r *runState) incomplete() {
	r.mu.Lock()
	r.partial = true
	r.mu.Unlock()
}

// remember notes a page to fetch again by URL next run.
func (r *runState) remember(u, reason string, depth int) {
	r.mu.Lock()
	r.failed[u] = Failure{URL: u, Reason: reason, Depth: depth}
	r.mu.Unlock()
}

// retry notes a URL of the retry list queued this run.
func (r *runState) retry(u string) {
	r.mu.Lock()
	r.retrying[u] = true
	r.mu.Unlock()
}

// settle notes that a URL was fetched without a failure to retry: off the list if it was on it.
func (r *runState) settle(u string) {
	r.mu.Lock()
	if r.retrying[u] {
		r.done[u] = true
	}
	r.mu.Unlock()
}

// drop takes a URL off the retry list whether or not it was queued: stored already, or no
// longer the source's.
func (r *runState) drop(u string) {
	r.mu.Lock()
	r.done[u] = true
	r.mu.Unlock()
}

// retryChanges are the run's failures, in URL order, and the retry-list URLs it settled.
func (r *runState) retryChanges() ([]Failure, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	failed := make([]Failure, 0, len(r.failed))
	for _, f := range r.failed {
		failed = append(failed, f)
	}
	slices.SortFunc(failed, func(a, b Failure) int { return strings.Compare(a.URL, b.URL) })
	var done []string
	for u := range r.done {
		if _, again := r.failed[u]; !again {
			done = append(done, u)
		}
	}
	slices.Sort(done)
	return failed, done
}

func (r *runState) keepValidators(u string, v Validators) {
	r.mu.Lock()
	r.validators[u] = v
	r.mu.Unlock()
}

func countParams(q url.Values) int {
	n := 0
	for _, vs := range q {
		n += len(vs)
	}
	return n
}
