package generic

import (
	"testing"
	"time"

	"strings"

	"github.com/PuerkitoBio/goquery"
)

func TestDatesInOtherLanguagesAreReadDayFirst(t *testing.T) {
	utc := newDateReader(false)
	for in, want := range map[string]string{
		"veröffentlicht 28.01.2022 06:00":       "2022-01-28T06:00:00Z",
		"Stand: 19.10.2019 11:05 Uhr":           "2019-10-19T11:05:00Z",
		"27.1.2022 - Bei der Gedenkstunde":      "2022-01-27T00:00:00Z",
		"Samstag, 5. Oktober 2013":              "2013-10-05T00:00:00Z",
		"02. November 2021":                     "2021-11-02T00:00:00Z",
		"publié le 9 décembre 2019 à 19h00":     "2019-12-09T19:00:00Z",
		"2 de febrero de 2020":                  "2020-02-02T00:00:00Z",
		"12 января 2021 г.":                     "2021-01-12T00:00:00Z",
		"30 dic. 2019":                          "2019-12-30T00:00:00Z",
		"Jänner: 3. Jänner 2020, 10:30":         "2020-01-03T10:30:00Z",
		"November 19, 2019 (English as before)": "2019-11-19T00:00:00Z",
	} {
		got, ok := utc.text(in, false)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("%q -> %s %v, want %s", in, got.Format(time.RFC3339), ok, want)
		}
	}
	for _, none := range []string{"Version 1.2.3 released 2022", "5 mal 2013 gewonnen", "Seite 3. Kapitel 2013"} {
		if got, ok := utc.text(none, false); ok {
			t.Errorf("%q read as a date: %s", none, got.Format(time.RFC3339))
		}
	}
}

func TestRelativeTimesAreCountedBackFromTheFetch(t *testing.T) {
	fetched := time.Date(2024, 3, 1, 2, 30, 0, 0, time.UTC) // 10:30 in Beijing
	bj := newDateReader(true)
	bj.now = fetched
	en := newDateReader(false)
	en.now = fetched
	for _, c := range []struct {
		d        dateReader
		in, want string
	}{
		{bj, "2小时前 来源：海港日报", "2024-03-01T08:30:00+08:00"},
		{bj, "昨天 21:05", "2024-02-29T21:05:00+08:00"},
		{bj, "前天 08:00", "2024-02-28T08:00:00+08:00"},
		{bj, "刚刚", "2024-03-01T10:30:00+08:00"},
		{en, "3 hours ago", "2024-02-29T23:30:00Z"},
		{en, "an hour ago", "2024-03-01T01:30:00Z"},
		{en, "Yesterday at 9:15 pm", "2024-02-29T21:15:00Z"},
		{en, "vor 2 Stunden", "2024-03-01T00:30:00Z"},
	} {
		got, ok := c.d.relative(c.in)
		if !ok || got.Format(time.RFC3339) != c.want {
			t.Errorf("%q -> %s %v, want %s", c.in, got.Format(time.RFC3339), ok, c.want)
		}
	}
	if _, ok := newDateReader(true).relative("2小时前"); ok {
		t.Error("a relative time was read without a fetch time")
	}
}

func TestAJapanesePageIsInTokyoTimeAndAChineseOneInBeijing(t *testing.T) {
	for _, c := range []struct{ page, want string }{
		{`<html><body><p>東京都は新しい計画を発表しました。これからも続けていきます。</p></body></html>`, "+09:00"},
		{`<html lang="ja"><body><p>東京都</p></body></html>`, "+09:00"},
		{`<html><body><p>北京市发布了新的计划，今后将继续推进。</p></body></html>`, "+08:00"},
		{`<html lang="ko"><body><p>서울시는 새로운 계획을 발표했습니다.</p></body></html>`, "+09:00"},
		{`<html lang="de"><body><p>Die Stadt hat einen Plan.</p></body></html>`, "Z"},
	} {
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(c.page))
		d := pageDateReader(doc, time.Time{}, "")
		got, _ := d.text("2019-06-24 10:00", false)
		if z := got.Format("Z07:00"); z != c.want {
			t.Errorf("%s: zone %s, want %s", c.page, z, c.want)
		}
	}
}

func TestAnElementMarkedAsTheDateIsReadButAnUpdateIsNot(t *testing.T) {
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<html><body>
<div class="lastchanged">Stand: 19.10.2019 11:05 Uhr</div>
<span class="entry-date"><abbr class="published" title="2017-07-23T17:06:45+0000">23. Juli 2017</abbr></span></body></html>`))
	got := markedDate(doc, newDateReader(false), nil)
	if got.Format(time.RFC3339) != "2017-07-23T17:06:45Z" {
		t.Errorf("marked date %s, want the published abbr's title", got.Format(time.RFC3339))
	}
}

func TestTheTimeByTheHeadlineWinsOverADayOnlyMetaOfTheSameDay(t *testing.T) {
	d := newDateReader(true)
	m := pageMeta{plainDate: time.Date(2024, 3, 1, 0, 0, 0, 0, d.loc)}
	got, _ := textDate("正文", "港口吞吐量公布\n2024-03-01 10:35 来源：海港日报", m, d)
	if got.Format(time.RFC3339) != "2024-03-01T10:35:00+08:00" {
		t.Errorf("got %s, want the visible time", got.Format(time.RFC3339))
	}
	other, _ := textDate("正文", "2024-02-28 10:35", m, d)
	if other.Format("2006-01-02") != "2024-03-01" {
		t.Errorf("a time of another day beat the meta: %s", other.Format(time.RFC3339))
	}
}

func TestAUTCTimeOnAGermanPageIsWrittenInGermanTimeSoItsDayIsTheReadersDay(t *testing.T) {
	de := newDateReader(false)
	de.local = europeanZone("de-DE")
	for in, want := range map[string]string{
		"2021-11-04T23:00:00Z":      "2021-11-05T00:00:00+01:00", // winter: CET
		"2021-07-04T22:30:00Z":      "2021-07-05T00:30:00+02:00", // summer: CEST
		"2021-07-04T22:30:00+02:00": "2021-07-04T22:30:00+02:00",
	} {
		got, ok := de.value(in)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("%s -> %s, want %s", in, got.Format(time.RFC3339), want)
		}
	}
	if europeanZone("en-GB") != nil || europeanZone("es-MX") != nil || europeanZone("pt-BR") != nil {
		t.Error("a language of other zones was given central European time")
	}
	// The changes of 2021: 28 March and 31 October, at 01:00 UTC.
	for at, summer := range map[string]bool{"2021-03-28T00:59:00Z": false, "2021-03-28T01:00:00Z": true,
		"2021-10-31T00:59:00Z": true, "2021-10-31T01:00:00Z": false} {
		tt, _ := time.Parse(time.RFC3339, at)
		if summerTime(tt) != summer {
			t.Errorf("summer time at %s: %v, want %v", at, !summer, summer)
		}
	}
}
