// Cleaning: what no article body contains is removed before the body is looked for, and the
// attribution lines are read on the way.

package generic

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/internal/textrule"
)

type cleanedPage struct {
	source, editor, summary string
	shape                   pageShape
}

var (
	// "来源：新华社", "文章来源: 澎湃新闻", "来源：[ 人民网 ]", "来源于中国证券报", "来源：21世纪经济报道(广州)":
	// a parenthesis that closes inside the name is part of it.
	// 繁體 pages write 來源 (Hong Kong, Taiwan).
	sourceRe = regexp.MustCompile(`(?:文章|稿件|本文)?[来來]源(?:\s*[：:]|于|於|自)\s*[\[【［]?\s*` +
		`((?:[^\s　()（）|｜,，\[\]【】［］]|[(（][^\s()（）]{1,12}[)）])+)`)
	editorRe = regexp.MustCompile(`责任编辑\s*[：:]\s*([^\s　）)|｜,，]+)`)
	// A paragraph that is only a label line: tags, keywords, share buttons, "Filed under:".
	labelLineRe = regexp.MustCompile(`^(?:tags|标签|关键词|关键字|分享到|filed under|topics|related)\s*[:：]|` +
		`^(?:share this(?: story| article| post)?|share|advertisement|click to share.*|read more|related articles?|` +
		`more from .{0,40}|follow us.{0,40}|sign up.{0,60}|(?:image|photo|picture)(?: credit)?\s*[:：].{0,120}|` +
		// The headings of portals' link boxes and rails, and breadcrumbs: "相关阅读", "24小时热门",
		// "首页 > 快讯 > 正文".
		`(?:相关|热门|热点|推荐|延伸|精彩|最新|更多|猜你|24小时|今日)(?:阅读|新闻|文章|推荐|资讯|热门|排行|图片|专题|喜欢|热点)(?:榜|排行)?|` +
		// "More in this section" boxes: "本栏目更多", "本频道推荐", "you may also like".
		`本(?:栏目|频道|类|版)(?:更多|推荐|最新|热门|热点)(?:新闻|文章|资讯|内容)?|you (?:may|might) also (?:like|enjoy)|` +
		`.{0,40}(?:>|›|»|＞).{0,40}(?:正文|详情|内容)|(?:home|首页)\s*(?:>|›|»|/|＞).{0,60}|` +
		// Back-links and editor credits of Chinese portals: "返回搜狐，查看更多", "【编辑:刘欢】".
		`返回.{0,14}|[【\[(（]?(?:责任)?编辑\s*[:：][^。]{0,12}[】\])）]?|` +
		// Pagination: "第1页/共3页", "<< 上一页 | 下一页 >>", "Page 2 of 5", "Next page".
		`第\s*\d+\s*页.{0,12}|.{0,12}(?:上一页|下一页).{0,24}|page \d+ of \d+|(?:previous|next) page.{0,20}|` +
		// Page furniture every CMS prints around a story: copyright, skip links, calls to
		// subscribe or share, section headings of the link boxes, syndication and reading-time
		// notes, a bare byline.
		`(?:copyright|©|ⓒ|\(c\)).{0,100}|.{0,60}(?:all rights reserved|版权所有).{0,40}|skip to (?:main )?content|` +
		`click here to.{0,60}|like this (?:story|article|post)\?.{0,40}|also on \S{1,30}|via \S+\.[a-z]{2,6}|` +
		`(?:more|related|popular|recent|latest|trending|top)(?: [\p{L}']+){0,3} (?:stories|articles|news|posts|videos|reads|this week)|` +
		`(?:tempo de leitura|reading time|read time)\s*:?.{0,20}|\d{1,2} min(?:ute)?s? read|by(?: [\p{L}.'-]+){1,4}|` +
		// Chinese portals' statements under every article ("特别声明：以上内容…仅提供信息存储服务",
		// "声明：本文仅代表作者观点"), calls to scan a code or get the app, and a bare byline
		// ("澎湃新闻记者 葛灵丹", "作者：林晓").
		`(?:特别|平台|免责|郑重|版权|风险)?(?:声明|聲明|提示)\s*[：:].{0,200}(?:仅代表|僅代表|仅提供|僅提供|不构成|不代表|风险自担|立场|信息存储|投资建议|无关).{0,200}|` +
		`.{0,40}(?:扫描|扫码|扫一扫|长按|识别|掃描).{0,20}(?:二维码|二維碼|关注).{0,60}|.{1,12}(?:微信)?公众号|.{0,30}尽在.{1,16}(?:app|客户端)|` +
		`(?:\p{Han}{0,8}?[记記]者\s+|(?:作者|撰文|文)\s*[：:/|｜]\s*)[\p{Han}·]{2,4}(?:[、， ][\p{Han}·]{2,4}){0,3})$`)
	// Comment threads, by the names every blog and CMS gives them.
	commentRe = regexp.MustCompile(`(?i)(?:^|[\s_-])(?:comments?|comment-?list|commentlist|disqus_thread|respond|replies)(?:$|[\s_-])`)
	// Image captions and credits.
	captionRe = regexp.MustCompile(`(?i)(?:^|[\s_-])(?:wp-caption-text|caption|image-caption|img-caption|photo-caption|credit|image-credit)(?:$|[\s_-])`)
)

