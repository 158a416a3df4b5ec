package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Each of these was accepted and then panicked, ran out of memory, overflowed or smuggled a
// header; each must be an error naming the line and the key.
func TestValuesThatWouldCrashOrOverflowTheRunAreLineAndKeyErrors(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"the largest int as parallelism", base + "    parallelism: 9223372036854775807\n", "line 6: sources[0].parallelism: 9223372036854775807 concurrent requests per host is too many; at most 64"},
		{"a trillion workers", base + "    parallelism: 1000000000000\n", "line 6: sources[0].parallelism:"},
		{"a fraction of a worker", base + "    parallelism: 1.5\n", `line 6: sources[0].parallelism: "1.5" is not a whole number`},
		{"a body cap that overflows", base + "    max_body_bytes: 9223372036854775807\n", "line 6: sources[0].max_body_bytes: 9223372036854775807 is too large"},
		{"a delay of centuries", base + "    delay: 2562047h\n", "line 6: sources[0].delay: 2562047h0m0s is too long; at most 1h0m0s"},
		{"a user agent with CR LF", base + "    user_agent: \"bot\\r\\nX-Evil: 1\"\n", "line 6: sources[0].user_agent:"},
		{"a port past 65535", "listen: 127.0.0.1:99999\n" + base, `line 1: listen: "127.0.0.1:99999": port "99999" is not a number from 0 to 65535`},
		{"a negative lock timeout", "lock_timeout: -5s\n" + base, "line 1: lock_timeout: -5s must not be negative"},
		{"a lock timeout of a year", "lock_timeout: 8760h\n" + base, "line 1: lock_timeout: 8760h0m0s is too long"},
		{"a negative bound on the pages being read", "max_bytes_in_flight: -1\n" + base, "line 1: max_bytes_in_flight: must not be negative"},
		{"a bound on the pages being read past any machine", "max_bytes_in_flight: 9223372036854775807\n" + base, "line 1: max_bytes_in_flight: 9223372036854775807 is too large; at most 17179869184 (16 GiB)"},
		{"a fraction of a byte in flight", "max_bytes_in_flight: 1.5\n" + base, `line 1: max_bytes_in_flight: "1.5" is not a whole number`},
		{"a bound on the pages being read in words", "max_bytes_in_flight: lots\n" + base, `line 1: max_bytes_in_flight: "lots" is not a whole number`},
		{"a second YAML document", base + "---\nstore: ./other.db\n", "line 6: a second YAML document"},
		{"a second document that is not even YAML", base + "---\n: : [\n", "a.yaml:"},
	}
	for _, c := range cases {
		_, err := Parse("a.yaml", []byte(c.yaml))
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is more than one line: %q", c.name, err)
		}
	}
}

func TestTheLargestSensibleValuesAreAccepted(t *testing.T) {
	c, err := Parse("a.yaml", []byte("lock_timeout: 24h\nlisten: \":65535\"\nmax_bytes_in_flight: 17179869184\n"+base+
		"    parallelism: 64\n    delay: 1h\n    max_body_bytes: 1073741824\n    user_agent: \"newsmill (+https://example.org/bot)\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Sources[0]; s.Parallelism != 64 || s.Delay != time.Hour || s.MaxBodyBytes != 1<<30 || s.MaxBytesInFlight != 16<<30 {
		t.Errorf("read as %+v", s)
	}
}

func TestEverySourceSharesTheTopLevelBoundOnPagesInFlight(t *testing.T) {
	c, err := Parse("a.yaml", []byte("max_bytes_in_flight: 1048576\n"+base+"  - name: other\n    seeds: [https://other.example/]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Sources {
		if s.MaxBytesInFlight != 1<<20 {
			t.Errorf("source %s has max_bytes_in_flight %d, want the config's 1048576", s.Name, s.MaxBytesInFlight)
		}
	}
}

func TestASourceIsTheCrawlOptionsThemselves(t *testing.T) {
	c, err := Parse("a.yaml", []byte(base+"    parallelism: 3\n    max_retries: 0\n    schedule: \"@hourly\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Sources[0].Options
	if o.Name != "finews" || o.Parallelism != 3 || o.MaxRetries == nil || *o.MaxRetries != 0 || c.Sources[0].Schedule != "@hourly" {
		t.Errorf("options %+v", o)
	}
	if d := o.WithDefaults(); *d.MaxRetries != 0 || d.MaxDepth == 0 {
		t.Errorf("max_retries: 0 must stay none after defaults: %+v", d)
	}
}
