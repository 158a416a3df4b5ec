// The body text: the main node turned into paragraphs, without the lines that are layout.

package generic

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/internal/textrule"
)

// densestBlock is the element holding the most paragraph text among its direct children: the
// classic fallback when a library finds nothing, good enough for one-paragraph flashes.
func densestBlock(doc *goquery.Document) *html.Node {
	var best *html.Node
	bestN := 0
	doc.Find("body, body *").Each(func(_ int, s *goquery.Selection) {
		n := 0
		s.ChildrenFiltered("p, blockquote").Each(func(_ int, p *goquery.Selection) {
			n += utf8.RuneCountInString(textrule.Collapse(p.Text()))
		})
		if n > bestN {
			best, bestN = s.Get(0), n
		}
	})
	if best == nil && len(doc.Find("body").Nodes) > 0 {
		best = doc.Find("body").Get(0)
	}
	return best
}

// paragraphs turns the main node into paragraphs: block boundaries end a paragraph, a data
// table's row is one line with its cells joined by a tab, white space (ideographic spaces
// included) collapses, empty, date-only and label lines go, and so does a second copy of a whole
// block. A blockquote before any paragraph is the page's digest: it becomes the summary.
func paragraphs(nodes []*html.Node, title string) (paras []string, summary string) {
	var f flattener
	for _, n := range nodes {
		if n != nil {
			f.walk(n)
			f.b.WriteString("\n")
		}
	}
	ctitle := textrule.Collapse(title)
	var lines []string
	for _, line := range strings.Split(f.b.String(), "\n") {
		if line = cleanLine(line); line != "" && line != ctitle && isTextLine(line) {
			lines = append(lines, line)
		}
	}
	return dropRepeatedBlock(lines), strings.Join(f.digest, " ")
}

// flattener writes the text under nodes with a line break at every block boundary and one line
// per data-table row, and keeps apart the blockquotes that come before any text (the digest).
type flattener struct {
	b        strings.Builder
	digest   []string
	seenText bool
}

func (f *flattener) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		f.b.WriteString(n.Data)
		if strings.TrimSpace(n.Data) != "" {
			f.seenText = true
		}
		return
	case html.ElementNode:
		if f.special(n) {
			return
		}
	}
	block := n.Type == html.ElementNode && textrule.IsBlock(textrule.Atom(n))
	if block {
		f.b.WriteString("\n")
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		f.walk(c)
	}
	if block {
		f.b.WriteString("\n")
	}
}

// special handles the elements that are not walked as text: scripts and styles (skipped), a
// leading blockquote (the digest) and a data row (one line); true when n was handled.
func (f *flattener) special(n *html.Node) bool {
	switch n.Data {
	case "script", "style":
		return true
	case "blockquote":
		if f.seenText {
			return false
		}
		var q strings.Builder
		nodeText(n, &q)
		if t := textrule.Collapse(q.String()); t != "" {
			f.digest = append(f.digest, t)
			return true
		}
	case "tr":
		if row, ok := dataRow(n); ok {
			f.b.WriteString("\n" + row + "\n")
			if row != "" {
				f.seenText = true
			}
			return true
		}
	}
	return false
}

// cleanLine collapses a line's white space, reads a row's cells like lines (a label cell, such
// as pagination or a share call, is no text) and drops encyclopedia edit links.
func cleanLine(line string) string {
	line = textrule.Collapse(line)
	if strings.Contains(line, cellSep) {
		var cells []string
		for _, c := range strings.Split(line, cellSep) {
			if c = strings.TrimSpace(c); c != "" && !isLabelLine(c) {
				cells = append(cells, c)
			}
		}
		line = strings.Join(cells, "\t")
	}
	if strings.Contains(line, "]") {
		// Encyclopedia section headings carry their edit link: "简介[编辑]", "History[edit]".
		line = strings.TrimSpace(editLinkRe.ReplaceAllString(line, ""))
	}
	return line
}

// isTextLine reports a line that is text, not layout: it has a word and is no label or date line.
func isTextLine(line string) bool {
	return hasWord(line) && !isLabelLine(line) && !isDateLine(line)
}

// isLabelLine reports a line that is only a label (labelLineRe). Every label is short, so
// a paragraph of text is told apart by its length before the expression runs.
func isLabelLine(line string) bool {
	if len(line) > 600 || utf8.RuneCountInString(line) > 160 {
		return false
	}
	return labelLineRe.MatchString(strings.ToLower(line))
}

var editLinkRe = regexp.MustCompile(`\[(?:编辑|編輯|修改|edit|Edit)\]`)

var countRe = regexp.MustCompile(`^[(（\[]\d{1,6}[)）\]]$`)

// hasWord reports a line with a letter, digit or underscore in it: a line of dashes, slashes
// or bullets is layout ("___" rules are kept: authors type them as section breaks).
func hasWord(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			return true
		}
	}
	return false
}

