// Dates as pages in other languages print them: day first with dots (13.01.2022), month names
// of the European languages (5. Oktober 2013, 2 de febrero de 2020, 12 января 2021), and
// times relative to the moment the page was read (2小时前, 昨天 10:30, 3 hours ago).

package generic

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// worldClockPat is an optional time of day after a day: ", 09:35", " um 11:05 Uhr", " à 14h30".
const worldClockPat = `(?:,?\s*(?:um|à|a las|alle|às|в|o)?\s*(\d{1,2})[:h.](\d{2})(?::(\d{2}))?(?:\s*Uhr)?)?`

var (
	// "13.01.2022", "7.1.2022 - …", "30.07.2019 09:35": day, month, year, as much of Europe writes.
	dotDMYRe = regexp.MustCompile(`(?:^|[^\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:[^\d.]|$)` + worldClockPat)
	// "5. Oktober 2013", "2 de febrero de 2020", "12 января 2021 г.": a day, a month word, a year.
	wordDMYRe = regexp.MustCompile(`(?:^|[^\p{L}\d])(\d{1,2})(?:\.|º|er)?\s+(?:de\s+)?(\p{L}{3,11})\.?,?\s+(?:de\s+|del\s+)?(\d{4})(?:[^\d]|$)` + worldClockPat)
	// "Oktober 5, 2013" is rare outside English, whose forms enMDYRe reads.
)

// worldMonths are the month names of the languages the pages come in, lower case, each also
// found by its first letters when a page abbreviates it ("Okt.", "févr.", "dic").
var worldMonths = func() map[string]time.Month {
	m := map[string]time.Month{}
	for i, names := range [12]string{
		"januar jänner janvier enero janeiro gennaio januari styczeń stycznia января січня ocak",
		"februar feber février fevrier febrero fevereiro febbraio februari lutego февраля лютого şubat",
		"märz maerz mars marzo março marco maart marca марта березня mart",
		"april avril abril aprile kwietnia апреля квітня nisan",
		"mai mayo maio maggio mei maja мая травня mayıs",
		"juni juin junio junho giugno czerwca июня червня haziran",
		"juli juillet julio julho luglio lipca июля липня temmuz",
		"august août aout agosto augustus sierpnia августа серпня ağustos",
		"september septembre septiembre setiembre setembro settembre września сентября вересня eylül",
		"oktober octobre octubre outubro ottobre października октября жовтня ekim",
		"november novembre noviembre novembro listopada ноября листопада kasım",
		"dezember décembre decembre diciembre dezembro dicembre december grudnia декабря грудня aralık",
	} {
		for _, n := range strings.Fields(names) {
			m[n] = time.Month(i + 1)
		}
	}
	return m
}()

// worldMonth reads a month word, whole or abbreviated to at least three letters (an
// abbreviation that could be two months is none).
func worldMonth(word string) (time.Month, bool) {
	w := strings.ToLower(word)
	if mo, ok := worldMonths[w]; ok {
		return mo, true
	}
	if mo, ok := monthNumbers[w]; ok {
		return mo, true
	}
	if len([]rune(w)) < 3 {
		return 0, false
	}
	var found time.Month
	for name, mo := range worldMonths {
		if strings.HasPrefix(name, w) {
			if found != 0 && found != mo {
				return 0, false
			}
			found = mo
		}
	}
	return found, found != 0
}

// world reads the first day-first date of s in the forms above, and where it starts.
func (d dateReader) world(s string, needTime bool) (time.Time, int, bool) {
	best, at := time.Time{}, -1
	for _, re := range []*regexp.Regexp{dotDMYRe, wordDMYRe} {
		for _, m := range re.FindAllStringSubmatchIndex(s, 8) {
			p := submatches(s, m)
			if needTime && p[4] == "" {
				continue
			}
			var mo time.Month
			if re == dotDMYRe {
				n, _ := strconv.Atoi(p[2])
				mo = time.Month(n)
			} else {
				var ok bool
				if mo, ok = worldMonth(p[2]); !ok {
					continue
				}
			}
			t, ok := d.build(p[3], mo, p[1], p[4:7])
			if !ok {
				continue
			}
			if at < 0 || m[2] < at {
				best, at = t, m[2]
			}
			break
		}
	}
	return best, at, at >= 0
}

