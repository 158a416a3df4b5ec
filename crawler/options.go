package crawler

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/newsmill/newsmill/article"
)

// Options describe one source's crawl. They are also a config file's source: the yaml tags are
// its keys (docs/config.md), so a setting is declared, defaulted and validated here once.
// New rejects options that cannot work (Validate) and fills what is unset (WithDefaults).
type Options struct {
	Name  string   `yaml:"name"`
	Seeds []string `yaml:"seeds"`
	// AllowedHosts are the hosts links may lead to; empty: the seeds' hosts.
	AllowedHosts []string `yaml:"allowed_hosts"`
	// Follow lists URL patterns whose pages' links are followed; empty: every page's.
	Follow []string `yaml:"follow"`
	// Articles lists URL patterns handed to the extractors; empty: every page.
	Articles []string `yaml:"articles"`
	// MaxDepth bounds the link distance from a seed (a seed is 1); 0 means DefaultMaxDepth.
	MaxDepth int `yaml:"max_depth"`
	// MaxPages bounds the fetches of one run; 0 means DefaultMaxPages.
	MaxPages int `yaml:"max_pages"`
	// Parallelism is the number of concurrent requests per host; 0 means DefaultParallelism.
	Parallelism int `yaml:"parallelism"`
	// Delay is the pause after each request to one host (a robots.txt Crawl-delay that asks
	// for more wins).
	Delay        time.Duration `yaml:"delay"`
	UserAgent    string        `yaml:"user_agent"`
	IgnoreRobots bool          `yaml:"ignore_robots"`
	// Timeout bounds one attempt: connect, headers and the whole body; 0 means 30s.
	Timeout time.Duration `yaml:"timeout"`
	// ConnectTimeout bounds the TCP and TLS handshake; 0 means 10s.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// HeaderTimeout bounds the wait for response headers once the request is sent; 0 means 20s.
	HeaderTimeout time.Duration `yaml:"header_timeout"`
	// MaxBodyBytes caps a body after decompression, in bytes; 0 means 10 MiB. A larger body is a
	// logged skip, never a truncated page.
	MaxBodyBytes int `yaml:"max_body_bytes"`
	// MaxRetries bounds the retries of a timeout, reset, 429 or 5xx; nil means
	// DefaultMaxRetries, 0 none.
	MaxRetries *int `yaml:"max_retries"`
	// RetryBaseDelay is the first back-off, doubled per retry with jitter; 0 means 500ms.
	RetryBaseDelay time.Duration `yaml:"retry_base_delay"`
	// RetryMaxDelay caps a back-off and the Retry-After we honour; a host asking for longer gets
	// no more requests this run. 0 means 60s.
	RetryMaxDelay time.Duration `yaml:"retry_max_delay"`
	// MaxRedirects bounds one fetch's redirect chain; 0 means 10.
	MaxRedirects int `yaml:"max_redirects"`
	// MaxPagesPerHost bounds the fetches per host in one run; 0 means MaxPages.
	MaxPagesPerHost int `yaml:"max_pages_per_host"`
	// MaxURLLength refuses longer links (calendar and session traps); 0 means 2048.
	MaxURLLength int `yaml:"max_url_length"`
	// MaxQueryParams refuses links with more query parameters; 0 means 8.
	MaxQueryParams int `yaml:"max_query_params"`
	// MaxQueryVariants bounds the distinct query strings fetched per path (sort and filter
	// permutations); 0 means 100.
	MaxQueryVariants int `yaml:"max_query_variants"`
	// Conditional sends If-None-Match / If-Modified-Since for listings and feeds when the run has
	// a ValidatorCache (WithValidatorCache); nil means on.
	Conditional *bool `yaml:"conditional_requests"`
	// RetryAttempts bounds the runs that fetch a failed page again by URL (its first failure
	// counts) before it is given up; nil means DefaultRetryAttempts, 0 keeps no retry list: a
	// failed page then costs its listings their validators instead.
	RetryAttempts *int `yaml:"retry_attempts"`
	// Recheck fetches the source's new articles again while they are young (recheck.go); the
	// zero policy, the default, rechecks nothing.
	Recheck RecheckPolicy `yaml:"recheck"`

	// LeafArticles stops at pages that gave a record: a one-off run of an article URL gives that
	// article, not its neighbours. Scheduled crawls follow article pages' links too, since that
	// is how a site's category pages are found.
	LeafArticles bool `yaml:"-"`
	// MaxBytesInFlight bounds the bytes of the pages being read at once (decoded, parsed,
	// extracted) over the whole process: the config's top-level max_bytes_in_flight, which all
	// its sources share; 0 means DefaultMaxBytesInFlight.
	MaxBytesInFlight int64 `yaml:"-"`

	// keepPageValidators keeps the validators of article pages too (Recheck): they are asked
	// "changed since?" on their next recheck.
	keepPageValidators bool
	// articleSeeds makes the seeds articles (FetchItems): the skipper applies to them too.
	articleSeeds bool
	// seedHints are what saved lists said about the seeds, by canonical URL (FetchItems).
	seedHints map[string]*article.Record
}

