package main_test

// History through the real binary: the archive under SIGKILL, WARC files as input, the recheck
// window on a loopback site whose article changes, re-extraction and export of revisions.

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

type revRecord struct {
	ID         string   `json:"id"`
	URL        string   `json:"url"`
	Title      string   `json:"title"`
	FetchedAt  string   `json:"fetched_at"`
	Revision   int      `json:"revision"`
	RevisionOf string   `json:"revision_of"`
	Changed    []string `json:"changed"`
	ModifiedAt string   `json:"modified_at"`
	Hash       string   `json:"content_hash"`
}

func readRevs(t *testing.T, dir string) []revRecord {
	t.Helper()
	var out []revRecord
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l == "" {
				continue
			}
			var r revRecord
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			out = append(out, r)
		}
	}
	return out
}

func writeHistoryConfig(t *testing.T, dir, seeds, extra string) string {
	t.Helper()
	cfg := filepath.Join(dir, "finews.yaml")
	body := fmt.Sprintf("store: ./data/finews.db\noutput: ./out\narchive: ./archive\nsources:\n  - name: finews\n    seeds: [%s]\n    allowed_hosts: [127.0.0.1]\n%s", seeds, extra)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// checkArchived opens the store after a run and reads every id's archived response: it must be
// in a whole record of the archive, at its offset, the page of the record's URL.
func checkArchived(t *testing.T, dir string) int {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "data", "finews.db"), store.Options{ReadOnly: true, LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	err = st.ForEach(ctx, func(id string, e store.Entry) error {
		ref, ok, err := st.Archived(ctx, id)
		if err != nil || !ok {
			t.Errorf("id %s has no archived response (%v)", id, err)
			return nil
		}
		resp, err := archive.ReadAt(filepath.Join(dir, "archive", ref.File), ref.Offset)
		if err != nil {
			t.Errorf("id %s: archived response at %s:%d: %v", id, ref.File, ref.Offset, err)
			return nil
		}
		if resp.Status != 200 || !strings.Contains(string(resp.Body), strings.TrimPrefix(id, "NW")) {
			t.Errorf("id %s: the archived response (%s, %d) is not its page", id, resp.URL, resp.Status)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := archive.Files(filepath.Join(dir, "archive"))
	for _, f := range files {
		r, err := archive.OpenFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s after the final run: %v", f, err)
				break
			}
		}
		r.Close()
	}
	return n
}

func TestSIGKILLWithAnArchiveLeavesEveryRecordOnceAndItsResponseArchived(t *testing.T) {
	site := sitegen.New(120)
	srv := httptest.NewServer(slowSite(site, 5*time.Millisecond))
	defer srv.Close()
	kills := max(killIterations(t)/2, 5)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	done, rounds := 0, 0
	for done < kills {
		rounds++
		dir := t.TempDir()
		cfg := writeHistoryConfig(t, dir, srv.URL+"/, "+srv.URL+"/category/emnews.html", "")
		for done < kills {
			cmd := exec.Command(binary, "--config", cfg)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			err := cmd.Wait()
			if err == nil {
				break
			}
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
				t.Fatalf("round %d: the run failed on its own (%v):\n%s", rounds, err, stderr.String())
			}
			done++
		}
		final := crawl(t, "--config", cfg)
		if final.code != 0 {
			t.Fatalf("round %d final run: exit %d\n%s", rounds, final.code, final.stderr)
		}
		checkExactlyOnce(t, filepath.Join(dir, "out"), site)
		if n := checkArchived(t, dir); n != len(site.IDs()) {
			t.Errorf("round %d: %d ids with an archived response, want %d", rounds, n, len(site.IDs()))
		}
	}
	t.Logf("%d SIGKILLs over %d rounds with the archive (seed %d)", done, rounds, seed)
}

// changingSite serves a sitegen site with ETags on every page; edit rewrites a page's bytes
// from the next request on. It counts the conditional requests that hit an article.
type changingSite struct {
	site        *sitegen.Site
	mu          sync.Mutex
	edits       map[string]func([]byte) []byte
	conditional atomic.Int64
	notModified atomic.Int64
}

func (c *changingSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	c.site.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	c.mu.Lock()
	if e := c.edits[r.URL.Path]; e != nil {
		body = e(body)
	}
	c.mu.Unlock()
	tag := fmt.Sprintf(`"%x"`, sha256.Sum256(body))
	if strings.HasSuffix(r.URL.Path, ".html") && !strings.HasPrefix(r.URL.Path, "/category/") && r.Header.Get("If-None-Match") != "" {
		c.conditional.Add(1)
	}
	if r.Header.Get("If-None-Match") == tag {
		c.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("ETag", tag)
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// makeDue moves every recheck of the store to now, as if its delay had passed.
func makeDue(t *testing.T, dir string) int {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "data", "finews.db"), store.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	due, err := st.DueRechecks(ctx, "", time.Now().Add(365*24*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	for id, r := range due {
		r.Next = time.Now().Add(-time.Second)
		if err := st.SetRecheck(ctx, id, &r); err != nil {
			t.Fatal(err)
		}
	}
	return len(due)
}

func TestARecheckOfAChangedArticleWritesItsNextRevisionAndTheUnchangedOnesCostA304(t *testing.T) {
	site := sitegen.New(6)
	cs := &changingSite{site: site, edits: map[string]func([]byte) []byte{}}
	srv := httptest.NewServer(cs)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeHistoryConfig(t, dir, srv.URL+"/", "    recheck: {within: 48h, every: [30m, 2h]}\n")
	if r := crawl(t, "--config", cfg); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	first := readRevs(t, filepath.Join(dir, "out"))
	want := len(site.IDs())
	if len(first) != want {
		t.Fatalf("first run: %d records, want %d", len(first), want)
	}
	// Not yet due: a run now rechecks nothing.
	if r := crawl(t, "--config", cfg); r.code != 0 || cs.conditional.Load() != 0 {
		t.Fatalf("a run before the rechecks are due: exit %d, %d conditional article requests\n%s", r.code, cs.conditional.Load(), r.stderr)
	}
	// The site corrects one article's headline; its recheck comes due.
	changed := site.Posts[0]
	cs.mu.Lock()
	cs.edits[changed.Path] = func(b []byte) []byte {
		return bytes.ReplaceAll(b, []byte(changed.Title), []byte(changed.Title+"（更正）"))
	}
	cs.mu.Unlock()
	if n := makeDue(t, dir); n != want {
		t.Fatalf("%d rechecks scheduled, want one per article (%d)", n, want)
	}
	r := crawl(t, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("recheck run: exit %d\n%s", r.code, r.stderr)
	}
	all := readRevs(t, filepath.Join(dir, "out"))
	if len(all) != want+1 {
		t.Fatalf("after the recheck %d lines, want %d (one revision):\n%s", len(all), want+1, r.stderr)
	}
	rev := all[len(all)-1]
	var orig revRecord
	for _, x := range first {
		if x.ID == rev.ID {
			orig = x
		}
	}
	if rev.ID != changed.ID || rev.Revision != 2 || rev.RevisionOf != orig.Hash || strings.Join(rev.Changed, ",") != "title" ||
		!strings.HasSuffix(rev.Title, "（更正）") || rev.ModifiedAt == "" || orig.Revision != 1 {
		t.Errorf("revision line %+v (first was %+v)", rev, orig)
	}
	// Every article was asked "changed since?"; the unchanged ones answered 304 (twins share
	// an id and a page each, so the site may have more article pages than ids).
	if cs.conditional.Load() < int64(want) || cs.notModified.Load() < int64(want-1) {
		t.Errorf("%d conditional article requests, %d answered 304; want every article asked, all but one unchanged", cs.conditional.Load(), cs.notModified.Load())
	}
	if !strings.Contains(r.lastStderrLine(), "1 of them revisions") {
		t.Errorf("summary %q does not count the revision", r.lastStderrLine())
	}
	// export gives the latest revision by default, every revision when asked.
	latest := crawl(t, "export", "--config", cfg)
	allRevs := crawl(t, "export", "--config", cfg, "--revisions", "all")
	if strings.Count(latest.stdout, "\n") != want || strings.Count(allRevs.stdout, "\n") != want+1 || !strings.Contains(latest.stdout, "（更正）") {
		t.Errorf("export: %d latest lines, %d with --revisions all", strings.Count(latest.stdout, "\n"), strings.Count(allRevs.stdout, "\n"))
	}
	// The raw export is a WARC of the ids' latest responses: the corrected page among them.
	raw := crawl(t, "export", "--config", cfg, "--raw")
	rd, err := archive.NewReader(strings.NewReader(raw.stdout), "export.warc.gz")
	if err != nil {
		t.Fatal(err)
	}
	pages, corrected := 0, false
	for {
		resp, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("raw export: %v", err)
		}
		pages++
		corrected = corrected || bytes.Contains(resp.Body, []byte("（更正）"))
	}
	if pages != want || !corrected {
		t.Errorf("raw export: %d responses (corrected page among them: %v), want %d", pages, corrected, want)
	}
	stats := crawl(t, "stats", "--config", cfg)
	for _, want := range []string{fmt.Sprintf("  archived responses  %d", want), "  earlier revisions   1", fmt.Sprintf("  rechecks scheduled  %d", want)} {
		if !strings.Contains(stats.stdout, want) {
			t.Errorf("stats lacks %q:\n%s", want, stats.stdout)
		}
	}
	// Re-extraction with the same extractors changes nothing; a dry run says so.
	dry := crawl(t, "reextract", "--config", cfg, "--dry-run")
	if dry.code != 0 || !strings.Contains(dry.stderr, fmt.Sprintf("%d archived ids read, 0 would get a revision", want)) {
		t.Errorf("dry run: exit %d\n%s", dry.code, dry.stderr)
	}
	re := crawl(t, "reextract", "--config", cfg)
	if re.code != 0 || !strings.Contains(re.stderr, "0 revisions written") || len(readRevs(t, filepath.Join(dir, "out"))) != want+1 {
		t.Errorf("reextract: exit %d\n%s", re.code, re.stderr)
	}
}

// writeForeignWARC writes the site's article pages as another crawler would: gowarc's own file
// writer, response records only, payloads gzip-encoded as sent, and a dated fetch time.
func writeForeignWARC(t *testing.T, dir string, site *sitegen.Site, at time.Time) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fw := gowarc.NewWarcFileWriter(gowarc.WithFileNameGenerator(&gowarc.PatternNameGenerator{Directory: dir, Prefix: "CC-NEWS-"}),
		gowarc.WithCompression(true), gowarc.WithMaxConcurrentWriters(1))
	seen := map[string]bool{}
	for _, p := range site.Posts {
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		page, _ := site.Page(p.Path)
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(page)
		zw.Close()
		b := gowarc.NewRecordBuilder(gowarc.Response, gowarc.WithAddMissingDigest(true), gowarc.WithAddMissingRecordId(true), gowarc.WithFixContentLength(true), gowarc.WithAddMissingContentLength(true))
		b.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n\r\n")
		b.Write(z.Bytes())
		b.AddWarcHeader(gowarc.WarcTargetURI, "https://finews.withounder.com"+p.Path)
		b.AddWarcHeaderTime(gowarc.WarcDate, at)
		b.AddWarcHeader(gowarc.ContentType, "application/http; msgtype=response")
		rec, _, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range fw.Write(rec) {
			if res.Err != nil {
				t.Fatal(res.Err)
			}
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := archive.Files(dir)
	if len(files) != 1 {
		t.Fatalf("the other tool wrote %v", files)
	}
	return files[0]
}

func TestAWARCFileFromAnotherCrawlerIsReadWithEachPagesURLAndFetchTime(t *testing.T) {
	site := sitegen.New(9)
	dir := t.TempDir()
	at := time.Date(2025, 6, 1, 3, 4, 5, 0, time.UTC)
	warc := writeForeignWARC(t, filepath.Join(dir, "warc"), site, at)
	out := filepath.Join(dir, "out.jsonl")
	db := filepath.Join(dir, "w.db")
	r := crawl(t, "--url", "file://"+warc, "--db", db, "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	recs := parseJSONL(t, read(t, out))
	if got, want := ids(recs), site.IDs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("ids %v, want %v", got, want)
	}
	for _, rec := range readRevsFile(t, out) {
		if !strings.HasPrefix(rec.URL, "https://finews.withounder.com/") || rec.FetchedAt != at.Format(time.RFC3339) {
			t.Errorf("record %s: url %s fetched_at %s, want the record's URL and time %s", rec.ID, rec.URL, rec.FetchedAt, at.Format(time.RFC3339))
		}
	}
	// The folder is input too, and dedup holds across the two runs.
	again := crawl(t, "--url", "file://"+filepath.Dir(warc), "--db", db, "--out", out)
	if again.code == 0 && strings.Count(read(t, out), "\n") != len(site.IDs()) {
		t.Errorf("a second read of the folder wrote more lines\n%s", again.stderr)
	}
	if !strings.Contains(again.lastStderrLine(), " 0 new records") {
		t.Errorf("second read: %s", again.lastStderrLine())
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

func readRevsFile(t *testing.T, p string) []revRecord {
	t.Helper()
	var out []revRecord
	for _, l := range strings.Split(strings.TrimSpace(read(t, p)), "\n") {
		var r revRecord
		if err := json.Unmarshal([]byte(l), &r); err == nil {
			out = append(out, r)
		}
	}
	return out
}

// An extractor change after the fact: a portal crawled by the generic extractor, then given a
// site rule for its finance pages. The re-extraction must revise exactly the finance ids.
func TestAReextractionAfterASiteRuleIsAddedRevisesExactlyThePagesTheRuleClaims(t *testing.T) {
	portal := sitegen.NewPortal(12)
	srv := httptest.NewServer(portal)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeHistoryConfig(t, dir, srv.URL+"/", "")
	if r := crawl(t, "--config", cfg); r.code != 0 {
		t.Fatalf("crawl: exit %d\n%s", r.code, r.stderr)
	}
	first := readRevs(t, filepath.Join(dir, "out"))
	finance := map[string]bool{}
	for _, r := range first {
		if strings.Contains(r.URL, "/finance/") {
			finance[r.ID] = true
		}
	}
	if len(finance) == 0 || len(finance) == len(first) {
		t.Fatalf("%d records, %d finance ones: the test needs both", len(first), len(finance))
	}
	// The "fix": finance pages take their title from the info line.
	b, _ := os.ReadFile(cfg)
	rule := "rules:\n  - name: hb-finance\n    hosts: [127.0.0.1]\n    url_pattern: '/finance/'\n    title: div.info\n"
	if err := os.WriteFile(cfg, append([]byte(rule), b...), 0o644); err != nil {
		t.Fatal(err)
	}
	dry := crawl(t, "reextract", "--config", cfg, "--dry-run", "--samples", "1")
	// Every page off the rule's pattern is unchanged; a finance page the rule now fails on
	// (its info line is no title the record accepts) keeps its record, and says so.
	var changed, unchanged, failed int
	fmt.Sscanf(dry.stderr[strings.Index(dry.stderr, "crawl reextract:"):], "crawl reextract: %d archived ids read, %d would get a revision, %d unchanged, 0 missing from the archive, %d gave no record",
		new(int), &changed, &unchanged, &failed)
	if dry.code != 0 || changed == 0 || changed+failed != len(finance) || unchanged != len(first)-len(finance) || !strings.Contains(dry.stdout, "[title]") {
		t.Fatalf("dry run: exit %d, %d changed, %d failed, %d unchanged (finance %d of %d)\n%s%s", dry.code, changed, failed, unchanged, len(finance), len(first), dry.stdout, dry.stderr)
	}
	if n := len(readRevs(t, filepath.Join(dir, "out"))); n != len(first) {
		t.Fatalf("the dry run wrote %d lines", n-len(first))
	}
	re := crawl(t, "reextract", "--config", cfg)
	if re.code != 0 {
		t.Fatalf("reextract: exit %d\n%s", re.code, re.stderr)
	}
	all := readRevs(t, filepath.Join(dir, "out"))
	got := map[string]bool{}
	for _, r := range all[len(first):] {
		got[r.ID] = true
		if !finance[r.ID] || r.Revision != 2 || strings.Join(r.Changed, ",") != "title" || r.ModifiedAt != "" {
			t.Errorf("revision %+v", r)
		}
	}
	if len(got) != changed || len(all) != len(first)+changed {
		t.Errorf("revised %d ids in %d lines, want the %d changed finance ids once each", len(got), len(all)-len(first), changed)
	}
	// The same extractors again: nothing more.
	if again := crawl(t, "reextract", "--config", cfg, "--source", "finews"); again.code != 0 || !strings.Contains(again.stderr, "0 revisions written") {
		t.Errorf("a second reextract: exit %d\n%s", again.code, again.stderr)
	}
}

// warcEntry is one response or revisit record of an archive folder, in file and write order.
type warcEntry struct {
	typ, url, id, refersTo, refersURI string
}

func readWARCEntries(t *testing.T, dir string) []warcEntry {
	t.Helper()
	files, err := archive.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []warcEntry
	for _, f := range files {
		rd, err := gowarc.NewWarcFileReader(f, 0)
		if err != nil {
			t.Fatal(err)
		}
		for rec, err := range rd.Records() {
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			r := rec.WarcRecord
			if typ := r.Type().String(); typ == "response" || typ == "revisit" {
				h := r.WarcHeader()
				out = append(out, warcEntry{typ: typ, url: h.Get(gowarc.WarcTargetURI), id: h.Get(gowarc.WarcRecordID),
					refersTo: h.Get(gowarc.WarcRefersTo), refersURI: h.Get(gowarc.WarcRefersToTargetURI)})
			}
			rec.Close()
		}
		rd.Close()
	}
	return out
}

// A site that sends no validators (no ETag, no Last-Modified) answers every recheck with a 200
// and the whole page: the archive must still tell an unchanged body across runs.
func TestASecondRunArchivesOnlyTheChangedPageWholeAndEveryUnchangedOneAsARevisitOfTheFirstRun(t *testing.T) {
	site := sitegen.New(6)
	var mu sync.Mutex
	edits := map[string]func([]byte) []byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		mu.Lock()
		if e := edits[r.URL.Path]; e != nil {
			body = e(body)
		}
		mu.Unlock()
		for k, v := range rec.Header() {
			if k != "Etag" && k != "Last-Modified" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeHistoryConfig(t, dir, srv.URL+"/", "    recheck: {within: 48h, every: [30m, 2h]}\n")
	if r := crawl(t, "--config", cfg); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	want := len(site.IDs())
	first := readWARCEntries(t, filepath.Join(dir, "archive"))
	firstBytes := dirBytes(t, filepath.Join(dir, "archive"))
	byID := map[string]warcEntry{}
	for _, e := range first {
		if e.typ != "response" {
			t.Errorf("first run wrote a %s of %s: nothing was archived before it", e.typ, e.url)
		}
		byID[e.id] = e
	}
	changed := site.Posts[0]
	mu.Lock()
	edits[changed.Path] = func(b []byte) []byte {
		return bytes.ReplaceAll(b, []byte(changed.Title), []byte(changed.Title+"（更正）"))
	}
	mu.Unlock()
	if n := makeDue(t, dir); n != want {
		t.Fatalf("%d rechecks scheduled, want %d", n, want)
	}
	r := crawl(t, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	second := readWARCEntries(t, filepath.Join(dir, "archive"))[len(first):]
	t.Logf("archive: %d bytes after the first run, %d more for the second (%d pages, one changed)", firstBytes, dirBytes(t, filepath.Join(dir, "archive"))-firstBytes, len(second))
	articles := 0
	for _, e := range second {
		isArticle := strings.HasSuffix(e.url, ".html") && !strings.Contains(e.url, "/category/")
		switch {
		case strings.HasSuffix(e.url, changed.Path):
			if e.typ != "response" {
				t.Errorf("the changed page %s was archived as a %s", e.url, e.typ)
			}
		case e.typ != "revisit":
			t.Errorf("the unchanged %s was archived whole again", e.url)
		default:
			orig, ok := byID[e.refersTo]
			if !ok || orig.url != e.url || e.refersURI != e.url {
				t.Errorf("revisit of %s refers to %q (%q), not to the first run's record of the page", e.url, e.refersTo, e.refersURI)
			}
			if isArticle {
				articles++
			}
		}
	}
	// Twins share an id and a page each, so the site may have more article pages than ids.
	if articles < want-1 {
		t.Errorf("%d revisits of articles in the second run, want every unchanged one (%d)", articles, want-1)
	}
	if len(readRevs(t, filepath.Join(dir, "out"))) != want+1 {
		t.Errorf("want %d records and the changed page's revision", want)
	}
	// Every id still finds its whole page: checkArchived reads each one's ref; the raw export
	// and a re-extraction read the same bytes.
	if n := checkArchived(t, dir); n != want {
		t.Errorf("%d ids with an archived response, want %d", n, want)
	}
	raw := crawl(t, "export", "--config", cfg, "--raw")
	rd, err := archive.NewReader(strings.NewReader(raw.stdout), "export.warc.gz")
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for {
		resp, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("raw export: %v", err)
		}
		if resp.Status == 200 && len(resp.Body) > 0 {
			pages++
		}
	}
	if pages != want {
		t.Errorf("raw export: %d whole responses, want %d\n%s", pages, want, raw.stderr)
	}
	dry := crawl(t, "reextract", "--config", cfg, "--dry-run")
	if dry.code != 0 || !strings.Contains(dry.stderr, fmt.Sprintf("%d archived ids read, 0 would get a revision", want)) {
		t.Errorf("reextract dry run: exit %d\n%s", dry.code, dry.stderr)
	}
}

func TestForgetDropsTheForgottenIdsNearDuplicateIndexEntryAndNoOtherOne(t *testing.T) {
	site := sitegen.New(6)
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeHistoryConfig(t, dir, srv.URL+"/", "")
	if r := crawl(t, "--config", cfg); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	sigs := func() map[string]bool {
		st, err := store.Open(context.Background(), filepath.Join(dir, "data", "finews.db"), store.Options{ReadOnly: true, LockTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		out := map[string]bool{}
		st.Signatures(context.Background(), func(s store.Signature) error { out[s.ID] = true; return nil })
		return out
	}
	before := sigs()
	gone := site.IDs()[0]
	if !before[gone] || len(before) < 2 {
		t.Fatalf("index before forget %v: want an entry for %s and others", before, gone)
	}
	if r := crawl(t, "forget", "--config", cfg, "--id", gone); r.code != 0 {
		t.Fatalf("forget: exit %d\n%s", r.code, r.stderr)
	}
	after := sigs()
	if after[gone] || len(after) != len(before)-1 {
		t.Errorf("index after forgetting %s: %v (before %v)", gone, after, before)
	}
}

func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	files, err := archive.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, f := range files {
		if info, err := os.Stat(f); err == nil {
			n += info.Size()
		}
	}
	return n
}
