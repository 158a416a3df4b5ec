// Package textrule holds the reading rules every stage shares for the text of Chinese news
// pages: which zone a zone-less time is in, what a date looks like, what counts as white space,
// and which elements end a paragraph. Each rule has one copy here so that a fix reaches the
// crawler's feeds, the site extractors and the generic extractor alike.
package textrule

import "time"

// Shanghai is Beijing time, the zone of every time a Chinese source prints without one. China
// has had no daylight saving since 1991, so a fixed +08:00 is exact and needs no tz database on
// the machine. It is named CST so that an RFC 1123 date ending in "CST" reads as China Standard
// Time.
var Shanghai = time.FixedZone("CST", 8*60*60)
