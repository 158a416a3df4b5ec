package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/newsmill/newsmill/testkit/benchkit"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

var summaryRE = regexp.MustCompile(`newsmill: (\d+) pages fetched, (\d+) articles, (\d+) new records`)

type crawlRun struct {
	usage
	fetched, articles, newRecs int64
	hits                       int64 // requests the server answered
}

func crawlOnce(bin, cfg string, site *sitegen.Site) (crawlRun, error) {
	var r crawlRun
	h := site.Hits.Load()
	u, _, stderr, err := measured(bin, "--config", cfg)
	r.usage, r.hits = u, site.Hits.Load()-h
	if err != nil {
		return r, err
	}
	m := summaryRE.FindStringSubmatch(stderr)
	if m == nil {
		return r, fmt.Errorf("no summary line:\n%s", tail(stderr))
	}
	r.fetched, _ = strconv.ParseInt(m[1], 10, 64)
	r.articles, _ = strconv.ParseInt(m[2], 10, 64)
	r.newRecs, _ = strconv.ParseInt(m[3], 10, 64)
	return r, nil
}

// crawlRows crawls a small and a large sitegen site with the real binary, served from this
// process on loopback (the server's CPU is not the crawler's; both share the machine's cores),
// politeness off, each into a fresh store; then crawls the large one again on the same store.
func crawlRows(t *table, bin, dir string, sz sizes) error {
	t.section("End-to-end crawl: the real binary on loopback, politeness off (fetch → extract → dedup → write, fsyncs on)")
	var rss [2]int64
	var pages [2]int
	for i, n := range []int{sz.crawlSmall, sz.crawlLarge} {
		site := sitegen.New(n)
		srv := httptest.NewServer(site)
		d := filepath.Join(dir, fmt.Sprintf("crawl-%d", n))
		if err := os.MkdirAll(d, 0o755); err != nil {
			srv.Close()
			return err
		}
		cfg, err := benchkit.WriteCrawlConfig(d, srv.URL, len(site.Posts))
		if err != nil {
			srv.Close()
			return err
		}
		first, err := crawlOnce(bin, cfg, site)
		if err != nil {
			srv.Close()
			return err
		}
		if want := int64(len(site.IDs())); first.newRecs != want || first.articles != int64(len(site.Posts)) {
			srv.Close()
			return fmt.Errorf("crawl of %d pages: %d articles, %d records; want %d and %d", len(site.Posts), first.articles, first.newRecs, len(site.Posts), want)
		}
		rss[i], pages[i] = first.MaxRSSKB, len(site.Posts)
		wall := time.Duration(first.WallNS).Seconds()
		t.add(fmt.Sprintf("crawl of %d article pages (+%d listings, feed)", len(site.Posts), first.fetched-first.articles),
			fmt.Sprintf("%.0f pages/s", float64(first.articles)/wall),
			fmt.Sprintf("%.2f s wall, %.2f CPU s per 1,000 pages, peak RSS %.0f MB, %d records", wall, time.Duration(first.CPUNS).Seconds()*1000/float64(first.articles), float64(first.MaxRSSKB)/1024, first.newRecs))
		if i == 1 {
			second, err := crawlOnce(bin, cfg, site)
			if err != nil {
				srv.Close()
				return err
			}
			known := int64(len(site.Posts))
			t.add(fmt.Sprintf("second pass, same store (%d known articles)", known),
				fmt.Sprintf("%.2f s", time.Duration(second.WallNS).Seconds()),
				fmt.Sprintf("%d requests, %.1f µs CPU per known article, peak RSS %.0f MB, %d new records", second.hits, float64(second.CPUNS)/1e3/float64(known), float64(second.MaxRSSKB)/1024, second.newRecs))
		}
		srv.Close()
	}
	t.add(fmt.Sprintf("peak RSS, %d pages / %d pages", pages[1], pages[0]), fmt.Sprintf("%.2f×", float64(rss[1])/float64(rss[0])), "target ≤ 1.5×")
	return nil
}

// archiveRows crawls one sitegen site twice, side by side, into fresh stores: without and with
// `archive:`, and reports what the archive costs in CPU per 1,000 pages and on disk per
// article. Runs alternate (without, with, without, with) and the lower CPU of each is kept, so
// a neighbour's burst on a shared machine weighs on neither more than the other.
func archiveRows(t *table, bin, dir string, sz sizes) error {
	t.section("The archive: the same crawl without and with archive: (WARC, gzip per record, synced before each commit)")
	site := sitegen.New(sz.crawlSmall)
	srv := httptest.NewServer(site)
	defer srv.Close()
	var best [2]crawlRun
	var disk int64
	for round := 0; round < 2; round++ {
		for i, withArchive := range []bool{false, true} {
			d := filepath.Join(dir, fmt.Sprintf("archive-%d-%v", round, withArchive))
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			cfg, err := benchkit.WriteCrawlConfig(d, srv.URL, len(site.Posts))
			if err != nil {
				return err
			}
			if withArchive {
				b, _ := os.ReadFile(cfg)
				if err := os.WriteFile(cfg, append([]byte("archive: ./archive\n"), b...), 0o644); err != nil {
					return err
				}
			}
			r, err := crawlOnce(bin, cfg, site)
			if err != nil {
				return err
			}
			if r.newRecs != int64(len(site.IDs())) {
				return fmt.Errorf("crawl with archive %v: %d records, want %d", withArchive, r.newRecs, len(site.IDs()))
			}
			if best[i].CPUNS == 0 || r.CPUNS < best[i].CPUNS {
				best[i] = r
			}
			if withArchive {
				disk = dirBytes(filepath.Join(d, "archive"))
			}
		}
	}
	per := func(r crawlRun) float64 { return time.Duration(r.CPUNS).Seconds() * 1000 / float64(r.fetched) }
	t.add(fmt.Sprintf("crawl of %d pages (%d articles), no archive", best[0].fetched, best[0].articles), fmt.Sprintf("%.2f CPU s", per(best[0])), "per 1,000 pages fetched")
	t.add(fmt.Sprintf("the same crawl with archive:"), fmt.Sprintf("%.2f CPU s", per(best[1])),
		fmt.Sprintf("per 1,000 pages fetched: +%.0f%%, %.2f CPU ms per page archived", (per(best[1])/per(best[0])-1)*100, per(best[1])-per(best[0])))
	t.add("archive on disk", fmt.Sprintf("%.1f KB/article", float64(disk)/1024/float64(best[1].articles)),
		fmt.Sprintf("%.1f MB for %d pages (articles, listings, feed, request records)", float64(disk)/(1<<20), best[1].fetched))
	return nil
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}