// build is the date of a year, month and day in the page's zone, at the clock's hour, minute
// and second when given.
func (d dateReader) build(year string, mo time.Month, day string, clock []string) (time.Time, bool) {
	y, _ := strconv.Atoi(year)
	dd, _ := strconv.Atoi(day)
	h, _ := strconv.Atoi(clock[0])
	mi, _ := strconv.Atoi(clock[1])
	sec, _ := strconv.Atoi(clock[2])
	if y < 1990 || y > 2100 || mo < 1 || mo > 12 || dd < 1 || dd > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, mo, dd, h, mi, sec, 0, d.loc)
	if t.Day() != dd {
		return time.Time{}, false
	}
	return t, true
}

var (
	// "2小时前", "30分钟前", "3天前", "刚刚": a time counted back from now.
	zhAgoRe = regexp.MustCompile(`(\d{1,3})\s*(秒|分钟|小时|天)前|刚刚`)
	// "昨天 10:30", "今天 08:05", "前天 21:00".
	zhDayRe = regexp.MustCompile(`(今天|昨天|前天)\s*(\d{1,2})[:：](\d{2})`)
	// "3 hours ago", "an hour ago", "yesterday at 10:30", "vor 2 Stunden".
	enAgoRe = regexp.MustCompile(`(?i)\b(\d{1,3}|an?)\s+(second|minute|min|hour|hr|day)s?\s+ago\b|\bvor\s+(\d{1,3}|einer?)\s+(Sekunden?|Minuten?|Stunden?|Tag(?:en)?)\b`)
	enDayRe = regexp.MustCompile(`(?i)\b(today|yesterday)(?:\s+at)?\s+(\d{1,2}):(\d{2})\s*([ap]\.?m\.?)?`)
)

// relative reads a time counted back from now (the moment the page was fetched), in the page's
// zone; false when s states none or now is unknown.
func (d dateReader) relative(s string) (time.Time, bool) {
	if d.now.IsZero() {
		return time.Time{}, false
	}
	now := d.now.In(d.loc)
	if m := zhAgoRe.FindStringSubmatch(s); m != nil {
		if m[0] == "刚刚" {
			return now.Truncate(time.Minute), true
		}
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"秒": time.Second, "分钟": time.Minute, "小时": time.Hour, "天": 24 * time.Hour}[m[2]]
		return now.Add(-time.Duration(n) * unit).Truncate(time.Minute), true
	}
	if m := zhDayRe.FindStringSubmatch(s); m != nil {
		back := map[string]int{"今天": 0, "昨天": 1, "前天": 2}[m[1]]
		return d.clockOn(now, back, m[2], m[3], "")
	}
	if m := enAgoRe.FindStringSubmatch(s); m != nil {
		count, unit := m[1], strings.ToLower(m[2])
		if count == "" {
			count, unit = m[3], strings.ToLower(m[4])
		}
		n, err := strconv.Atoi(count)
		if err != nil {
			n = 1 // "an hour ago", "vor einer Stunde"
		}
		var step time.Duration
		switch {
		case strings.HasPrefix(unit, "sec") || strings.HasPrefix(unit, "sek"):
			step = time.Second
		case strings.HasPrefix(unit, "min"):
			step = time.Minute
		case strings.HasPrefix(unit, "h") || strings.HasPrefix(unit, "stu"):
			step = time.Hour
		default:
			step = 24 * time.Hour
		}
		return now.Add(-time.Duration(n) * step).Truncate(time.Minute), true
	}
	if m := enDayRe.FindStringSubmatch(s); m != nil {
		back := 0
		if strings.EqualFold(m[1], "yesterday") {
			back = 1
		}
		return d.clockOn(now, back, m[2], m[3], m[4])
	}
	return time.Time{}, false
}

