// The headline: metadata, <h1> and <title>, with the site name taken off.

package generic

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/internal/textrule"
)

// readTitle prefers the page's own metadata; then an <h1> that the <title> contains (the site's
// logo is often another <h1>); then the <title> without its site suffix; then the last <h1>.
func readTitle(doc *goquery.Document, m pageMeta) string {
	for _, t := range m.titles {
		if t = textrule.Collapse(t); t != "" {
			return t
		}
	}
	title := textrule.Collapse(doc.Find("title").First().Text())
	best := ""
	for _, h := range m.h1s {
		if strings.Contains(title, h) && len(h) > len(best) {
			best = h
		}
	}
	if best != "" {
		return best
	}
	if title == "" {
		if len(m.h1s) > 0 {
			return m.h1s[len(m.h1s)-1]
		}
		return ""
	}
	return stripSiteSuffix(title)
}

// titleSeps split a <title> into headline and site name, strongest first.
var titleSeps = []string{" | ", " || ", " - ", " – ", " — ", " :: ", " · ", "｜", "|", "_", "—", "－", "-"}

// stripSiteSuffix removes the site and channel names a <title> appends to the headline
// ("标题_频道_网站", "标题-新华网", "Headline | Site"): a separator followed by a short name, taken
// off from the right while what is left is still a headline. A bare "-" counts only next to Han
// text, so "COVID-19" and "e-mail" stay whole.
func stripSiteSuffix(title string) string {
	head, _ := splitSiteSuffix(title)
	return head
}

// splitSiteSuffix is stripSiteSuffix's headline and the names it took off, rightmost first
// ("标题_新浪财经_新浪网" gives 新浪网, 新浪财经): the site's own names, which are no author and
// no channel of a source.
func splitSiteSuffix(title string) (string, []string) {
	var names []string
	for {
		cut, name := -1, ""
		for _, sep := range titleSeps {
			i := strings.LastIndex(title, sep)
			if i <= 0 {
				continue
			}
			suffix := strings.TrimSpace(title[i+len(sep):])
			head := strings.TrimRight(title[:i], " -_|—–－｜·:")
			if sep == "-" || sep == "—" || sep == "－" {
				r, _ := utf8.DecodeRuneInString(suffix)
				l, _ := utf8.DecodeLastRuneInString(head)
				if !unicode.Is(unicode.Han, r) && !unicode.Is(unicode.Han, l) {
					continue
				}
			}
			if suffix == "" || utf8.RuneCountInString(suffix) > 24 || utf8.RuneCountInString(head) < 4 ||
				utf8.RuneCountInString(suffix) >= utf8.RuneCountInString(head) {
				continue
			}
			cut, name = i, strings.Trim(suffix, " -_|—–－｜·:")
			break
		}
		if cut < 0 {
			return title, names
		}
		if name != "" {
			names = append(names, name)
		}
		title = strings.TrimRight(title[:cut], " -_|—–－｜·:")
	}
}
