// Command bench prints newsmill's performance table: extraction beside the x/net/html floor,
// newsmill beside go-trafilatura and go-readability, an end-to-end loopback crawl of the real
// binary, the store at a million ids and a backfill. It is a module of its own so that the main
// module never depends on the extractors it is compared with. Run it with `make bench`
// (or `make bench-quick` for small sizes); see README.md, "Performance".
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

type sizes struct {
	mirrorPages   int // pages of the side-by-side set
	crawlSmall    int // posts of the small and large crawls (pages = posts × 4/3)
	crawlLarge    int
	storeIDs      int
	backfillPosts int
	minTime       time.Duration // per extraction figure
}

var full = sizes{mirrorPages: 2000, crawlSmall: 1500, crawlLarge: 15000, storeIDs: 1000000, backfillPosts: 15000, minTime: 2 * time.Second}
var quick = sizes{mirrorPages: 200, crawlSmall: 150, crawlLarge: 600, storeIDs: 20000, backfillPosts: 300, minTime: 100 * time.Millisecond}

func main() {
	testing.Init() // testing.Benchmark reads -test.benchtime
	quickFlag := flag.Bool("quick", false, "tiny sizes: checks that every figure can be produced (CI smoke), not the figures")
	serveN := flag.Int("serve", 0, "serve a sitegen site of this many posts on 127.0.0.1 and wait (for profiling by hand)")
	repo := flag.String("repo", "..", "the newsmill repository")
	binFlag := flag.String("bin", "", "crawl binary to measure instead of building ../cmd/crawl (for before/after figures)")
	only := flag.String("only", "", "comma-separated sections to run: extraction, side by side, crawl, archive, store, backfill (default all)")
	flag.Parse()
	if *serveN > 0 {
		fmt.Fprintln(os.Stderr, serve(*serveN))
		os.Exit(1)
	}
	sz := full
	if *quickFlag {
		sz = quick
		flag.Set("test.benchtime", "100ms")
	}
	if err := run(*repo, sz, *only, *binFlag); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(repo string, sz sizes, only, prebuilt string) error {
	dir, err := os.MkdirTemp("", "newsmill-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "crawl")
	build := exec.Command("go", "build", "-o", bin, "./cmd/crawl")
	build.Dir = repo
	build.Stderr = os.Stderr
	if prebuilt != "" {
		bin = prebuilt
	} else if err := build.Run(); err != nil {
		return fmt.Errorf("build crawl: %w", err)
	}
	measureBin = filepath.Join(dir, "measure")
	build = exec.Command("go", "build", "-o", measureBin, "./cmd/measure")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build measure: %w", err)
	}
	t := &table{}
	t.header(sz)
	steps := []struct {
		name string
		fn   func() error
	}{
		{"extraction", func() error { return extractionRows(t, repo, sz) }},
		{"side by side", func() error { return sideBySideRows(t, repo, sz) }},
		{"crawl", func() error { return crawlRows(t, bin, dir, sz) }},
		{"archive", func() error { return archiveRows(t, bin, dir, sz) }},
		{"store", func() error { return storeRows(t, dir, sz) }},
		{"backfill", func() error { return backfillRows(t, bin, dir, sz) }},
	}
	for _, s := range steps {
		if only != "" && !strings.Contains(","+only+",", ","+s.name+",") {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s…\n", s.name)
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	t.print(os.Stdout)
	return nil
}

// table collects the rows and prints them in one block at the end, so progress messages on
// stderr never interleave with it.
type table struct {
	head []string
	rows [][3]string // section or figure, value, note
}

func (t *table) header(sz sizes) {
	load, _ := os.ReadFile("/proc/loadavg")
	t.head = []string{
		fmt.Sprintf("newsmill bench — %s, %d cores (GOMAXPROCS %d), %s %s/%s", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH),
		fmt.Sprintf("load average at start: %s", strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " ")),
	}
	if sz == quick {
		t.head = append(t.head, "QUICK sizes: a smoke run, not figures to quote")
	}
}

func (t *table) section(name string)          { t.rows = append(t.rows, [3]string{"## " + name, "", ""}) }
func (t *table) add(name, value, note string) { t.rows = append(t.rows, [3]string{name, value, note}) }

func (t *table) print(w *os.File) {
	for _, h := range t.head {
		fmt.Fprintln(w, h)
	}
	wn, wv := 0, 0
	for _, r := range t.rows {
		if !strings.HasPrefix(r[0], "## ") {
			wn, wv = max(wn, len([]rune(r[0]))), max(wv, len([]rune(r[1])))
		}
	}
	for _, r := range t.rows {
		if strings.HasPrefix(r[0], "## ") {
			fmt.Fprintf(w, "\n%s\n", r[0][3:])
			continue
		}
		fmt.Fprintf(w, "  %s%s  %s%s  %s\n", r[0], strings.Repeat(" ", wn-len([]rune(r[0]))), strings.Repeat(" ", wv-len([]rune(r[1]))), r[1], r[2])
	}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if i := strings.IndexByte(l, ':'); i >= 0 {
				return strings.TrimSpace(l[i+1:])
			}
		}
	}
	return "unknown CPU"
}
