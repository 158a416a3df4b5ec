// The writer of the article: the page's metadata, else its byline.

package generic

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/newsmill/newsmill/internal/textrule"
)

var (
	// A byline that names the writer: "By Sam Lee", "By Sam Lee and Ana Cruz, Staff Writer".
	enBylineRe = regexp.MustCompile(`^(?i:by)\s+(\p{Lu}[\p{L}.'-]*(?:\s+(?:\p{Lu}[\p{L}.'-]*|de|van|von|da|and|&)){0,5})`)
	// "作者：林晓", "记者 林晓", "文/林晓", "撰文｜林晓": the writer of a Chinese page.
	// "澎湃新闻记者 葛灵丹": the outlet before 记者 is the paper's, the name after it the writer's.
	zhBylineRe = regexp.MustCompile(`(?:作者|記者|记者|撰文|文)\s*[：:/|｜]\s*([\p{Han}·]{2,8}(?:[、， ][\p{Han}·]{2,8}){0,3})|` +
		`(?:^|[\s□■])(?:\p{Han}{0,8}?(?:本报|特约|实习|本台)|\p{Han}{2,8}?)?[记記]者\s+([\p{Han}·]{2,4})(?:\s|$)`)
	// An agency's dateline names its reporters: "新华社北京1月14日电（记者刘思、陈岩）",
	// "人民网北京12月29日电 （记者林晓）".
	nameSepRe  = regexp.MustCompile(`\s*[、，,]\s*`)
	datelineRe = regexp.MustCompile(`[电電]\s*[（(]\s*(?:本报|特约|实习)?[记記]者\s*([\p{Han}·]{2,4}(?:\s*[、，,]\s*[\p{Han}·]{2,4}){0,3})\s*[）)]`)
)

// pickAuthor is the first of the candidates that is a name: not a web address, not a number
// (a CMS's user id in <meta name="author">), not one of the site's names (og:site_name, the
// names its <title> carries: "新浪财经" in article:author is the portal, not a writer).
func pickAuthor(candidates []string, sites ...string) string {
next:
	for _, c := range candidates {
		c = strings.TrimSpace(textrule.Collapse(c))
		c = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(c, "By "), "by "))
		if c == "" || strings.Contains(c, "://") || strings.HasPrefix(c, "www.") || strings.HasPrefix(c, "@") ||
			utf8.RuneCountInString(c) > 60 || !strings.ContainsFunc(c, unicode.IsLetter) {
			continue
		}
		for _, s := range sites {
			if s != "" && strings.EqualFold(c, s) {
				continue next
			}
		}
		return c
	}
	return ""
}

// datelineAuthor is the reporters an agency's dateline names at the start of the text.
func datelineAuthor(text string) string {
	if m := datelineRe.FindStringSubmatch(runePrefix(text, 80)); m != nil {
		return nameSepRe.ReplaceAllString(m[1], "、")
	}
	return ""
}

// bylineAuthor reads the writer from a short line of text.
func bylineAuthor(line string) string {
	if m := zhBylineRe.FindStringSubmatch(line); m != nil {
		if m[1] != "" {
			return m[1]
		}
		return m[2]
	}
	if m := enBylineRe.FindStringSubmatch(line); m != nil && utf8.RuneCountInString(line) <= 80 {
		name := strings.TrimSpace(m[1])
		name = strings.TrimSuffix(strings.TrimSuffix(name, " and"), " &")
		return name
	}
	return ""
}

// bylineElements are where pages put the writer's name.
var bylineElements = cascadia.MustCompile(`[itemprop~="author"], [rel~="author"], [class*="byline"], [class*="author"], ` +
	`[class*="writer"], [id*="author"], [class*="zuozhe"]`)

// markedAuthor is the writer named in an element marked as the byline, read before cleaning
// (bylines sit in the article's <header>, which cleaning removes).
func markedAuthor(doc *goquery.Document) string {
	found := ""
	doc.FindMatcher(bylineElements).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		raw, short := textUpTo(s.Get(0), 300)
		t := textrule.Collapse(raw)
		if !short || t == "" || utf8.RuneCountInString(t) > 80 {
			return true
		}
		if a := bylineAuthor(t); a != "" {
			found = a
			return false
		}
		// An element that holds nothing but the name (`<span class="author">Sam Lee</span>`).
		if isNameOnly(s, t) {
			found = t
			return false
		}
		return true
	})
	return found
}

// isNameOnly reports an element marked as the writer (itemprop or rel author) whose text is a
// short name: a few words, no digits, no counts.
func isNameOnly(s *goquery.Selection, t string) bool {
	marked := strings.Contains(s.AttrOr("itemprop", ""), "author") || strings.Contains(s.AttrOr("rel", ""), "author")
	return marked && utf8.RuneCountInString(t) <= 30 && len(strings.Fields(t)) <= 4 && !strings.ContainsAny(t, "0123456789_@:：")
}
