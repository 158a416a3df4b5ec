// Package health tells when a source breaks. A crawl that keeps exiting 0 while a site's template
// changed under it (its extractor stops matching and pages fall through to generic, the dates
// vanish, the bodies shrink to a teaser) is the worst case, so every pass measures what it read
// from each source and compares that with what the source's `health:` block expects. It knows no
// markup and no storage: it reads finished records and hands out reports.
package health

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/newsmill/newsmill/article"
)

// Expect is a source's `health:` block. A zero field is not checked.
type Expect struct {
	// MinRecordsPerDay is the least records the source adds to the store in 24 hours (counted
	// over the store's ids first seen in the day before the pass ended).
	MinRecordsPerDay int `yaml:"min_records_per_day" json:"min_records_per_day,omitempty"`
	// MinRecordsPerPass is the least records a pass reads (new or already stored).
	MinRecordsPerPass int `yaml:"min_records_per_pass" json:"min_records_per_pass,omitempty"`
	// MaxFetchedDateShare is the largest share of a pass's records whose published_at is only
	// the fetch time (date_source "fetched"): above it the pages lost their dates.
	MaxFetchedDateShare *float64 `yaml:"max_fetched_date_share" json:"max_fetched_date_share,omitempty"`
	// Extractor is the extractor expected to take the source's pages ("eastmoney", "rules:x").
	Extractor string `yaml:"extractor" json:"extractor,omitempty"`
	// MinExtractorShare is the least share of records Extractor must have made (default 0.9).
	MinExtractorShare float64 `yaml:"min_extractor_share" json:"min_extractor_share,omitempty"`
	// MinBodyMedian is the least median body length, in characters.
	MinBodyMedian int `yaml:"min_body_median" json:"min_body_median,omitempty"`
	// MinSourceShare and MinStocksShare are the least shares of records with an attribution and
	// with stocks.
	MinSourceShare float64 `yaml:"min_source_share" json:"min_source_share,omitempty"`
	MinStocksShare float64 `yaml:"min_stocks_share" json:"min_stocks_share,omitempty"`
}

// DefaultMinExtractorShare is MinExtractorShare when the block names an extractor only.
const DefaultMinExtractorShare = 0.9

// Validate reports the first field out of range, named as in the config.
func (e Expect) Validate() error {
	share := func(name string, v float64) error {
		if v < 0 || v > 1 {
			return fmt.Errorf("%s: %v is not a share between 0 and 1: %w", name, v, ErrBadExpect)
		}
		return nil
	}
	if e.MinRecordsPerDay < 0 || e.MinRecordsPerPass < 0 || e.MinBodyMedian < 0 {
		return fmt.Errorf("min_records_per_day, min_records_per_pass, min_body_median: negative: %w", ErrBadExpect)
	}
	if e.MaxFetchedDateShare != nil {
		if err := share("max_fetched_date_share", *e.MaxFetchedDateShare); err != nil {
			return err
		}
	}
	if e.MinExtractorShare != 0 && e.Extractor == "" {
		return fmt.Errorf("min_extractor_share: set without extractor: %w", ErrBadExpect)
	}
	for name, v := range map[string]float64{"min_extractor_share": e.MinExtractorShare, "min_source_share": e.MinSourceShare, "min_stocks_share": e.MinStocksShare} {
		if err := share(name, v); err != nil {
			return err
		}
	}
	return nil
}

// IsZero reports whether the block expects nothing.
func (e Expect) IsZero() bool { return e == Expect{} }

// Pass counts what one pass read from each source. It is safe for concurrent use.
type Pass struct {
	mu      sync.Mutex
	sources map[string]*tally
}

type tally struct {
	records, new, pageDate, fetchedDate, title, source, stocks int
	bodies                                                     []int
	extractors                                                 map[string]int
}

// NewPass starts counting a pass.
func NewPass() *Pass { return &Pass{sources: map[string]*tally{}} }

// Record counts one finished record of source; isNew says whether it was written (not a
// duplicate). Records of --url runs (no source) are not counted.
func (p *Pass) Record(source string, r *article.Record, isNew bool) {
	if source == "" || r == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.tally(source)
	t.records++
	if isNew {
		t.new++
	}
	// Site extractors write no date_source: their pages always print their time.
	switch r.DateSource {
	case "", article.DateFromPage:
		t.pageDate++
	case article.DateFromFetched:
		t.fetchedDate++
	}
	if strings.TrimSpace(r.Title) != "" {
		t.title++
	}
	if r.Source != "" {
		t.source++
	}
	if len(r.Stocks) > 0 {
		t.stocks++
	}
	t.bodies = append(t.bodies, utf8.RuneCountInString(r.Body))
	t.extractors[r.Extractor]++
}

// Source makes sure source appears in the report even if it gave no record.
func (p *Pass) Source(source string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tally(source)
}

func (p *Pass) tally(source string) *tally {
	t := p.sources[source]
	if t == nil {
		t = &tally{extractors: map[string]int{}}
		p.sources[source] = t
	}
	return t
}

// Stats are what a pass read from one source.
type Stats struct {
	Records int `json:"records"` // records read, new or already stored
	New     int `json:"new"`     // records written
	// Shares of the records with a title, with published_at from the page itself (not the URL,
	// feed, HTTP header or fetch time), with the fetch time as published_at, with an attribution
	// (source) and with stocks.
	TitleShare       float64 `json:"title_share"`
	PageDateShare    float64 `json:"page_date_share"`
	FetchedDateShare float64 `json:"fetched_date_share"`
	SourceShare      float64 `json:"source_share"`
	StocksShare      float64 `json:"stocks_share"`
	// BodyMedian is the median body length in characters.
	BodyMedian int `json:"body_median"`
	// Extractors counts the records by the extractor that made them.
	Extractors map[string]int `json:"extractors,omitempty"`
}

