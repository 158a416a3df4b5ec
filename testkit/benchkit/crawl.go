package benchkit

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteCrawlConfig writes dir/crawl.yaml for a politeness-off crawl of a sitegen site served at
// base with the given number of pages: many connections, no delay, no robots.txt, a page budget
// and depth large enough for home -> category -> post. Store and output live under dir.
func WriteCrawlConfig(dir, base string, pages int) (string, error) {
	return writeConfig(filepath.Join(dir, "crawl.yaml"), "store: ./data/finews.db\noutput: ./out\n", base, pages)
}

// WriteClusterConfig writes dir/cluster.yaml: the same source as WriteCrawlConfig's, so the two
// modes crawl the site alike, fetched by cluster workers of concurrency 16 through the NATS
// server at natsURL.
func WriteClusterConfig(dir, base, natsURL string, pages int) (string, error) {
	return writeConfig(filepath.Join(dir, "cluster.yaml"), fmt.Sprintf("cluster:\n  nats: [%s]\n  concurrency: 16\n", natsURL), base, pages)
}

func writeConfig(path, head, base string, pages int) (string, error) {
	body := head + fmt.Sprintf(`log_level: error
sources:
  - name: finews
    seeds: [%[1]s/, %[1]s/category/emnews.html, %[1]s/feed.xml]
    allowed_hosts: [127.0.0.1]
    parallelism: 16
    delay: 0s
    ignore_robots: true
    max_pages: %[2]d
`, base, pages*2+1000)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		return "", fmt.Errorf("write crawl config: %w", err)
	}
	return path, nil
}
