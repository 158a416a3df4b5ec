package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/cluster"
	"github.com/newsmill/newsmill/testkit/natstest"
)

// The portal sites of learn_e2e_test.go crawled by cluster workers: what a worker learns of a
// site's template lives in the cluster's sites bucket, so the records of the crawl lose the
// statement once the workers know it, and a worker started for the next pass, a process that
// never read the sites, reads their new articles exact from its first page on.

// portalSeeds are the first pass's seeds of each portal site, as in the single-machine test.
var portalSeeds = map[string][]string{
	"flash":  {"/flash/", "/flash/kuaixun/", "/flash/gupiao/", "/flash/qihuo/"},
	"ledger": {"/ledger/", "/ledger/opinion/page/1.html", "/ledger/opinion/page/2.html"},
	"county": {"/county/index.html", "/county/list.html", "/county/list2.html"},
}

// writePortalClusterConfig writes a cluster config crawling seeds (paths by site) of sites,
// each site one source fetched one request at a time over every worker, and a pause between
// two requests to it long enough for the worker that read a page to have judged it and saved
// what it learned before another worker reads the next: "after the template is known" is then
// a place in the record stream, as it is in one process.
func writePortalClusterConfig(t *testing.T, dir, natsURL, prefix string, sites map[string]string, seeds map[string][]string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "log_level: warn\ncluster:\n  nats: [%s]\n  prefix: %s\n  lease: 5s\n  concurrency: 4\nsources:\n", natsURL, prefix)
	for _, name := range []string{"flash", "ledger", "county"} {
		var urls []string
		for _, p := range seeds[name] {
			urls = append(urls, sites[name]+p)
		}
		fmt.Fprintf(&b, "  - name: %s\n    seeds: [%s]\n    parallelism: 1\n    delay: 100ms\n", name, strings.Join(urls, ", "))
	}
	cfg := filepath.Join(dir, prefix+".yaml")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// clusterPass runs one pass of cfg's sources over n fresh worker processes: they start, the
// seeds are queued, the frontier drains, and the workers stop (saving what they learned).
func clusterPass(t *testing.T, dir, cfg, name string, c *cluster.Cluster, n int) {
	t.Helper()
	var workers []*proc
	for i := range n {
		workers = append(workers, startProc(t, dir, fmt.Sprintf("%s-worker%d", name, i), "worker", "--config", cfg, "--listen", "127.0.0.1:0"))
	}
	if r := crawl(t, "enqueue", "--config", cfg); r.code != 0 {
		t.Fatalf("%s: enqueue: exit %d\n%s", name, r.code, r.stderr)
	}
	waitFrontierEmpty(t, c, 30*time.Second)
	for _, w := range workers {
		if last, err := w.stop(t); err != nil {
			b, _ := os.ReadFile(w.stderr)
			t.Fatalf("%s: worker exit %v: %s\n%s", name, err, last, b)
		}
	}
}

// siteRecord is a record of the stream with the site and path it was read from.
type siteRecord struct {
	site, path string
	rec        portalRecord
}

