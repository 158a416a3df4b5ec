package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

// backfillRows writes the raw posts of a sitegen site into a folder of folders and reads them
// back with the real binary (--url DIR --out FILE, a fresh store).
func backfillRows(t *table, bin, dir string, sz sizes) error {
	site := sitegen.New(sz.backfillPosts)
	posts := filepath.Join(dir, "posts")
	for _, p := range site.Posts {
		name, content := p.RawPost()
		sub := filepath.Join(posts, p.Category)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(sub, name), content, 0o644); err != nil {
			return err
		}
	}
	out := filepath.Join(dir, "backfill.jsonl")
	u, _, _, err := measured(bin, "--url", posts, "--out", out, "--db", filepath.Join(dir, "backfill.db"), "--log-level", "error")
	if err != nil {
		return err
	}
	lines, err := countLines(out)
	if err != nil {
		return err
	}
	if lines != len(site.IDs()) {
		return fmt.Errorf("backfill wrote %d records, want %d", lines, len(site.IDs()))
	}
	wall := time.Duration(u.WallNS).Seconds()
	t.section("Backfill: raw post files, the real binary (--url DIR --out FILE)")
	t.add(fmt.Sprintf("%d raw posts", len(site.Posts)), fmt.Sprintf("%.0f posts/s", float64(len(site.Posts))/wall),
		fmt.Sprintf("%.2f s wall, %.2f CPU s per 1,000 posts, peak RSS %.0f MB, %d records", wall, time.Duration(u.CPUNS).Seconds()*1000/float64(len(site.Posts)), float64(u.MaxRSSKB)/1024, lines))
	return nil
}

func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	return n, sc.Err()
}
