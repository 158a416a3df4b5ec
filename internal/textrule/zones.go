package textrule

import (
	"strings"
	"time"
)

// zones are the zone abbreviations feeds and pages print, as offsets in minutes east of UTC: the
// one table of them (the feed reader and the generic extractor both read it). Go's time.Parse
// gives an abbreviation it does not know a zero offset, which silently moves the time.
var zones = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
	"BST": 60, "CET": 60, "WEST": 60, "CEST": 120, "EET": 120, "EEST": 180,
	"MSK": 180, "IST": 5*60 + 30, "PKT": 5 * 60, "ICT": 7 * 60, "WIB": 7 * 60,
	"CST": 8 * 60, "HKT": 8 * 60, "SGT": 8 * 60, "AWST": 8 * 60, "PHT": 8 * 60, "BJT": 8 * 60,
	"JST": 9 * 60, "KST": 9 * 60, "AEST": 10 * 60, "AEDT": 11 * 60, "NZST": 12 * 60, "NZDT": 13 * 60,
	"EST": -5 * 60, "EDT": -4 * 60, "CDT": -5 * 60, "MST": -7 * 60, "MDT": -6 * 60,
	"PST": -8 * 60, "PDT": -7 * 60, "AKST": -9 * 60, "AKDT": -8 * 60, "HST": -10 * 60,
}

// usCentral is what CST means on a page that is not Chinese: an American page's "CST" is
// Central Standard Time, a Chinese source's is China Standard Time.
const usCentral = -6 * 60

// Zone is the fixed zone an abbreviation names, named by it; false for one it does not know.
// chinese says whether the text is a Chinese source's, which settles what "CST" means.
func Zone(abbr string, chinese bool) (*time.Location, bool) {
	abbr = strings.ToUpper(abbr)
	off, ok := zones[abbr]
	if !ok {
		return nil, false
	}
	if abbr == "CST" && !chinese {
		off = usCentral
	}
	return time.FixedZone(abbr, off*60), true
}
