// Package config reads the YAML file a scheduled crawl runs from. Every error names the file,
// the line and the key, because the person reading it is looking at a cron mail, not the code.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/newsmill/newsmill/extract"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"
)

// ErrInvalid is returned when a config file cannot be read or fails validation.
var ErrInvalid = errors.New("invalid config")

// Key names, as written in the YAML file.
const (
	KeyStore        = "store"
	KeyOutput       = "output"
	KeyLogLevel     = "log_level"
	KeyLockTimeout  = "lock_timeout"
	KeySources      = "sources"
	KeyName         = "name"
	KeySeeds        = "seeds"
	KeyAllowedHosts = "allowed_hosts"
	KeyFollow       = "follow"
	KeyArticles     = "articles"
	KeyMaxDepth     = "max_depth"
	KeyMaxPages     = "max_pages"
	KeyParallelism  = "parallelism"
	KeyDelay        = "delay"
	KeyUserAgent    = "user_agent"
	KeyIgnoreRobots = "ignore_robots"
	KeyTimeout      = "timeout"
	KeySchedule     = "schedule"

	// Politeness and fault bounds, per source (docs/config.md).
	KeyConnectTimeout   = "connect_timeout"
	KeyHeaderTimeout    = "header_timeout"
	KeyMaxBodyBytes     = "max_body_bytes"
	KeyMaxRetries       = "max_retries"
	KeyRetryBaseDelay   = "retry_base_delay"
	KeyRetryMaxDelay    = "retry_max_delay"
	KeyMaxRedirects     = "max_redirects"
	KeyMaxPagesPerHost  = "max_pages_per_host"
	KeyMaxURLLength     = "max_url_length"
	KeyMaxQueryParams   = "max_query_params"
	KeyMaxQueryVariants = "max_query_variants"
	KeyConditional      = "conditional_requests"

	KeyRules      = "rules"
	KeyListen     = "listen"
	KeyRunOnStart = "run_on_start"

	// The cluster section (docs/cluster.md).
	KeyCluster            = "cluster"
	KeyClusterNATS        = "nats"
	KeyClusterCredentials = "credentials"
	KeyClusterTLS         = "tls"
	KeyClusterPrefix      = "prefix"
	KeyClusterLease       = "lease"
	KeyClusterMaxDeliver  = "max_deliver"
	KeyClusterConcurrency = "concurrency"
	KeyClusterReplicas    = "replicas"
)

// MaxRetriesLimit bounds max_retries: more retries of one URL stop being polite.
const MaxRetriesLimit = 10

// DefaultListen is where `crawl serve` offers /metrics and /healthz when the config names no
// address: loopback, so a crawler on a shared host does not publish its numbers by accident.
// 9464 is the port commonly used by Prometheus exporters of this kind.
const DefaultListen = "127.0.0.1:9464"

// ParseSchedule reads a standard 5-field cron spec (minute hour day-of-month month
// day-of-week, or a descriptor such as @hourly), the way `crawl serve` runs it.
func ParseSchedule(spec string) (cron.Schedule, error) {
	return cron.ParseStandard(spec)
}

// Config is one file.
type Config struct {
	Store       string        `yaml:"store"`
	Output      string        `yaml:"output"`
	LogLevel    string        `yaml:"log_level"`
	LockTimeout time.Duration `yaml:"lock_timeout"`
	Sources     []Source      `yaml:"sources"`
	// Rules are CSS-selector site rules for pages no site extractor claims (docs/extractors.md).
	Rules []extract.Rule `yaml:"rules"`
	// Listen is the address of /metrics and /healthz in serve mode; DefaultListen when empty.
	Listen string `yaml:"listen"`
	// RunOnStart makes serve run every source once when it starts, then on schedule.
	RunOnStart bool `yaml:"run_on_start"`
	// Cluster, when set, moves the frontier, dedup and output to NATS JetStream shared by
	// workers on several machines (docs/cluster.md); store and output are then optional.
	Cluster *Cluster `yaml:"cluster"`

	// Path is the file it was read from; relative paths inside resolve against its folder.
	Path string `yaml:"-"`
}

