package generic

import "testing"

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
