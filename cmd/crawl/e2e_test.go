package main_test

// End-to-end tests: the real binary, a real bbolt file, a site served on 127.0.0.1.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "newsmill-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "crawl")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build crawl:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code   int
	stdout string
	stderr string
}

func crawl(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
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

func (r result) lastStderrLine() string {
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	return lines[len(lines)-1]
}

type record struct {
	ID            string   `json:"id"`
	URL           string   `json:"url"`
	Title         string   `json:"title"`
	PublishedAt   string   `json:"published_at"`
	Body          string   `json:"body"`
	Source        string   `json:"source"`
	SourceURL     string   `json:"source_url"`
	Stocks        []string `json:"stocks"`
	Categories    []string `json:"categories"`
	Summary       string   `json:"summary"`
	Extractor     string   `json:"extractor"`
	DateSource    string   `json:"date_source"`
	ContentHash   string   `json:"content_hash"`
	SchemaVersion int      `json:"schema_version"`
}

func parseJSONL(t *testing.T, data string) []record {
	t.Helper()
	var out []record
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line is not JSON: %v: %.200s", err, sc.Text())
		}
		out = append(out, r)
	}
	return out
}

func readDir(t *testing.T, dir string) []record {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			t.Fatalf("%s ends in a partial line", f)
		}
		all.Write(b)
	}
	return parseJSONL(t, all.String())
}

func ids(recs []record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	sort.Strings(out)
	return out
}

var residue = []string{"EM_StockImg", "返回首页", "文章来源", "NewsShare.html", "GMT+8", "tags:", "<p", "&nbsp;", "K图", "display:none"}

func checkRecord(t *testing.T, r record) {
	t.Helper()
	if r.ID == "" || r.URL == "" || r.Title == "" || r.PublishedAt == "" || r.Body == "" {
		t.Errorf("record %s lacks a required field: %+v", r.ID, r)
	}
	if _, err := time.Parse(time.RFC3339, r.PublishedAt); err != nil || !strings.HasSuffix(r.PublishedAt, "+08:00") {
		t.Errorf("record %s: published_at %q is not RFC 3339 with the +08:00 offset", r.ID, r.PublishedAt)
	}
	for _, s := range residue {
		if strings.Contains(r.Body, s) {
			t.Errorf("record %s: body carries page residue %q", r.ID, s)
		}
	}
	if r.SchemaVersion != 1 || !strings.HasPrefix(r.ContentHash, "sha256:") {
		t.Errorf("record %s: schema_version %d, content_hash %q", r.ID, r.SchemaVersion, r.ContentHash)
	}
}

func writeConfig(t *testing.T, dir, seeds string) string {
	t.Helper()
	cfg := filepath.Join(dir, "finews.yaml")
	body := fmt.Sprintf("store: ./data/finews.db\noutput: ./out\nsources:\n  - name: finews\n    seeds: [%s]\n    allowed_hosts: [127.0.0.1]\n", seeds)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestConfigCrawlEmitsEveryArticleOnceAndARerunEmitsNothing(t *testing.T) {
	site := sitegen.New(30)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL+"/, "+srv.URL+"/category/emnews.html")

	first := crawl(t, "--config", cfg)
	if first.code != 0 {
		t.Fatalf("exit %d\n%s", first.code, first.stderr)
	}
	recs := readDir(t, filepath.Join(dir, "out"))
	if got, want := ids(recs), site.IDs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("emitted %d ids, want %d distinct:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for _, r := range recs {
		checkRecord(t, r)
	}
	if !strings.HasPrefix(first.lastStderrLine(), "newsmill: ") || !strings.Contains(first.lastStderrLine(), fmt.Sprintf("%d new records", len(site.IDs()))) {
		t.Errorf("last stderr line is not the summary: %q", first.lastStderrLine())
	}

	second := crawl(t, "--config", cfg)
	if second.code != 0 {
		t.Fatalf("rerun exit %d\n%s", second.code, second.stderr)
	}
	if again := readDir(t, filepath.Join(dir, "out")); len(again) != len(recs) {
		t.Fatalf("rerun added %d records", len(again)-len(recs))
	}
	if !strings.Contains(second.lastStderrLine(), " 0 new records") {
		t.Errorf("rerun summary: %q", second.lastStderrLine())
	}
}

