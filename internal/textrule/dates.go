package textrule

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dateCore is the one grammar of dates: 2021-12-20 18:24:28, 2021/12/20 18:24, 2021.12.20,
// 2021年12月20日 18:24, 2021年12月20日18时24分05秒, with "T" or spaces before the time and an
// optional fraction of a second. Groups: year, month, day, hour, minute, second, fraction.
const dateCore = `(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
	`(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(\.\d{1,9})?)?\s*[秒分]?)?`

var (
	// In running text only a full offset (Z, +0800, +08:00) is read as the date's zone: a short
	// "-5" after a time is more often a range or a dash than a zone.
	findDateRe = regexp.MustCompile(dateCore + `\s*(Z|[+-]\d{2}:?\d{2}(?:\b|$))?`)
	// A value that is nothing but a date may also say UTC or a short offset (+08, -5).
	wholeDateRe = regexp.MustCompile(`^` + dateCore + `\s*(Z|UTC|[+-][0-9:]+)?$`)
)

// ParseDate reads a value that is one date and nothing else (a front-matter date, a feed's
// date, a site rule's time text) in the grammar of FindDate, plus the offsets UTC, +08 and -5.
// A date without a zone is in Shanghai; a bare day is its midnight. Anything else is ErrBadDate.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	m := wholeDateRe.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s, ErrBadDate)
	}
	t, err := dateFromParts(m, false, Shanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s, err)
	}
	return t, nil
}

// FindDate reads the first date of running text, for pages that print their time among other
// words ("发布时间：2021年12月20日 18:24 来源：…"). needTime skips bare days: a listing's
// "2021-12-20" or a URL's date is weak evidence of an article's own time. Years outside
// 1990–2100 are taken for other numbers. No zone means Shanghai.
func FindDate(s string, needTime bool) (time.Time, bool) {
	t, _, ok := FindDateIn(s, needTime, Shanghai)
	return t, ok
}

// FindDateIn is FindDate with the zone of a time printed without one, and where in s the date
// starts: the generic extractor reads a page of any language, whose zone-less times are its
// readers'.
func FindDateIn(s string, needTime bool, loc *time.Location) (t time.Time, at int, ok bool) {
	for off := 0; off < len(s); {
		idx := findDateRe.FindStringSubmatchIndex(s[off:])
		if idx == nil {
			break
		}
		m := make([]string, len(idx)/2)
		for i := range m {
			if idx[2*i] >= 0 {
				m[i] = s[off+idx[2*i] : off+idx[2*i+1]]
			}
		}
		if !needTime || m[4] != "" {
			if t, err := dateFromParts(m, true, loc); err == nil {
				return t, off + idx[0], true
			}
		}
		off += max(idx[1], idx[0]+1)
	}
	return time.Time{}, 0, false
}

// DateIndex is the position of the first date-like run of s (as FindDate sees one, before its
// range checks), or nil: for telling a date line from a sentence.
func DateIndex(s string) []int { return findDateRe.FindStringIndex(s) }

// dateFromParts builds the date of a match of dateCore and its zone; loc is the zone of a date
// that names none.
func dateFromParts(m []string, inText bool, loc *time.Location) (time.Time, error) {
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	y, mo, d, h, mi, sec := n(m[1]), n(m[2]), n(m[3]), n(m[4]), n(m[5]), n(m[6])
	if (inText && (y < 1990 || y > 2100)) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, fmt.Errorf("%q out of range: %w", m[0], ErrBadDate)
	}
	var nsec int
	if f := m[7]; f != "" {
		frac := f[1:] + strings.Repeat("0", 10-len(f))
		nsec = n(frac[:9])
	}
	if z := m[8]; z != "" {
		var err error
		if loc, err = ParseOffset(z); err != nil {
			return time.Time{}, err
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, loc)
	if t.Day() != d {
		return time.Time{}, fmt.Errorf("%q: no such day: %w", m[0], ErrBadDate)
	}
	return t, nil
}

// ParseOffset reads a zone offset: "Z" or "UTC", "+0800", "+08:00", "+08" or "-5". Offsets
// past ±14:59 do not exist and are ErrBadDate.
func ParseOffset(z string) (*time.Location, error) {
	if z == "Z" || z == "UTC" {
		return time.UTC, nil
	}
	bad := fmt.Errorf("bad offset %q: %w", z, ErrBadDate)
	if len(z) < 2 || (z[0] != '+' && z[0] != '-') {
		return nil, bad
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
		return nil, bad
	}
	if !IsDigits(hh) || !IsDigits(mm) || len(hh) > 2 || len(mm) != 2 {
		return nil, bad
	}
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	if h > 14 || m > 59 {
		return nil, bad
	}
	return time.FixedZone("", sign*(h*3600+m*60)), nil
}

// IsDigits reports whether s is one or more ASCII digits: counts, codes and dates in the
// sources are written in ASCII digits only.
func IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