// The keys of Options in a config file, as its yaml tags spell them; an OptionError names one.
const (
	KeyName             = "name"
	KeySeeds            = "seeds"
	KeyAllowedHosts     = "allowed_hosts"
	KeyFollow           = "follow"
	KeyArticles         = "articles"
	KeyMaxDepth         = "max_depth"
	KeyMaxPages         = "max_pages"
	KeyParallelism      = "parallelism"
	KeyDelay            = "delay"
	KeyUserAgent        = "user_agent"
	KeyIgnoreRobots     = "ignore_robots"
	KeyTimeout          = "timeout"
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
	KeyRetryAttempts    = "retry_attempts"
	KeyRecheck          = "recheck"
)

// Defaults for unset options.
const (
	DefaultMaxDepth         = 6
	DefaultMaxPages         = 10000
	DefaultParallelism      = 2
	DefaultTimeout          = 30 * time.Second
	DefaultConnectTimeout   = 10 * time.Second
	DefaultHeaderTimeout    = 20 * time.Second
	DefaultMaxBodyBytes     = 10 << 20
	DefaultMaxRetries       = 3
	DefaultRetryBaseDelay   = 500 * time.Millisecond
	DefaultRetryMaxDelay    = 60 * time.Second
	DefaultMaxRedirects     = 10
	DefaultMaxURLLength     = 2048
	DefaultMaxQueryParams   = 8
	DefaultMaxQueryVariants = 100
	DefaultRetryAttempts    = 5
)

// Upper bounds (docs/config.md). Past them a value is a typo or an attack on the machine, not
// a crawl: a billion workers or a body cap past the address space only crash the run, and a
// pause of years overflows the clock.
const (
	MaxParallelism     = 64
	MaxMaxPages        = 10_000_000
	MaxMaxDepth        = 1000
	MaxMaxBodyBytes    = 1 << 30
	MaxMaxRetries      = 10
	MaxMaxRedirects    = 100
	MaxMaxURLLength    = 1 << 16
	MaxMaxQueryParams  = 1000
	MaxMaxQueryVariant = 1_000_000
	MaxRetryAttempts   = 1000
	MaxDuration        = time.Hour
	MaxUserAgentLength = 1024
)

// Validate reports the first option that cannot give a working crawl, as an *OptionError naming
// its key. It checks values only; unset ones are fine.
func (o Options) Validate() error {
	for _, check := range []func() error{o.validateURLs, o.validatePatterns, o.validateCounts, o.validateDurations, o.validateUserAgent} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// validateURLs checks the seeds and allowed hosts: every seed an http(s) URL on an allowed host.
func (o Options) validateURLs() error {
	if len(o.Seeds) == 0 {
		return optErr(KeySeeds, -1, "missing: a source needs at least one URL to start from")
	}
	for j, h := range o.AllowedHosts {
		if _, _, err := splitAllowedHost(h); err != nil {
			return optErr(KeyAllowedHosts, j, "%v", err)
		}
	}
	hosts := o.hosts()
	for j, seed := range o.Seeds {
		u, err := url.Parse(seed)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return optErr(KeySeeds, j, "%q is not an http(s) URL", seed)
		}
		if !hostIn(strings.ToLower(u.Hostname()), hosts) {
			return optErr(KeySeeds, j, "host %q is not in allowed_hosts", u.Hostname())
		}
	}
	return nil
}

// validatePatterns checks that the follow and article patterns compile.
func (o Options) validatePatterns() error {
	for _, k := range []struct {
		key  string
		pats []string
	}{{KeyFollow, o.Follow}, {KeyArticles, o.Articles}} {
		for j, p := range k.pats {
			if _, err := compileAll([]string{p}); err != nil {
				return optErr(k.key, j, "bad pattern: %v", err)
			}
		}
	}
	return nil
}

// validateCounts checks every count against zero and its ceiling.
func (o Options) validateCounts() error {
	retries := 0
	if o.MaxRetries != nil {
		retries = *o.MaxRetries
	}
	attempts := 0
	if o.RetryAttempts != nil {
		attempts = *o.RetryAttempts
	}
	const tooLarge = "%d is too large; at most %d"
	for _, k := range []struct {
		key    string
		v, max int
		msg    string
	}{
		{KeyMaxDepth, o.MaxDepth, MaxMaxDepth, tooLarge},
		{KeyMaxPages, o.MaxPages, MaxMaxPages, tooLarge},
		{KeyParallelism, o.Parallelism, MaxParallelism, "%d concurrent requests per host is too many; at most %d"},
		{KeyMaxBodyBytes, o.MaxBodyBytes, MaxMaxBodyBytes, tooLarge + " (1 GiB)"},
		{KeyMaxRetries, retries, MaxMaxRetries, "%d retries would hammer a failing server; at most %d"},
		{KeyMaxRedirects, o.MaxRedirects, MaxMaxRedirects, tooLarge},
		{KeyMaxPagesPerHost, o.MaxPagesPerHost, MaxMaxPages, tooLarge},
		{KeyMaxURLLength, o.MaxURLLength, MaxMaxURLLength, tooLarge},
		{KeyMaxQueryParams, o.MaxQueryParams, MaxMaxQueryParams, tooLarge},
		{KeyMaxQueryVariants, o.MaxQueryVariants, MaxMaxQueryVariant, tooLarge},
		{KeyRetryAttempts, attempts, MaxRetryAttempts, tooLarge},
	} {
		if k.v < 0 {
			return optErr(k.key, -1, "must not be negative")
		}
		if k.v > k.max {
			return optErr(k.key, -1, k.msg, k.v, k.max)
		}
	}
	return nil
}

