package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// extractionFloors are the figures the generic path reached on the development halves of the
// public extraction benchmarks in ../shared/extraction (docs/extractors.md): the check fails when
// a change scores below them. Each set's pages are crawled by the real binary from a file://
// folder exactly as that README says, and scored by ../shared/tools/extraction_score.py.
var extractionFloors = []struct {
	set string
	// The scorer's --min-… flags; a figure the set does not annotate is left out ("").
	f1, coverage, onDate, title string
}{
	{"zyte", "0.974", "1.0", "", ""},
	{"cwced", "0.936", "1.0", "0.91", ""},
	{"l3s-gn1", "0.96", "0.99", "", "0.83"},
	{"htmldate-mc", "", "0.99", "0.93", ""},
	{"htmldate-bbaw", "", "0.99", "0.889", ""},
}

func TestGenericExtractionKeepsItsBenchmarkFigures(t *testing.T) {
	if testing.Short() {
		// A figure of quality, not of concurrency: the full run (make test-quick) checks it, and
		// under -race its five crawls would only cost CI half a minute more.
		t.Skip("a quality figure: checked by the run without -short")
	}
	shared, err := filepath.Abs(filepath.Join("..", "..", "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	scorer := filepath.Join(shared, "tools", "extraction_score.py")
	if _, err := os.Stat(scorer); err != nil {
		t.Skipf("no scorer at %s", scorer)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 to run the scorer")
	}
	t.Logf("scored by %s %s", python, scorer)
	for _, fl := range extractionFloors {
		t.Run(fl.set, func(t *testing.T) {
			dir := filepath.Join(shared, "extraction", fl.set)
			if _, err := os.Stat(filepath.Join(dir, "truth.jsonl")); err != nil {
				t.Skipf("no extraction set at %s", dir)
			}
			t.Logf("extraction set: %s", dir)
			r := crawl(t, "--url", "file://"+filepath.Join(dir, "pages")+"/")
			if r.code != 0 {
				t.Fatalf("crawl exit %d\n%s", r.code, r.stderr)
			}
			tmp := t.TempDir()
			out, log := filepath.Join(tmp, "out.jsonl"), filepath.Join(tmp, "out.log")
			if err := os.WriteFile(out, []byte(r.stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(log, []byte(r.stderr), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{scorer, dir, out, "--log", log}
			for _, f := range [][2]string{{"--min-f1", fl.f1}, {"--min-coverage", fl.coverage}, {"--min-date", fl.onDate}, {"--min-title", fl.title}} {
				if f[1] != "" {
					args = append(args, f[0], f[1])
				}
			}
			res, err := exec.Command(python, args...).CombinedOutput()
			t.Logf("%s", strings.TrimSpace(string(res)))
			if err != nil {
				t.Errorf("%s below its floor (F1 %s, coverage %s, date %s, title %s): %v", fl.set, fl.f1, fl.coverage, fl.onDate, fl.title, err)
			}
		})
	}
}
