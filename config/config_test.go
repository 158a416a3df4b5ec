package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTheMinimalConfigOfTheIssueLoadsWithDefaults(t *testing.T) {
	c, err := Parse("/etc/newsmill/finews.yaml", []byte(`store: ./data/finews.db
output: ./out
sources:
  - name: finews
    seeds: [https://finews.withounder.com/]
    allowed_hosts: [finews.withounder.com]
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Store != "/etc/newsmill/data/finews.db" || c.Output != "/etc/newsmill/out" {
		t.Errorf("relative paths should resolve against the config's folder: %q %q", c.Store, c.Output)
	}
	if len(c.Sources) != 1 || c.Sources[0].Name != "finews" || c.Sources[0].MaxDepth != 0 {
		t.Errorf("sources = %+v", c.Sources)
	}
}

func TestTheShippedFinewsConfigIsValid(t *testing.T) {
	c, err := Load(filepath.Join("..", "configs", "finews.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources[0].Seeds) < 2 || len(c.Sources[0].Articles) == 0 {
		t.Errorf("shipped config lost its seeds or article patterns: %+v", c.Sources[0])
	}
}

func TestConfigErrorsNameFileLineAndKey(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "store: s\noutput: o\nsources:\n  - name: a\n    seedz: [http://x/]\n", []string{"line 5", "seedz"}},
		{"bad seed", "store: s\noutput: o\nsources:\n  - name: a\n    seeds:\n      - http://x/\n      - x.html\n", []string{"line 7", "sources[0].seeds[1]"}},
		{"seed off the allowed hosts", "store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\n    allowed_hosts: [y]\n", []string{"line 5", "allowed_hosts"}},
		{"bad pattern", "store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\n    follow: ['(']\n", []string{"line 6", "sources[0].follow[0]", "bad pattern"}},
		{"negative depth", "store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\n    max_depth: -1\n", []string{"line 6", "max_depth"}},
		{"no store", "output: o\nsources:\n  - name: a\n    seeds: [http://x/]\n", []string{"line 1", "store"}},
		{"duplicate name", "store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\n  - name: a\n    seeds: [http://x/]\n", []string{"line 6", "used twice"}},
		{"bad duration", "store: s\noutput: o\nlock_timeout: soon\nsources:\n  - name: a\n    seeds: [http://x/]\n", []string{"line 3", "soon"}},
		{"bad log level", "store: s\noutput: o\nlog_level: loud\nsources:\n  - name: a\n    seeds: [http://x/]\n", []string{"line 3", "log_level"}},
		{"not yaml", "store: [unclosed\n", []string{"line"}},
		{"no sources", "store: s\noutput: o\n", []string{"sources", "nothing to crawl"}},
		{"store as a daily file of the output", "store: ./out/newsmill-2026-12-02.jsonl\noutput: out\nsources:\n  - name: a\n    seeds: [http://x/]\n", []string{"line 1", "store", "daily file"}},
		{"store as the output's lock", "output: /o\nstore: /o/.newsmill.lock\nsources:\n  - name: a\n    seeds: [http://x/]\n", []string{"line 2", "store"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("conf/x.yaml", []byte(tc.yaml))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			msg := err.Error()
			for _, w := range append(tc.want, "conf/x.yaml") {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

func TestAMissingConfigFileIsAnInvalidConfig(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, ErrInvalid) || !errors.Is(err, os.ErrNotExist) && !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err = %v", err)
	}
}

func TestSiteRulesAreValidatedWithTheirLine(t *testing.T) {
	good := "store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\nrules:\n  - name: example\n    hosts: [news.example.cn]\n    title: h1.headline\n    body: div.article\n"
	c, err := Parse("c.yaml", []byte(good))
	if err != nil || len(c.Rules) != 1 || c.Rules[0].Body != "div.article" {
		t.Fatalf("rules = %+v, %v", c.Rules, err)
	}
	bad := "store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\nrules:\n  - name: ok\n    hosts: [a.cn]\n  - name: broken\n    hosts: [b.cn]\n    body: 'div[['\n"
	_, err = Parse("c.yaml", []byte(bad))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "line 9") || !strings.Contains(err.Error(), "rules[1]") || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("err = %v", err)
	}
}

func TestValuesOfTheWrongKindAreNamedByTheirKeyNotAGoType(t *testing.T) {
	cases := map[string]string{
		"store: s\noutput: o\nlock_timeout: forever\nsources:\n  - name: a\n    seeds: [http://x/]\n": `line 3: lock_timeout: "forever" is not a duration`,
		"store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\n    max_pages: lots\n":   `line 6: sources[0].max_pages: "lots" is not a whole number`,
		"store: s\noutput: o\nsources:\n  - name: a\n    seeds: http://x/\n":                          `line 5: sources[0].seeds: "http://x/" is not a list`,
		"store: s\noutput: o\nsources:\n  - name: a\n    seed: [http://x/]\n":                         `line 5: sources[0].seed: unknown key "seed"`,
		"": "the file is empty",
	}
	for in, want := range cases {
		_, err := Parse("c.yaml", []byte(in))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q:\n got %v\nwant …%s…", in, err, want)
		}
	}
}

func TestAnAllowedHostWrittenAsAURLIsNamedAsTheFault(t *testing.T) {
	_, err := Parse("c.yaml", []byte("store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\n    allowed_hosts:\n      - x\n      - http://x/\n"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "line 8: sources[0].allowed_hosts[1]") {
		t.Fatalf("err = %v", err)
	}
}

func TestAnAllowedHostMayNameAPortButNotABadOne(t *testing.T) {
	if _, err := Parse("c.yaml", []byte("store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x:8080/]\n    allowed_hosts: [x, 'x:8443']\n")); err != nil {
		t.Errorf("host:port refused: %v", err)
	}
	_, err := Parse("c.yaml", []byte("store: s\noutput: o\nsources:\n  - name: a\n    seeds: [http://x/]\n    allowed_hosts:\n      - x\n      - x:99999\n"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "line 8: sources[0].allowed_hosts[1]") || !strings.Contains(err.Error(), "port") {
		t.Errorf("err = %v", err)
	}
}

func TestEveryShippedConfigLoadsAndServeCanScheduleIt(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "configs", "*.yaml"))
	if len(files) < 2 {
		t.Fatalf("configs/ has %d files, want finews.yaml and container.yaml", len(files))
	}
	for _, f := range files {
		c, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if _, err := c.Schedules(); err != nil {
			t.Errorf("%s does not run under serve: %v", f, err)
		}
		if c.Location == nil || c.Location.String() != "Asia/Shanghai" {
			t.Errorf("%s: schedules not in Beijing time: %v", f, c.Location)
		}
	}
	c, err := Load(filepath.Join("..", "configs", "container.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Store, "/data/") || !strings.HasPrefix(c.Output, "/data/") || !strings.HasPrefix(c.Listen, "0.0.0.0:") {
		t.Errorf("container config: store %q, output %q, listen %q; want /data paths and every interface", c.Store, c.Output, c.Listen)
	}
}
