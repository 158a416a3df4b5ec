package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAHealthBlockAndTheSyndicationSectionAreRead(t *testing.T) {
	c, err := Parse("/etc/newsmill/em.yaml", []byte(`store: s
output: o
syndication:
  window: 24h
  max_entries: 5000
sources:
  - name: eastmoney
    seeds: [https://finance.eastmoney.com/]
    health:
      min_records_per_day: 50
      max_fetched_date_share: 0.1
      extractor: eastmoney
      min_body_median: 200
`))
	if err != nil {
		t.Fatal(err)
	}
	h := c.Sources[0].Health
	if h.MinRecordsPerDay != 50 || h.MaxFetchedDateShare == nil || *h.MaxFetchedDateShare != 0.1 || h.Extractor != "eastmoney" || h.MinBodyMedian != 200 {
		t.Errorf("health = %+v", h)
	}
	if c.Syndication.Off || c.Syndication.Window != 24*time.Hour || c.Syndication.MaxEntries != 5000 {
		t.Errorf("syndication = %+v", c.Syndication)
	}
}

func TestABadHealthBlockIsRefusedAtItsLine(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"share over 1":            {"    health:\n      max_fetched_date_share: 2\n", "line 6: sources[0].health: max_fetched_date_share"},
		"share without extractor": {"    health:\n      min_extractor_share: 0.5\n", "line 6: sources[0].health: min_extractor_share"},
		"unknown key":             {"    health:\n      min_records: 5\n", "min_records"},
		"fraction of a count":     {"    health:\n      min_records_per_day: 1.5\n", "line 7"},
		"misspelt extractor":      {"    health:\n      extractor: eastmony\n", "line 7: sources[0].health.extractor: \"eastmony\" is not an extractor"},
	} {
		_, err := Parse("c.yaml", []byte("store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\n"+c.yaml))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", name, err, c.want)
		}
	}
	_, err := Parse("c.yaml", []byte("store: s\noutput: o\nsyndication:\n  window: -1h\nsources:\n  - name: a\n    seeds: [http://x/]\n"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "syndication") {
		t.Errorf("negative window: %v", err)
	}
}

func TestAHealthBlockMayNameASiteRuleOfTheConfigAsItsExtractor(t *testing.T) {
	body := "store: s\noutput: o\nrules:\n  - name: mysite\n    hosts: [x]\n    title: h1\n    body: article\nsources:\n  - name: a\n    seeds: [http://x/]\n    health: {extractor: \"rules:mysite\"}\n"
	if _, err := Parse("c.yaml", []byte(body)); err != nil {
		t.Fatalf("rules:mysite refused: %v", err)
	}
}
