package extract

import (
	"strconv"
	"strings"

	"github.com/andybalholm/cascadia"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// RuleReport says what one rule makes of a page, for trying a rule set on a saved page before
// a crawl (`crawl extract --rules`): whether the rule claims the page, and what each of its
// selectors matches there.
type RuleReport struct {
	Rule    string // the extractor name, "rules:<name>"
	Applies bool   // Match: the page's host and URL are the rule's
	Hosts   []string
	Pattern string
	Fields  []SelectorReport // in the order title, time, source, body, drop
}

// SelectorReport is one selector of a rule on a page: how many elements it matched after the
// drop selectors ran (drop selectors before), and the first one's text, cut short.
type SelectorReport struct {
	Field    string // "title", "time", "source", "body", "drop[0]", …
	Selector string
	Matches  int
	First    string
}

// Explain reports every rule's view of the page, in the configured order.
func (r *Rules) Explain(p *article.Page) []RuleReport {
	if r == nil {
		return nil
	}
	var out []RuleReport
	for _, x := range r.list {
		out = append(out, x.explain(p))
	}
	return out
}

func (x *RuleExtractor) explain(p *article.Page) RuleReport {
	rep := RuleReport{Rule: x.Name(), Applies: x.Match(p), Hosts: x.rule.Hosts, Pattern: x.rule.URLPattern}
	doc, err := ruleTree(p)
	if err != nil {
		return rep
	}
	var written []string // the drop selectors compiled, blank ones left out as compileRule does
	for _, d := range x.rule.Drop {
		if strings.TrimSpace(d) != "" {
			written = append(written, d)
		}
	}
	var drops []SelectorReport
	for i, d := range x.drop {
		s := doc.FindMatcher(d)
		drops = append(drops, SelectorReport{Field: "drop[" + strconv.Itoa(i) + "]", Selector: written[i], Matches: s.Length()})
		s.Remove()
	}
	for _, f := range []struct {
		name, sel string
		m         cascadia.Selector
	}{{"title", x.rule.Title, x.title}, {"time", x.rule.Time, x.time}, {"source", x.rule.Source, x.source}, {"body", x.rule.Body, x.body}} {
		if f.m == nil {
			continue
		}
		s := doc.FindMatcher(f.m)
		first := textrule.Collapse(s.First().Text())
		if r := []rune(first); len(r) > 60 {
			first = string(r[:60]) + "…"
		}
		rep.Fields = append(rep.Fields, SelectorReport{Field: f.name, Selector: f.sel, Matches: s.Length(), First: strings.TrimSpace(first)})
	}
	// The drop selectors ran first, as in Extract; they read best after the fields.
	rep.Fields = append(rep.Fields, drops...)
	return rep
}
