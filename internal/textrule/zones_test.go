package textrule

import (
	"testing"
	"time"
)

func TestZoneGivesEveryAbbreviationItsRealOffset(t *testing.T) {
	for abbr, want := range map[string]int{
		"IST": 5*3600 + 30*60, // India, once read as +05:00
		"GMT": 0, "BST": 3600, "CET": 3600, "CEST": 2 * 3600, "MSK": 3 * 3600,
		"JST": 9 * 3600, "KST": 9 * 3600, "HKT": 8 * 3600, "AEST": 10 * 3600, "NZDT": 13 * 3600,
		"EST": -5 * 3600, "EDT": -4 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600, "HST": -10 * 3600,
		"est": -5 * 3600,
	} {
		z, ok := Zone(abbr, false)
		if !ok {
			t.Errorf("Zone(%q) unknown", abbr)
			continue
		}
		if _, off := (time.Time{}).In(z).Zone(); off != want {
			t.Errorf("Zone(%q) = %+d s, want %+d", abbr, off, want)
		}
	}
}

func TestZoneReadsCSTAsChinaOnAChineseSourceAndUSCentralElsewhere(t *testing.T) {
	for _, c := range []struct {
		chinese bool
		want    int
	}{{true, 8 * 3600}, {false, -6 * 3600}} {
		z, _ := Zone("CST", c.chinese)
		if _, off := (time.Time{}).In(z).Zone(); off != c.want {
			t.Errorf("Zone(CST, chinese=%v) = %+d s, want %+d", c.chinese, off, c.want)
		}
	}
	if _, ok := Zone("XYZ", false); ok {
		t.Error("an unknown abbreviation was given an offset")
	}
}

func TestFindDateInReadsAZoneLessTimeInTheZoneGivenAndSaysWhereItIs(t *testing.T) {
	got, at, ok := FindDateIn("Posted 2021-12-20 18:24 by the desk", true, time.UTC)
	if !ok || got.Format(time.RFC3339) != "2021-12-20T18:24:00Z" || at != 7 {
		t.Errorf("got %s at %d (%v), want 2021-12-20T18:24:00Z at 7", got.Format(time.RFC3339), at, ok)
	}
	// A date with its own offset keeps it whatever zone is given.
	if got, _, _ := FindDateIn("2021-12-20T18:24:00+05:30", false, time.UTC); got.Format(time.RFC3339) != "2021-12-20T18:24:00+05:30" {
		t.Errorf("got %s", got.Format(time.RFC3339))
	}
}