// clockOn is hh:mm on the day back days before now.
func (d dateReader) clockOn(now time.Time, back int, hh, mm, ampm string) (time.Time, bool) {
	h, _ := strconv.Atoi(hh)
	mi, _ := strconv.Atoi(mm)
	switch strings.ToLower(strings.ReplaceAll(ampm, ".", "")) {
	case "pm":
		if h < 12 {
			h += 12
		}
	case "am":
		if h == 12 {
			h = 0
		}
	}
	if h > 23 || mi > 59 {
		return time.Time{}, false
	}
	day := now.AddDate(0, 0, -back)
	return time.Date(day.Year(), day.Month(), day.Day(), h, mi, 0, 0, d.loc), true
}

// pageZone is the zone of a time a page prints without one, from its language: Beijing on a
// Chinese page, Tokyo on a Japanese one (kana among its Han), Seoul on a Korean one, else UTC.
func pageZone(lang string, han, kana, hangul, letters int) (*time.Location, bool) {
	lang = strings.ToLower(lang)
	tokyo, seoul := time.FixedZone("JST", 9*3600), time.FixedZone("KST", 9*3600)
	switch {
	case strings.HasPrefix(lang, "zh"):
		return nil, true
	case strings.HasPrefix(lang, "ja"):
		return tokyo, false
	case strings.HasPrefix(lang, "ko"):
		return seoul, false
	case kana > 0 && kana*10 >= han && (han+kana)*3 >= letters:
		return tokyo, false
	case hangul > 0 && hangul*3 >= letters:
		return seoul, false
	case han > 0 && han*3 >= letters:
		return nil, true
	}
	return time.UTC, false
}

func isKana(r rune) bool { return unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) }

// europeanZone is the civil zone at an instant for a page whose lang names a language of central
// or western Europe (German, French, Italian, Dutch, Polish, Czech, the Nordic languages: CET,
// +01:00, and CEST, +02:00, in summer; Portuguese of Portugal: WET/WEST), by the EU's rule since
// 1996: summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
// October. nil for any other language, and for Spanish and Portuguese without a European region,
// which are spoken mostly in the Americas.
func europeanZone(lang string) func(time.Time) *time.Location {
	lang = strings.ToLower(lang)
	base, region, _ := strings.Cut(strings.ReplaceAll(lang, "_", "-"), "-")
	std := 0
	switch base {
	case "de", "fr", "it", "nl", "pl", "cs", "sk", "hu", "sv", "da", "nb", "nn", "no", "hr", "sl", "sr", "lb":
		std = 1
	case "es":
		if region != "es" {
			return nil
		}
		std = 1
	case "pt":
		if region != "pt" {
			return nil
		}
	default:
		return nil
	}
	return func(t time.Time) *time.Location {
		off := std
		if summerTime(t) {
			off++
		}
		return time.FixedZone("", off*3600)
	}
}

// summerTime reports whether EU summer time is in force at t.
func summerTime(t time.Time) bool {
	u := t.UTC()
	lastSunday := func(m time.Month) time.Time {
		d := time.Date(u.Year(), m+1, 0, 1, 0, 0, 0, time.UTC) // the month's last day, 01:00 UTC
		return d.AddDate(0, 0, -int(d.Weekday()))
	}
	return !u.Before(lastSunday(time.March)) && u.Before(lastSunday(time.October))
}

// shortYearRe is a day with a two-digit year, "30.10.23", "30.10.23 15:34": read only where an
// element marks its text as a date, since in running text it is as often a version or a score.
var shortYearRe = regexp.MustCompile(`(?:^|[^\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?:[^\d.]|$)` + worldClockPat)

// shortYear reads a day-first date with a two-digit year, of this century unless that puts it
// after the page was read.
func (d dateReader) shortYear(s string) (time.Time, bool) {
	m := shortYearRe.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	yy, _ := strconv.Atoi(m[3])
	now := d.now
	if now.IsZero() {
		now = time.Now()
	}
	y := 2000 + yy
	if y > now.Year()+1 {
		y -= 100
	}
	mo, _ := strconv.Atoi(m[2])
	return d.build(strconv.Itoa(y), time.Month(mo), m[1], m[4:7])
}