func TestURLRunOfAListingGivesTheArticlesItLinksTo(t *testing.T) {
	site := sitegen.New(12)
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawl(t, "--url", srv.URL+"/category/emnews.html")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	recs := parseJSONL(t, r.stdout)
	want := map[string]bool{}
	for _, p := range site.Posts {
		if p.Category == "emnews" {
			want[p.ID] = true
		}
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want the %d emnews articles", len(recs), len(want))
	}
	for _, rec := range recs {
		if !want[rec.ID] {
			t.Errorf("unexpected record %s", rec.ID)
		}
		checkRecord(t, rec)
	}
}

func TestURLRunOfAnArticleGivesOnlyThatArticle(t *testing.T) {
	site := sitegen.New(6)
	srv := httptest.NewServer(site)
	defer srv.Close()
	p := site.Posts[0] // a media article: it links back to its category page
	r := crawl(t, "--url", srv.URL+p.Path)
	recs := parseJSONL(t, r.stdout)
	if r.code != 0 || len(recs) != 1 || recs[0].ID != p.ID {
		t.Fatalf("exit %d, records %v, want only %s\n%s", r.code, ids(recs), p.ID, r.stderr)
	}
	if recs[0].URL != srv.URL+p.Path {
		t.Errorf("url = %q", recs[0].URL)
	}
}

func TestURLRunWithoutDBRepeatsAcrossRunsAndWithDBDoesNot(t *testing.T) {
	site := sitegen.New(6)
	srv := httptest.NewServer(site)
	defer srv.Close()
	u := srv.URL + site.Posts[1].Path
	for i := 0; i < 2; i++ {
		if recs := parseJSONL(t, crawl(t, "--url", u).stdout); len(recs) != 1 {
			t.Fatalf("run %d without --db: %d records, want 1", i, len(recs))
		}
	}
	db := filepath.Join(t.TempDir(), "s.db")
	if recs := parseJSONL(t, crawl(t, "--url", u, "--db", db).stdout); len(recs) != 1 {
		t.Fatalf("first run with --db: %d records", len(recs))
	}
	if recs := parseJSONL(t, crawl(t, "--url", u, "--db", db).stdout); len(recs) != 0 {
		t.Fatalf("second run with --db repeated %d records", len(recs))
	}
}

