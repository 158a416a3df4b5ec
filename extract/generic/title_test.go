package generic

import (
	"fmt"
	"strings"
	"testing"
)

func TestTheHeadlineOverTheBodyWinsOverATitleThatIsTheSitesOrCarriesIt(t *testing.T) {
	body := `<p>The dredging of the inner harbour finished two weeks ahead of schedule, the port authority said.</p>
<p>Ferries will return to the old pier from Monday, with the first sailing at seven.</p>`
	for _, c := range []struct{ head, markup, want string }{
		// The <title> holds only the site's name; the headline is printed over the text.
		{"Winnipeg Free Press", `<h2>Harbour dredging ends two weeks early</h2>`, "Harbour dredging ends two weeks early"},
		// The site's name before the headline, or after it with a separator the page never prints.
		{"EuroNews : Harbour dredging ends two weeks early", `<div class="x">Harbour dredging ends two weeks early</div>`, "Harbour dredging ends two weeks early"},
		{"NDTV.com: Harbour dredging ends two weeks early", `<b>By Sam Lee</b>`, "Harbour dredging ends two weeks early"},
		// A title the page prints as it is stays.
		{"Harbour dredging ends two weeks early", `<h1>Harbour dredging ends two weeks early</h1>`, "Harbour dredging ends two weeks early"},
	} {
		page := fmt.Sprintf(`<html><head><title>%s</title><meta property="article:published_time" content="2024-03-01T09:00:00Z"></head>
<body><div class="story">%s%s</div><p class="note">Harbour dredging ends two weeks early — read more in print.</p></body></html>`, c.head, c.markup, body)
		rec, err := extractPage(pageOf(t, "https://harbour.example.com/news/dredging", page))
		if err != nil {
			t.Fatalf("%q: %v", c.head, err)
		}
		if rec.Title != c.want {
			t.Errorf("title %q with %s: got %q, want %q", c.head, c.markup, rec.Title, c.want)
		}
	}
}

func TestAHeadlineTheMarkupNamesWinsOverATitleThatIsOnlyTheSitesName(t *testing.T) {
	// Pages of the 2000s: a <title> holding the site's name, which the page prints again in its
	// logo and footer, and the headline in a styled <p> or <span>, no heading, above the text or
	// as the first block of the story.
	body := `<p>The county board voted to keep the east branch library open on Sundays through the winter.</p>
<p>Volunteers from the reading circle will staff the front desk on alternate weekends.</p>`
	for _, markup := range []string{
		`<p class='headline'>Library keeps its Sunday hours</p><p>By a staff writer</p>` + body,
		`<div id="fullstory"><p><span class="headline2">Library keeps its Sunday hours</span><br><span class="subhead"></span></p>` + body + `</div>`,
		`<p><span class="headingstory">Library keeps its Sunday hours</span></p>` + body,
	} {
		page := `<html><head><title>Valley Evening Courier</title></head><body>
<table><tr><td><h1>Valley Evening Courier</h1></td></tr></table>
<ul><li><a href="/a">Board delays the bridge repair vote again</a></li><li><a href="/b">Snow closes two schools on the ridge road</a></li></ul>
<table><tr><td>Published - Tuesday, January 8, 2008</td></tr><tr><td>` + markup + `</td></tr></table>
<p class="foot">Copyright Valley Evening Courier. All rights reserved.</p></body></html>`
		rec, err := extractPage(pageOf(t, "http://courier.example.com/news/story.asp?id=7", page))
		if err != nil {
			t.Fatalf("%s: %v", markup[:40], err)
		}
		if rec.Title != "Library keeps its Sunday hours" {
			t.Errorf("%s…: title %q, want the marked headline", markup[:40], rec.Title)
		}
		if strings.Contains(rec.Body, "Sunday hours") || !strings.HasPrefix(rec.Body, "The county board") {
			t.Errorf("%s…: body %q, want the text without its headline", markup[:40], rec.Body)
		}
	}
	// A list item marked as a headline is a listing's, never the page's.
	page := `<html><head><title>Valley Evening Courier</title></head><body><h1>Valley Evening Courier</h1>
<ul><li><a class="headline" href="/c">Library keeps its Sunday hours</a></li></ul>` + body + `</body></html>`
	rec, err := extractPage(pageOf(t, "http://courier.example.com/news/story.asp?id=8", page))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Title != "Valley Evening Courier" {
		t.Errorf("title %q: a linked headline was taken as the page's", rec.Title)
	}
}

func TestAShortStoryUnderItsMarkedHeadlineIsNoListingWhateverLinksSurroundIt(t *testing.T) {
	// An undated page of the 2000s: the <title> names only the site, the headline sits in a
	// styled <div>, and the side bar lists more headline links than the story has text.
	var rail strings.Builder
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&rail, "<tr><td><a href=\"/story/%d\">Council reviews the parking plan for district number %d</a></td></tr>\n", i, i)
	}
	page := `<html><head><title>Tri-County Wire</title></head><body>
<table><tr><td width="200"><table>` + rail.String() + `</table></td>
<td><div class="headline">Harbor crane returns to service</div>
<p>The harbor's largest crane is back at work after a month of repairs, the port said.</p>
<p>Two ships waiting offshore will be unloaded first.</p></td></tr></table></body></html>`
	rec, err := extractPage(pageOf(t, "http://wire.example.com/Global/story.asp?S=41", page))
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if rec.Title != "Harbor crane returns to service" || !strings.HasPrefix(rec.Body, "The harbor's largest crane") {
		t.Errorf("title %q body %q", rec.Title, rec.Body)
	}
}

