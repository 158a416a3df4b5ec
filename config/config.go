// Package config reads the YAML file a scheduled crawl runs from. Every error names the file,
// the line and the key, because the person reading it is looking at a cron mail, not the code.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/health"
	"github.com/newsmill/newsmill/internal/regular"
	"github.com/newsmill/newsmill/output"
)

// ErrInvalid is returned when a config file cannot be read or fails validation.
var ErrInvalid = errors.New("invalid config")

// Key names of the top level and of what a source adds to crawler.Options, as written in the
// YAML file; the crawl options' own keys are crawler.KeyX.
const (
	KeyStore       = "store"
	KeyOutput      = "output"
	KeyArchive     = "archive"
	KeyLogLevel    = "log_level"
	KeyLockTimeout = "lock_timeout"
	KeySources     = "sources"
	KeySchedule    = "schedule"
	KeyRules       = "rules"
	KeyListen      = "listen"
	KeyRunOnStart  = "run_on_start"
	// KeyMaxBytesInFlight bounds the bytes of the pages being read at once, over the process.
	KeyMaxBytesInFlight = "max_bytes_in_flight"

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
	KeyTimezone           = "timezone"

	// Near-duplicate clusters (docs/schema.md) and source health (docs/operations.md).
	KeySyndication           = "syndication"
	KeySyndicationOff        = "off"
	KeySyndicationWindow     = "window"
	KeySyndicationMaxEntries = "max_entries"
	KeyHealth                = "health"
)

// MaxLockTimeout bounds lock_timeout and --lock-timeout: a run that waits longer for another
// is stuck, not patient.
const MaxLockTimeout = 24 * time.Hour

// DefaultListen is where `crawl serve` offers /metrics and /healthz when the config names no
// address: loopback, so a crawler on a shared host does not publish its numbers by accident.
// 9464 is the port commonly used by Prometheus exporters of this kind.
const DefaultListen = "127.0.0.1:9464"

// AnyFreePort is where a worker or sink offers /metrics and /healthz when neither --listen nor
// the config names an address: several run on one host, and a fixed default port would let only
// the first start. The port taken is logged ("worker running", "sink running", addr).
const AnyFreePort = "127.0.0.1:0"

// ParseSchedule reads a standard 5-field cron spec (minute hour day-of-month month
// day-of-week, or a descriptor such as @hourly), the way `crawl serve` runs it. The spec is read
// in loc (the machine's zone when nil) unless it names its own with a CRON_TZ= prefix
// ("CRON_TZ=Asia/Shanghai 30 9 * * 1-5").
func ParseSchedule(spec string, loc *time.Location) (cron.Schedule, error) {
	given := spec
	if zone, ok := specZone(spec); ok {
		// The spec's own zone is held to the timezone key's rule: a zone name that is wrong
		// is said to be the zone, not a bad cron spec, and "Local" is refused in both.
		if _, err := LoadZone(zone); err != nil {
			return nil, err
		}
	} else if loc != nil {
		spec = "CRON_TZ=" + loc.String() + " " + spec
	}
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("%q is not a 5-field cron spec (minute hour day month weekday, optionally after CRON_TZ=Zone): %w", given, err)
	}
	return s, nil
}

// specZone is the zone a spec names with a CRON_TZ= (or TZ=) prefix.
func specZone(spec string) (string, bool) {
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(spec, p); ok {
			zone, _, _ := strings.Cut(rest, " ")
			return zone, true
		}
	}
	return "", false
}

// LoadZone reads an IANA time zone name, the form of the timezone key and of a schedule's
// CRON_TZ= prefix. "Local" is refused: it would make the schedule depend on the machine the
// config is copied to, which is what naming a zone avoids.
func LoadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" || name == "" {
		return nil, fmt.Errorf("%q is not an IANA time zone name (such as Asia/Shanghai or UTC)", name)
	}
	return loc, nil
}