func TestBackfillOfRawPostsGivesTheSameRecordsAsTheSite(t *testing.T) {
	site := sitegen.New(9)
	posts := t.TempDir()
	for _, p := range site.Posts {
		name, content := p.RawPost()
		sub := filepath.Join(posts, p.Category) // a folder of folders, read recursively
		os.MkdirAll(sub, 0o755)
		if err := os.WriteFile(filepath.Join(sub, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(posts, "2022-01-01-broken.md"), []byte("---\ntitle: \"\"\n---\nno date, no title\n"), 0o644)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r := crawl(t, "--url", "file://"+posts, "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(out)
	recs := parseJSONL(t, string(b))
	if got, want := ids(recs), site.IDs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("backfill ids %v, want %v", got, want)
	}
	for _, rec := range recs {
		checkRecord(t, rec)
	}
	if !strings.Contains(r.stderr, "2022-01-01-broken.md") {
		t.Errorf("the broken post is not named in the log:\n%s", r.stderr)
	}
}

func TestSecondCrawlOnTheSameStoreWaitsThenFailsNamingTheHolder(t *testing.T) {
	site := sitegen.New(3)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL+"/")
	os.WriteFile(cfg, append(must(os.ReadFile(cfg)), []byte("lock_timeout: 500ms\n")...), 0o644)
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	holder, err := store.Open(t.Context(), filepath.Join(dir, "data", "finews.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	start := time.Now()
	r := crawl(t, "--config", cfg)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	if time.Since(start) < 400*time.Millisecond {
		t.Errorf("gave up before the lock timeout")
	}
	if !strings.Contains(r.stderr, "in use by another process") || !strings.Contains(r.stderr, fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("message does not say who holds the store:\n%s", r.stderr)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestBadConfigExitsTwoNamingFileLineAndKey(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(cfg, []byte("store: ./s.db\noutput: ./out\nsources:\n  - name: x\n    seeds: [ftp://example/]\n"), 0o644)
	r := crawl(t, "--config", cfg)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"bad.yaml", "line 5", "sources[0].seeds[0]"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("error lacks %q: %s", want, r.stderr)
		}
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("a config error should be one line:\n%s", r.stderr)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{{}, {"--url", "ftp://x/"}, {"--nope"}, {"--url", "http://127.0.0.1:1/", "--config", "x.yaml"}} {
		if r := crawl(t, args...); r.code != 2 {
			t.Errorf("crawl %v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
}

func TestUnwritableOutputExitsOneAndStoresNothing(t *testing.T) {
	site := sitegen.New(3)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	db := filepath.Join(dir, "s.db")
	r := crawl(t, "--url", srv.URL+site.Posts[0].Path, "--db", db, "--out", filepath.Join(blocker, "out.jsonl"))
	if r.code != 1 || !strings.Contains(r.stderr, "not writable") {
		t.Fatalf("exit %d, want 1 with a clear message\n%s", r.code, r.stderr)
	}
	// the article was not marked as emitted: a later run with a good output gets it
	out := filepath.Join(dir, "ok.jsonl")
	if r := crawl(t, "--url", srv.URL+site.Posts[0].Path, "--db", db, "--out", out); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if recs := parseJSONL(t, string(must(os.ReadFile(out)))); len(recs) != 1 {
		t.Errorf("record lost: %d records after the output was fixed", len(recs))
	}
}

func TestURLRunOfTheFeedGivesTheArticlesItLists(t *testing.T) {
	site := sitegen.New(20)
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := crawl(t, "--url", srv.URL+"/feed.xml")
	recs := parseJSONL(t, r.stdout)
	// the feed lists the 10 newest posts; twins among them share an id
	want := map[string]bool{}
	for _, p := range site.Posts[len(site.Posts)-10:] {
		want[p.ID] = true
	}
	if r.code != 0 || len(recs) != len(want) {
		t.Fatalf("exit %d, %d records, want %d\n%s", r.code, len(recs), len(want), r.stderr)
	}
	for _, rec := range recs {
		if !want[rec.ID] {
			t.Errorf("record %s is not in the feed", rec.ID)
		}
	}
}

func TestASavedPageReadFromDiskGivesTheSameRecordExceptURL(t *testing.T) {
	site := sitegen.New(4)
	srv := httptest.NewServer(site)
	defer srv.Close()
	p := site.Posts[0]
	web := parseJSONL(t, crawl(t, "--url", srv.URL+p.Path).stdout)
	resp, err := srv.Client().Get(srv.URL + p.Path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	saved := filepath.Join(t.TempDir(), "saved.html")
	os.WriteFile(saved, buf.Bytes(), 0o644)
	disk := parseJSONL(t, crawl(t, "--url", "file://"+saved).stdout)
	if len(web) != 1 || len(disk) != 1 {
		t.Fatalf("web %d records, disk %d", len(web), len(disk))
	}
	a, b := web[0], disk[0]
	if !strings.HasPrefix(b.URL, "file://") {
		t.Errorf("disk record url = %q", b.URL)
	}
	a.URL, b.URL = "", ""
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("records differ beyond url:\nweb  %s\ndisk %s", ja, jb)
	}
}

func TestURLRunWithDBDoesNotFetchStoredArticlesAgain(t *testing.T) {
	site := sitegen.New(20)
	srv := httptest.NewServer(site)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "s.db")
	if r := crawl(t, "--url", srv.URL+"/feed.xml", "--db", db); r.code != 0 || len(parseJSONL(t, r.stdout)) == 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	before := site.Hits.Load()
	r := crawl(t, "--url", srv.URL+"/feed.xml", "--db", db)
	if r.code != 0 || len(parseJSONL(t, r.stdout)) != 0 {
		t.Fatalf("second run: exit %d, %d records\n%s", r.code, len(parseJSONL(t, r.stdout)), r.stderr)
	}
	// the feed itself and robots.txt; none of the ten articles it lists
	if n := site.Hits.Load() - before; n > 2 {
		t.Errorf("second run made %d requests; stored articles were fetched again", n)
	}
}

// The kill lands once the listing is asked for: the run opens its store before it fetches, so
// the temporary store is open then (on Linux the test also sees the open, unlinked file among
// the process's descriptors), and a folder left would be this run's.
func TestAKilledURLRunLeavesNoTemporaryFolder(t *testing.T) {
	site := sitegen.New(6)
	slow := slowSite(site, 200*time.Millisecond)
	asked := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/category/emnews.html" {
			once.Do(func() { close(asked) })
		}
		slow.ServeHTTP(w, r)
	}))
	defer srv.Close()
	tmp := t.TempDir()
	cmd := exec.Command(binary, "--url", srv.URL+"/category/emnews.html")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		t.Fatal("the run never asked for the listing")
	}
	if open, ok := openFilesUnder(cmd.Process.Pid, tmp); ok {
		if len(open) == 0 {
			t.Fatalf("the run fetches with no store open under %s", tmp)
		}
		t.Logf("open at the kill: %v", open)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("a killed --url run left %v", left)
	}
}

// openFilesUnder lists the files process pid holds open under dir, read from /proc; ok is
// false where there is no /proc to read.
func openFilesUnder(pid int, dir string) (files []string, ok bool) {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return nil, false
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // /proc names the resolved path
	}
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			files = append(files, target)
		}
	}
	return files, true
}