func TestAHeadingOverTheTextWinsOverATitleThatIsASectionsNameAndBylinesBetweenDoNotHideIt(t *testing.T) {
	body := `<p>The dredging of the inner harbour finished two weeks ahead of schedule, the port authority said on Friday.</p>
<p>Ferries will return to the old pier from Monday, with the first sailing at seven and the last at ten.</p>`
	nav := `<ul><li><a href="/">Home</a></li><li>Sport</li><li>Football</li><li><a href="/news">News</a></li></ul>`
	for _, c := range []struct{ head, markup, want string }{
		// The <title> is the section's name, printed in the menu; a byline between the headline and the text.
		{"Sport", `<h2>Harbour dredging ends early</h2><h2>by Chris Stanton, 30 December 2007</h2>`, "Harbour dredging ends early"},
		// The section's name in an <h1> over the story's <h2>, with a byline and a date under it.
		{"Football", `<h1>Football</h1><h2>Dredgers beat the clock</h2><dl><dd>By staff writers</dd><dd>January 11, 2008</dd></dl>`, "Dredgers beat the clock"},
		// A short headline under the site's name, a date line between.
		{"Winnipeg Free Press", `<h3>Capping the deal</h3><p>Mon Jan 7 2008</p>`, "Capping the deal"},
		// A short headline that is the title stays, whatever heading the breadcrumbs print over it.
		{"Dredging is done", `<h3>HomeNewsLatest Harbour News</h3><h1>Dredging is done</h1><p>Jan 13 2008</p>`, "Dredging is done"},
		// A short heading in capitals over the text is a section's label, not the headline.
		{"Dredging is done", `<h1>Dredging is done</h1><h2>STATE NEWS</h2>`, "Dredging is done"},
	} {
		page := fmt.Sprintf(`<html><head><title>%s</title></head><body>%s<div class="story">%s%s</div></body></html>`, c.head, nav, c.markup, body)
		rec, err := extractPage(pageOf(t, "https://harbour.example.com/news/dredging", page))
		if err != nil {
			t.Fatalf("%q: %v", c.head, err)
		}
		if rec.Title != c.want {
			t.Errorf("title %q with %s: got %q, want %q", c.head, c.markup, rec.Title, c.want)
		}
	}
}

func TestABodyLosesTheMenuAndTeasersItHoldsAboveItsOwnHeadline(t *testing.T) {
	story := []string{"The dredging of the inner harbour finished two weeks ahead of schedule, the port authority said on Friday.",
		"Ferries will return to the old pier from Monday, with the first sailing at seven and the last at ten."}
	above := []string{"Local News", "EDITOR'S CHOICE", "Clampers on the quay", "Our reporter went to the compound to collect a car.", "1", "2", "3"}
	for _, c := range []struct {
		name, title string
		paras       []string
		want        []string
	}{
		{"the headline under a menu", "Dredging ends early (from Harbour Times)", append(append(append([]string{}, above...), "Dredging ends early"), story...), story},
		{"the title in another case", "Dredging Ends Early", append(append(append([]string{}, above...), "Dredging ends early"), story...), story},
		{"more above than below is no menu", "Dredging ends early", append(append(append([]string{}, story...), "Dredging ends early"), "A short line after it."), nil},
		{"the headline opening the body is settled elsewhere", "Dredging ends early", append([]string{"Dredging ends early"}, story...), nil},
	} {
		got := fromHeadline(c.paras, c.title)
		want := c.want
		if want == nil {
			want = c.paras
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: body %q, want %q", c.name, got, want)
		}
	}
}

func TestABodyEndsWhereAnUnnamedCommentSectionOpens(t *testing.T) {
	story := []string{"The dredging of the inner harbour finished two weeks ahead of schedule, the port authority said on Friday.",
		"Ferries will return to the old pier from Monday, with the first sailing at seven and the last at ten."}
	thread := []string{"Posted by: Dom, London on 5:19pm Tue 1 Jan 08", "About time too, the old pier has been closed for far too long."}
	for _, head := range []string{"Comments (12)", "3 Comments", "Thanks for your comments - this feedback is now closed", "Post a comment", "网友评论"} {
		got := untilComments(append(append(append([]string{}, story...), head), thread...))
		if strings.Join(got, "\n") != strings.Join(story, "\n") {
			t.Errorf("%q: body %q, want the story alone", head, got)
		}
	}
	// A reader's quote boxed inside a story, and a story whose first lines are short, keep their text.
	for _, paras := range [][]string{
		append(append([]string{}, story[0], "HAVE YOUR SAY", "Finally some common sense.", "Sal, NYC"), story[1]),
		append([]string{"Comments", "closed"}, story...),
	} {
		if got := untilComments(paras); len(got) != len(paras) {
			t.Errorf("%q cut to %q", paras, got)
		}
	}
}

func TestABodyThatOpensWithItsHeadlineInAnotherCaseOrQuotesLosesIt(t *testing.T) {
	paras := []string{"‘We Got Her!’ Rescue On The Quay", "The harbour police found the missing boat on Friday, tied up at the old quay."}
	_, got := settleTitle(pageShape{}, "'We got her!' rescue on the quay", paras, "", nil)
	if len(got) != 1 || got[0] != paras[1] {
		t.Errorf("body %q, want the headline gone", got)
	}
}
