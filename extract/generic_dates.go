package extract

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// genShanghai is the zone of every zone-less time a Chinese page prints. China has had no daylight
// saving since 1991, so a fixed +08:00 is exact and needs no tz database on the host.
var genShanghai = time.FixedZone("CST", 8*60*60)

// genDateRe finds the date-times Chinese news pages print: 2021-12-20 18:24:28, 2021/12/20 18:24,
// 2021年12月20日 18:24, 2021年12月20日18时24分, with an optional offset, and ISO 8601 forms.
var genDateRe = regexp.MustCompile(`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
	`(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?)?` +
	`\s*(Z|[+-]\d{2}:?\d{2}(?:\b|$))?`)

// genLabelledDateRe finds a date that the page labels as the publishing time.
var genLabelledDateRe = regexp.MustCompile(`(?:发布时间|发布日期|发表时间|发稿时间|时间|日期|更新时间)\s*[：:]\s*`)

// genParseDateText reads the first date-time of s. needTime rejects bare dates (a listing's "2021-12-20"
// or a URL's date are weak evidence of an article's own time). No zone means Asia/Shanghai.
func genParseDateText(s string, needTime bool) (time.Time, bool) {
	for _, m := range genDateRe.FindAllStringSubmatch(s, 20) {
		if needTime && m[4] == "" {
			continue
		}
		if t, err := genDateFromParts(m); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func genDateFromParts(m []string) (time.Time, error) {
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	y, mo, d, h, mi, sec := n(m[1]), n(m[2]), n(m[3]), n(m[4]), n(m[5]), n(m[6])
	if y < 1990 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, fmt.Errorf("parse date %q: out of range", m[0])
	}
	loc := genShanghai
	switch z := strings.ReplaceAll(m[7], ":", ""); {
	case z == "Z":
		loc = time.UTC
	case z != "":
		off := n(z[1:3])*3600 + n(z[3:5])*60
		if z[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc)
	if t.Day() != d {
		return time.Time{}, fmt.Errorf("parse date %q: no such day", m[0])
	}
	return t, nil
}

// genParseTime reads a time with a Go layout, in Asia/Shanghai unless the layout carries a zone.
func genParseTime(layout, s string) (time.Time, error) {
	t, err := time.ParseInLocation(layout, strings.TrimSpace(s), genShanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s, err)
	}
	return t, nil
}