// Source is one site to crawl.
type Source struct {
	Name         string        `yaml:"name"`
	Seeds        []string      `yaml:"seeds"`
	AllowedHosts []string      `yaml:"allowed_hosts"`
	Follow       []string      `yaml:"follow"`
	Articles     []string      `yaml:"articles"`
	MaxDepth     int           `yaml:"max_depth"`
	MaxPages     int           `yaml:"max_pages"`
	Parallelism  int           `yaml:"parallelism"`
	Delay        time.Duration `yaml:"delay"`
	UserAgent    string        `yaml:"user_agent"`
	IgnoreRobots bool          `yaml:"ignore_robots"`
	Timeout      time.Duration `yaml:"timeout"`
	Schedule     string        `yaml:"schedule"`

	ConnectTimeout   time.Duration `yaml:"connect_timeout"`
	HeaderTimeout    time.Duration `yaml:"header_timeout"`
	MaxBodyBytes     int           `yaml:"max_body_bytes"`
	MaxRetries       *int          `yaml:"max_retries"` // nil: the default; 0: no retries
	RetryBaseDelay   time.Duration `yaml:"retry_base_delay"`
	RetryMaxDelay    time.Duration `yaml:"retry_max_delay"`
	MaxRedirects     int           `yaml:"max_redirects"`
	MaxPagesPerHost  int           `yaml:"max_pages_per_host"`
	MaxURLLength     int           `yaml:"max_url_length"`
	MaxQueryParams   int           `yaml:"max_query_params"`
	MaxQueryVariants int           `yaml:"max_query_variants"`
	Conditional      *bool         `yaml:"conditional_requests"` // nil: on

	// Line is where the source starts in the file, for errors found after Load (serve's).
	Line int `yaml:"-"`
}

// Cluster is the `cluster:` section: where the NATS servers are and how the streams are named.
type Cluster struct {
	NATS        []string   `yaml:"nats"`
	Credentials string     `yaml:"credentials"`
	TLS         ClusterTLS `yaml:"tls"`
	// Prefix names the streams, buckets and subjects, so several crawls can share servers.
	Prefix string `yaml:"prefix"`
	// Lease is how long a worker holds a URL without news before it goes to another worker.
	Lease time.Duration `yaml:"lease"`
	// MaxDeliver bounds the attempts at one URL before it is given up (logged).
	MaxDeliver int `yaml:"max_deliver"`
	// Concurrency is how many URLs one worker process fetches at once.
	Concurrency int `yaml:"concurrency"`
	// Replicas is the streams' and buckets' replica count: 1 on a single server, 3 in a cluster.
	Replicas int `yaml:"replicas"`
}

// ClusterTLS names the files of a TLS connection to the servers.
type ClusterTLS struct {
	CA   string `yaml:"ca"`
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// Cluster defaults.
const (
	DefaultClusterPrefix      = "newsmill"
	DefaultClusterLease       = 30 * time.Second
	DefaultClusterMaxDeliver  = 5
	DefaultClusterConcurrency = 8
)

var clusterPrefix = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ConditionalRequests reports whether the source sends If-None-Match / If-Modified-Since.
func (s Source) ConditionalRequests() bool { return s.Conditional == nil || *s.Conditional }

// Load reads and validates path.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return Parse(path, b)
}