// Selectors run once per element of a page, compiled once.
var (
	articleInside = cascadia.MustCompile("h1, article, [itemprop=articleBody], .entry-content, .post-content, " +
		".article-content, .article-body, .story-body, .post-body")
	paraOrDiv   = cascadia.MustCompile("p, div")
	blockInside = cascadia.MustCompile("p, div, li, table")
	anchorSel   = cascadia.MustCompile("a")
)

// preclean removes what no article body contains and reads the attribution lines on the way.
// The order matters: chrome goes before the credit lines are read (a footer's "来源" is the
// site's, not the article's), and the page's shape is taken after the credits are gone but
// before the navigation links, which the listing verdict counts.
//
// template, when set, removes the blocks the site repeats on its pages (package learn): after
// the credit lines are read, since a site that prints the same "来源：" on every page names its
// articles' source, and before the shape is taken, so rails the site prints everywhere do not
// make an article look like a listing.
func preclean(doc *goquery.Document, template func(root *html.Node), self func(href string) linkKind) cleanedPage {
	var c cleanedPage
	removeChrome(doc)
	removeThreadsAndCaptions(doc)
	for _, n := range doc.Nodes {
		removeCommentRanges(n, "EM_StockImg_Start", "EM_StockImg_End")
	}
	c.source, c.editor = takeCredits(doc)
	if template != nil && len(doc.Nodes) > 0 {
		template(doc.Nodes[0])
	}
	c.summary = leadingDigest(doc)
	if body := doc.Find("body"); body.Length() > 0 {
		c.shape = pageShapeOf(body.Get(0), self)
	}
	removeNavigation(doc)
	return c
}

// removeChrome removes the elements that are never text (scripts, frames), the page's own
// furniture (nav, header, footer, aside), hidden elements and forms.
func removeChrome(doc *goquery.Document) {
	keepHeadlines(doc)
	doc.Find("script, style, noscript, iframe, template, svg, nav, header, footer, aside, figcaption, " +
		"[hidden], [aria-hidden=true]").Remove()
	// A form is a search box or a login, except on pages (ASP.NET's) that wrap everything in one:
	// a form holding most of the page's text is the page.
	if forms := doc.Find("form"); forms.Length() > 0 {
		pageRunes := utf8.RuneCountInString(textrule.Collapse(doc.Find("body").Text()))
		forms.Each(func(_ int, s *goquery.Selection) {
			if utf8.RuneCountInString(textrule.Collapse(s.Text()))*2 < pageRunes {
				s.Remove()
			}
		})
	}
	removeStatements(doc)
	doc.Find("[style]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		st := strings.ReplaceAll(strings.ToLower(s.AttrOr("style", "")), " ", "")
		return strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden")
	}).Remove()
}

// statementRe names the blocks portals print under every article: the site's statement or
// disclaimer ("post_statement", "show_statement"), a QR code to follow it ("appendQr_wrap").
var statementRe = regexp.MustCompile(`(?i:statement|disclaimer|shengming)|(?:^|[\s_-])(?i:qr)|Qr|QR`)

// mayNameStatement is the cheap test before statementRe runs on every named element: the
// expression's case-insensitive alternation cost more than the rest of the cleaning.
func mayNameStatement(name string) bool {
	low := asciiLower(name)
	return strings.Contains(low, "statement") || strings.Contains(low, "disclaimer") || strings.Contains(low, "shengming") || strings.Contains(low, "qr")
}

// removeStatements removes the statement and QR-code blocks, unless one holds the article (a
// headline or an article body inside it).
func removeStatements(doc *goquery.Document) {
	doc.Find("[class], [id]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		name := s.AttrOr("class", "") + " " + s.AttrOr("id", "")
		if !mayNameStatement(name) || !statementRe.MatchString(name) {
			return false
		}
		switch goquery.NodeName(s) {
		case "body", "html", "main", "article":
			return false
		}
		return s.FindMatcher(articleInside).Length() == 0
	}).Remove()
}

