package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The portal templates of testdata/portals (pages written for this test by its generate.py, in the
// shape of real portals): a Chinese flash-news portal of one-sentence items with a statement
// under every page, "相关阅读" boxes, a "24小时热门" rail and paginated categories; an English
// opinion site whose briefs sit beside a fifteen-item "More from" rail and a side bar of a
// hundred links, with a disclaimer under every article; a county news site of the 2000s laid
// out in tables, text in <td> with <br>, a statement row under every page; a Sina-style roll
// site of list_N.shtml pages of twenty thumbnail, headline, time and summary items; a WordPress
// news theme's home, /page/2/, category, tag and author archives (a tag of one post whose
// excerpt is its whole text); a city paper whose category pages open with a lead block (the
// newest story's headline and first paragraph), whose home page is a grid of cards, with a
// search page of two results (generate_more.py). Each is served from its own server, so each
// is a site of its own.

// portalRecord is the part of a record these tests read.
type portalRecord struct {
	URL         string `json:"url"`
	Title       string `json:"title"`
	PublishedAt string `json:"published_at"`
	Source      string `json:"source"`
	Author      string `json:"author"`
	Body        string `json:"body"`
}

type portalTruth struct {
	Title, Body, Published, Source, Author, Statement string
}

// readPortalTruth reads a truth file, only the articles of sites when they are named.
func readPortalTruth(t *testing.T, name string, sites ...string) map[string]portalTruth {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "portals", name))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]portalTruth
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(sites) > 0 {
		for path := range out {
			if site, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/"); !slices.Contains(sites, site) {
				delete(out, path)
			}
		}
	}
	return out
}

func readPortalRecords(t *testing.T, dir string) []portalRecord {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var out []portalRecord
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if line == "" {
				continue
			}
			var r portalRecord
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("line is not JSON: %v", err)
			}
			out = append(out, r)
		}
	}
	return out
}

var portalNames = []string{"flash", "ledger", "county", "roll", "press", "metro"}

// portalSites serves testdata/portals from one server per template (names, or all).
func portalSites(t *testing.T, names ...string) map[string]*httptest.Server {
	t.Helper()
	if len(names) == 0 {
		names = portalNames
	}
	files := http.FileServer(http.Dir(filepath.Join("..", "..", "testdata", "portals")))
	out := map[string]*httptest.Server{}
	for _, name := range names {
		srv := httptest.NewServer(files)
		t.Cleanup(srv.Close)
		out[name] = srv
	}
	return out
}

// checkPortalRecord compares a record with its truth; statementOK allows the site's statement
// line after the exact body (a page read before the site's template was known).
func checkPortalRecord(t *testing.T, path string, r portalRecord, want portalTruth, statementOK bool) (hasStatement bool) {
	t.Helper()
	body := r.Body
	if statementOK && body == want.Body+"\n\n"+want.Statement {
		hasStatement, body = true, want.Body
	}
	if body != want.Body {
		t.Errorf("%s: body\n%q\nwant exactly\n%q", path, r.Body, want.Body)
	}
	if r.Title != want.Title || r.PublishedAt != want.Published {
		t.Errorf("%s: title %q published %s, want %q %s", path, r.Title, r.PublishedAt, want.Title, want.Published)
	}
	if want.Source != "" && r.Source != want.Source {
		t.Errorf("%s: source %q, want %q", path, r.Source, want.Source)
	}
	if want.Author != "" && r.Author != want.Author {
		t.Errorf("%s: author %q, want %q", path, r.Author, want.Author)
	}
	return hasStatement
}

