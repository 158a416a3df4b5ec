package health

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newsmill/newsmill/article"
)

var at = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

func rec(extractor, dateSource string, body string, stocks ...string) *article.Record {
	return &article.Record{Title: "标题", Extractor: extractor, DateSource: dateSource, Body: body, Source: "证券时报", Stocks: stocks}
}

func share(v float64) *float64 { return &v }

var eastmoney = Expect{Extractor: "eastmoney", MaxFetchedDateShare: share(0.2), MinBodyMedian: 20, MinRecordsPerPass: 2}

func TestAPassLikeTheLastOneIsHealthy(t *testing.T) {
	p := NewPass()
	p.Record("em", rec("eastmoney", "", strings.Repeat("字", 30), "600519.SH"), true)
	p.Record("em", rec("eastmoney", "", strings.Repeat("字", 50)), false)
	p.Record("em", rec("eastmoney", "", strings.Repeat("字", 40)), true)
	reps, err := p.Check(at, map[string]Expect{"em": eastmoney}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := reps[0]
	if !r.Healthy || r.Stats.Records != 3 || r.Stats.New != 2 || r.Stats.BodyMedian != 40 || r.Stats.PageDateShare != 1 ||
		r.Stats.Extractors["eastmoney"] != 3 || r.Stats.StocksShare < 0.33 || r.Stats.StocksShare > 0.34 || r.PerDay != -1 {
		t.Errorf("report %+v", r)
	}
}

func TestATemplateChangeShowsAsProblemsOfTheSource(t *testing.T) {
	p := NewPass()
	// The site extractor stopped matching: generic took the pages, found no dates and a teaser.
	for range 4 {
		p.Record("em", rec("generic", article.DateFromFetched, "短"), true)
	}
	p.Record("em", rec("eastmoney", "", strings.Repeat("字", 40)), true)
	p.Source("quiet") // a source without a block, and without records
	reps, err := p.Check(at, map[string]Expect{"em": eastmoney}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 || reps[0].Source != "em" || reps[0].Healthy || !reps[1].Healthy {
		t.Fatalf("reports %+v", reps)
	}
	got := strings.Join(reps[0].Problems, "\n")
	for _, want := range []string{"80% of records dated by fetch time, expected at most 20%",
		"extractor eastmoney made 20% of records (generic 4, eastmoney 1), expected at least 90%",
		"median body 1 characters, expected at least 20"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nlack %q", got, want)
		}
	}
	if w := reps[0].Warning(); !strings.HasPrefix(w, "warning: source em unhealthy: ") || strings.Contains(w, "\n") {
		t.Errorf("warning line %q", w)
	}
}

func TestRecordsPerDayComeFromTheCallerAndOnlyWhenExpected(t *testing.T) {
	p := NewPass()
	p.Source("a")
	p.Source("b")
	asked := map[string]bool{}
	reps, err := p.Check(at, map[string]Expect{"a": {MinRecordsPerDay: 10}}, func(s string) (int, error) { asked[s] = true; return 3, nil })
	if err != nil {
		t.Fatal(err)
	}
	if !asked["a"] || asked["b"] || reps[0].Healthy || reps[0].PerDay != 3 || reps[0].Problems[0] != "3 records in the last day, expected at least 10" {
		t.Errorf("asked %v, reports %+v", asked, reps)
	}
	// A pass with no records judges no shares: nothing changed on the site's listings.
	if !reps[1].Healthy {
		t.Errorf("b: %+v", reps[1])
	}
	if _, err := p.Check(at, map[string]Expect{"a": {MinRecordsPerDay: 1}}, func(string) (int, error) { return 0, errors.New("store gone") }); err == nil {
		t.Error("a failed count gave no error")
	}
}

func TestValidateNamesTheFieldOutOfRange(t *testing.T) {
	for _, c := range []struct {
		e    Expect
		want string
	}{
		{Expect{MaxFetchedDateShare: share(1.5)}, "max_fetched_date_share"},
		{Expect{MinExtractorShare: 0.5}, "min_extractor_share: set without extractor"},
		{Expect{MinStocksShare: -0.1}, "min_stocks_share"},
		{Expect{MinRecordsPerDay: -1}, "negative"},
	} {
		if err := c.e.Validate(); !errors.Is(err, ErrBadExpect) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v; want %q", c.e, err, c.want)
		}
	}
	if err := eastmoney.Validate(); err != nil {
		t.Error(err)
	}
}

func TestAReportSurvivesTheStoreAndTheMetricsFollowIt(t *testing.T) {
	p := NewPass()
	p.Record("em", rec("generic", article.DateFromFetched, "短"), true)
	reps, _ := p.Check(at, map[string]Expect{"em": eastmoney}, nil)
	b, err := reps[0].Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(b)
	if err != nil || back.Healthy || back.Stats.Extractors["generic"] != 1 || len(back.Problems) != len(reps[0].Problems) {
		t.Errorf("back %+v, %v", back, err)
	}
	if _, err := Unmarshal([]byte("{")); !errors.Is(err, ErrBadReport) {
		t.Errorf("torn bytes: %v", err)
	}
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.Set(reps)
	if v := gauge(t, reg, "newsmill_source_healthy", "em"); v != 0 {
		t.Errorf("newsmill_source_healthy = %v after a drifted pass", v)
	}
	good := NewPass()
	good.Record("em", rec("eastmoney", "", strings.Repeat("字", 40)), true)
	good.Record("em", rec("eastmoney", "", strings.Repeat("字", 40)), true)
	reps, _ = good.Check(at, map[string]Expect{"em": eastmoney}, nil)
	m.Set(reps)
	if v := gauge(t, reg, "newsmill_source_healthy", "em"); v != 1 {
		t.Errorf("newsmill_source_healthy = %v after a good pass", v)
	}
	if n := series(t, reg, "newsmill_source_extractor_records"); n != 1 {
		t.Errorf("%d extractor series; the generic one of the pass before should be gone", n)
	}
}

// gauge reads a series of the registry as a scrape would.
func gauge(t *testing.T, reg *prometheus.Registry, name, source string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "source" && l.GetValue() == source {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{source=%q}", name, source)
	return 0
}

func series(t *testing.T, reg *prometheus.Registry, name string) int {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}
