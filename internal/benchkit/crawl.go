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
	cfg := filepath.Join(dir, "crawl.yaml")
	body := fmt.Sprintf(`store: ./data/finews.db
output: ./out
log_level: error
sources:
  - name: finews
    seeds: [%[1]s/, %[1]s/category/emnews.html, %[1]s/feed.xml]
    allowed_hosts: [127.0.0.1]
    parallelism: 16
    delay: 0s
    ignore_robots: true
    max_pages: %[2]d
`, base, pages*2+1000)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		return "", fmt.Errorf("write crawl config: %w", err)
	}
	return cfg, nil
}
