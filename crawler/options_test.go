package crawler

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func retries(n int) *int { return &n }

func TestOptionsThatWouldCrashOrHangTheRunAreRefusedByKey(t *testing.T) {
	ok := Options{Name: "s", Seeds: []string{"https://a.example/"}}
	cases := []struct {
		name string
		set  func(o *Options)
		key  string
	}{
		{"the largest int as parallelism (it panicked)", func(o *Options) { o.Parallelism = math.MaxInt64 }, KeyParallelism},
		{"a trillion workers (it ran out of memory)", func(o *Options) { o.Parallelism = 1_000_000_000_000 }, KeyParallelism},
		{"a body cap past the address space (it overflowed)", func(o *Options) { o.MaxBodyBytes = math.MaxInt64 }, KeyMaxBodyBytes},
		{"a pause of centuries (it overflowed the clock)", func(o *Options) { o.Delay = 2562047 * time.Hour }, KeyDelay},
		{"a timeout of days", func(o *Options) { o.Timeout = 48 * time.Hour }, KeyTimeout},
		{"a user agent that writes a header of its own", func(o *Options) { o.UserAgent = "bot\r\nX-Evil: 1" }, KeyUserAgent},
		{"a user agent with a line feed", func(o *Options) { o.UserAgent = "bot\nmore" }, KeyUserAgent},
		{"a user agent with a Unicode next-line control", func(o *Options) { o.UserAgent = "bot\u0085more" }, KeyUserAgent},
		{"retries past ten", func(o *Options) { o.MaxRetries = retries(11) }, KeyMaxRetries},
		{"negative retries", func(o *Options) { o.MaxRetries = retries(-1) }, KeyMaxRetries},
		{"retry attempts past a thousand runs", func(o *Options) { o.RetryAttempts = retries(MaxRetryAttempts + 1) }, KeyRetryAttempts},
		{"negative retry attempts", func(o *Options) { o.RetryAttempts = retries(-1) }, KeyRetryAttempts},
		{"a negative page budget", func(o *Options) { o.MaxPages = -1 }, KeyMaxPages},
		{"no seeds", func(o *Options) { o.Seeds = nil }, KeySeeds},
		{"an allowed host written as a URL", func(o *Options) { o.AllowedHosts = []string{"https://a.example/"} }, KeyAllowedHosts},
		{"a bad article pattern", func(o *Options) { o.Articles = []string{"("} }, KeyArticles},
		{"a base back-off longer than the longest", func(o *Options) { o.RetryBaseDelay, o.RetryMaxDelay = time.Minute, time.Second }, KeyRetryBaseDelay},
	}
	for _, c := range cases {
		o := ok
		c.set(&o)
		err := o.Validate()
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Key != c.key || !errors.Is(err, ErrBadOptions) {
			t.Errorf("%s: Validate() = %v, want an OptionError for %s", c.name, err, c.key)
			continue
		}
		if _, err := New(o, nil, nil); !errors.Is(err, ErrBadOptions) || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%s: New() = %v, want it refused naming %s", c.name, err, c.key)
		}
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("minimal options refused: %v", err)
	}
}

func TestTheLargestAllowedValuesStillMakeACrawler(t *testing.T) {
	o := Options{Seeds: []string{"https://a.example/"}, Parallelism: MaxParallelism, MaxBodyBytes: MaxMaxBodyBytes,
		Delay: MaxDuration, MaxPages: MaxMaxPages, MaxRetries: retries(MaxMaxRetries)}
	if _, err := New(o, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultsFillOnlyWhatIsUnsetAndZeroRetriesMeansNone(t *testing.T) {
	d := Options{Seeds: []string{"https://a.example/"}}.WithDefaults()
	if d.Parallelism != DefaultParallelism || *d.MaxRetries != DefaultMaxRetries || d.MaxPagesPerHost != DefaultMaxPages ||
		d.UserAgent != DefaultUserAgent || !d.ConditionalRequests() || d.MaxBodyBytes != DefaultMaxBodyBytes {
		t.Errorf("defaults: %+v", d)
	}
	off := false
	s := Options{MaxRetries: retries(0), MaxPages: 50, Conditional: &off}.WithDefaults()
	if *s.MaxRetries != 0 || s.MaxPagesPerHost != 50 || s.ConditionalRequests() {
		t.Errorf("set values were overwritten: retries %d per-host %d conditional %v", *s.MaxRetries, s.MaxPagesPerHost, s.ConditionalRequests())
	}
}