// keepHeadlines moves a story's <h1> out of the <header> it sits in, before headers go as
// chrome: HTML5 articles print their headline in "<article><header><h1>", and without it the
// page's shape has no headline over its text. A site's logo in an <h1> (a link to its home, or
// a name too short for a story's headline) stays to go with its header.
func keepHeadlines(doc *goquery.Document) {
	doc.Find("header h1").Each(func(_ int, s *goquery.Selection) {
		t := textrule.Collapse(s.Text())
		if textWidth(t) < headlineWidth || s.Find("a").Length() > 0 && textWidth(textrule.Collapse(s.Find("a").Text()))*2 > textWidth(t) {
			return
		}
		header := s.Closest("header")
		if header.Length() == 0 || header.Find("h1").Length() > 1 {
			return
		}
		moveBefore(s.Get(0), header.Get(0))
	})
	// An archive's items (a CMS's home, category, tag, author and search pages) are
	// <article>s, each with its headline link in a <header> of its own: without those links the
	// items' excerpts read as one article's paragraphs under no headline.
	doc.Find("article header h2, article header h3").Each(func(_ int, s *goquery.Selection) {
		header := s.Closest("header")
		if header.Find("h2, h3").Length() > 1 || header.Closest("article").Find("article").Length() > 0 {
			return // no item's header, or an article that holds items
		}
		if a := s.Find("a"); a.Length() == 0 || textWidth(textrule.Collapse(a.Text())) < headlineWidth {
			return
		}
		moveBefore(s.Get(0), header.Get(0))
	})
}

func moveBefore(n, at *html.Node) {
	n.Parent.RemoveChild(n)
	at.Parent.InsertBefore(n, at)
}

// removeThreadsAndCaptions removes comment threads and captions, however long (a thread can
// outweigh a short post), unless the element holds the article itself (a headline or an
// article body inside a "comments" wrapper).
func removeThreadsAndCaptions(doc *goquery.Document) {
	doc.Find("[id], [class]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		name := s.AttrOr("id", "") + " " + s.AttrOr("class", "")
		if !mayNameThreadOrCaption(name) || (!commentRe.MatchString(name) && !captionRe.MatchString(name)) {
			return false
		}
		switch goquery.NodeName(s) {
		case "body", "html", "main", "article":
			return false
		}
		return s.FindMatcher(articleInside).Length() == 0
	}).Remove()
}

