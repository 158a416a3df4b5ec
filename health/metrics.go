package health

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the per-source health series of serve's /metrics, set after every pass.
type Metrics struct {
	healthy    *prometheus.GaugeVec
	records    *prometheus.GaugeVec
	share      *prometheus.GaugeVec
	body       *prometheus.GaugeVec
	extractors *prometheus.GaugeVec
}

// NewMetrics registers the health series on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		healthy: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsmill_source_healthy", Help: "1 when the source's last pass met its health block (or it has none), 0 when it drifted.",
		}, []string{"source"}),
		records: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsmill_source_pass_records", Help: "Records the source's last pass read (new or already stored).",
		}, []string{"source"}),
		share: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsmill_source_field_share", Help: "Share of the last pass's records with the field filled: title, published_at_page (from the page itself), published_at_fetched (only the fetch time), source, stocks.",
		}, []string{"source", "field"}),
		body: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsmill_source_body_median_chars", Help: "Median body length of the source's last pass, in characters.",
		}, []string{"source"}),
		extractors: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsmill_source_extractor_records", Help: "Records of the source's last pass by the extractor that made them.",
		}, []string{"source", "extractor"}),
	}
	for _, c := range []prometheus.Collector{m.healthy, m.records, m.share, m.body, m.extractors} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Set publishes a pass's reports; a source's extractor series are replaced, not added to.
func (m *Metrics) Set(reports []Report) {
	for _, r := range reports {
		h := 0.0
		if r.Healthy {
			h = 1
		}
		m.healthy.WithLabelValues(r.Source).Set(h)
		m.records.WithLabelValues(r.Source).Set(float64(r.Stats.Records))
		s := r.Stats
		for field, v := range map[string]float64{"title": s.TitleShare, "published_at_page": s.PageDateShare,
			"published_at_fetched": s.FetchedDateShare, "source": s.SourceShare, "stocks": s.StocksShare} {
			m.share.WithLabelValues(r.Source, field).Set(v)
		}
		m.body.WithLabelValues(r.Source).Set(float64(s.BodyMedian))
		m.extractors.DeletePartialMatch(prometheus.Labels{"source": r.Source})
		for ex, n := range s.Extractors {
			m.extractors.WithLabelValues(r.Source, ex).Set(float64(n))
		}
	}
}
