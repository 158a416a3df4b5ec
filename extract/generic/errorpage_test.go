package generic

import (
	"errors"
	"testing"

	"github.com/newsmill/newsmill/article"
)

func TestErrorPageWordsAreReadInTheirCommonFormsAndHeadlinesAreLeftAlone(t *testing.T) {
	for _, s := range []string{
		"页面不存在", "抱歉，您访问的页面不存在或已被删除", "页面走丢了", "系统繁忙，请稍后再试", "访问过于频繁", "该文章已被删除",
		"Page Not Found", "Oops! That page can’t be found.", "The page could not be found", "We can't find that page",
		"Sorry, the page you were looking for doesn't exist", "404", "404 Not Found", "403 Forbidden", "502 Bad Gateway",
		"HTTP Error 503", "Error 404", "503 Service Temporarily Unavailable", "Too Many Requests", "Not Found",
	} {
		if errorPageRe.FindString(s) == "" {
			t.Errorf("%q not read as an error page's words", s)
		}
	}
	for _, s := range []string{
		"500 Startups raises a new fund", "Top 500 companies by revenue", "404 days at sea", "Fortune 500",
		"某券商交易系统升级 部分功能暂停", "Found: the lost manuscripts of a harbour town", "Errors in the census count",
		"How the 2008 crisis unfolded", "The service economy grows again",
	} {
		if m := errorPageRe.FindString(s); m != "" {
			t.Errorf("headline %q read as an error page (%q)", s, m)
		}
	}
}

func TestAForumPostAboutAnErrorIsNoErrorPage(t *testing.T) {
	page := `<html><head><title>程序运行时发生错误怎么办_电脑论坛</title></head><body>
<h1>程序运行时发生错误怎么办</h1><div class="post"><p>我的电脑运行这个程序时总是发生错误，重装以后还是一样，有人知道怎么解决吗？</p>
<p>楼主可以先检查一下系统的运行库有没有装全，我之前也遇到过同样的情况。</p></div></body></html>`
	_, err := New().Extract(pageOf(t, "http://bbs.example.cn/thread-1.html", page))
	if errors.Is(err, article.ErrErrorPage) {
		t.Errorf("a forum thread about an error was taken for an error page: %v", err)
	}
	broken := `<html><head><title>电脑论坛</title></head><body><div class="msg"><p>发生错误</p><p><a href="/">返回首页</a></p></div></body></html>`
	if _, err := New().Extract(pageOf(t, "http://bbs.example.cn/thread-2.html", broken)); !errors.Is(err, article.ErrErrorPage) {
		t.Errorf("the forum's own error page: %v, want ErrErrorPage", err)
	}
}