// Schedules are the sources' parsed schedules, in config order, for `crawl serve`, which needs
// one for every source: a source without one is refused naming its line.
func (c *Config) Schedules() ([]cron.Schedule, error) {
	out := make([]cron.Schedule, len(c.Sources))
	for i, src := range c.Sources {
		if src.Schedule == "" {
			return nil, fmt.Errorf("%w: %s: line %d: %s[%d].%s: missing: serve runs every source on its schedule (e.g. \"*/30 * * * *\")",
				ErrInvalid, c.Path, src.Line, KeySources, i, KeySchedule)
		}
		s, err := ParseSchedule(src.Schedule, c.Location)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: line %d: %s[%d].%s: %v", ErrInvalid, c.Path, src.Line, KeySources, i, KeySchedule, err)
		}
		out[i] = s
	}
	return out, nil
}

// Config is one file.
type Config struct {
	Store  string `yaml:"store"`
	Output string `yaml:"output"`
	// Archive is the folder of WARC files keeping every response the runs fetch; none when
	// empty (docs/operations.md#archive-and-history).
	Archive     string        `yaml:"archive"`
	LogLevel    string        `yaml:"log_level"`
	LockTimeout time.Duration `yaml:"lock_timeout"`
	Sources     []Source      `yaml:"sources"`
	// Rules are CSS-selector site rules for pages no site extractor claims (docs/extractors.md).
	Rules []extract.Rule `yaml:"rules"`
	// Listen is the address of /metrics and /healthz in serve mode; DefaultListen when empty.
	Listen string `yaml:"listen"`
	// ListenDefaulted is Listen filled with DefaultListen because the file names none: serve
	// takes that port, while workers and sinks, several to a host, take any free one
	// (AnyFreePort) and log it.
	ListenDefaulted bool `yaml:"-"`
	// RunOnStart makes serve run every source once when it starts, then on schedule.
	RunOnStart bool `yaml:"run_on_start"`
	// Cluster, when set, moves the frontier, dedup and output to NATS JetStream shared by
	// workers on several machines (docs/cluster.md); store and output are then optional.
	Cluster *Cluster `yaml:"cluster"`
	// Timezone is the IANA zone schedules are read in ("Asia/Shanghai"); the machine's when
	// empty. A schedule's own CRON_TZ= prefix wins.
	Timezone string `yaml:"timezone"`
	// MaxBytesInFlight bounds the bytes of the pages being decoded, parsed and extracted at once,
	// over every source and every worker of the process; 0 means
	// crawler.DefaultMaxBytesInFlight. Parse copies it into every source's options.
	MaxBytesInFlight int64 `yaml:"max_bytes_in_flight"`

	// Syndication tunes the near-duplicate clusters (cluster_id); they are on by default.
	Syndication Syndication `yaml:"syndication"`

	// Location is Timezone loaded; nil when it is empty.
	Location *time.Location `yaml:"-"`

	// Path is the file it was read from; relative paths inside resolve against its folder.
	Path string `yaml:"-"`
}

// Source is one site to crawl: the crawl options themselves (their keys are crawler.Options'
// yaml tags), plus what only serve reads.
type Source struct {
	crawler.Options `yaml:",inline"`
	Schedule        string `yaml:"schedule"`
	// Health is what a healthy pass over the source reads (docs/operations.md, "Source health").
	Health health.Expect `yaml:"health"`

	// Line is where the source starts in the file, for errors found after Load (serve's).
	Line int `yaml:"-"`
}

// Syndication is the `syndication:` section: how records of one story are clustered.
type Syndication struct {
	// Off leaves records without cluster_id and the store without the index.
	Off bool `yaml:"off"`
	// Window is how far apart two records' published times may be and still be one story;
	// syndication.DefaultWindow (72h) when zero.
	Window time.Duration `yaml:"window"`
	// MaxEntries bounds the index; syndication.DefaultMaxEntries when zero.
	MaxEntries int `yaml:"max_entries"`
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

// maxConfigBytes is far more than any config; a bigger file is a wrong path.
const maxConfigBytes = 4 << 20

// Load reads and validates path.
//
// A path that is not a regular file (a named pipe would block the read until a writer came) is
// refused without being opened.
func Load(path string) (*Config, error) {
	b, err := regular.ReadFile(path, maxConfigBytes)
	switch {
	case errors.Is(err, regular.ErrNotRegular), errors.Is(err, regular.ErrTooLarge):
		return nil, fmt.Errorf("%w: config %v", ErrInvalid, err)
	case err != nil:
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
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, path, yamlMsg(err))
		}
		return nil, fmt.Errorf("%w: %s: line %d: a second YAML document: a config file holds one (remove the --- line)", ErrInvalid, path, line)
	}
	if err := wholeNumbers(&root); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
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
		c.Listen, c.ListenDefaulted = DefaultListen, true
	}
	for i := range c.Sources {
		c.Sources[i].Line = at(&root, KeySources, i)
		// One bound for the process: every source's crawler (and a worker's) shares it.
		c.Sources[i].MaxBytesInFlight = c.MaxBytesInFlight
	}
	dir := filepath.Dir(path)
	c.Store = resolve(dir, c.Store)
	c.Output = resolve(dir, c.Output)
	c.Archive = resolve(dir, c.Archive)
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
	case t == "int" || t == "*int" || t == "int64":
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

