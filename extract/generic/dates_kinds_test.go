package generic

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/newsmill/newsmill/article"
)

// The kinds of page whose publishing time the first pages read wrong: a time that belongs to
// another story in the same page, a date line under a headline in the article's <header>, a
// short year, a language that writes the day first, a UTC time of a site in the Americas.

// inlinePage is a page of the given HTML at rawURL, fetched at genFetched.
func inlinePage(t *testing.T, rawURL, body string) *article.Page {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return article.NewPage(u, "text/html", []byte(body), genFetched)
}

// storyText is three paragraphs of an article of our own.
const storyText = `<p>Die Gemeinde hat am Montag beschlossen, die alte Fähre über den Fluss wieder in Betrieb zu nehmen, nachdem sie zwei Jahre lang im Hafen lag.</p>
<p>Der Fährmann sagte, die Nachfrage sei vor allem an den Wochenenden groß, wenn Radfahrer aus der Stadt kommen und den kürzeren Weg suchen.</p>
<p>Die Kosten für die Reparatur trägt zur Hälfte der Landkreis, der Rest kommt aus einer Spende des örtlichen Vereins für Heimatpflege.</p>`

func extractInline(t *testing.T, rawURL, body string) *article.Record {
	t.Helper()
	rec, err := extractPage(inlinePage(t, rawURL, body))
	if err != nil {
		t.Fatalf("no record: %v", err)
	}
	return rec
}

func TestATimeInARelatedBoxARecentListOrATeaserLinkIsThatStorysNotThePages(t *testing.T) {
	for name, other := range map[string]string{
		"related box": `<div class="related-posts"><article><h4><a href="/2009/04/11/werkbank/">Eine Werkbank für den Keller</a></h4>
<p class="post-date"><time class="published" datetime="2009-04-11 18:06:36">11. April 2009</time></p></article></div>`,
		"recent list": `<ul><li><a href="/2019/09/09/zoll/">Zöllner finden seltene Schildkröten in einem Koffer am Flughafen</a>
<span class="post-date">09.09.2019</span></li></ul>`,
		"teaser link": `<a href="/reise/warnung"><span class="teaser__subline"><em class="teaser__subline-pubdate">04.11.2021</em></span>
<span>Reisewarnungen für mehrere Länder wegen des Winters</span></a>`,
	} {
		t.Run(name, func(t *testing.T) {
			page := `<html lang="de"><head><title>Die Fähre fährt wieder</title></head><body>` + other +
				`<article><h1>Die Fähre fährt wieder</h1><p class="byline">von Jana Berg · <span class="published">22. Oktober 2019</span></p>` +
				storyText + `</article></body></html>`
			rec := extractInline(t, "https://fluss.example.de/faehre", page)
			if got := rec.PublishedAt.Format("2006-01-02"); got != "2019-10-22" {
				t.Errorf("published %s, want the page's own 2019-10-22", got)
			}
		})
	}
}

