package extract

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract/generic"
	"github.com/newsmill/newsmill/internal/textrule"
)

// Rule describes one site's article pages with CSS selectors instead of code. Fields left empty
// fall back to the generic extractor's detection, so a rule names only what the heuristics get
// wrong on that site. The yaml names are those of the crawl config's `rules:` list.
type Rule struct {
	// Name identifies the rule; records say extractor "rules:<name>".
	Name string `yaml:"name"`
	// Hosts the rule applies to (subdomains included). With URLPattern, both must match.
	Hosts []string `yaml:"hosts"`
	// URLPattern is a regular expression the page URL must match (unanchored).
	URLPattern string `yaml:"url_pattern"`
	// Title, Time, Source and Body are CSS selectors. Title, Time and Source read the first match's
	// text (or, for Time, its content/datetime attribute); Body reads every match, in order.
	Title  string `yaml:"title"`
	Time   string `yaml:"time"`
	Source string `yaml:"source"`
	Body   string `yaml:"body"`
	// TimeLayout is a Go time layout for the Time text (zone-less means Asia/Shanghai); empty means
	// the generic date detection reads it.
	TimeLayout string `yaml:"time_layout"`
	// Drop lists selectors removed before anything is read (ads, related links, share bars).
	Drop []string `yaml:"drop"`
}

// Rules holds validated rules; each is an Extractor to register before the generic one.
type Rules struct {
	list []*RuleExtractor
}

// RuleExtractor is one compiled Rule.
type RuleExtractor struct {
	rule    Rule
	url     *regexp.Regexp
	title   cascadia.Selector
	time    cascadia.Selector
	source  cascadia.Selector
	body    cascadia.Selector
	drop    []cascadia.Selector
	generic *generic.Generic
}

// NewRules compiles the rules, rejecting an unusable one with an error naming the rule and field.
func NewRules(rules []Rule) (*Rules, error) {
	out := &Rules{}
	seen := map[string]bool{}
	for i, r := range rules {
		name := r.Name
		if name == "" {
			return nil, fmt.Errorf("rule #%d: name: empty: %w", i+1, ErrBadRule)
		}
		if seen[name] {
			return nil, fmt.Errorf("rule %s: name: duplicate: %w", name, ErrBadRule)
		}
		seen[name] = true
		x, err := compileRule(r)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", name, err)
		}
		out.list = append(out.list, x)
	}
	return out, nil
}

func compileRule(r Rule) (*RuleExtractor, error) {
	r.Hosts = append([]string(nil), r.Hosts...) // the caller's slice stays as written
	x := &RuleExtractor{rule: r, generic: NewGeneric()}
	for i, h := range r.Hosts {
		r.Hosts[i] = strings.ToLower(strings.TrimSpace(h))
	}
	if len(r.Hosts) == 0 && r.URLPattern == "" {
		return nil, fmt.Errorf("hosts, url_pattern: one is needed, or the rule claims every page: %w", ErrBadRule)
	}
	if r.URLPattern != "" {
		re, err := regexp.Compile(r.URLPattern)
		if err != nil {
			return nil, fmt.Errorf("url_pattern %q: %v: %w", r.URLPattern, err, ErrBadRule)
		}
		x.url = re
	}
	sel := func(field, s string) (cascadia.Selector, error) {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		c, err := cascadia.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("%s selector %q: %v: %w", field, s, err, ErrBadRule)
		}
		return c, nil
	}
	var err error
	if x.title, err = sel("title", r.Title); err != nil {
		return nil, err
	}
	if x.time, err = sel("time", r.Time); err != nil {
		return nil, err
	}
	if x.source, err = sel("source", r.Source); err != nil {
		return nil, err
	}
	if x.body, err = sel("body", r.Body); err != nil {
		return nil, err
	}
	for i, d := range r.Drop {
		c, err := sel(fmt.Sprintf("drop[%d]", i), d)
		if err != nil {
			return nil, err
		}
		if c != nil {
			x.drop = append(x.drop, c)
		}
	}
	if r.TimeLayout != "" {
		if r.Time == "" {
			return nil, fmt.Errorf("time_layout: set without a time selector: %w", ErrBadRule)
		}
		// A layout must round-trip a date with its year: "YYYY-MM-DD" formats to itself and
		// "15:04" loses the day.
		probe := time.Date(2019, 11, 23, 8, 7, 9, 0, time.UTC)
		f := probe.Format(r.TimeLayout)
		back, err := time.Parse(r.TimeLayout, f)
		if err != nil || f == r.TimeLayout || back.Year() != 2019 || back.YearDay() != probe.YearDay() {
			return nil, fmt.Errorf("time_layout %q: not a Go layout (write 2006-01-02 15:04:05): %w", r.TimeLayout, ErrBadRule)
		}
	}
	return x, nil
}

