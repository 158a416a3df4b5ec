package generic

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/internal/textrule"
)

// errorPageMaxRunes is more main text than a server's error page has: "not found" pages and
// "server busy" pages say so in a sentence or two, with a link home. Chrome around it (menus, a
// footer) is not main text.
const errorPageMaxRunes = 200

// errorPageRe are the ways error pages name themselves in their <title>, heading or text, in
// Chinese and English. A status code counts alone or beside the words that go with it, never
// before others: "500 Startups raises a fund" and "Top 500 companies" are headlines.
var errorPageRe = regexp.MustCompile(`(?i)` +
	`页面不存在|页面未找到|页面找不到|网页不存在|网页未找到|找不到(?:该|此|您要的|您要找的|您所访问的|您访问的|您请求的)?(?:页面|网页|文章|内容)|` +
	`(?:页面|网页|内容)(?:走丢|丢失|不见)了|` +
	`(?:文章|内容|信息|新闻|资讯|稿件)(?:已经|已)?(?:不存在|被删除|删除|下线)|` +
	`您(?:所)?(?:访问|请求|查看)的(?:页面|网页|内容|文章|信息)(?:不存在|已被删除|已删除|暂时无法访问|无法访问)|` +
	`(?:服务器|系统|服务|网络)(?:繁忙|开小差|出错|错误|暂不可用|暂时不可用)|系统(?:维护中|正在维护|升级中)|` +
	`(?:访问|请求|操作)(?:过于|太)频繁|请稍后(?:再试|重试)|稍后再试|访问(?:受限|被拒绝)|拒绝访问|禁止访问|无权访问|` +
	`出错了|发生错误|页面错误|` +
	`\b(?:page|file|article|story|content|post)\s+(?:was\s+)?not\s+found\b|^\W*not\s+found\W*$|` +
	`\b(?:can(?:no|['’])?t|could\s?n(?:o|['’])?t)\s+be\s+found\b|\bcan(?:no|['’])?t\s+find\s+(?:that|the|this|what\s+you)\b|` +
	`\b(?:page|article|story|content|post)\s+(?:you\s+(?:are|were|re)\s+looking\s+for\s+)?(?:doesn['’]?t|does\s+not|no\s+longer)\s+exists?\b|` +
	`\bno\s+longer\s+available\b|\b(?:server|service|site)\s+(?:is\s+)?(?:temporarily\s+)?(?:busy|unavailable|overloaded)\b|` +
	`\btemporarily\s+unavailable\b|\binternal\s+server\s+error\b|\bbad\s+gateway\b|\bgateway\s+time-?out\b|\baccess\s+denied\b|` +
	`\btoo\s+many\s+requests\b|\bsomething\s+went\s+wrong\b|\ban\s+error\s+(?:has\s+)?occurred\b|\bunder\s+maintenance\b|\btry\s+again\s+later\b|` +
	`\b(?:error|http)\s*[45]\d\d\b|` +
	`^\W*[45]\d\d\W*(?:error|not\s+found|forbidden|gone|bad\s+request|unauthori[sz]ed|service\s+(?:temporarily\s+)?unavailable|错误)?\W*$`)

// errorPage names what a page says of itself when it is a server's error page sent with
// status 200 — "not found", "server busy", "too many requests" — as many portals and CDNs send
// them: a page in place of the one asked for, to be fetched again later, neither an article nor
// a listing whatever menus surround it. It has little main text, no date of publication, and
// says what it is in its <title>, a heading or its few lines.
func errorPage(doc *goquery.Document, m pageMeta, paras []string, dated bool) (string, bool) {
	if dated || runeCount(paras) >= errorPageMaxRunes {
		return "", false
	}
	title := textrule.Collapse(doc.Find("title").First().Text())
	// "404 | Harbour Ledger" says what it is once the site's name is cut.
	var places []string
	for _, h := range append([]string{title, stripSiteSuffix(title)}, m.h1s...) {
		if !isQuestion(stripSiteSuffix(h)) {
			places = append(places, h)
		}
	}
	for _, p := range paras {
		// A page says it is an error in a short line of its own; a post that asks about an
		// error ("程序总是发生错误，怎么解决？") is text, however short the page.
		if utf8.RuneCountInString(p) <= 40 && !isQuestion(p) {
			places = append(places, p)
		}
	}
	if len(paras) <= 1 {
		// The whole page's text, read only where the body is one line at most.
		if body := textrule.Collapse(doc.Find("body").Text()); utf8.RuneCountInString(body) < 2*errorPageMaxRunes {
			places = append(places, body)
		}
	}
	for _, s := range places {
		if s = errorPageRe.FindString(s); s != "" {
			return s, true
		}
	}
	return "", false
}

// questionEndRe ends a line that asks: a forum thread's "…发生错误怎么办", "Why does it say 404?".
var questionEndRe = regexp.MustCompile(`(?:[？?]|吗|呢|怎么办|怎么解决|如何解决|怎么回事|是什么原因)\s*$`)

// isQuestion reports a line that asks about an error rather than being one.
func isQuestion(s string) bool { return questionEndRe.MatchString(strings.TrimSpace(s)) }