// outputFile reports whether store names a file the output folder's writer owns: a daily file
// or the lock (both paths as written in the config, relative to the same folder).
func outputFile(store, out string) (string, bool) {
	if filepath.Clean(filepath.Dir(store)) != filepath.Clean(out) {
		return "", false
	}
	name := filepath.Base(store)
	if _, err := time.Parse(output.FilePattern, name); err == nil || name == output.LockName {
		return name, true
	}
	return "", false
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

// checkPaths refuses a store that is a file of the output, and an archive folder that is the
// output folder or the store.
func (c *Config) checkPaths(root *yaml.Node) error {
	if name, ok := outputFile(c.Store, c.Output); ok {
		// The sink would append JSON lines into the bbolt file, which then overwrites them.
		return fmt.Errorf("line %d: %s: %s is a daily file of output %s (or its lock), where the records are written; name another file", at(root, KeyStore), KeyStore, name, c.Output)
	}
	if c.Archive != "" && (filepath.Clean(c.Archive) == filepath.Clean(c.Output) || filepath.Clean(c.Archive) == filepath.Clean(c.Store)) {
		return fmt.Errorf("line %d: %s: %s is the output folder or the store; give the archive a folder of its own", at(root, KeyArchive), KeyArchive, c.Archive)
	}
	return nil
}

// validateSources checks each source: a unique name, its crawl options, schedule and health.
func (c *Config) validateSources(root *yaml.Node) error {
	fail := func(line int, key, format string, args ...any) error {
		return fmt.Errorf("line %d: %s: %s", line, key, fmt.Sprintf(format, args...))
	}
	names := map[string]bool{}
	for i, s := range c.Sources {
		key := func(k string) string { return fmt.Sprintf("%s[%d].%s", KeySources, i, k) }
		if s.Name == "" {
			return fail(at(root, KeySources, i), key(crawler.KeyName), "missing")
		}
		if names[s.Name] {
			return fail(at(root, KeySources, i, crawler.KeyName), key(crawler.KeyName), "%q is used twice", s.Name)
		}
		names[s.Name] = true
		if err := s.Options.Validate(); err != nil {
			var oe *crawler.OptionError
			if !errors.As(err, &oe) {
				return fail(at(root, KeySources, i), key(crawler.KeyName), "%v", err)
			}
			if oe.Index >= 0 {
				return fail(at(root, KeySources, i, oe.Key, oe.Index), fmt.Sprintf("%s[%d]", key(oe.Key), oe.Index), "%s", oe.Msg)
			}
			return fail(at(root, KeySources, i, oe.Key), key(oe.Key), "%s", oe.Msg)
		}
		if s.Schedule != "" {
			if _, err := ParseSchedule(s.Schedule, c.Location); err != nil {
				return fail(at(root, KeySources, i, KeySchedule), key(KeySchedule), "%v", err)
			}
		}
		if err := s.Health.Validate(); err != nil {
			return fail(at(root, KeySources, i, KeyHealth), key(KeyHealth), "%v", err)
		}
		// A misspelt extractor would leave the source unhealthy on every pass, for good.
		if e := s.Health.Extractor; e != "" && !slices.Contains(c.extractorNames(), e) {
			return fail(at(root, KeySources, i, KeyHealth, "extractor"), key(KeyHealth+".extractor"), "%q is not an extractor of this config; known: %s", e, strings.Join(c.extractorNames(), ", "))
		}
	}
	return nil
}

// extractorNames are the names a record's extractor field can take under this config.
func (c *Config) extractorNames() []string {
	names := append(extract.Default().Names(), extract.NewGeneric().Name())
	for _, r := range c.Rules {
		names = append(names, "rules:"+r.Name)
	}
	return names
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
	if err := c.checkPaths(root); err != nil {
		return err
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		return fail(at(root, KeyLogLevel), KeyLogLevel, "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	if err := CheckLockTimeout(c.LockTimeout); err != nil {
		return fail(at(root, KeyLockTimeout), KeyLockTimeout, "%v", err)
	}
	if c.Timezone != "" {
		loc, err := LoadZone(c.Timezone)
		if err != nil {
			return fail(at(root, KeyTimezone), KeyTimezone, "%v", err)
		}
		c.Location = loc
	}
	switch n := c.MaxBytesInFlight; {
	case n < 0:
		return fail(at(root, KeyMaxBytesInFlight), KeyMaxBytesInFlight, "must not be negative")
	case n > crawler.MaxMaxBytesInFlight:
		return fail(at(root, KeyMaxBytesInFlight), KeyMaxBytesInFlight, "%d is too large; at most %d (16 GiB)", n, int64(crawler.MaxMaxBytesInFlight))
	}
	if c.Listen != "" {
		if err := checkListen(c.Listen); err != nil {
			return fail(at(root, KeyListen), KeyListen, "%v", err)
		}
	}
	if len(c.Sources) == 0 {
		return fail(at(root, KeySources), KeySources, "no sources: nothing to crawl")
	}
	if err := c.validateSources(root); err != nil {
		return err
	}
	if sy := c.Syndication; sy.Window < 0 || sy.MaxEntries < 0 {
		return fail(at(root, KeySyndication), KeySyndication, "window and max_entries must not be negative")
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

// CheckLockTimeout refuses a lock timeout no run should wait: negative, or past MaxLockTimeout.
// The config's lock_timeout and the --lock-timeout flag share it.
func CheckLockTimeout(d time.Duration) error {
	switch {
	case d < 0:
		return fmt.Errorf("%s must not be negative", d)
	case d > MaxLockTimeout:
		return fmt.Errorf("%s is too long; at most %s", d, MaxLockTimeout)
	}
	return nil
}

// checkListen wants host:port with a port a socket can have.
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (e.g. %s, or :9464 for every interface)", addr, DefaultListen)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("%q: port %q is not a number from 0 to 65535", addr, port)
	}
	return nil
}

// wholeNumbers refuses a fraction where a count is wanted: the YAML decoder would silently cut
// "parallelism: 1.5" to 1. The counts are the integer fields of Config and crawler.Options.
func wholeNumbers(root *yaml.Node) error {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	check := func(m *yaml.Node, prefix string, ints map[string]bool) error {
		if m.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if ints[k.Value] && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!float" {
				return fmt.Errorf("line %d: %s%s: %q is not a whole number", v.Line, prefix, k.Value, v.Value)
			}
		}
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	if err := check(n, "", topInts); err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != KeySources || n.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for j, src := range n.Content[i+1].Content {
			if err := check(src, fmt.Sprintf("%s[%d].", KeySources, j), sourceInts); err != nil {
				return err
			}
			for k := 0; src.Kind == yaml.MappingNode && k+1 < len(src.Content); k += 2 {
				if src.Content[k].Value == KeyHealth {
					if err := check(src.Content[k+1], fmt.Sprintf("%s[%d].%s.", KeySources, j, KeyHealth), healthInts); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
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

// topInts are the top-level keys that hold whole numbers.
var topInts = map[string]bool{KeyMaxBytesInFlight: true}

// healthInts are the counts of a source's health block.
var healthInts = map[string]bool{"min_records_per_day": true, "min_records_per_pass": true, "min_body_median": true}

// sourceInts are the keys of crawler.Options that hold whole numbers, read from its yaml tags.
var sourceInts = func() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeFor[crawler.Options]()
	for i := range t.NumField() {
		f := t.Field(i)
		k := f.Type.Kind()
		if k == reflect.Pointer {
			k = f.Type.Elem().Kind()
		}
		if k == reflect.Int {
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			out[name] = true
		}
	}
	return out
}()
