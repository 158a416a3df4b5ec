package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const base = "store: ./s.db\noutput: ./out\nsources:\n  - name: finews\n    seeds: [https://finews.example/]\n"

func TestPolitenessKeysAreReadPerSource(t *testing.T) {
	c, err := Parse("/etc/newsmill/a.yaml", []byte(base+"    max_retries: 0\n    retry_base_delay: 250ms\n    retry_max_delay: 30s\n    max_body_bytes: 2097152\n    max_pages_per_host: 500\n    max_url_length: 1024\n    max_query_params: 3\n    max_query_variants: 20\n    connect_timeout: 5s\n    header_timeout: 7s\n    max_redirects: 4\n    conditional_requests: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sources[0]
	if s.MaxRetries == nil || *s.MaxRetries != 0 || s.RetryBaseDelay != 250*time.Millisecond || s.RetryMaxDelay != 30*time.Second ||
		s.MaxBodyBytes != 2<<20 || s.MaxPagesPerHost != 500 || s.MaxURLLength != 1024 || s.MaxQueryParams != 3 ||
		s.MaxQueryVariants != 20 || s.ConnectTimeout != 5*time.Second || s.HeaderTimeout != 7*time.Second || s.MaxRedirects != 4 || s.ConditionalRequests() {
		t.Errorf("source read as %+v", s)
	}
	if c, _ := Parse("a.yaml", []byte(base)); c.Sources[0].MaxRetries != nil || !c.Sources[0].ConditionalRequests() {
		t.Errorf("unset keys must mean the defaults: retries %v, conditional %v", c.Sources[0].MaxRetries, c.Sources[0].ConditionalRequests())
	}
}

func TestBadPolitenessValuesNameTheFileTheLineAndTheKey(t *testing.T) {
	for _, tc := range []struct{ extra, want string }{
		{"    max_retries: -1\n", "a.yaml: line 6: sources[0].max_retries: must not be negative"},
		{"    max_retries: 50\n", "line 6: sources[0].max_retries: 50 retries would hammer"},
		{"    delay: 1s\n    timeout: -3s\n", "line 7: sources[0].timeout: must not be negative"},
		{"    header_timeout: -1s\n", "line 6: sources[0].header_timeout"},
		{"    max_body_bytes: -5\n", "line 6: sources[0].max_body_bytes"},
		{"    retry_base_delay: 10s\n    retry_max_delay: 1s\n", "line 6: sources[0].retry_base_delay: 10s is longer than retry_max_delay 1s"},
		{"    max_url_lenght: 10\n", "line 6: sources[0].max_url_lenght: unknown key"},
		{"    connect_timeout: soon\n", "line 6"},
	} {
		_, err := Parse("a.yaml", []byte(base+tc.extra))
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.extra, err, tc.want)
		}
	}
}

// docs/config.md's example is what people copy; it must parse.
func TestTheDocumentedExampleIsAValidConfig(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, after, ok := strings.Cut(doc[strings.Index(doc, "## Example"):], "```yaml\n")
	example, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatal("no yaml example in docs/config.md")
	}
	c, err := Parse("config.md", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Sources[0]; s.MaxRetries == nil || *s.MaxRetries != 4 || s.MaxPagesPerHost != 2000 {
		t.Errorf("example read as %+v", s)
	}
}

// Every key a config may hold has its row in docs/config.md (a setting added by the steps of
// docs/DESIGN.md and not documented fails here).
func TestEveryConfigKeyHasItsRowInTheDocs(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	// A section (cluster:) has a row per key of its own, "cluster.lease"; deeper keys are
	// documented in their section key's row.
	var walk func(ty reflect.Type, prefix string)
	walk = func(ty reflect.Type, prefix string) {
		for i := 0; i < ty.NumField(); i++ {
			f := ty.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if opts == "inline" {
				walk(f.Type, prefix)
				continue
			}
			if name == "" || name == "-" {
				continue
			}
			keys = append(keys, prefix+name)
			if ft := f.Type; prefix == "" && ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
				walk(ft.Elem(), name+".")
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	walk(reflect.TypeOf(Source{}), "")
	if len(keys) < 30 {
		t.Fatalf("found only %d keys: %v", len(keys), keys)
	}
	for _, k := range keys {
		if !strings.Contains(string(b), "| `"+k+"`") {
			t.Errorf("docs/config.md has no row for `%s`", k)
		}
	}
}