// dataRow is a table row of short cells as one line, cells joined by a tab; false for a
// layout row whose cells hold paragraphs, lists or tables of their own.
func dataRow(tr *html.Node) (string, bool) {
	var cells []string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.Data != "td" && c.Data != "th") {
			continue
		}
		if hasBlock(c) {
			return "", false
		}
		var t strings.Builder
		nodeText(c, &t)
		cell := textrule.Collapse(t.String())
		if utf8.RuneCountInString(cell) > 200 {
			return "", false
		}
		if cell != "" {
			cells = append(cells, cell)
		}
	}
	return strings.Join(cells, cellSep), true
}

// cellSep joins a row's cells until the lines are collapsed, then becomes a tab.
const cellSep = "\x1f"

func hasBlock(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			switch c.Data {
			case "p", "div", "table", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article":
				return true
			}
			if hasBlock(c) {
				return true
			}
		}
	}
	return false
}

// dropRepeatedBlock removes a second copy of a block of lines that holds a large part of the
// text (a page that spills its body into the document twice, as the finews pages' broken
// og:description does), and nothing else: lines that repeat inside one body (a meal plan's
// "Breakfast", a table's cells) are the article's own.
func dropRepeatedBlock(lines []string) []string {
	total := 0
	first := map[string]int{}
	for i, l := range lines {
		total += utf8.RuneCountInString(l)
		if _, ok := first[l]; !ok {
			first[l] = i
		}
	}
	drop := make([]bool, len(lines))
	for i := 0; i < len(lines); {
		j, ok := first[lines[i]]
		if !ok || j == i {
			i++
			continue
		}
		// The run of lines from i that repeats the run from j, line for line.
		k, runes := 0, 0
		for i+k < len(lines) && j+k < i && lines[i+k] == lines[j+k] {
			runes += utf8.RuneCountInString(lines[i+k])
			k++
		}
		if runes*4 >= total {
			for x := i; x < i+k; x++ {
				drop[x] = true
			}
		}
		i += max(k, 1)
	}
	out := lines[:0:0]
	for i, l := range lines {
		if !drop[i] {
			out = append(out, l)
		}
	}
	return out
}

// isDateLine reports a line that is a date-time and a few words of label around it
// ("(GMT+8, Asia/Shanghai, CST) 2021-12-20 18:24:28", "发布时间：2021年12月20日 来源：…").
func isDateLine(line string) bool {
	// Cheap refusals first: it runs on every block. A date has a four-digit year, and a date
	// line with its few words of label is short.
	if len(line) > 300 || utf8.RuneCountInString(line) > 90 {
		return false
	}
	digits := 0
	for i := 0; i < len(line) && digits < 4; i++ {
		if line[i] >= '0' && line[i] <= '9' {
			digits++
		}
	}
	if digits < 4 {
		return false
	}
	loc := textrule.DateIndex(line)
	if loc == nil {
		loc = enMDYRe.FindStringIndex(line)
	}
	if loc == nil {
		loc = enDMYRe.FindStringIndex(line)
	}
	if loc == nil {
		return false
	}
	rest := line[:loc[0]] + line[loc[1]:]
	return !hasSentence(rest) && utf8.RuneCountInString(rest) <= 40
}

var markupRe = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(?:\s+[a-zA-Z-]+=|\s*/?>)`)

// markupShare is the share of the text in lines that carry HTML tags.
func markupShare(paras []string) float64 {
	all, markup := 0, 0
	for _, p := range paras {
		all += len(p)
		if markupRe.MatchString(p) {
			markup += len(p)
		}
	}
	if all == 0 {
		return 0
	}
	return float64(markup) / float64(all)
}

// headlineBlock is the block of prose under the page's headline: the closest ancestor of the
// heading that names the title and also holds a paragraph of text outside links.
func headlineBlock(doc *goquery.Document, title string) *html.Node {
	if title = textrule.Collapse(title); title == "" {
		return nil
	}
	var head *html.Node
	doc.Find("h1, h2").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if textrule.Collapse(s.Text()) == title {
			head = s.Get(0)
			return false
		}
		return true
	})
	if head == nil {
		return nil
	}
	for n := head.Parent; n != nil && n.Type == html.ElementNode && n.Data != "body"; n = n.Parent {
		for _, p := range goquery.NewDocumentFromNode(n).Find("p").Nodes {
			if utf8.RuneCountInString(textrule.Collapse(nonLinkText(p))) >= 2*minBodyRunes {
				return n
			}
		}
	}
	return nil
}

// isRail reports a block that is a list of headline links, each alone or with its teaser: a
// "more from" rail or a box of the day's most read, not an article.
func isRail(n *html.Node) bool {
	sh := shapeOf(n)
	return sh.links >= 3 && (sh.teaserRuns >= 2 || sh.linkWidth*2 >= sh.prose)
}

// contains reports whether n is a or one of its ancestors.
func contains(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}