// Parse validates b as read from path.
func Parse(path string, b []byte) (*Config, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s: the file is empty (it needs store, output and sources)", ErrInvalid, path)
		}
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, path, yamlMsg(err))
	}
	var c Config
	dec = yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, path, typeErrors(&root, te))
		}
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, path, yamlMsg(err))
	}
	c.Path = path
	if err := c.validate(&root); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	for i := range c.Sources {
		c.Sources[i].Line = at(&root, KeySources, i)
	}
	dir := filepath.Dir(path)
	c.Store = resolve(dir, c.Store)
	c.Output = resolve(dir, c.Output)
	if cl := c.Cluster; cl != nil {
		cl.Credentials = resolve(dir, cl.Credentials)
		cl.TLS.CA, cl.TLS.Cert, cl.TLS.Key = resolve(dir, cl.TLS.CA), resolve(dir, cl.TLS.Cert), resolve(dir, cl.TLS.Key)
		if cl.Prefix == "" {
			cl.Prefix = DefaultClusterPrefix
		}
		if cl.Lease == 0 {
			cl.Lease = DefaultClusterLease
		}
		if cl.MaxDeliver == 0 {
			cl.MaxDeliver = DefaultClusterMaxDeliver
		}
		if cl.Concurrency == 0 {
			cl.Concurrency = DefaultClusterConcurrency
		}
		if cl.Replicas == 0 {
			cl.Replicas = 1
		}
	}
	return &c, nil
}

// yamlMsg drops the "yaml: " prefix; the file name already says what it is.
func yamlMsg(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	s = strings.ReplaceAll(s, "unmarshal errors:\n  ", "")
	return strings.ReplaceAll(s, "\n  ", "; ") // several errors, one line
}

var (
	typeErrLine    = regexp.MustCompile(`^line (\d+): (.*)$`)
	unmarshalValue = regexp.MustCompile("^cannot unmarshal !!(\\w+) `?(.*?)`? into (.+)$")
	unknownField   = regexp.MustCompile(`^field (\S+) not found in type`)
)

// typeErrors rewrites yaml's type errors, which name Go types ("cannot unmarshal !!str `x` into
// time.Duration", "field seed not found in type config.Source"), into the key path the user
// wrote and what the value should be, all on one line.
func typeErrors(root *yaml.Node, te *yaml.TypeError) string {
	var out []string
	for _, e := range te.Errors {
		m := typeErrLine.FindStringSubmatch(e)
		if m == nil {
			out = append(out, e)
			continue
		}
		line, _ := strconv.Atoi(m[1])
		msg := m[2]
		u := unknownField.FindStringSubmatch(msg)
		key := keyPathAt(root, line, u != nil)
		if u != nil {
			msg = fmt.Sprintf("unknown key %q (docs/config.md lists them)", u[1])
		} else if u := unmarshalValue.FindStringSubmatch(msg); u != nil {
			msg = fmt.Sprintf("%q is not %s", u[2], goTypeWord(u[3]))
		}
		if key != "" {
			out = append(out, fmt.Sprintf("line %d: %s: %s", line, key, msg))
		} else {
			out = append(out, fmt.Sprintf("line %d: %s", line, msg))
		}
	}
	return strings.Join(out, "; ")
}

func goTypeWord(t string) string {
	switch {
	case t == "time.Duration":
		return "a duration (such as 500ms, 30s, 2m)"
	case t == "int" || t == "*int":
		return "a whole number"
	case t == "bool" || t == "*bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "string":
		return "a string"
	}
	return "the right kind of value"
}

// keyPathAt names the deepest key whose key or value starts on line: "lock_timeout",
// "sources[0].max_pages", "sources[1].seeds[2]"; with keysOnly, list items do not count.
func keyPathAt(root *yaml.Node, line int, keysOnly bool) string {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := ""
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				if k.Line == line {
					best = p
				}
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				if c.Line == line && c.Kind == yaml.ScalarNode && !keysOnly {
					best = p
				}
				walk(c, p)
			}
		}
	}
	walk(n, "")
	return best
}

func resolve(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// at finds the line of a key path such as "sources", 0, "seeds", 1 in the document.
func at(root *yaml.Node, path ...any) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, p := range path {
		switch k := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return line
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line
			}
		case int:
			if n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return line
			}
			n = n.Content[k]
			line = n.Line
		}
	}
	return line
}