func TestPortalTemplatesGiveEveryArticleOnceAndTheStatementLeavesOnceTheTemplateIsKnown(t *testing.T) {
	sites := portalSites(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "portals.yaml")
	// One request at a time per site, so that the records come out in the order the pages were
	// read and "after the template is known" is a place in the output.
	body := fmt.Sprintf(`store: ./data/portals.db
output: ./out
sources:
  - name: flash
    seeds: [%[1]s/flash/, %[1]s/flash/kuaixun/, %[1]s/flash/gupiao/, %[1]s/flash/qihuo/]
    parallelism: 1
  - name: ledger
    seeds: [%[2]s/ledger/, %[2]s/ledger/opinion/page/1.html, %[2]s/ledger/opinion/page/2.html]
    parallelism: 1
  - name: county
    seeds: [%[3]s/county/index.html, %[3]s/county/list.html, %[3]s/county/list2.html]
    parallelism: 1
  - name: roll
    seeds: [%[4]s/roll/, %[4]s/roll/finance/list_1.shtml, %[4]s/roll/stock/list_1.shtml, %[4]s/roll/tech/list_1.shtml]
    parallelism: 1
  - name: press
    seeds: [%[5]s/press/]
    parallelism: 1
  - name: metro
    seeds: [%[6]s/metro/, %[6]s/metro/news/, %[6]s/metro/city/, '%[6]s/metro/search?q=%%E6%%A1%%A5']
    parallelism: 1
`, sites["flash"].URL, sites["ledger"].URL, sites["county"].URL, sites["roll"].URL, sites["press"].URL, sites["metro"].URL)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	r := crawl(t, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	truth := readPortalTruth(t, "expected.json")
	seen := map[string]int{}
	withStatement := map[string]int{} // by site: records read before the template was known
	known := map[string]bool{}        // a record without the statement was written
	lastHad := map[string]bool{}
	for _, rec := range readPortalRecords(t, filepath.Join(dir, "out")) {
		site, path := "", ""
		for name, srv := range sites {
			if strings.HasPrefix(rec.URL, srv.URL+"/") {
				site, path = name, strings.TrimPrefix(rec.URL, srv.URL)
			}
		}
		want, ok := truth[path]
		if !ok {
			t.Errorf("record for a page that is no article: %s (%q)", rec.URL, rec.Title)
			continue
		}
		seen[path]++
		had := checkPortalRecord(t, path, rec, want, true)
		if had {
			withStatement[site]++
			if known[site] {
				t.Errorf("%s: the statement is back after the template was known", path)
			}
		}
		known[site] = known[site] || !had
		lastHad[site] = had
	}
	for path := range truth {
		if seen[path] != 1 {
			t.Errorf("%s emitted %d times, want once", path, seen[path])
		}
	}
	for site := range sites {
		// The site's own pages teach the statement: at most the first three articles (fewer
		// where listings carry it in the same place) keep it.
		if withStatement[site] > 3 {
			t.Errorf("%s: %d records carry the site's statement, want at most the first 3", site, withStatement[site])
		}
		if lastHad[site] {
			t.Errorf("%s: the last record still carries the statement: the template was never learned", site)
		}
	}

	// The next run starts knowing the sites: the articles published since come out exact from
	// the first one on, which a run without the store (learning from nothing) does not do.
	later := readPortalTruth(t, "later.json")
	args := []string{"--db", filepath.Join(dir, "data", "portals.db")}
	for _, name := range []string{"flash", "ledger", "county"} {
		args = append(args, "--url", sites[name].URL+"/"+name+"/later.html")
	}
	next := crawl(t, args...)
	if next.code != 0 {
		t.Fatalf("next run: exit %d\n%s", next.code, next.stderr)
	}
	got := 0
	for _, rec := range parsePortalLines(t, next.stdout) {
		for name, srv := range sites {
			path := strings.TrimPrefix(rec.URL, srv.URL)
			if want, ok := later[path]; ok && strings.HasPrefix(rec.URL, srv.URL+"/") {
				got++
				checkPortalRecord(t, name+path, rec, want, false)
			}
		}
	}
	if got != len(later) {
		t.Errorf("next run gave %d of the %d new articles:\n%s", got, len(later), next.stdout)
	}
	fresh := crawl(t, "--url", sites["ledger"].URL+"/ledger/opinion/101.html")
	if recs := parsePortalLines(t, fresh.stdout); len(recs) != 1 || !strings.Contains(recs[0].Body, later["/ledger/opinion/101.html"].Statement) {
		t.Errorf("a run that knows nothing of the site should keep its statement (the check above would prove nothing): %q", fresh.stdout)
	}
}

func parsePortalLines(t *testing.T, s string) []portalRecord {
	t.Helper()
	var out []portalRecord
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var r portalRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line is not JSON: %v: %.200s", err, line)
		}
		out = append(out, r)
	}
	return out
}