// The lock surviving the deletion is store's TestDeletingTheStoreDoesNotLetASecondWriterIn: here
// the crawl itself notices at its next store call and stops.
func TestAStoreDeletedUnderARunningCrawlStopsIt(t *testing.T) {
	site := sitegen.New(20)
	// Every request after the first waits until the store is deleted, so the crawl is still
	// running then, with pages (and their store calls) to come, however slow the machine.
	var asked atomic.Int64
	removed := make(chan struct{})
	var once sync.Once
	remove := func(db string) { once.Do(func() { os.Remove(db); close(removed) }) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asked.Add(1) > 1 {
			select {
			case <-removed:
			case <-r.Context().Done():
				return
			}
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer remove("") // lets held requests go if the test ends first
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL+"/, "+srv.URL+"/category/emnews.html")
	first := exec.Command(binary, "--config", cfg)
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	db := filepath.Join(dir, "data", "finews.db")
	// The run fetches only once its store is open: a second page asked for (and held) after the
	// store file exists is the moment to delete it, with the crawl's store calls still to come.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(db); err == nil && asked.Load() > 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first crawl never opened its store and fetched (%d requests)", asked.Load())
		}
	}
	remove(db)
	first.Wait()
	if code := first.ProcessState.ExitCode(); code != 1 || !strings.Contains(firstErr.String(), "store file was changed") {
		t.Errorf("the first crawl: exit %d, want 1 naming the deleted store\n%s", code, firstErr.String())
	}
}

func TestOutToDevStdoutIntoAPipeIsRefusedUpFront(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	// crawl() gives the binary a pipe as stdout, as `crawl … | jq` does.
	r := crawl(t, "--url", "http://127.0.0.1:1/a.html", "--db", db, "--out", "/dev/stdout")
	if r.code != 2 || !strings.Contains(r.stderr, "/dev/stdout") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("exit %d, want 2 with one line naming /dev/stdout\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a store was created before the output was refused")
	}
}
