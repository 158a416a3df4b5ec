package extract

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/newsmill/newsmill/article"
)

// shanghai is Beijing time. Eastmoney and the finews mirror write times without a zone and mean
// this one; China has had no daylight saving since 1991, so a fixed offset is exact and needs no
// tz database on the machine.
var shanghai = time.FixedZone("CST", 8*3600)

// ParsePostDate reads a Jekyll front-matter date: "2021-12-20 18:24:28 +0800", with the offset
// also as "+08:00" or "Z", "T" between date and time, seconds optional, or a bare date. A date
// without an offset is in loc (Asia/Shanghai for raw finews posts).
func ParsePostDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s, article.ErrMalformed)
	}
	day, rest := s[:10], strings.TrimSpace(s[10:])
	rest = strings.TrimPrefix(rest, "T")
	rest = strings.TrimSpace(rest)
	clock, zone := rest, ""
	if i := strings.IndexAny(rest, " +-Z"); i >= 0 {
		clock, zone = rest[:i], strings.TrimSpace(rest[i:])
	}
	var layout string
	switch strings.Count(clock, ":") {
	case 0:
		if clock != "" {
			return time.Time{}, fmt.Errorf("parse date %q: bad time of day: %w", s, article.ErrMalformed)
		}
		layout = "2006-01-02"
	case 1:
		layout = "2006-01-02 15:04"
	case 2:
		layout = "2006-01-02 15:04:05"
		if strings.Contains(clock, ".") {
			layout = "2006-01-02 15:04:05.999999999"
		}
	default:
		return time.Time{}, fmt.Errorf("parse date %q: bad time of day: %w", s, article.ErrMalformed)
	}
	if zone != "" {
		z, err := parseOffset(zone)
		if err != nil {
			return time.Time{}, fmt.Errorf("parse date %q: %w", s, err)
		}
		loc = z
	}
	value := day
	if clock != "" {
		value += " " + clock
	}
	t, err := time.ParseInLocation(layout, value, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s, article.ErrMalformed)
	}
	return t, nil
}

// parseOffset reads "Z", "+0800", "+08:00", "+08" or "-5" into a fixed zone.
func parseOffset(z string) (*time.Location, error) {
	if z == "Z" || z == "UTC" {
		return time.UTC, nil
	}
	if len(z) < 2 || (z[0] != '+' && z[0] != '-') {
		return nil, fmt.Errorf("bad offset %q: %w", z, article.ErrMalformed)
	}
	sign, digits := 1, z[1:]
	if z[0] == '-' {
		sign = -1
	}
	var hh, mm string
	switch {
	case strings.Contains(digits, ":"):
		hh, mm, _ = strings.Cut(digits, ":")
	case len(digits) == 4:
		hh, mm = digits[:2], digits[2:]
	case len(digits) <= 2:
		hh, mm = digits, "00"
	default:
		return nil, fmt.Errorf("bad offset %q: %w", z, article.ErrMalformed)
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || !isDigits(hh) || !isDigits(mm) || h > 14 || m > 59 {
		return nil, fmt.Errorf("bad offset %q: %w", z, article.ErrMalformed)
	}
	return time.FixedZone("", sign*(h*3600+m*60)), nil
}

// parseGMTStamp reads the finews page's "(GMT+8, Asia/Shanghai, CST) 2021-12-20 18:24:28": the
// offset comes from the "GMT+8" label, the rest is the wall-clock time in it.
func parseGMTStamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	label, clock, ok := strings.Cut(s, ")")
	if !ok || !strings.HasPrefix(label, "(GMT") {
		return time.Time{}, fmt.Errorf("parse date %q: no (GMT…) label: %w", s, article.ErrMalformed)
	}
	off := strings.TrimPrefix(label, "(GMT")
	if i := strings.IndexByte(off, ','); i >= 0 {
		off = off[:i]
	}
	off = strings.TrimSpace(off)
	loc := time.UTC
	if off != "" {
		z, err := parseOffset(off)
		if err != nil {
			return time.Time{}, fmt.Errorf("parse date %q: %w", s, err)
		}
		loc = z
	}
	clock = strings.TrimSpace(clock)
	if clock == "" {
		return time.Time{}, fmt.Errorf("%w: published_at: no time after %q", article.ErrMissingField, label+")")
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", clock, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s, article.ErrMalformed)
	}
	return t, nil
}

// parseChineseStamp reads Eastmoney's "2021年12月20日 18:24" (seconds optional) as Beijing time;
// "" and false when s holds no such stamp.
func parseChineseStamp(s string) (time.Time, bool) {
	y, rest, ok := cutNumber(s, "年")
	if !ok {
		return time.Time{}, false
	}
	mo, rest, ok := cutNumber(rest, "月")
	if !ok {
		return time.Time{}, false
	}
	d, rest, ok := cutNumber(rest, "日")
	if !ok {
		return time.Time{}, false
	}
	rest = strings.TrimSpace(rest)
	var h, mi, sec int
	if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		f := strings.Fields(rest)[0]
		parts := strings.Split(f, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return time.Time{}, false
		}
		vals := make([]int, 3)
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil {
				return time.Time{}, false
			}
			vals[i] = v
		}
		h, mi, sec = vals[0], vals[1], vals[2]
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, shanghai), true
}

// cutNumber finds the number right before sep: "…2021年12月" with sep "年" gives 2021 and "12月".
func cutNumber(s, sep string) (int, string, bool) {
	i := strings.Index(s, sep)
	if i <= 0 {
		return 0, "", false
	}
	j := i
	for j > 0 && s[j-1] >= '0' && s[j-1] <= '9' {
		j--
	}
	if j == i {
		return 0, "", false
	}
	n, err := strconv.Atoi(s[j:i])
	if err != nil {
		return 0, "", false
	}
	return n, s[i+len(sep):], true
}