// streamRecords reads the cluster's record stream, in the order the records were published.
func streamRecords(t *testing.T, c *cluster.Cluster, sites map[string]string) []siteRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []siteRecord
	_, err := c.Export(ctx, cluster.ExportFilter{}, func(_ string, line []byte) error {
		var r portalRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		sr := siteRecord{rec: r}
		for name, base := range sites {
			if strings.HasPrefix(r.URL, base+"/") {
				sr.site, sr.path = name, strings.TrimPrefix(r.URL, base)
			}
		}
		out = append(out, sr)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// laterSeeds are the next pass's seeds: each site's page of new articles and the articles, so
// that they are among the first pages the next pass reads of their site.
func laterSeeds(later map[string]portalTruth) map[string][]string {
	out := map[string][]string{}
	for _, name := range []string{"flash", "ledger", "county"} {
		out[name] = []string{"/" + name + "/later.html"}
	}
	for path := range later {
		name := strings.Split(path, "/")[1]
		out[name] = append(out[name], path)
	}
	return out
}

func TestClusterWorkersLearnPortalTemplatesAndAFreshWorkerOfTheNextPassReadsThemFromTheBucket(t *testing.T) {
	started := time.Now()
	srv := natstest.Start(t)
	// The first three templates: two workers over a site's pages, one request at a time with a
	// pause between, take long enough.
	names := []string{"flash", "ledger", "county"}
	servers := portalSites(t, names...)
	sites := map[string]string{}
	for name, s := range servers {
		sites[name] = s.URL
	}
	dir := t.TempDir()
	truth := readPortalTruth(t, "expected.json", names...)
	later := readPortalTruth(t, "later.json", names...)

	// The first pass: two workers share the sites, one request at a time per site.
	cfg := writePortalClusterConfig(t, dir, srv.URL(), "portals", sites, portalSeeds)
	c := connectTest(t, srv.URL(), "portals")
	clusterPass(t, dir, cfg, "first", c, 2)
	first := streamRecords(t, c, sites)
	seen := map[string]int{}
	withStatement := map[string]int{}
	last := map[string]bool{} // whether the site's latest record carried the statement
	for _, r := range first {
		want, ok := truth[r.path]
		if !ok {
			t.Errorf("record for a page that is no article: %s (%q)", r.rec.URL, r.rec.Title)
			continue
		}
		seen[r.path]++
		had := checkPortalRecord(t, r.path, r.rec, want, true)
		if had {
			withStatement[r.site]++
		}
		last[r.site] = had
	}
	for path := range truth {
		if seen[path] != 1 {
			t.Errorf("%s is %d times in the record stream, want once", path, seen[path])
		}
	}
	for name := range sites {
		// The workers share a new site's state around each page, so together they learn it
		// as one process does: at most the site's first three articles keep the statement.
		if withStatement[name] > 3 {
			t.Errorf("%s: %d records carry the site's statement, want at most the first 3", name, withStatement[name])
		}
		if last[name] {
			t.Errorf("%s: the last record still carries the statement: the workers never learned the template", name)
		}
	}
	t.Logf("first pass: %d records over 2 workers, with the statement: %v, %s", len(first), withStatement, time.Since(started).Round(time.Millisecond))

	// The next pass: one new worker, which knows of the sites only what the bucket holds.
	laterCfg := writePortalClusterConfig(t, filepath.Join(dir, "later"), srv.URL(), "portals", sites, laterSeeds(later))
	clusterPass(t, dir, laterCfg, "next", c, 1)
	got := map[string]int{}
	for _, r := range streamRecords(t, c, sites)[len(first):] {
		want, ok := later[r.path]
		if !ok {
			t.Errorf("next pass: record for a page that is no new article: %s (%q)", r.rec.URL, r.rec.Title)
			continue
		}
		got[r.path]++
		checkPortalRecord(t, r.site+r.path, r.rec, want, false)
	}
	for path := range later {
		if got[path] != 1 {
			t.Errorf("next pass: %s is %d times in the record stream, want once", path, got[path])
		}
	}

	// The same next pass in a cluster whose bucket knows nothing keeps the statement on the
	// first new article of every site: the check above is the bucket's doing.
	bare := connectTest(t, srv.URL(), "bare")
	bareCfg := writePortalClusterConfig(t, filepath.Join(dir, "later"), srv.URL(), "bare", sites, laterSeeds(later))
	clusterPass(t, dir, bareCfg, "bare", bare, 1)
	firstNew := map[string]bool{}
	for _, r := range streamRecords(t, bare, sites) {
		want, ok := later[r.path]
		if !ok || firstNew[r.site] {
			continue
		}
		firstNew[r.site] = true
		if !strings.Contains(r.rec.Body, want.Statement) {
			t.Errorf("%s: a worker that knows nothing of the site dropped its statement from its first new article: the check above proves nothing\n%q", r.path, r.rec.Body)
		}
	}
	if len(firstNew) != len(sites) {
		t.Errorf("the pass without a template gave new articles of %d of the %d sites", len(firstNew), len(sites))
	}
	t.Logf("three passes in %s", time.Since(started).Round(time.Millisecond))
}
