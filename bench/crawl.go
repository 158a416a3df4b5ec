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