// mayNameThreadOrCaption is the cheap test before the expressions run on every named element.
func mayNameThreadOrCaption(name string) bool {
	low := strings.ToLower(name)
	for _, w := range []string{"comment", "caption", "credit", "respond", "repl", "disqus"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// takeCredits reads and removes the attribution and editor lines: short blocks, read innermost
// first so a wrapper <div> with the whole article is never taken for a credit line. The first
// of each kind is the page's.
func takeCredits(doc *goquery.Document) (source, editor string) {
	doc.Find("p, span, div, em, small, li, td").Each(func(_ int, s *goquery.Selection) {
		raw, short := textUpTo(s.Get(0), 1200)
		if !short || !hasCJK(raw) {
			return // every credit form is written in Chinese: 来源, 责任编辑
		}
		t := textrule.Collapse(raw)
		if t == "" || utf8.RuneCountInString(t) > 80 {
			return
		}
		only := true
		if m := sourceRe.FindStringSubmatch(t); m != nil {
			if source == "" {
				source = trimSource(m[1])
			}
		} else if m := editorRe.FindStringSubmatch(t); m != nil {
			if editor == "" {
				editor = strings.Trim(m[1], "（()）")
			}
		} else {
			only = false
		}
		// A credit line that also carries the date stays until the date has been read; the
		// date-line filter drops it from the body later.
		if only && s.FindMatcher(paraOrDiv).Length() == 0 && textrule.DateIndex(t) == nil && !hasSentence(sourceRe.ReplaceAllString(editorRe.ReplaceAllString(t, ""), "")) {
			s.Remove()
		}
	})
	return source, editor
}

// hasCJK reports a byte of a character at or above U+3000 (CJK punctuation, kana, Han, Hangul,
// full-width forms) in s: a cheap test before the credit expressions run.
func hasCJK(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xE3 {
			return true
		}
	}
	return false
}

// removeNavigation removes list items and blocks that are a single short link ("返回首页", a
// bare URL) or a link with a few words of metadata beside it.
func removeNavigation(doc *goquery.Document) {
	doc.Find("li, p, div, dd, td").Each(func(_ int, s *goquery.Selection) {
		if s.FindMatcher(blockInside).Length() > 0 {
			return
		}
		if isNavigationItem(s) {
			s.Remove()
		}
	})
}

// isNavigationItem reports a block that is a link list's entry.
func isNavigationItem(s *goquery.Selection) bool {
	t := textrule.Collapse(s.Text())
	a := textrule.Collapse(s.FindMatcher(anchorSel).Text())
	if t == "" || a == "" {
		return false
	}
	tn, an := utf8.RuneCountInString(t), utf8.RuneCountInString(a)
	// A link with a few words of metadata after it (author, time, size, counts) is a list
	// item as much as a bare link: "标题【作者】08-11 16:06 298字 [4321/87]".
	rest := textrule.Collapse(nonLinkText(s.Get(0)))
	// A link with nothing but a count beside it is a sidebar entry however short: "未归类 (88)".
	item := an*10 >= tn*9 || isLinkItem(textWidth(t), textWidth(a), textWidth(a), rest) || countRe.MatchString(rest)
	return item && tn <= 120
}

// leadingDigest removes and returns a blockquote that opens the article (only headings, a
// date line or nothing before it in its container): the digest many Chinese pages put above
// the text. A blockquote further down is a quotation and stays in the body.
func leadingDigest(doc *goquery.Document) string {
	q := doc.Find("blockquote").First()
	if q.Length() == 0 {
		return ""
	}
	leading := true
	q.PrevAll().Each(func(_ int, s *goquery.Selection) {
		t := textrule.Collapse(s.Text())
		switch goquery.NodeName(s) {
		case "h1", "h2", "h3", "small", "time":
			return
		}
		if t != "" && !isDateLine(t) {
			leading = false
		}
	})
	t := textrule.Collapse(q.Text())
	if !leading || t == "" {
		return ""
	}
	q.Remove()
	return t
}

// hasSentence reports whether what remains of a credit line is prose (ends a sentence).
func hasSentence(s string) bool {
	return strings.ContainsAny(s, "。！？") || utf8.RuneCountInString(strings.Trim(s, " （()）【】[]：:")) > 30
}

// removeCommentRanges deletes the siblings between a start and an end marker comment, which
// is how Eastmoney brackets its stock-chart images. A start without an end among the same
// siblings removes nothing: on a page whose markup is broken (the finews og:description spill)
// an unmatched marker must not swallow the rest of the document.
func removeCommentRanges(n *html.Node, start, end string) {
	marker := func(c *html.Node, m string) bool {
		return c.Type == html.CommentNode && strings.HasPrefix(strings.TrimSpace(c.Data), m)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !marker(c, start) {
			removeCommentRanges(c, start, end)
			continue
		}
		stop := c.NextSibling
		for stop != nil && !marker(stop, end) {
			stop = stop.NextSibling
		}
		if stop == nil {
			continue
		}
		for x := c.NextSibling; x != stop; {
			next := x.NextSibling
			n.RemoveChild(x)
			x = next
		}
		c = stop
	}
}

// trimSource takes a parenthesis off a source's ends unless it closes one inside the name
// ("21世纪经济报道(广州)" stays whole, "（新华社）" loses both).
func trimSource(s string) string {
	s = strings.TrimSpace(s)
	opens := strings.Count(s, "(") + strings.Count(s, "（")
	closes := strings.Count(s, ")") + strings.Count(s, "）")
	if opens > closes {
		s = strings.TrimLeft(s, "(（")
	}
	if closes > opens || (opens == closes && (strings.HasPrefix(s, "(") || strings.HasPrefix(s, "（"))) {
		s = strings.Trim(s, "()（）")
	}
	return strings.TrimSpace(s)
}

// sourceElements are where pages print the outlet without a label: a .source, .a_source or
// .date-source span, often beside the time.
// Sohu marks the outlet it republishes as the story's "original-link" (a class naming a
// "provider" is too often an embed's or a cookie banner's to count).
var sourceElements = cascadia.MustCompile(`[class*="source"], [id*="source"], [class*="laiyuan"], [class*="origin"], ` +
	`[data-role="original-link"]`)

// sourceLabelRe is a label before the outlet's name: "来源：", "稿源:", "Source:".
var sourceLabelRe = regexp.MustCompile(`(?i)^(?:文章|稿件|本文)?(?:[来來]源|稿源|出处|出處|source)(?:于|於|自)?\s*[：:]?\s*`)

// markedSource is the outlet an element marked as the source names, read before cleaning: its
// text without the date and the label, when what is left is a name (short, no sentence).
func markedSource(doc *goquery.Document) string {
	found := ""
	doc.FindMatcher(sourceElements).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		raw, short := textUpTo(s.Get(0), 300)
		t := textrule.Collapse(raw)
		if !short || t == "" || utf8.RuneCountInString(t) > 60 {
			return true
		}
		if m := sourceRe.FindStringSubmatch(t); m != nil {
			found = trimSource(m[1])
			return found == ""
		}
		for loc := textrule.DateIndex(t); loc != nil; loc = textrule.DateIndex(t) {
			t = strings.TrimSpace(t[:loc[0]] + " " + t[loc[1]:])
		}
		t = strings.Trim(sourceLabelRe.ReplaceAllString(t, ""), " []【】［］")
		if n := utf8.RuneCountInString(t); n >= 2 && n <= 24 && !hasSentence(t) && !strings.ContainsAny(t, "0123456789:：。.!?") {
			found = trimSource(t)
			return false
		}
		return true
	})
	return found
}
