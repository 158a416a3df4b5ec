package config

import (
	"errors"
	"strings"
	"testing"
	"time"
	// Zone data in the test binary, as in crawl's: the zone tests must not depend on the host.
	_ "time/tzdata"
)

const serveBase = "store: s.db\noutput: out\nsources:\n  - name: a\n    seeds: [http://127.0.0.1/]\n"

func TestAScheduleThatIsNotACronSpecIsRejectedWithItsLineAndKey(t *testing.T) {
	for _, spec := range []string{"every hour", "*/5 * * *", "0 61 * * *", "* * * * * *"} {
		_, err := Parse("c.yaml", []byte(serveBase+"    schedule: \""+spec+"\"\n"))
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("%q: err = %v, want ErrInvalid", spec, err)
		}
		for _, want := range []string{"c.yaml", "line 6", "sources[0].schedule"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q: error lacks %q: %v", spec, want, err)
			}
		}
	}
}

func TestStandardCronSpecsAndDescriptorsAreAccepted(t *testing.T) {
	for _, spec := range []string{"*/15 * * * *", "0 6 * * 1-5", "@hourly", "30 2 1 * *"} {
		c, err := Parse("c.yaml", []byte(serveBase+"    schedule: \""+spec+"\"\n"))
		if err != nil {
			t.Errorf("%q: %v", spec, err)
			continue
		}
		if c.Sources[0].Schedule != spec || c.Sources[0].Line != 4 {
			t.Errorf("%q: source = %+v", spec, c.Sources[0])
		}
	}
}

func TestListenDefaultsToLoopbackAndMustBeHostPort(t *testing.T) {
	c, err := Parse("c.yaml", []byte(serveBase))
	if err != nil || c.Listen != DefaultListen || !strings.HasPrefix(DefaultListen, "127.0.0.1:") {
		t.Fatalf("listen = %q, %v; want the loopback default", c.Listen, err)
	}
	if c, err := Parse("c.yaml", []byte("listen: \":9100\"\nrun_on_start: true\n"+serveBase)); err != nil || c.Listen != ":9100" || !c.RunOnStart {
		t.Errorf("listen :9100: %+v, %v", c, err)
	}
	_, err = Parse("c.yaml", []byte("listen: localhost\n"+serveBase))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "line 1: listen") {
		t.Errorf("listen without a port: %v", err)
	}
}

func TestSchedulesRunInTheConfigsTimezoneUnlessTheSpecNamesItsOwn(t *testing.T) {
	// Monday 6 May 2024, 00:00 UTC = 08:00 in Shanghai (UTC+8, no daylight saving).
	from := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		tz, spec string
		want     time.Time
	}{
		// 09:30 Beijing time, market open, is 01:30 UTC the same day.
		{"Asia/Shanghai", "30 9 * * 1-5", time.Date(2024, 5, 6, 1, 30, 0, 0, time.UTC)},
		// The schedule's own zone wins over the config's.
		{"Asia/Shanghai", "CRON_TZ=UTC 30 9 * * 1-5", time.Date(2024, 5, 6, 9, 30, 0, 0, time.UTC)},
		{"", "CRON_TZ=Asia/Shanghai 0 15 * * *", time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC)},
		// A descriptor is read in the zone too: the next Shanghai midnight is 16:00 UTC.
		{"Asia/Shanghai", "@daily", time.Date(2024, 5, 6, 16, 0, 0, 0, time.UTC)},
		{"UTC", "30 9 * * 1-5", time.Date(2024, 5, 6, 9, 30, 0, 0, time.UTC)},
	} {
		extra := ""
		if tc.tz != "" {
			extra = "timezone: " + tc.tz + "\n"
		}
		c, err := Parse("c.yaml", []byte(extra+serveBase+"    schedule: \""+tc.spec+"\"\n"))
		if err != nil {
			t.Fatalf("%s %q: %v", tc.tz, tc.spec, err)
		}
		sched, err := c.Schedules()
		if err != nil {
			t.Fatalf("%s %q: %v", tc.tz, tc.spec, err)
		}
		if got := sched[0].Next(from); !got.Equal(tc.want) {
			t.Errorf("timezone %q, schedule %q: next run %s, want %s", tc.tz, tc.spec, got.UTC(), tc.want)
		}
	}
}

func TestAnUnknownTimezoneIsRejectedWithItsLine(t *testing.T) {
	for _, tz := range []string{"Beijing", "Asia/Shanghia", "Local", "+08:00"} {
		_, err := Parse("c.yaml", []byte(serveBase+"timezone: \""+tz+"\"\n"))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "line 6: timezone") {
			t.Errorf("timezone %q: %v", tz, err)
		}
	}
}

func TestAScheduleZoneIsHeldToTheTimezoneRuleAndNamedAsTheFault(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"CRON_TZ=Mars/Base 30 9 * * 1-5", `line 7: sources[0].schedule: "Mars/Base" is not an IANA time zone name`},
		{"TZ=Asia/Shanghia 30 9 * * *", `line 7: sources[0].schedule: "Asia/Shanghia" is not an IANA time zone name`},
		{"CRON_TZ=Local 30 9 * * *", `line 7: sources[0].schedule: "Local" is not an IANA time zone name`},
		{"CRON_TZ=Asia/Shanghai 30 25 * * *", `line 7: sources[0].schedule: "CRON_TZ=Asia/Shanghai 30 25 * * *" is not a 5-field cron spec`},
		// The config's zone is added to the spec it reads, never to the one it quotes.
		{"0 25 * * *", `line 7: sources[0].schedule: "0 25 * * *" is not a 5-field cron spec`},
	} {
		_, err := Parse("c.yaml", []byte("timezone: UTC\n"+serveBase+"    schedule: \""+c.spec+"\"\n"))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("schedule %q: %v\nwant it to contain %s", c.spec, err, c.want)
		}
	}
}

func TestServeNeedsAScheduleForEverySourceNamingItsLine(t *testing.T) {
	c, err := Parse("c.yaml", []byte(serveBase+"    schedule: \"@hourly\"\n  - name: b\n    seeds: [http://127.0.0.1/b]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Schedules(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "line 7: sources[1].schedule: missing") {
		t.Errorf("a source without a schedule: %v", err)
	}
}