func TestAWordPressTimeMarkedPublishedAndUpdatedIsThePublishingTimeButAnUpdateAloneIsNot(t *testing.T) {
	for markup, want := range map[string]string{
		`<span class="entry-meta-date updated"><a href="/?m=202111">5. November 2021</a></span>`: "2021-11-05",
		`<time class="entry-date published updated">5. November 2021</time>`:                     "2021-11-05",
		`<span class="updated">5. November 2021</span>`:                                          "",
		`<span class="last-modified-date">5. November 2021</span>`:                               "",
	} {
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<html><body><article>` + markup + `</article></body></html>`))
		got := ""
		if d := markedDate(doc, newDateReader(false), nil); !d.IsZero() {
			got = d.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("%s: marked date %q, want %q", markup, got, want)
		}
	}
}

func TestADateLineUnderTheHeadlineInsideTheArticlesHeaderIsRead(t *testing.T) {
	for name, header := range map[string]string{
		"after the headline":  `<header><p class="kicker">Verband</p><h1>Die Fähre fährt wieder</h1><p class="meta-info">03.02.2022 15:34</p></header>`,
		"before the headline": `<header><small>03.02.2022&nbsp; Region</small><h1>Die Fähre fährt wieder</h1></header>`,
		"a short year":        `<div class="date"> Region, 03.02.22 </div><h1>Die Fähre fährt wieder</h1>`,
	} {
		t.Run(name, func(t *testing.T) {
			page := `<html lang="de"><head><title>Die Fähre fährt wieder</title></head><body><article>` + header + storyText + `</article></body></html>`
			rec := extractInline(t, "https://fluss.example.de/faehre", page)
			if got := rec.PublishedAt.Format("2006-01-02"); got != "2022-02-03" {
				t.Errorf("published %s (%s), want 2022-02-03", got, rec.DateSource)
			}
		})
	}
}

func TestANumericDateIsReadDayFirstUnlessThePageIsInAmericanEnglish(t *testing.T) {
	for lang, want := range map[string]string{
		`xml:lang="en-GB"`: "2020-10-02", `lang="fr"`: "2020-10-02", `lang="en-US"`: "2020-02-10", ``: "2020-02-10",
	} {
		page := `<html ` + lang + `><head><title>Halls are too full</title></head><body><article><h1>Halls are too full</h1>
<p><span class="time">02/10/2020</span></p><p>Students arrived this week to find that the halls had twice as many beds as the rules allow in a year like this.</p>
<p>The university said it would open two more buildings before the end of the month and pay for rooms in hotels nearby.</p></article></body></html>`
		rec := extractInline(t, "https://halls.example/news/halls", page)
		if got := rec.PublishedAt.Format("2006-01-02"); got != want {
			t.Errorf("<html %s>: published %s, want %s", lang, got, want)
		}
	}
}

func TestAUTCTimeIsWrittenInTheZoneThePageGivesTheSameInstantElsewhere(t *testing.T) {
	for name, twin := range map[string]string{
		"an offset in a script": `<script>var dims = {"Publish Hour of Day": "2023-11-08T18:09:55-07:00"};</script>`,
		"a wall-clock time":     `<div class="time"><time datetime="2023-11-08 18:09:55">November 8, 2023 at 6:09 p.m.</time></div>`,
	} {
		t.Run(name, func(t *testing.T) {
			page := `<html lang="en-US"><head><title>Playoffs open with two upsets</title>
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Playoffs open with two upsets","datePublished":"2023-11-09T01:09:55Z"}</script></head>
<body><article><h1>Playoffs open with two upsets</h1>` + twin + `<p>Two of the seeded teams lost at home on the first night of the playoffs, both to schools from the same small league.</p>
<p>The coaches said the weather had made the fields slow, and that neither side had been able to run the ball as they had planned.</p></article></body></html>`
			rec := extractInline(t, "https://preps.example/2023/11/08/playoffs/", page)
			if got := rec.PublishedAt.Format(time.RFC3339); got != "2023-11-08T18:09:55-07:00" {
				t.Errorf("published %s, want the same instant in the page's zone, 2023-11-08T18:09:55-07:00", got)
			}
		})
	}
	// No twin: the UTC time stays as stated.
	page := `<html lang="en-US"><head><title>Playoffs open with two upsets</title>
<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-11-09T01:09:55Z"}</script></head>
<body><article><h1>Playoffs open with two upsets</h1><p>Two of the seeded teams lost at home on the first night of the playoffs, both to schools from the same small league.</p>
<p>The coaches said the weather had made the fields slow, and that neither side had been able to run the ball as they had planned.</p></article></body></html>`
	if got := extractInline(t, "https://preps.example/a", page).PublishedAt.Format(time.RFC3339); got != "2023-11-09T01:09:55Z" {
		t.Errorf("without a twin: %s, want the UTC time as stated", got)
	}
}

func TestAShortArticleWhoseHeadlineSitsInItsHeaderIsNoListingOnALinkHeavyPortal(t *testing.T) {
	var rail strings.Builder
	for i := 0; i < 45; i++ {
		rail.WriteString(`<li><a href="/rubrique/` + strings.Repeat("x", i+1) + `">Une rubrique du portail avec un nom assez long pour compter</a></li>`)
	}
	page := `<html lang="fr"><head><title>« Les guichets d'une gare ferment le dimanche » - Collectif</title></head><body>
<nav><ul>` + rail.String() + `</ul></nav><article><header><h1>« Les guichets d’une gare ferment le dimanche »</h1>
<p>jeudi 13 juin 2019, par Collectif</p></header>
<p>La porte-parole du collectif était invitée à la radio pour parler de la fermeture des guichets de la gare le dimanche.</p>
<p>Pour réécouter son entretien, cliquez sur l’icône ci-dessous.</p></article>
<div><h2>Dans la même rubrique</h2><ul>` + rail.String() + `</ul></div></body></html>`
	rec := extractInline(t, "https://collectif.example.org/article/guichets", page)
	if !strings.HasPrefix(rec.Body, "La porte-parole du collectif") {
		t.Errorf("body %q, want the two paragraphs", rec.Body)
	}
	if got := rec.PublishedAt.Format("2006-01-02"); got != "2019-06-13" {
		t.Errorf("published %s, want 2019-06-13", got)
	}
}

func TestAUTCTimeIsWrittenOnTheDayItsURLStatesWhenSomeZoneReachesIt(t *testing.T) {
	u := func(s string) *url.URL { v, _ := url.Parse(s); return v }
	at := time.Date(2020, 2, 18, 2, 18, 11, 0, time.UTC)
	for _, c := range []struct {
		url, want string
	}{
		{"https://prensa.example/2020/02/17/silvia/", "2020-02-17T23:18:11-03:00"}, // the nearest zone on the 17th
		{"https://prensa.example/2020/02/18/silvia/", "2020-02-18T02:18:11Z"},      // already its day
		{"https://prensa.example/2020/02/12/silvia/", "2020-02-18T02:18:11Z"},      // no zone reaches it
		{"https://prensa.example/silvia/", "2020-02-18T02:18:11Z"},                 // no day
		{"file:///saved/2020/02/17/silvia.html", "2020-02-18T02:18:11Z"},           // a file's path is no URL of the site
	} {
		got := urlDayZone(at, u(c.url))
		if got.Format(time.RFC3339) != c.want || !got.Equal(at) {
			t.Errorf("%s: %s, want %s (the same instant)", c.url, got.Format(time.RFC3339), c.want)
		}
	}
}

func TestARelativeTimeOnASavedPageIsNotCountedFromWhenItWasRead(t *testing.T) {
	page := `<html lang="en"><head><title>Council opens the ferry again</title></head><body><article><h1>Council opens the ferry again</h1>
<p class="byline">2 hours ago</p><p>The council voted on Monday to run the old ferry across the river again, two years after it was tied up in the harbour.</p>
<p>The ferryman said most of the riders would be cyclists from the town, who want the shorter way to the villages on the other bank.</p></article></body></html>`
	saved := extractInline(t, "file:///pages/ferry.html", page)
	if saved.DateSource != article.DateFromFetched {
		t.Errorf("saved page: published %s from %s, want no date read (fetched)", saved.PublishedAt, saved.DateSource)
	}
	live := extractInline(t, "https://ferry.example/news/ferry", page)
	if want := genFetched.Add(-2 * time.Hour); !live.PublishedAt.Equal(want) || live.DateSource != article.DateFromPage {
		t.Errorf("fetched page: published %s from %s, want %s from the page", live.PublishedAt, live.DateSource, want)
	}
}

func TestAPageThatNamesNoLanguageIsReadInItsCountryDomains(t *testing.T) {
	page := `<html><head><title>Halls are too full</title></head><body><article><h1>Halls are too full</h1>
<p><span class="time">02/10/2020</span></p><p>Students arrived this week to find that the halls had twice as many beds as the rules allow in a year like this.</p>
<p>The university said it would open two more buildings before the end of the month and pay for rooms in hotels nearby.</p></article></body></html>`
	for u, want := range map[string]string{"https://news.example.co.uk/halls": "2020-10-02", "https://news.example.com/halls": "2020-02-10"} {
		if got := extractInline(t, u, page).PublishedAt.Format("2006-01-02"); got != want {
			t.Errorf("%s: published %s, want %s", u, got, want)
		}
	}
}

func TestTheDateByTheStorysHeadlineWinsOverAClockInTheBannerAndAScreenReadersH1(t *testing.T) {
	page := `<html lang="de"><head><title>Die Fähre fährt wieder | Kreisblatt</title></head><body>
<div class="banner"><h1 class="is-aural">Willkommen auf den Seiten des Kreisblatts</h1><span class="site-date">Mittwoch, 26.02.2020</span></div>
<main><header><h1 class="heading__title"><span>Die Fähre fährt wieder</span></h1><span class="heading__meta">Stand - 12.11.2021</span></header>` +
		storyText + `</main></body></html>`
	rec := extractInline(t, "https://kreisblatt.example.de/faehre", page)
	if got := rec.PublishedAt.Format("2006-01-02"); got != "2021-11-12" {
		t.Errorf("published %s, want 2021-11-12, the date under the story's headline", got)
	}
}

func TestSchemaOrgDateNamesWrittenAsMetaNamesAreMetadata(t *testing.T) {
	for _, meta := range []string{`<meta name="datePublished" content="2020-08-16">`, `<meta property="datePublished" content="2020-08-16T09:00:00-05:00">`} {
		page := `<html lang="en-US"><head><title>Brown wins the runoff</title>` + meta + `</head><body><article><h1>Brown wins the runoff</h1>
<p>The attorney won more than half of the votes cast on Sunday, the county's party said after the last precinct reported late in the evening.</p>
<p>She will face the sitting judge in November, in a race the party expects to be close because turnout in the county has risen every year.</p></article></body></html>`
		rec := extractInline(t, "https://radio.example/post/brown", page)
		if got := rec.PublishedAt.Format("2006-01-02"); got != "2020-08-16" {
			t.Errorf("%s: published %s, want 2020-08-16", meta, got)
		}
	}
}

func TestAPhotosCaptionAScriptOrAMembersJoinDateByTheHeadlineIsNoPublishingTime(t *testing.T) {
	page := `<html lang="en-US"><head><title>Protesters gather at the theatre</title></head><body><article>
<div class="profile"><span class="ProfileHeaderCard-joinDateText" title="10:46 AM - 20 Mar 2007">Joined March 2007</span></div>
<h1>Protesters gather at the theatre</h1><script>var built = "January 2, 2019";</script>
<div class="wp-caption"><img src="a.jpg"><div class="wp-caption-text">The president speaks at the air base, January 16, 2020.</div></div>
<p>January 18, 2020</p><p>Protesters opposed to the new pension rules gathered outside the theatre where the president was watching a play on Friday night.</p>
<p>The police said a few of them tried to enter the building, and the president was taken out through a side door before the end.</p></article></body></html>`
	rec := extractInline(t, "https://wire.example/protesters/", page)
	if got := rec.PublishedAt.Format("2006-01-02"); got != "2020-01-18" {
		t.Errorf("published %s, want 2020-01-18", got)
	}
}

func TestAChineseDateWithAWeekdayOrAHalfOfTheDayKeepsItsClock(t *testing.T) {
	d := newDateReader(true)
	for s, want := range map[string]string{
		"2022年1月4日 週二 下午4:45":     "2022-01-04T16:45:00+08:00",
		"2021年12月20日 星期一 10:15":   "2021-12-20T10:15:00+08:00",
		"2021年12月20日（星期一）上午9:05":  "2021-12-20T09:05:00+08:00",
		"2021年12月20日 晚上11:30 来源：": "2021-12-20T23:30:00+08:00",
		"2021年12月20日 星期一":         "2021-12-20T00:00:00+08:00",
	} {
		got, ok := d.text(s, false)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("%q -> %v %v, want %s", s, got, ok, want)
		}
	}
}