func (c *Config) validate(root *yaml.Node) error {
	fail := func(line int, key, format string, args ...any) error {
		return fmt.Errorf("line %d: %s: %s", line, key, fmt.Sprintf(format, args...))
	}
	if err := c.validateCluster(root); err != nil {
		return err
	}
	if c.Store == "" && c.Cluster == nil {
		return fail(at(root), KeyStore, "missing (the bbolt file that remembers what was emitted)")
	}
	if c.Output == "" && c.Cluster == nil {
		return fail(at(root), KeyOutput, "missing (the folder of daily JSONL files)")
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		return fail(at(root, KeyLogLevel), KeyLogLevel, "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	if c.LockTimeout < 0 {
		return fail(at(root, KeyLockTimeout), KeyLockTimeout, "must not be negative")
	}
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			return fail(at(root, KeyListen), KeyListen, "%q is not host:port (e.g. %s, or :9464 for every interface)", c.Listen, DefaultListen)
		}
	}
	if len(c.Sources) == 0 {
		return fail(at(root, KeySources), KeySources, "no sources: nothing to crawl")
	}
	names := map[string]bool{}
	for i, s := range c.Sources {
		key := func(k string) string { return fmt.Sprintf("%s[%d].%s", KeySources, i, k) }
		if s.Name == "" {
			return fail(at(root, KeySources, i), key(KeyName), "missing")
		}
		if names[s.Name] {
			return fail(at(root, KeySources, i, KeyName), key(KeyName), "%q is used twice", s.Name)
		}
		names[s.Name] = true
		if len(s.Seeds) == 0 {
			return fail(at(root, KeySources, i), key(KeySeeds), "missing: a source needs at least one URL to start from")
		}
		for j, h := range s.AllowedHosts {
			if h = strings.TrimSpace(h); h == "" || strings.ContainsAny(h, "/:@?# ") {
				return fail(at(root, KeySources, i, KeyAllowedHosts, j), fmt.Sprintf("%s[%d]", key(KeyAllowedHosts), j), "%q is not a host name (write finews.withounder.com, without scheme, port or path)", h)
			}
		}
		for j, seed := range s.Seeds {
			u, err := url.Parse(seed)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fail(at(root, KeySources, i, KeySeeds, j), fmt.Sprintf("%s[%d]", key(KeySeeds), j), "%q is not an http(s) URL", seed)
			}
			if len(s.AllowedHosts) > 0 && !hostListed(u.Hostname(), s.AllowedHosts) {
				return fail(at(root, KeySources, i, KeySeeds, j), fmt.Sprintf("%s[%d]", key(KeySeeds), j), "host %q is not in allowed_hosts", u.Hostname())
			}
		}
		for _, k := range []struct {
			name string
			pats []string
		}{{KeyFollow, s.Follow}, {KeyArticles, s.Articles}} {
			for j, p := range k.pats {
				if _, err := regexp.Compile(p); err != nil {
					return fail(at(root, KeySources, i, k.name, j), fmt.Sprintf("%s[%d]", key(k.name), j), "bad pattern: %v", err)
				}
			}
		}
		retries := 0
		if s.MaxRetries != nil {
			retries = *s.MaxRetries
		}
		for _, k := range []struct {
			name string
			v    int
		}{{KeyMaxDepth, s.MaxDepth}, {KeyMaxPages, s.MaxPages}, {KeyParallelism, s.Parallelism},
			{KeyMaxBodyBytes, s.MaxBodyBytes}, {KeyMaxRetries, retries}, {KeyMaxRedirects, s.MaxRedirects},
			{KeyMaxPagesPerHost, s.MaxPagesPerHost}, {KeyMaxURLLength, s.MaxURLLength},
			{KeyMaxQueryParams, s.MaxQueryParams}, {KeyMaxQueryVariants, s.MaxQueryVariants}} {
			if k.v < 0 {
				return fail(at(root, KeySources, i, k.name), key(k.name), "must not be negative")
			}
		}
		if retries > MaxRetriesLimit {
			return fail(at(root, KeySources, i, KeyMaxRetries), key(KeyMaxRetries), "%d retries would hammer a failing server; at most %d", retries, MaxRetriesLimit)
		}
		for _, k := range []struct {
			name string
			v    time.Duration
		}{{KeyDelay, s.Delay}, {KeyTimeout, s.Timeout}, {KeyConnectTimeout, s.ConnectTimeout}, {KeyHeaderTimeout, s.HeaderTimeout},
			{KeyRetryBaseDelay, s.RetryBaseDelay}, {KeyRetryMaxDelay, s.RetryMaxDelay}} {
			if k.v < 0 {
				return fail(at(root, KeySources, i, k.name), key(k.name), "must not be negative")
			}
		}
		if s.RetryBaseDelay > 0 && s.RetryMaxDelay > 0 && s.RetryBaseDelay > s.RetryMaxDelay {
			return fail(at(root, KeySources, i, KeyRetryBaseDelay), key(KeyRetryBaseDelay), "%s is longer than retry_max_delay %s", s.RetryBaseDelay, s.RetryMaxDelay)
		}
		if s.Schedule != "" {
			if _, err := ParseSchedule(s.Schedule); err != nil {
				return fail(at(root, KeySources, i, KeySchedule), key(KeySchedule), "%q is not a 5-field cron spec (minute hour day month weekday): %v", s.Schedule, err)
			}
		}
	}
	for i, r := range c.Rules {
		// One rule at a time, so the error can point at its line.
		if _, err := extract.NewRules([]extract.Rule{r}); err != nil {
			return fail(at(root, KeyRules, i), fmt.Sprintf("%s[%d]", KeyRules, i), "%v", err)
		}
	}
	if _, err := extract.NewRules(c.Rules); err != nil {
		return fail(at(root, KeyRules), KeyRules, "%v", err)
	}
	return nil
}

