package learn

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

const statement = "声明：本文仅代表作者观点，不代表本站立场。"

// sitePage is an article of a portal: its own headline and text, the site's statement under it
// and a box of related links that changes from page to page.
func sitePage(i int) string {
	return fmt.Sprintf(`<html><body><div class="main"><h1>第%d篇报道的标题</h1>
<div class="content"><p>这是第%d篇报道的第一段正文，讲述了当天发生的事情。</p><p>第二段正文第%d篇。</p></div>
<div class="statement">%s</div>
<div class="related"><h3>相关阅读</h3><ul><li><a href="/a/%d.html">另一篇报道%d</a></li></ul></div></div></body></html>`,
		i, i, i, statement, i+100, i+100)
}

func parse(t *testing.T, s string) *html.Node {
	t.Helper()
	n, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func render(n *html.Node) string {
	var b strings.Builder
	html.Render(&b, n)
	return b.String()
}

func TestASitesStatementIsStrippedOnceSeenOnEnoughOtherPagesAndTheArticleNever(t *testing.T) {
	l := New()
	for i := 1; i <= 5; i++ {
		root := parse(t, sitePage(i))
		removed := l.Strip("portal.example.cn", fmt.Sprintf("http://portal.example.cn/a/%d.html", i), root)
		out := render(root)
		known := i > 3 // seen on three other pages
		if strings.Contains(out, statement) == known {
			t.Errorf("page %d: statement kept %v, want kept only while the template is unknown (removed %d)", i, !known, removed)
		}
		if strings.Contains(out, "相关阅读") == known {
			t.Errorf("page %d: the related box's heading kept %v", i, !known)
		}
		for _, own := range []string{fmt.Sprintf("第%d篇报道的标题", i), fmt.Sprintf("第二段正文第%d篇。", i), fmt.Sprintf("另一篇报道%d", i+100)} {
			if !strings.Contains(out, own) {
				t.Errorf("page %d: its own %q was removed", i, own)
			}
		}
	}
	if !l.Knows("portal.example.cn") || l.Knows("other.example.cn") {
		t.Error("Knows does not tell the learned site from an unseen one")
	}
}

func TestAPageOfASiteNeverSeenIsLeftAsItIs(t *testing.T) {
	l := New()
	for i := 1; i <= 5; i++ {
		l.Strip("portal.example.cn", fmt.Sprintf("http://portal.example.cn/a/%d.html", i), parse(t, sitePage(i)))
	}
	root := parse(t, sitePage(9))
	before := render(root)
	if n := l.Strip("mirror.example.com", "http://mirror.example.com/a/9.html", root); n != 0 || render(root) != before {
		t.Errorf("a page of another site lost %d blocks", n)
	}
}

func TestAPageFetchedAgainCountsOnce(t *testing.T) {
	l := New()
	for range 5 {
		l.Strip("portal.example.cn", "http://portal.example.cn/a/1.html", parse(t, sitePage(1)))
	}
	root := parse(t, sitePage(2))
	if l.Strip("portal.example.cn", "http://portal.example.cn/a/2.html", root); !strings.Contains(render(root), statement) {
		t.Error("one page read five times made its statement the template")
	}
}

func TestTheSameSentenceAsATeaserElsewhereIsNotTheArticlesTemplate(t *testing.T) {
	// A flash item's one sentence is printed on the category pages too, in the list's place.
	l := New()
	flash := "北向资金午后净流入超30亿元。"
	for i := 1; i <= 4; i++ {
		l.Strip("portal.example.cn", fmt.Sprintf("http://portal.example.cn/list_%d.html", i),
			parse(t, `<html><body><ul class="list"><li><a href="/a/1.html">`+flash+`</a></li></ul></body></html>`))
	}
	root := parse(t, `<html><body><div class="content"><p>`+flash+`</p></div></body></html>`)
	l.Strip("portal.example.cn", "http://portal.example.cn/a/1.html", root)
	if !strings.Contains(render(root), flash) {
		t.Error("the article's sentence was removed for being a teaser on the listings")
	}
}

func TestWhatWasLearnedIsKeptInTheStorageForTheNextRun(t *testing.T) {
	ctx := context.Background()
	mem := NewMemory()
	first := New(WithStorage(mem))
	for i := 1; i <= 3; i++ {
		first.Strip("portal.example.cn", fmt.Sprintf("http://portal.example.cn/a/%d.html", i), parse(t, sitePage(i)))
	}
	if err := first.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	next := New(WithStorage(mem))
	if err := next.Load(ctx, "portal.example.cn"); err != nil {
		t.Fatal(err)
	}
	root := parse(t, sitePage(4))
	next.Strip("portal.example.cn", "http://portal.example.cn/a/4.html", root)
	if strings.Contains(render(root), statement) {
		t.Error("the next run's first page kept the statement the last run learned")
	}
}

type failingStorage struct{ Memory }

func (f *failingStorage) SaveSite(context.Context, string, []byte) error {
	return errors.New("disk full")
}

func TestAFailedFlushSaysSoAndKeepsTheStateToSaveAgain(t *testing.T) {
	f := &failingStorage{Memory: *NewMemory()}
	l := New(WithStorage(f))
	l.Strip("portal.example.cn", "http://portal.example.cn/a/1.html", parse(t, sitePage(1)))
	if err := l.Flush(context.Background()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("flush: %v, want the storage's error", err)
	}
	if !l.sites["portal.example.cn"].dirty {
		t.Error("the unsaved state is no longer marked to save")
	}
}

func TestAStateThatDoesNotDecodeIsLearnedAgain(t *testing.T) {
	ctx := context.Background()
	mem := NewMemory()
	mem.SaveSite(ctx, "portal.example.cn", []byte{1, 200, 1})
	l := New(WithStorage(mem))
	if err := l.Load(ctx, "portal.example.cn"); err != nil {
		t.Fatal(err)
	}
	if l.Knows("portal.example.cn") {
		t.Error("a damaged state was taken for knowledge")
	}
	for _, bad := range [][]byte{nil, {2}, {1, 1, 1, 0, 0}} {
		if _, err := decodeSite(bad); err == nil {
			t.Errorf("decodeSite(%v) accepted", bad)
		}
	}
}

func TestAStateRoundTripsThroughItsBytes(t *testing.T) {
	s := newSite()
	for i := range 10 {
		root, _ := html.Parse(strings.NewReader(sitePage(i)))
		s.observe(uint64(i), leafBlocks(root))
	}
	d, err := decodeSite(s.encode())
	if err != nil {
		t.Fatal(err)
	}
	if d.pages != s.pages || len(d.blocks) != len(s.blocks) || len(d.order) != len(s.order) || string(d.encode()) != string(s.encode()) {
		t.Errorf("decoded state differs: %d pages %d blocks, want %d %d", d.pages, len(d.blocks), s.pages, len(s.blocks))
	}
}

func TestASitesPrintsStayWithinTheBound(t *testing.T) {
	s := newSite()
	for i := range 3000 {
		root, _ := html.Parse(strings.NewReader(sitePage(i)))
		s.observe(uint64(i), leafBlocks(root))
	}
	if len(s.blocks) > maxBlocks || len(s.order) > maxPages {
		t.Errorf("%d blocks, %d pages kept; bounds %d, %d", len(s.blocks), len(s.order), maxBlocks, maxPages)
	}
	if !s.isTemplate(leafPrint(t, statement), 3) {
		t.Error("eviction dropped the template's statement")
	}
}

// leafPrint is the print of the statement block in sitePage.
func leafPrint(t *testing.T, text string) uint64 {
	root, _ := html.Parse(strings.NewReader(sitePage(0)))
	for _, b := range leafBlocks(root) {
		if textOf(b.node) == text {
			return b.print
		}
	}
	t.Fatal("no such block")
	return 0
}

func TestASavedPageIsOfTheSiteItClaimsElseOfItsFolder(t *testing.T) {
	u := func(s string) *url.URL { v, _ := url.Parse(s); return v }
	for _, c := range []struct {
		page, canon *url.URL
		want        string
	}{
		{u("http://News.Example.cn/a/1.html"), nil, "news.example.cn"},
		{u("http://127.0.0.1:8931/a/1.html"), nil, "127.0.0.1:8931"},
		{u("file:///saved/portal/a1.html"), u("https://portal.example.cn/a/1.html"), "portal.example.cn"},
		{u("file:///saved/portal/a1.html"), u("file:///saved/portal/a1.html"), "file:/saved/portal"},
		{nil, nil, ""},
	} {
		if got := SiteKey(c.page, c.canon); got != c.want {
			t.Errorf("SiteKey(%v, %v) = %q, want %q", c.page, c.canon, got, c.want)
		}
	}
}

func TestAParagraphTwoStoriesShareNowAndThenIsNotTheTemplate(t *testing.T) {
	// A wire paragraph printed in every fifth story of a site is the stories' own text.
	l := New()
	shared := "这段通稿文字偶尔出现在几篇报道里，但并不是网站的模板。"
	for i := 1; i <= 30; i++ {
		extra := ""
		if i%5 == 0 {
			extra = "<p>" + shared + "</p>"
		}
		root := parse(t, fmt.Sprintf(`<html><body><div class="content"><p>第%d篇正文。</p>%s</div></body></html>`, i, extra))
		l.Strip("portal.example.cn", fmt.Sprintf("http://portal.example.cn/a/%d.html", i), root)
		if extra != "" && !strings.Contains(render(root), shared) {
			t.Fatalf("page %d lost the shared paragraph", i)
		}
	}
}

func TestTwoWorkersFlushingTheirShareOfASiteAddUpInTheStorage(t *testing.T) {
	ctx := context.Background()
	mem := NewMemory()
	a, b := New(WithStorage(mem)), New(WithStorage(mem))
	// Each reads two pages of the site: neither knows the template alone, and the one that
	// saves last must not put its two pages in place of the other's.
	for i := 1; i <= 4; i++ {
		w := a
		if i%2 == 0 {
			w = b
		}
		w.Strip("portal.example.cn", fmt.Sprintf("http://portal.example.cn/a/%d.html", i), parse(t, sitePage(i)))
	}
	if a.Knows("portal.example.cn") || b.Knows("portal.example.cn") {
		t.Fatal("a worker knew the template from two pages")
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if !b.Knows("portal.example.cn") {
		t.Error("the worker that saved last does not know what the two saved together")
	}
	next := New(WithStorage(mem))
	if err := next.Load(ctx, "portal.example.cn"); err != nil {
		t.Fatal(err)
	}
	root := parse(t, sitePage(5))
	next.Strip("portal.example.cn", "http://portal.example.cn/a/5.html", root)
	if strings.Contains(render(root), statement) {
		t.Error("the next run's first page kept the statement the two workers learned together")
	}
	// A flush with nothing new changes nothing stored.
	before, _ := mem.LoadSite(ctx, "portal.example.cn")
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if after, _ := mem.LoadSite(ctx, "portal.example.cn"); string(after) != string(before) {
		t.Error("a second flush of the same pages counted them again")
	}
}

func TestWorkersSharingTheStorageLearnANewSiteTogetherFromItsFirstPages(t *testing.T) {
	for _, shared := range []bool{true, false} {
		mem := NewMemory()
		var opts []Option
		if shared {
			opts = append(opts, WithSharedStorage(20))
		}
		a, b := New(append(opts, WithStorage(mem))...), New(append(opts, WithStorage(mem))...)
		kept := 0
		for i := 1; i <= 8; i++ {
			w := a
			if i%2 == 0 {
				w = b
			}
			root := parse(t, sitePage(i))
			w.Strip("portal.example.cn", fmt.Sprintf("http://portal.example.cn/a/%d.html", i), root)
			if strings.Contains(render(root), statement) {
				kept++
			}
		}
		// Together they are one reader of the site: the first three pages keep the statement.
		// Apart, each needs three of its own.
		if want := map[bool]int{true: 3, false: 6}[shared]; kept != want {
			t.Errorf("shared %v: %d of 8 pages kept the statement, want %d", shared, kept, want)
		}
	}
}
