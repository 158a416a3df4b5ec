package main

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/testkit/benchkit"
)

// extractionSets are the pages each extractor is timed on: its own kind, generated, and the
// mirror's real pages when ../shared is there.
func extractionSets(repo string) []benchkit.Set {
	sets := []benchkit.Set{benchkit.FinewsPages(300), benchkit.RawPosts(300), benchkit.EastmoneyPages(300)}
	if sh := benchkit.SharedDir(repo); sh != "" {
		if m, err := benchkit.MirrorPages(sh); err == nil {
			sets = append(sets, m)
		}
	}
	return sets
}

// best runs a Go benchmark function a few times and keeps the fastest: the machine is shared,
// and the slow runs measure the neighbours.
func best(runs int, fn func(*testing.B)) testing.BenchmarkResult {
	var r testing.BenchmarkResult
	for i := 0; i < runs; i++ {
		x := testing.Benchmark(fn)
		if x.N == 0 {
			continue
		}
		if r.N == 0 || x.NsPerOp() < r.NsPerOp() {
			r = x
		}
	}
	return r
}

func extractionRows(t *table, repo string, sz sizes) error {
	runs := 3
	if sz == quick {
		runs = 1
	}
	t.section("Extraction, one core (Go benchmarks; extract/bench_test.go runs the same code)")
	reg := extract.Default()
	for _, s := range extractionSets(repo) {
		ex := best(runs, func(b *testing.B) { benchkit.Extract(b, reg, s) })
		pa := best(runs, func(b *testing.B) { benchkit.Parse(b, s) })
		if ex.N == 0 || pa.N == 0 {
			return fmt.Errorf("%s: benchmark failed (a page gave no record?)", s.Name)
		}
		t.add(s.Name+": extract", rate(ex), fmt.Sprintf("%d pages, %.1f KB/page", len(s.Docs), float64(s.Bytes)/float64(len(s.Docs))/1e3))
		t.add(s.Name+": x/net/html parse only", rate(pa), "the floor")
		t.add(s.Name+": extraction / parse", fmt.Sprintf("%.2f×", float64(ex.NsPerOp())/float64(pa.NsPerOp())), "target ≤ 2×")
	}
	return nil
}

func rate(r testing.BenchmarkResult) string {
	ps := 1e9 / float64(r.NsPerOp())
	return fmt.Sprintf("%.0f pages/s  %.1f MB/s", ps, ps*float64(r.Bytes)/1e6)
}

// tool is one extractor of the side-by-side run: it returns the body text.
type tool struct {
	name string
	run  func(d benchkit.Doc) (string, error)
}

var tools = []tool{
	{"x/net/html parse only", func(d benchkit.Doc) (string, error) {
		_, err := html.Parse(bytes.NewReader(d.Body))
		return "", err
	}},
	{"newsmill", func(d benchkit.Doc) (string, error) {
		rec, err := extract.Default().Extract(article.NewPage(d.URL, d.ContentType, d.Body, time.Unix(1700000000, 0)))
		if err != nil {
			return "", err
		}
		return rec.Body, nil
	}},
	{"go-readability (readeck v2)", func(d benchkit.Doc) (string, error) {
		p := readability.NewParser()
		a, err := p.Parse(bytes.NewReader(d.Body), d.URL)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		if err := a.RenderText(&b); err != nil {
			return "", err
		}
		return b.String(), nil
	}},
	{"go-trafilatura", func(d benchkit.Doc) (string, error) {
		r, err := trafilatura.Extract(bytes.NewReader(d.Body), trafilatura.Options{OriginalURL: d.URL})
		if err != nil {
			return "", err
		}
		return r.ContentText, nil
	}},
}

func sideBySideRows(t *table, repo string, sz sizes) error {
	base := benchkit.FinewsPages(sz.mirrorPages * 3 / 4)
	what := "sitegen pages (no ../shared)"
	if sh := benchkit.SharedDir(repo); sh != "" {
		m, err := benchkit.MirrorPages(sh)
		if err != nil {
			return err
		}
		base, what = m, fmt.Sprintf("the mirror's %d post pages repeated", len(m.Docs))
	}
	set := benchkit.Repeat(base, sz.mirrorPages)
	t.section(fmt.Sprintf("Side by side: %d pages, %.1f MB (%s), one core, one pass; body F1 vs the truth", len(set.Docs), float64(set.Bytes)/1e6, what))
	var newsmill time.Duration
	for _, tl := range tools {
		// F1 on the distinct pages, time on the whole set.
		f1sum, failed := 0.0, 0
		for _, d := range base.Docs {
			body, err := tl.run(d)
			if err != nil {
				failed++
			}
			f1sum += bigramF1(d.Want, body)
		}
		start := time.Now()
		for _, d := range set.Docs {
			tl.run(d)
		}
		el := time.Since(start)
		note := ""
		switch tl.name {
		case "newsmill":
			newsmill = el
		case "x/net/html parse only":
			note = "the floor"
		default:
			note = fmt.Sprintf("%.1f× newsmill's time", float64(el)/float64(newsmill))
		}
		f1 := fmt.Sprintf("F1 %.3f", f1sum/float64(len(base.Docs)))
		if tl.name == "x/net/html parse only" {
			f1 = "       -"
		}
		if failed > 0 {
			note += fmt.Sprintf(" (%d pages gave an error)", failed)
		}
		t.add(tl.name, fmt.Sprintf("%6.2f s  %5.1f MB/s  %s", el.Seconds(), float64(set.Bytes)/1e6/el.Seconds(), f1), note)
	}
	return nil
}