func hostListed(host string, hosts []string) bool {
	for _, h := range hosts {
		if strings.EqualFold(strings.TrimSpace(h), host) {
			return true
		}
	}
	return false
}

// validateCluster checks the cluster section, when there is one.
func (c *Config) validateCluster(root *yaml.Node) error {
	cl := c.Cluster
	if cl == nil {
		return nil
	}
	key := func(k string) string { return KeyCluster + "." + k }
	fail := func(line int, key, format string, args ...any) error {
		return fmt.Errorf("line %d: %s: %s", line, key, fmt.Sprintf(format, args...))
	}
	if len(cl.NATS) == 0 {
		return fail(at(root, KeyCluster), key(KeyClusterNATS), "missing: the NATS server URLs (nats://host:4222)")
	}
	for i, s := range cl.NATS {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || (u.Scheme != "nats" && u.Scheme != "tls" && u.Scheme != "ws" && u.Scheme != "wss") {
			return fail(at(root, KeyCluster, KeyClusterNATS, i), fmt.Sprintf("%s[%d]", key(KeyClusterNATS), i), "%q is not a nats://, tls://, ws:// or wss:// URL", s)
		}
	}
	if cl.Prefix != "" && !clusterPrefix.MatchString(cl.Prefix) {
		return fail(at(root, KeyCluster, KeyClusterPrefix), key(KeyClusterPrefix), "%q may hold only letters, digits, - and _ (it names streams and subjects)", cl.Prefix)
	}
	if (cl.TLS.Cert == "") != (cl.TLS.Key == "") {
		return fail(at(root, KeyCluster, KeyClusterTLS), key(KeyClusterTLS), "cert and key go together")
	}
	if cl.Lease < 0 {
		return fail(at(root, KeyCluster, KeyClusterLease), key(KeyClusterLease), "must not be negative")
	}
	for _, k := range []struct {
		name string
		v    int
	}{{KeyClusterMaxDeliver, cl.MaxDeliver}, {KeyClusterConcurrency, cl.Concurrency}, {KeyClusterReplicas, cl.Replicas}} {
		if k.v < 0 {
			return fail(at(root, KeyCluster, k.name), key(k.name), "must not be negative")
		}
	}
	if cl.Replicas > 5 {
		return fail(at(root, KeyCluster, KeyClusterReplicas), key(KeyClusterReplicas), "%d replicas: JetStream allows at most 5", cl.Replicas)
	}
	return nil
}
