package main_test

// What a new user and an attacker hit (issue 18), through the binary.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

// hitSite counts the requests per path of a handler.
type hitSite struct {
	mu   sync.Mutex
	hits map[string][]time.Time
	h    http.Handler
}

func newHitSite(h http.Handler) (*hitSite, *httptest.Server) {
	s := &hitSite{hits: map[string][]time.Time{}, h: h}
	return s, httptest.NewServer(s)
}

func (s *hitSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path] = append(s.hits[r.URL.Path], time.Now())
	s.mu.Unlock()
	s.h.ServeHTTP(w, r)
}

func (s *hitSite) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hits[path])
}

func (s *hitSite) times(path string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.hits[path]...)
}

func errorLine(stderr string) string {
	var line string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "crawl: ") {
			line = l
		}
	}
	return line
}

func TestAFailedURLIsFetchedOnceWithItsRetriesAndTheirRetryAfter(t *testing.T) {
	site, srv := newHitSite(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		case "/busy.html":
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	r := crawl(t, "--url", srv.URL+"/busy.html", "--url", srv.URL+"/gone.html")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
	}
	if n := site.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt read %d times, want once per host per run", n)
	}
	if n := site.count("/gone.html"); n != 1 {
		t.Errorf("the 404 URL was requested %d times, want 1", n)
	}
	times := site.times("/busy.html")
	if len(times) != 4 {
		t.Fatalf("the 429 URL was requested %d times, want 4 (1 + 3 retries)", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 900*time.Millisecond {
			t.Errorf("request %d came %s after the one before, under its Retry-After: 1", i+1, gap)
		}
	}
	if sum := r.lastStderrLine(); !strings.Contains(sum, "2 errors") {
		t.Errorf("the summary does not count one error per URL: %q", sum)
	}
}

func TestEveryURLThatGaveNoRecordSaysWhyAtTheDefaultLevel(t *testing.T) {
	_, srv := newHitSite(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		case "/list.html":
			fmt.Fprint(w, `<html><body><a href="/private/1.html">one</a> <a href="/private/2.html">two</a></body></html>`)
		case "/dead.html":
			fmt.Fprint(w, `<html><body><a href="/gone.html">one</a></body></html>`)
		case "/private/1.html", "/private/2.html":
			fmt.Fprint(w, "<html><body><h1>secret</h1></body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	r := crawl(t, "--url", srv.URL+"/list.html", "--url", srv.URL+"/dead.html", "--url", srv.URL+"/private/1.html")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
	}
	line := errorLine(r.stderr)
	for _, want := range []string{
		srv.URL + "/list.html gave no record: robots.txt disallows the 2 pages it links to",
		srv.URL + "/dead.html gave no record: 1 of the 1 pages it links to failed (first: http 404)",
		srv.URL + "/private/1.html could not be fetched: disallowed by robots.txt",
	} {
		if !strings.Contains(line, want) {
			t.Errorf("the error line lacks %q:\n%s", want, line)
		}
	}
	if strings.Contains(r.stderr, `"level":"debug"`) {
		t.Errorf("debug lines at the default level:\n%s", r.stderr)
	}
}

func TestForgetRefusesAStoreThatDoesNotExistInsteadOfCreatingOne(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.db")
	r := crawl(t, "forget", "--db", typo, "--id", "NW202112202219862945")
	if r.code != 1 || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("forget --db of a missing store: exit %d, want 1 naming it\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(typo); !os.IsNotExist(err) {
		t.Errorf("forget created %s", typo)
	}
	// The same through a config whose store folder exists but holds no store yet.
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, "http://127.0.0.1:1/")
	if r := crawl(t, "forget", "--config", cfg, "--before", "2024-01-01"); r.code != 1 {
		t.Errorf("forget --config of a missing store: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "finews.db")); !os.IsNotExist(err) {
		t.Errorf("forget --config created the config's store")
	}
}

func TestAnUnknownSourceOrAnEmptyIDIsAUsageErrorNamingTheKnownOnes(t *testing.T) {
	site := sitegen.New(3)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL+"/")
	if r := crawl(t, "--config", cfg); r.code != 0 {
		t.Fatalf("crawl: exit %d\n%s", r.code, r.stderr)
	}
	db := filepath.Join(dir, "data", "finews.db")
	for _, args := range [][]string{
		{"export", "--db", db, "--source", "nope"},
		{"export", "--config", cfg, "--source", "nope"},
		{"forget", "--db", db, "--retries", "nosuch"},
	} {
		r := crawl(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "no such source") || !strings.Contains(r.stderr, "known: finews") {
			t.Errorf("%v: exit %d, want 2 naming the known sources\n%s", args, r.code, r.stderr)
		}
	}
	if r := crawl(t, "export", "--db", db, "--source", "finews"); r.code != 0 || len(parseJSONL(t, r.stdout)) != len(site.IDs()) {
		t.Errorf("export of the known source: exit %d\n%s", r.code, r.stderr)
	}
	if r := crawl(t, "forget", "--db", db, "--retries", "finews"); r.code != 0 {
		t.Errorf("forget --retries of the known source: exit %d\n%s", r.code, r.stderr)
	}
	r := crawl(t, "forget", "--db", db, "--id", "")
	if r.code != 2 || !strings.Contains(r.stderr, "--id #1 is empty") {
		t.Errorf("forget --id '': exit %d, want 2\n%s", r.code, r.stderr)
	}
}