func (t *tally) stats() Stats {
	s := Stats{Records: t.records, New: t.new, Extractors: maps.Clone(t.extractors)}
	if t.records == 0 {
		return s
	}
	n := float64(t.records)
	s.TitleShare, s.PageDateShare, s.FetchedDateShare = float64(t.title)/n, float64(t.pageDate)/n, float64(t.fetchedDate)/n
	s.SourceShare, s.StocksShare = float64(t.source)/n, float64(t.stocks)/n
	b := slices.Clone(t.bodies)
	slices.Sort(b)
	if len(b)%2 == 1 {
		s.BodyMedian = b[len(b)/2]
	} else {
		s.BodyMedian = (b[len(b)/2-1] + b[len(b)/2]) / 2
	}
	return s
}

// Report is one source's health after a pass.
type Report struct {
	Source  string    `json:"source"`
	At      time.Time `json:"at"` // when the pass ended
	Stats   Stats     `json:"stats"`
	PerDay  int       `json:"records_last_day"` // -1: not counted
	Healthy bool      `json:"healthy"`
	// Problems say, one line each, what drifted from the health block.
	Problems []string `json:"problems,omitempty"`
}

// Check judges the pass against the expectations, by source. perDay gives a source's records
// first stored in the day before the pass ended (called only for sources whose block sets
// min_records_per_day). A source without a block is healthy; its stats are still reported.
func (p *Pass) Check(at time.Time, expect map[string]Expect, perDay func(source string) (int, error)) ([]Report, error) {
	p.mu.Lock()
	names := make([]string, 0, len(p.sources))
	stats := map[string]Stats{}
	for name, t := range p.sources {
		names = append(names, name)
		stats[name] = t.stats()
	}
	p.mu.Unlock()
	sort.Strings(names)
	out := make([]Report, 0, len(names))
	for _, name := range names {
		r := Report{Source: name, At: at.UTC().Truncate(time.Second), Stats: stats[name], PerDay: -1}
		e := expect[name]
		if e.MinRecordsPerDay > 0 && perDay != nil {
			n, err := perDay(name)
			if err != nil {
				return nil, fmt.Errorf("health of %s: %w", name, err)
			}
			r.PerDay = n
		}
		r.Problems = e.problems(r.Stats, r.PerDay)
		r.Healthy = len(r.Problems) == 0
		out = append(out, r)
	}
	return out, nil
}

// problems lists what drifted. Shares are judged only on a pass that read records: a pass whose
// listings did not change reads none, and says nothing about the template.
func (e Expect) problems(s Stats, perDay int) []string {
	var out []string
	if e.MinRecordsPerDay > 0 && perDay >= 0 && perDay < e.MinRecordsPerDay {
		out = append(out, fmt.Sprintf("%d records in the last day, expected at least %d", perDay, e.MinRecordsPerDay))
	}
	if e.MinRecordsPerPass > 0 && s.Records < e.MinRecordsPerPass {
		out = append(out, fmt.Sprintf("%d records this pass, expected at least %d", s.Records, e.MinRecordsPerPass))
	}
	if s.Records == 0 {
		return out
	}
	if e.MaxFetchedDateShare != nil && s.FetchedDateShare > *e.MaxFetchedDateShare {
		out = append(out, fmt.Sprintf("%.0f%% of records dated by fetch time, expected at most %.0f%%", 100*s.FetchedDateShare, 100**e.MaxFetchedDateShare))
	}
	if e.Extractor != "" {
		min := e.MinExtractorShare
		if min == 0 {
			min = DefaultMinExtractorShare
		}
		if share := float64(s.Extractors[e.Extractor]) / float64(s.Records); share < min {
			out = append(out, fmt.Sprintf("extractor %s made %.0f%% of records (%s), expected at least %.0f%%", e.Extractor, 100*share, extractorList(s.Extractors), 100*min))
		}
	}
	if e.MinBodyMedian > 0 && s.BodyMedian < e.MinBodyMedian {
		out = append(out, fmt.Sprintf("median body %d characters, expected at least %d", s.BodyMedian, e.MinBodyMedian))
	}
	if e.MinSourceShare > 0 && s.SourceShare < e.MinSourceShare {
		out = append(out, fmt.Sprintf("%.0f%% of records with a source, expected at least %.0f%%", 100*s.SourceShare, 100*e.MinSourceShare))
	}
	if e.MinStocksShare > 0 && s.StocksShare < e.MinStocksShare {
		out = append(out, fmt.Sprintf("%.0f%% of records with stocks, expected at least %.0f%%", 100*s.StocksShare, 100*e.MinStocksShare))
	}
	return out
}

// extractorList is "generic 12, eastmoney 1", most first.
func extractorList(m map[string]int) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]] != m[names[j]] {
			return m[names[i]] > m[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, m[n])
	}
	return strings.Join(parts, ", ")
}

// Warning is the line a report of an unhealthy source gives in the cron mail (stderr).
func (r Report) Warning() string {
	return fmt.Sprintf("warning: source %s unhealthy: %s", r.Source, strings.Join(r.Problems, "; "))
}

// Marshal encodes the report for the store, which keeps the last one of each source.
func (r Report) Marshal() ([]byte, error) { return json.Marshal(r) }

// Unmarshal decodes a stored report.
func Unmarshal(b []byte) (Report, error) {
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return Report{}, fmt.Errorf("%w: %v", ErrBadReport, err)
	}
	return r, nil
}