// Extractors lists the compiled rules in their configured order, for NewRegistry.
func (r *Rules) Extractors() []article.Extractor {
	if r == nil {
		return nil
	}
	out := make([]article.Extractor, 0, len(r.list))
	for _, x := range r.list {
		out = append(out, x)
	}
	return out
}

// Name implements Extractor.
func (x *RuleExtractor) Name() string { return "rules:" + x.rule.Name }

// Hosts implements HostHinter.
func (x *RuleExtractor) Hosts() []string { return x.rule.Hosts }

// Match claims HTML pages on the rule's hosts whose URL matches its pattern. Unlike the site
// extractors it goes by address: a rule is written for one site's URLs.
func (x *RuleExtractor) Match(p *article.Page) bool {
	if !p.IsHTML() || p.URL == nil {
		return false
	}
	if len(x.rule.Hosts) > 0 && !hostIn(strings.ToLower(p.URL.Hostname()), x.rule.Hosts) {
		return false
	}
	return x.url == nil || x.url.MatchString(p.URL.String())
}

// ruleTree is the page's own tree, a rule's to cut its drop selectors from: Extract and
// Explain read the same one, so what Explain reports is what Extract saw.
func ruleTree(p *article.Page) (*goquery.Document, error) {
	root, err := html.Parse(bytes.NewReader(generic.RepairTitle(p.Body)))
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", article.ErrMalformed)
	}
	return goquery.NewDocumentFromNode(root), nil
}

// Extract reads the configured fields and lets the generic pipeline detect the rest.
func (x *RuleExtractor) Extract(p *article.Page) (*article.Record, error) {
	doc, err := ruleTree(p)
	if err != nil {
		return nil, err
	}
	for _, d := range x.drop {
		doc.FindMatcher(d).Remove()
	}
	var o generic.Overrides
	if x.title != nil {
		o.Title = textrule.Collapse(doc.FindMatcher(x.title).First().Text())
	}
	if x.source != nil {
		src := textrule.Collapse(doc.FindMatcher(x.source).First().Text())
		if m := ruleLabelRe.FindStringSubmatch(src); m != nil {
			src = m[1] // "来源：海滨日报", "稿源：海滨日报" -> "海滨日报"
		}
		o.Source = strings.Trim(src, "（()）")
	}
	if x.time != nil {
		if o.Published, err = x.readTime(doc); err != nil {
			return nil, err
		}
	}
	if x.body != nil {
		o.Body = func(doc *goquery.Document) []*html.Node { return doc.FindMatcher(x.body).Nodes }
	}
	return x.generic.Read(p, doc, o)
}

func (x *RuleExtractor) readTime(doc *goquery.Document) (time.Time, error) {
	s := doc.FindMatcher(x.time).First()
	if s.Length() == 0 {
		return time.Time{}, nil // not on this page: the generic detection gets its chance
	}
	v := textrule.Collapse(s.Text())
	for _, a := range []string{"content", "datetime"} {
		if av, ok := s.Attr(a); ok && strings.TrimSpace(av) != "" {
			v = strings.TrimSpace(av)
		}
	}
	if x.rule.TimeLayout != "" {
		t, err := time.ParseInLocation(x.rule.TimeLayout, v, textrule.Shanghai)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q with layout %q: %v: %w", v, x.rule.TimeLayout, err, article.ErrMalformed)
		}
		return t, nil
	}
	t, ok := textrule.FindDate(v, false)
	if !ok {
		return time.Time{}, fmt.Errorf("time %q: no date found: %w", v, article.ErrMalformed)
	}
	return t, nil
}

// ruleLabelRe strips a short label ("来源：", "稿源:", "Source:") from a source element's text.
var ruleLabelRe = regexp.MustCompile(`^[（(]?\s*[^：:\s]{1,8}\s*[：:]\s*(.+?)\s*[）)]?$`)

// WithFallback returns a registry trying reg's extractors, then the rules, then the generic
// extractor: the order in which a page's own site extractor, a configured rule and the
// heuristics should get their chance. reg is not changed; opts configure the generic extractor
// (generic.WithLearner).
func WithFallback(reg *Registry, rules *Rules, opts ...generic.Option) *Registry {
	var list []article.Extractor
	if reg != nil {
		list = append(list, reg.list...)
	}
	list = append(list, rules.Extractors()...)
	list = append(list, NewGeneric(opts...))
	return NewRegistry(list...)
}