func TestTheLastLineIsThisRunsSummaryAlsoWhenItStopsBeforeCrawling(t *testing.T) {
	site := sitegen.New(2)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	// An output folder that another store's runs write.
	if err := os.MkdirAll(filepath.Join(dir, "other"), 0o755); err != nil {
		t.Fatal(err)
	}
	other := writeConfig(t, filepath.Join(dir, "other"), srv.URL+"/")
	if r := crawl(t, "--config", other); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	cfg := filepath.Join(dir, "mine.yaml")
	body := fmt.Sprintf("store: ./mine.db\noutput: ./other/out\nsources:\n  - name: finews\n    seeds: [%s/]\n    allowed_hosts: [127.0.0.1]\n", srv.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	r := crawl(t, "--config", cfg)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != 1 || len(lines) < 2 || !strings.HasPrefix(lines[len(lines)-2], "crawl: ") || !strings.HasPrefix(r.lastStderrLine(), "newsmill: 0 pages fetched") {
		t.Errorf("an output folder owned by another store: exit %d, want 1 with the error then a summary last\n%s", r.code, r.stderr)
	}
	// A store held by another process: the same.
	db := filepath.Join(dir, "held.db")
	if r := crawl(t, "--url", srv.URL+site.Posts[0].Path, "--db", db); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	st, err := store.Open(t.Context(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r = crawl(t, "--url", srv.URL+site.Posts[0].Path, "--db", db, "--lock-timeout", "100ms")
	if r.code != 1 || !strings.Contains(r.stderr, "in use") || !strings.HasPrefix(r.lastStderrLine(), "newsmill: 0 pages fetched") {
		t.Errorf("a locked store: exit %d, want 1 with a summary last\n%s", r.code, r.stderr)
	}
}

func TestDashVIsNoLongerTheVersionAndSaysWhatToType(t *testing.T) {
	r := crawl(t, "-v")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "--version prints the version") || !strings.Contains(r.stderr, "--log-level debug") {
		t.Errorf("-v: exit %d, stdout %q, stderr %q; want 2 pointing at --version and --log-level debug", r.code, r.stdout, r.stderr)
	}
	if r := crawl(t, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "crawl ") {
		t.Errorf("--version: exit %d, %q", r.code, r.stdout)
	}
}

func TestCompletionHelpHasAnExampleForEachShell(t *testing.T) {
	r := crawl(t, "completion", "--help")
	_, ex, ok := strings.Cut(r.stdout, "Examples:")
	if r.code != 0 || !ok {
		t.Fatalf("completion --help: exit %d, no examples:\n%s", r.code, r.stdout)
	}
	for _, want := range []string{"source <(crawl completion bash)", "crawl completion zsh", "crawl completion fish"} {
		if !strings.Contains(ex, want) {
			t.Errorf("the examples lack %q:\n%s", want, ex)
		}
	}
}

// Already true after the layout move (issue 16): the lists come from the command tree.
func TestUnknownCommandErrorsListEveryCommandTheClusterOnesToo(t *testing.T) {
	for _, args := range [][]string{{"nosuch"}, {"help", "nosuch"}} {
		r := crawl(t, args...)
		for _, name := range []string{"serve", "stats", "export", "forget", "health", "version", "worker", "enqueue", "sink", "completion"} {
			if r.code != 2 || !strings.Contains(r.stderr, name) {
				t.Errorf("%v: exit %d, the command list lacks %s: %s", args, r.code, name, r.stderr)
			}
		}
	}
}

func TestDebugLogsOneLinePerRequestWithStatusBytesTimeDecisionAndExtractor(t *testing.T) {
	site := sitegen.New(3)
	srv := httptest.NewServer(site)
	defer srv.Close()
	post := srv.URL + site.Posts[0].Path
	r := crawl(t, "--url", post, "--url", srv.URL+"/nosuch.html", "--log-level", "debug")
	var article, failed map[string]any
	for _, line := range strings.Split(r.stderr, "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) != nil || l["msg"] != "crawled" {
			continue
		}
		switch l["url"] {
		case post:
			article = l
		case srv.URL + "/nosuch.html":
			failed = l
		}
	}
	if article == nil || failed == nil {
		t.Fatalf("no crawled line for each request:\n%s", r.stderr)
	}
	if article["status"] != 200.0 || article["decision"] != "article" || article["extractor"] == nil || article["bytes"].(float64) <= 0 || article["took"] == nil {
		t.Errorf("the article's line: %v", article)
	}
	if failed["status"] != 404.0 || failed["decision"] != "failed" {
		t.Errorf("the 404's line: %v", failed)
	}
}

func TestURLRunsTakeDelayRetriesTimeoutAndUserAgentFlags(t *testing.T) {
	site := sitegen.New(3)
	var mu sync.Mutex
	agents := map[string]bool{}
	hits, srv := newHitSite(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.UserAgent()] = true
		mu.Unlock()
		switch r.URL.Path {
		case "/busy.html":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case "/slow.html":
			time.Sleep(3 * time.Second)
		default:
			site.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	two := distinct(site, 2)
	a, b := srv.URL+two[0].Path, srv.URL+two[1].Path
	start := time.Now()
	r := crawl(t, "--url", a, "--url", b, "--url", srv.URL+"/busy.html", "--url", srv.URL+"/slow.html",
		"--delay", "400ms", "--retries", "0", "--timeout", "500ms", "--user-agent", "mybot/2 (+https://example.org/bot)")
	took := time.Since(start)
	if r.code != 3 || len(parseJSONL(t, r.stdout)) != 2 {
		t.Fatalf("exit %d, %d records; want 3 and the two articles\n%s", r.code, len(parseJSONL(t, r.stdout)), r.stderr)
	}
	if n := hits.count("/busy.html"); n != 1 {
		t.Errorf("--retries 0: the 503 was requested %d times", n)
	}
	if !strings.Contains(r.stderr, "no complete response within 500ms") || took > 2500*time.Millisecond {
		t.Errorf("--timeout 500ms: the slow page was not cut at it (run took %s)\n%s", took, r.stderr)
	}
	mu.Lock()
	if len(agents) != 1 || !agents["mybot/2 (+https://example.org/bot)"] {
		t.Errorf("--user-agent: the server saw %v", agents)
	}
	mu.Unlock()
	// Four pages of one host, two at a time (parallelism 2), each followed by 400ms: the last two
	// wait for it.
	var all []time.Time
	for _, p := range []string{two[0].Path, two[1].Path, "/busy.html", "/slow.html", "/robots.txt"} {
		all = append(all, hits.times(p)...)
	}
	slices.SortFunc(all, func(x, y time.Time) int { return x.Compare(y) })
	if len(all) < 5 || all[len(all)-1].Sub(all[0]) < 380*time.Millisecond {
		t.Errorf("--delay 400ms: 5 requests within %s", all[len(all)-1].Sub(all[0]))
	}
	for _, args := range [][]string{{"--url", a, "--retries", "99"}, {"--url", a, "--delay", "-1s"}, {"--config", "c.yaml", "--timeout", "1s"}} {
		if r := crawl(t, args...); r.code != 2 || !strings.Contains(r.stderr, args[len(args)-2]) {
			t.Errorf("%v: exit %d, want 2 naming the flag\n%s", args, r.code, r.stderr)
		}
	}
}

// crawlIn is crawl with stdin.
func crawlIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// rulePage is a news page of a site no extractor knows, in the shape rules are written for: a
// headline, a meta line with time and source, story paragraphs with an ad among them.
const rulePage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>站点 | 海滨新闻</title>%s</head>
<body><div class="nav"><a href="/">首页</a></div><h1 class="headline">海滨港口五月吞吐量创新高</h1>
<div class="meta"><time datetime="2024-05-01T08:30:00+08:00">2024年5月1日 08:30</time> <span class="src">来源：海滨日报</span></div>
<div class="story"><p>海滨港口五月第一周集装箱吞吐量同比增长百分之十二，创下历史新高，港口方面表示新航线开通是主要原因。</p><div class="ad">广告：买一送一</div>
<p>港务局负责人介绍，今年以来港口持续优化作业流程，船舶平均在港时间缩短了近一成，吞吐能力明显提升。</p>
<p>业内人士认为，随着区域贸易往来日益频繁，港口吞吐量有望继续保持增长态势。</p></div></body></html>`

const ruleSet = `rules:
  - name: haibin
    hosts: [news.example.com]
    title: h1.headline
    time: .meta time
    source: .meta .src
    body: div.story p
    drop: [div.ad]
  - name: other
    hosts: [other.example.org]
    title: h2.nothing
`

func TestExtractWithRulesPrintsTheRecordAndWhatEachSelectorMatched(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	page := filepath.Join(dir, "1.html")
	if err := os.WriteFile(rules, []byte(ruleSet), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, []byte(fmt.Sprintf(rulePage, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	const addr = "https://news.example.com/a/20240501/1.html"
	r := crawl(t, "extract", "--rules", rules, "--page-url", addr, page)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	recs := parseJSONL(t, r.stdout)
	if len(recs) != 1 || recs[0].Extractor != "rules:haibin" || recs[0].Title != "海滨港口五月吞吐量创新高" || recs[0].Source != "海滨日报" ||
		recs[0].URL != addr || strings.Contains(recs[0].Body, "买一送一") {
		t.Errorf("record: %+v", recs)
	}
	for _, want := range []string{
		"rules:haibin applies to " + addr,
		`title   "h1.headline" matched 1, first: "海滨港口五月吞吐量创新高"`,
		`body    "div.story p" matched 3`,
		`drop[0] "div.ad" matched 1`,
		"rules:other does not apply",
		`"h2.nothing" matched nothing`,
		"by extractor rules:haibin",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	// Without the page's address the rule cannot apply, and stderr says what to give.
	r = crawl(t, "extract", "--rules", rules, page)
	if r.code != 0 || !strings.Contains(r.stderr, "rules:haibin does not apply") || !strings.Contains(r.stderr, "--page-url") {
		t.Errorf("no --page-url: exit %d\n%s", r.code, r.stderr)
	}
	// Bad input: no rules in the file, a bad selector, a missing page.
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("rules:\n  - name: x\n    hosts: [a.b]\n    title: 'h1[['\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--rules", page, page}, {"--rules", filepath.Join(dir, "bad.yaml"), page}, {filepath.Join(dir, "nope.html")}, {page, page}} {
		if r := crawl(t, append([]string{"extract"}, args...)...); r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("extract %v: exit %d, want 2 with one line\n%s", args, r.code, r.stderr)
		}
	}
}

func TestHTMLOnStdinIsExtractedAndCrawled(t *testing.T) {
	const addr = "https://news.example.com/a/20240501/1.html"
	withURL := fmt.Sprintf(rulePage, `<link rel="canonical" href="`+addr+`">`)
	r := crawlIn(t, withURL, "extract", "-")
	if recs := parseJSONL(t, r.stdout); r.code != 0 || len(recs) != 1 || recs[0].URL != addr || recs[0].Extractor != "generic" {
		t.Errorf("extract -: exit %d, %s\n%s", r.code, r.stdout, r.stderr)
	}
	db := filepath.Join(t.TempDir(), "s.db")
	r = crawlIn(t, withURL, "--url", "-", "--db", db)
	if recs := parseJSONL(t, r.stdout); r.code != 0 || len(recs) != 1 || recs[0].URL != addr {
		t.Errorf("--url -: exit %d, %s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.HasPrefix(r.lastStderrLine(), "newsmill: 1 pages fetched, 1 articles, 1 new records") {
		t.Errorf("--url -: summary %q", r.lastStderrLine())
	}
	// Piped again into the same store: a duplicate, nothing written.
	if r := crawlIn(t, withURL, "--url", "-", "--db", db); r.code != 0 || r.stdout != "" {
		t.Errorf("--url - again: exit %d, %q", r.code, r.stdout)
	}
	if r := crawlIn(t, "", "--url", "-"); r.code != 3 || !strings.Contains(r.stderr, "- could not be read: read stdin") {
		t.Errorf("--url - of nothing: exit %d\n%s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"--url", "-", "--urls-from", "-"}, {"--url", "-", "--url", "-"}} {
		if r := crawlIn(t, withURL, args...); r.code != 2 || !strings.Contains(r.stderr, "stdin is read once") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}

func TestEveryLocalTargetThatGaveNoRecordSaysWhyAtTheDefaultLevel(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A folder of images and PDFs: nothing a crawl reads.
	write("pics/a.png", "\x89PNG\r\n")
	write("pics/b.pdf", "%PDF-1.4")
	// A folder of listing pages: every one read, every one refused as no article.
	list := `<html><head><title>要闻</title></head><body><ul>` + strings.Repeat(`<li><a href="/n/1.html">一条新闻的标题在这里</a></li>`, 12) + `</ul></body></html>`
	write("lists/index.html", list)
	write("lists/more.html", list)
	// A folder whose only page is past the size cap (a sparse file: no disk spent).
	big := write("big/huge.html", "")
	if err := os.Truncate(big, 11<<20); err != nil {
		t.Fatal(err)
	}
	r := crawl(t, "--url", "file://"+filepath.Join(dir, "pics"), "--url", "file://"+filepath.Join(dir, "lists"), "--url", "file://"+filepath.Join(dir, "big"))
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
	}
	line := errorLine(r.stderr)
	for _, want := range []string{
		"pics gave no record: no HTML, Markdown, JSON or WARC file in it (2 files of other types passed over)",
		"lists gave no record: of 2 files: 2 pages are not articles (first: index.html: generic: not an article",
		"big gave no record: its one file is too large to read (over 10485760 bytes)",
	} {
		if !strings.Contains(line, want) {
			t.Errorf("the error line lacks %q:\n%s", want, line)
		}
		if !strings.Contains(r.stderr, `"level":"warn"`) || !strings.Contains(r.stderr, strings.SplitN(want, " (", 2)[0]) {
			t.Errorf("no warning at the default level says %q:\n%s", want, r.stderr)
		}
	}
}