// validateDurations checks every duration against zero and MaxDuration, and the retry delays
// against each other.
func (o Options) validateDurations() error {
	for _, k := range []struct {
		key string
		v   time.Duration
	}{{KeyDelay, o.Delay}, {KeyTimeout, o.Timeout}, {KeyConnectTimeout, o.ConnectTimeout},
		{KeyHeaderTimeout, o.HeaderTimeout}, {KeyRetryBaseDelay, o.RetryBaseDelay}, {KeyRetryMaxDelay, o.RetryMaxDelay}} {
		if k.v < 0 {
			return optErr(k.key, -1, "must not be negative")
		}
		if k.v > MaxDuration {
			return optErr(k.key, -1, "%s is too long; at most %s", k.v, MaxDuration)
		}
	}
	if err := o.Recheck.validate(); err != nil {
		return optErr(KeyRecheck, -1, "%v", err)
	}
	if o.RetryBaseDelay > 0 && o.RetryMaxDelay > 0 && o.RetryBaseDelay > o.RetryMaxDelay {
		return optErr(KeyRetryBaseDelay, -1, "%s is longer than retry_max_delay %s", o.RetryBaseDelay, o.RetryMaxDelay)
	}
	return nil
}

// validateUserAgent checks that the User-Agent is one header line of a sane length.
func (o Options) validateUserAgent() error {
	if len(o.UserAgent) > MaxUserAgentLength {
		return optErr(KeyUserAgent, -1, "%d bytes is too long; at most %d", len(o.UserAgent), MaxUserAgentLength)
	}
	for _, r := range o.UserAgent {
		if unicode.IsControl(r) {
			// A CR or LF would end the header and let the value write headers of its own; the
			// Unicode line controls (NEL) are no part of one line either.
			return optErr(KeyUserAgent, -1, "%q holds a control character (a line break?); a User-Agent is one line", o.UserAgent)
		}
	}
	return nil
}

// WithDefaults returns the options with every unset value at its default: the one place
// defaults are filled.
func (o Options) WithDefaults() Options {
	setDefault(&o.MaxDepth, DefaultMaxDepth)
	setDefault(&o.MaxPages, DefaultMaxPages)
	setDefault(&o.Parallelism, DefaultParallelism)
	setDefault(&o.Timeout, DefaultTimeout)
	setDefault(&o.ConnectTimeout, DefaultConnectTimeout)
	setDefault(&o.HeaderTimeout, DefaultHeaderTimeout)
	setDefault(&o.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefaultPtr(&o.MaxRetries, DefaultMaxRetries)
	setDefault(&o.RetryBaseDelay, DefaultRetryBaseDelay)
	setDefault(&o.RetryMaxDelay, DefaultRetryMaxDelay)
	setDefault(&o.MaxRedirects, DefaultMaxRedirects)
	setDefault(&o.MaxPagesPerHost, o.MaxPages)
	setDefault(&o.MaxURLLength, DefaultMaxURLLength)
	setDefault(&o.MaxQueryParams, DefaultMaxQueryParams)
	setDefault(&o.MaxQueryVariants, DefaultMaxQueryVariants)
	setDefaultPtr(&o.Conditional, true)
	setDefaultPtr(&o.RetryAttempts, DefaultRetryAttempts)
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	return o
}

// ConditionalRequests reports whether the source sends If-None-Match / If-Modified-Since.
func (o Options) ConditionalRequests() bool { return o.Conditional == nil || *o.Conditional }

// hosts are the allowed hosts, lower-cased: the configured ones, else the seeds'.
func (o Options) hosts() []string {
	var out []string
	for _, h := range o.AllowedHosts {
		if name, _, err := splitAllowedHost(h); err == nil {
			out = append(out, name) // the port is origins' to check
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, s := range o.Seeds {
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			out = append(out, strings.ToLower(u.Hostname()))
		}
	}
	return out
}

// setDefault fills an unset (zero) option.
func setDefault[T int | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// setDefaultPtr fills an unset (nil) option whose zero value means something of its own.
func setDefaultPtr[T any](v **T, def T) {
	if *v == nil {
		*v = &def
	}
}

// hostIn reports whether host is one of hosts (exactly: a subdomain is another host).
func hostIn(host string, hosts []string) bool {
	for _, h := range hosts {
		if h == host {
			return true
		}
	}
	return false
}

func optErr(key string, index int, format string, args ...any) error {
	return &OptionError{Key: key, Index: index, Msg: fmt.Sprintf(format, args...)}
}
