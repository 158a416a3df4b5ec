package config

import (
	"errors"
	"regexp"
	"testing"
)

// fileNamed is how every config error starts, so a cron mail says which file to open.
var fileNamed = regexp.MustCompile(`^invalid config: f\.yaml: `)

func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(base + "    max_retries: -1\n"))                      // negative retry count
	f.Add([]byte("store: x\noutput: y\nsources: {}\n"))                // sources as a mapping, not a list
	f.Add([]byte("sources:\n  - seeds: [\n"))                          // unclosed flow sequence
	f.Add([]byte("store: [a]\n"))                                      // store as a list
	f.Add([]byte("- a\n- b\n"))                                        // the whole document a list
	f.Add([]byte(base + "    delay: 1e400s\n"))                        // a duration that overflows
	f.Add([]byte(base + "    follow: ['(']\n"))                        // a bad pattern
	f.Add([]byte("&a [*a]\n"))                                         // an alias pointing at itself
	f.Add([]byte(base + "  - name: finews\n    seeds: [http://x/]\n")) // a name used twice
	f.Add([]byte(""))                                                  // an empty file
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse("f.yaml", b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || !fileNamed.MatchString(err.Error()) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if c.Store == "" || c.Output == "" || len(c.Sources) == 0 {
			t.Fatalf("accepted a config that cannot run: %+v", c)
		}
		for _, s := range c.Sources {
			if s.Name == "" || len(s.Seeds) == 0 {
				t.Fatalf("accepted a source without a name or seeds: %+v", s)
			}
		}
	})
}
