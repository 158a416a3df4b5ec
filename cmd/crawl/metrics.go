package main

import (
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/newsmill/newsmill/health"
)

// Error kinds of newsmill_errors_total.
const (
	errKindFetch   = "fetch"   // a request failed or answered neither 2xx nor 304, or could not be decoded
	errKindExtract = "extract" // a page looked like an article but gave no whole record
	errKindWrite   = "write"   // the store or the output refused a write; the pass stopped
	errKindSource  = "source"  // the source could not be crawled at all (bad options)
)

// Pass results of newsmill_passes_total.
const (
	passOK          = "ok"
	passFailed      = "failed"
	passInterrupted = "interrupted"
)

// metrics are serve's Prometheus collectors, on a registry of their own so that nothing
// registered globally by a library leaks into /metrics.
type metrics struct {
	reg         *prometheus.Registry
	fetched     *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	written     *prometheus.CounterVec
	duplicates  *prometheus.CounterVec
	revisions   *prometheus.CounterVec
	errors      *prometheus.CounterVec
	passes      *prometheus.CounterVec
	passSeconds *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
	joined      *prometheus.CounterVec
	health      *health.Metrics
	// ids is the store's id count as last seen: serve holds the store only during a pass, so a
	// scrape between passes reads this rather than waiting for the store's lock.
	ids atomic.Int64
}

// newMetrics registers serve's collectors; storePath is read for the store's size.
func newMetrics(storePath string, sources []string) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		fetched: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsmill_pages_fetched_total", Help: "HTTP fetches by source and status code (\"error\": no response).",
		}, []string{"source", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "newsmill_fetch_duration_seconds", Help: "Time from request to response of each fetch.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"source"}),
		written: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsmill_records_written_total", Help: "New records written to the output.",
		}, []string{"source"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsmill_duplicates_total", Help: "Records not written because their id was already stored.",
		}, []string{"source"}),
		revisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsmill_revisions_total", Help: "Records written as a new revision of a stored article that changed (recheck window, reextract).",
		}, []string{"source"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsmill_errors_total", Help: "Errors by source and kind (fetch, extract, write, source).",
		}, []string{"source", "kind"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsmill_passes_total", Help: "Scheduled passes by source and result (ok, failed, interrupted).",
		}, []string{"source", "result"}),
		passSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "newsmill_pass_duration_seconds", Help: "Wall time of a pass over one source.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8), // 1s .. ~4.5h
		}, []string{"source"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsmill_last_success_timestamp_seconds", Help: "Unix time a pass over the source last ended ok (0: never since start).",
		}, []string{"source"}),
	}
	storeSize := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "newsmill_store_size_bytes", Help: "Size of the bbolt store file.",
	}, func() float64 {
		fi, err := os.Stat(storePath)
		if err != nil {
			return 0
		}
		return float64(fi.Size())
	})
	storeIDs := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "newsmill_store_ids", Help: "Ids stored (everything ever emitted and not forgotten), as of serve's start or its last pass.",
	}, func() float64 { return float64(m.ids.Load()) })
	b := buildInfo()
	buildGauge := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "newsmill_build_info",
		Help:        "Always 1; the labels say which build is running (version, VCS revision, Go version).",
		ConstLabels: prometheus.Labels{"version": b.Version, "revision": b.Revision, "goversion": b.GoVersion},
	})
	buildGauge.Set(1)
	m.joined = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newsmill_records_joined_cluster_total", Help: "New records written that joined an earlier record's story (their cluster_id is another record's id).",
	}, []string{"source"})
	var err error
	if m.health, err = health.NewMetrics(m.reg); err != nil {
		panic(err) // names fixed at compile time: a clash is a programming error
	}
	m.reg.MustRegister(m.fetched, m.latency, m.written, m.duplicates, m.revisions, m.errors, m.passes, m.passSeconds, m.lastSuccess, m.joined,
		buildGauge, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if storePath != "" { // a cluster worker has no store
		m.reg.MustRegister(storeSize, storeIDs)
	}
	for _, s := range sources {
		// Present from the start, so an alert on "never succeeded" sees 0 rather than nothing.
		m.lastSuccess.WithLabelValues(s).Set(0)
		m.written.WithLabelValues(s)
		m.duplicates.WithLabelValues(s)
		m.revisions.WithLabelValues(s)
		m.joined.WithLabelValues(s)
	}
	return m
}

// observer counts one source's fetches; ok counts those that got an answer worth having.
func (m *metrics) observer(source string, ok func()) func(host string, status int, d time.Duration) {
	return func(_ string, status int, d time.Duration) {
		code := "error"
		if status != 0 {
			code = strconv.Itoa(status)
		}
		m.fetched.WithLabelValues(source, code).Inc()
		m.latency.WithLabelValues(source).Observe(d.Seconds())
		if answered(status) {
			ok()
		}
	}
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
